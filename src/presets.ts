/**
 * Presets that reproduce a Python Protein: `preset: "metta"` (Metta's `metta/sweep/protein.py` with the
 * `ProteinSettings` defaults Metta passes) and `preset: "pufferlib"` (PufferLib 2.0's `pufferlib/sweep.py`
 * with its `Protein.__init__` defaults). A preset does two things:
 *
 * 1. it sets the Protein settings of {@link PRESETS} (any of them can still be overridden, in the config's
 *    `protein:` block or the constructor options);
 * 2. it makes `suggest()` follow that Python Protein's own steps ({@link PRESET_ENGINES}: its phases, score
 *    scaling, pyro GP fit, candidates, rating) instead of protein-sweep's algorithm (src/protein/reference.ts).
 *
 * The references, with the lines each value comes from, are those the baselines harness runs: Metta-AI/metta
 * at a8d1ecee19 (`metta/sweep/protein.py`, `metta/sweep/protein_config.py`,
 * `packages/pufferlib-core/src/pufferlib/sweep.py`) and pyro 1.8.6 (`pyro/contrib/gp/`).
 */
import { PRESET_NAMES, type PresetName } from "./config/settings";
import type { LogNormalPrior } from "./gp/priors";
import type { ProteinSettings } from "./settings";

export { PRESET_NAMES, type PresetName };

/** The settings each preset sets (before the config's and the options' own). */
export const PRESETS: Readonly<Record<PresetName, Readonly<Partial<ProteinSettings>>>> = Object.freeze({
  // Metta's ProteinSettings (metta/sweep/protein_config.py lines 20–36); Metta's adapter passes every field.
  metta: Object.freeze({
    maxSuggestionCost: 10800, // protein_config.py:20
    globalSearchScale: 1, // :21
    suggestionsPerPareto: 256, // :23 (random_suggestions = 15, :22, only picks among equivalent random draws)
    resampleFrequency: 10, // :26
    numRandomSamples: 0, // :27
    seedWithSearchCenter: true, // :28
    expansionRate: 0.25, // :29
    acquisition: "protein", // :30 acquisition_fn="naive"
    ucbBeta: 2, // :33
    costTarget: "uniform", // protein.py:528 target = (1 + expansion_rate)·U(0, 1)
    candidateBounds: "clip", // protein.py:176 np.clip(samples, min_bounds, max_bounds)
    kernel: "protein", // protein.py:231–233 Sum(Polynomial(degree=1), Matern32)
    fitMethod: "pyro", // protein.py:413 gp.util.train(gp_score, Adam)
    fitIterations: 1000, // pyro/contrib/gp/util.py:161 train(..., num_steps=1000)
    pendingStrategy: "none", // Metta's Protein has no notion of pending suggestions
    outputWarping: "none", // the Python Protein fits its GP to the scores untransformed (no output warping)
    scoreMean: "constant", // and with a constant prior mean (no trend toward the faces)
    costPacing: 0, // and no cap on a suggestion's cost beyond maxSuggestionCost
  }),
  // PufferLib 2.0's Protein.__init__ defaults (packages/pufferlib-core/src/pufferlib/sweep.py lines 342–353).
  pufferlib: Object.freeze({
    maxSuggestionCost: 3600, // sweep.py:345
    resampleFrequency: 0, // :346
    numRandomSamples: 50, // :347 (used only when seed_with_search_center is false, :378)
    globalSearchScale: 1, // :348 (the model step ignores it, :426)
    suggestionsPerPareto: 256, // :350
    seedWithSearchCenter: true, // :351
    expansionRate: 0.25, // :352
    acquisition: "protein", // :456–459, the only rating
    costTarget: "uniform", // :456 target = (1 + expansion_rate)·U(0, 1)
    candidateBounds: "clip", // :197 np.clip
    kernel: "protein", // :329–331
    fitMethod: "pyro", // :402, :418 gp.util.train
    fitIterations: 1000, // pyro/contrib/gp/util.py:161
    pendingStrategy: "none",
    outputWarping: "none", // likewise
    scoreMean: "constant", // likewise
    costPacing: 0, // likewise
  }),
});

/** What a preset's `suggest()` does beyond its settings: the constants of that Python Protein. */
export interface PresetEngine {
  readonly name: PresetName;
  /** Adam learning rate of every GP fit. */
  readonly learningRate: number;
  /** pyro's `jitter`, added to the diagonal besides the fitted noise. */
  readonly jitter: number;
  /** The fitted noise variance's start: a number, or "prior" (a draw from `noisePrior`, pyro's init_to_sample). */
  readonly initialNoise: number | "prior";
  /** LogNormal prior on the noise variance (MAP), or null for a plain parameter. */
  readonly noisePrior: LogNormalPrior | null;
  /** Score GP targets: z-scores with a zero-mean GP ("zscore"), or min–max to [0, 1] ("minmax"). */
  readonly scoreScaling: "zscore" | "minmax";
  /** Added to the denominator of every min–max scaling (scores for the rating, log-costs). */
  readonly scaleEps: number;
  /** Below this many observations the model step returns a random draw around the search centre instead. */
  readonly minModelObservations: number;
  /** Skip the cost GP when every cost is the same (its normalized log-cost is then 0.5 everywhere). */
  readonly skipConstantCost: boolean;
  /** Constant prior mean of the cost GP. */
  readonly costGpMean: number;
  /**
   * The cost GP is not fitted: it predicts with the score GP's hyperparameters, just fitted, on the log-cost
   * targets. What Metta's Protein does, though its code fits two GPs: both are pyro `GPRegression` modules with
   * the same (empty) pyro name, so their parameters have the same names in pyro's global parameter store
   * (`noise`, `kernel.kern0.variance`, `kernel.kern0.bias`, `kernel.kern1.variance`, `kernel.kern1.lengthscale`).
   * The score GP is trained first and registers its parameters there; when the cost GP is first run,
   * `PyroModule.__getattr__` (pyro/nn/module.py:470–505) swaps each of its parameters for the stored one of
   * that name, i.e. the score GP's. Its training then moves nothing — its Adam (protein.py:237) holds the
   * parameters it was built with, which no longer take part — and it predicts with the score GP's
   * hyperparameters. Checked on the harness's trainrun: the cost GP's parameters are the very tensors of the
   * score GP after the first model step (docs/benchmarks.md, "Issue 14, round 4"). PufferLib 2.0's sweep.py
   * builds its two GPs the same way, and there too all five parameters (the noise as `noise_map`, its MAP
   * guide's) are the score GP's after the first model step; its cost GP keeps its own constant mean 1.
   */
  readonly costSharesScoreHyperparameters: boolean;
  /** The cost weight 1 − |t − ĉ| is clamped at 0. */
  readonly clampWeight: boolean;
  /** When every candidate is over maxSuggestionCost, the mask is lifted (else every rating is 0). */
  readonly relaxCostMask: boolean;
  /** Candidates are drawn at globalSearchScale × each parameter's scale (else at the parameter's scale). */
  readonly candidatesUseGlobalScale: boolean;
  /** The random phase runs only when the first suggestion is not the search centre. */
  readonly randomPhaseNeedsNoCenter: boolean;
  /** Observations within this normalized distance of an earlier one replace it (observe()). */
  readonly duplicateDistance: number;
  /** Score tolerance of the Pareto front. */
  readonly paretoEps: number;
}

export const PRESET_ENGINES: Readonly<Record<PresetName, PresetEngine>> = Object.freeze({
  metta: Object.freeze({
    name: "metta",
    learningRate: 1e-2, // protein.py:237 torch.optim.Adam(model.parameters(), lr=1e-2)
    jitter: 1e-3, // protein.py:234 GPRegression(..., jitter=1.0e-3)
    initialNoise: 1e-2, // protein.py:236 model.noise = torch.tensor(1e-2) (a fitted PyroParam)
    noisePrior: null,
    scoreScaling: "zscore", // protein.py:403–405 y_z = (y − mean)/(std + 1e-12)
    scaleEps: 1e-12, // protein.py:465, :483
    minModelObservations: 10, // protein.py:383 while subset_size >= 10 … else random fallback (:428–432)
    skipConstantCost: true, // protein.py:476–478
    costGpMean: 0,
    costSharesScoreHyperparameters: true, // protein.py:272–273, :486–491 with pyro/nn/module.py:470–505 (see above)
    clampWeight: true, // protein.py:529 np.maximum(1 − |t − ĉ|, 0)
    relaxCostMask: true, // protein.py:498–500
    candidatesUseGlobalScale: true, // protein.py:446–447
    randomPhaseNeedsNoCenter: false, // protein.py:327
    duplicateDistance: 1e-6, // protein.py:591
    paretoEps: 1e-6, // protein.py:211
  }),
  pufferlib: Object.freeze({
    name: "pufferlib",
    learningRate: 1e-4, // sweep.py:336 lr=0.0001
    jitter: 1e-4, // sweep.py:334 jitter=1.0e-4
    initialNoise: "prior", // sweep.py:335 PyroSample → Delta guide started from a prior draw
    noisePrior: Object.freeze({ mu: Math.log(1e-2), sigma: 0.5 }), // sweep.py:335 LogNormal(log(1e-2), 0.5)
    scoreScaling: "minmax", // sweep.py:398 (y − min)/(|max − min| + 1e-6)
    scaleEps: 1e-6, // sweep.py:398, :413
    minModelObservations: 1,
    skipConstantCost: false,
    costGpMean: 1, // sweep.py:415 gp_cost.mean_function = lambda x: 1
    costSharesScoreHyperparameters: true, // sweep.py:368–369, :418 with pyro/nn/module.py:470–505; the noise's MAP `noise_map` is shared too
    clampWeight: false, // sweep.py:457
    relaxCostMask: false, // sweep.py:454
    candidatesUseGlobalScale: false, // sweep.py:426 sample(..., mu=search_centers): scale 1
    randomPhaseNeedsNoCenter: true, // sweep.py:378
    duplicateDistance: 1e-6, // sweep.py:561
    paretoEps: 1e-6, // sweep.py:226
  }),
});

/** The preset's settings (empty for null/undefined). */
export function presetSettings(name: PresetName | null | undefined): Readonly<Partial<ProteinSettings>> {
  return name === null || name === undefined ? {} : PRESETS[name];
}
