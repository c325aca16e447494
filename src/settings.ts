/**
 * Protein's settings: names, defaults, and how a config's `protein:` block and the
 * constructor's settings combine. Defaults follow PufferLib's `Protein` (the newer of
 * the two references) unless docs/algorithm.md says otherwise.
 */
import { type Acquisition, type ConfigSettings, type SettingKey, isSettingKey, settingsAllowed, settingsShape, snakeCase } from "./config/settings";
import { ConfigError, type ConfigIssue, didYouMean } from "./errors";
import type { ParamsLayout } from "./space/search-space";
import { type PresetName, presetSettings } from "./presets";
import type { OutputWarpingSetting } from "./protein/output-warping";

/** All settings, resolved. */
export interface ProteinSettings {
  /** Candidates whose predicted cost is at or above this are masked. @default 3600 */
  maxSuggestionCost: number;
  /** Every n-th suggestion re-proposes a Pareto-front member (0 = never). @default 0 */
  resampleFrequency: number;
  /** Suggestions drawn from the scrambled Sobol sequence before the model is used. @default 10 */
  numRandomSamples: number;
  /** Multiplier of every parameter's sampling scale around the search centers. @default 1 */
  globalSearchScale: number;
  /** Candidates sampled around each search center. @default 256 */
  suggestionsPerPareto: number;
  /** How far beyond the costliest front member the cost target may reach. @default 0.1 */
  expansionRate: number;
  /** Dotted key of the parameter that sets a run's cost. Default: detected by its name at any depth (`detectCostParam`: total_timesteps, timesteps, steps, epochs, …), or none. */
  costParam: string | null;
  /** Drop the inefficient high-cost tail of the front from the search centers. @default true */
  prunePareto: boolean;
  /** Rows a GP is fitted on beyond which the older ones are subsampled (up to gpMaxObs + ⌈gpMaxObs/16⌉ rows; docs/algorithm.md §3). @default 750 */
  gpMaxObs: number;
  /** The first suggestion is the search center (each parameter's `mean`). @default true */
  seedWithSearchCenter: boolean;
  /** `percentile` feeds scores through clip(logit(score), −5, 100). @default "linear" */
  metricDistribution: "linear" | "percentile";
  /** Quantile of the early-stopping score-vs-log-cost line. @default 0.3 */
  earlyStopQuantile: number;
  /** Candidate rating: Protein's cost-weighted mean, EI, log-EI or UCB (all cost-weighted). @default "logei" (chosen by the quality suite; "protein" is the reference) */
  acquisition: Acquisition;
  /** UCB exploration weight. @default 2 */
  ucbBeta: number;
  /** Seed of the one generator every random draw comes from. Default: a fresh random seed, readable as `protein.seed`. */
  seed: number | string;
  /** Top-scoring observations whose cheaper copies join the search centers. @default 5 */
  numKeepTopObs: number;
  /**
   * Hyperparameter fit: L-BFGS on the marginal likelihood + priors, Protein's AMSGrad steps ("adam"), or the
   * Python Protein's plain Adam on pyro's parameters ("pyro", `fitIterations` steps; needs kernel "protein").
   * @default "lbfgs"
   */
  fitMethod: "lbfgs" | "adam" | "pyro";
  /** Iteration cap of one fit (L-BFGS iterations or Adam steps). @default 50 */
  fitIterations: number;
  /** GP kernel: Protein's linear + Matérn 3/2, or a plain ARD kernel. @default "protein" */
  kernel: "protein" | "matern52" | "matern32" | "rbf";
  /** Cost target draw: PufferLib's shuffled deck or Metta's uniform. @default "deck" */
  costTarget: "deck" | "uniform";
  /** Treatment of suggestions not yet observed: constant liar (worst score), kriging believer, or none. @default "liar" */
  pendingStrategy: "liar" | "believer" | "none";
  /** Candidates closer than this (normalized Euclidean distance) to a pending suggestion are not proposed. @default 0.1 */
  pendingRadius: number;
  /**
   * Prior on the GP noise variance (scores min–max scaled to [0, 1]): Protein's
   * LogNormal(ln 1e-2, 0.5), or a weak LogNormal(ln 1e-4, 2) that lets nearly noise-free
   * objectives be fitted closely. @default "weak"
   */
  noisePrior: "protein" | "weak";
  /**
   * Above 100 observations, a GP's hyperparameters are refitted only when its data grew
   * by at least this fraction since its last fit (0 = every suggestion); in between, the
   * posterior is updated with the kept hyperparameters. Protein's Adam fit always steps.
   * @default 0.05
   */
  refitGrowth: number;
  /** Extra candidates drawn uniformly over the whole box (beside those around the centres). @default 1024 */
  globalCandidates: number;
  /**
   * Extra candidates that copy a search centre and redraw one or two of its coordinates (chosen at random; never
   * the cost parameter's) uniformly over their range, so a centre can move far along a few parameters while
   * keeping the rest. Scaled like `globalCandidates` on many rows. @default 0 (opt-in: docs/benchmarks.md
   * "Issue 14, stop 20" — 256 did better on 10 of the quality suite's 11 rows, but worse and costlier on the
   * harness's noisy, cost-aware `trainrun`)
   */
  subspaceCandidates: number;
  /** Refine the best-rated candidates by local perturbation before choosing (acquisition optimization). @default true */
  localSearch: boolean;
  /**
   * Fraction of each continuous parameter's range (in its normalized scale; not the cost parameter's) that the
   * local refinement keeps free at each end: a perturbation past `−1 + 2m` or `1 − 2m` stops there (clamped,
   * not reflected). Candidates from the initial draws are not moved. 0 = off. @default 0 (opt-in: docs/benchmarks.md
   * "Issue 14, round 3" — along a coordinate the model finds flat, log EI's only slope is the posterior variance,
   * which grows toward the faces, and the refinement's last steps carried winners to within 1 % of them; 0.025
   * stops that, but moved the harness's Hartmann-6 and Rosenbrock-4 medians the wrong way, so it is not the default)
   */
  refineMargin: number;
  /**
   * The score GP's prior mean: a constant fitted with the hyperparameters ("constant"), or that constant minus a
   * trend a·mean_j h(x_j) over the numeric coordinates other than the cost parameter's, in the normalized box:
   * h(v) = ((|v| − 0.75)₊ / 0.25)² for "edges" (the last eighth of each range at either end), h(v) = v² for
   * "bowl". a ≥ 0 is profiled out of the likelihood at every fit (its GLS value; 0 when the data say the faces
   * are better), so where nothing was observed the model expects runs to get worse toward the faces, and log EI
   * stops preferring them for their variance alone. @default "edges" (docs/benchmarks.md "Issue 14, stops 22
   * and 23": it wins the real tuning problems with 4–6 % of its suggestions within 1 % of a bound, not 21–25 %,
   * beats TPE on every suite row, and ends `trainrun` far better; the cost protocol and Levy stay inside the IQR
   * of "constant", which the presets and REFERENCE_SETTINGS keep)
   */
  scoreMean: "constant" | "bowl" | "edges";
  /**
   * Every k-th suggestion (by suggestion index) is rated by Protein's cost-weighted posterior mean instead of
   * `acquisition`: a pure exploitation step (0 = never). @default 2 (chosen by the quality suite)
   */
  exploitEvery: number;
  /**
   * What a candidate drawn past a bound of the box becomes: folded back inside ("reflect"), or put on
   * the bound ("clip", Protein's). Clipping stacks a share of the candidates exactly on the bounds,
   * which the acquisition then often picks. "reflect-except-cost" reflects every coordinate but the cost
   * parameter's, whose best value is often its maximum. @default "reflect" (docs/benchmarks.md)
   */
  candidateBounds: "reflect" | "clip" | "reflect-except-cost";
  /**
   * L-BFGS iteration cap of a cold fit (the first fit of a GP, or any fit without a warm start);
   * `fitIterations` caps the warm refits. Large enough for a cold fit to converge. @default 500
   */
  coldFitIterations: number;
  /**
   * Rows a cold L-BFGS fit sees when the training set is larger: the hyperparameters are fitted to convergence on
   * a seeded random subset of this many rows, then refitted once on all rows with the warm cap (`fitIterations`).
   * 0 fits every row cold. Training sets of at most this many rows are fitted exactly as without it. @default 200
   */
  coldFitRows: number;
  /**
   * After a cold fit on a subset (`coldFitRows`): 0 refits on all rows at once (up to `fitIterations` L-BFGS
   * iterations, in that same suggestion); k ≥ 1 lets that suggestion use the subset's hyperparameters as they are
   * and spreads the refit on all rows over the following suggestions, warm, k iterations each, until it
   * converges or has run `fitIterations` in all. Bounds the first suggestion after loading a large prior.
   * @default 5 (docs/benchmarks.md, "Scale")
   */
  coldRefitSlice: number;
  /**
   * Training rows (of the score GP) beyond which the candidates shrink in proportion, so that rating them (one
   * kernel value per candidate and training row, for each GP) costs about the same at any size: with r rows,
   * `suggestionsPerPareto` and `globalCandidates` are scaled by R/r (at least 32 per centre); beyond `gpMaxObs`
   * observations, where the rows stay at about `gpMaxObs`, by R/r · observations/r (at most 1), so every candidate
   * is back from about twice `gpMaxObs` observations. 0 = never. Acts only beyond R rows, so no sweep of fewer
   * observations changes. @default 375 (docs/benchmarks.md, "Round 5": at n = 750 the mean CPU per suggest falls
   * from 393 to 216 ms, and a loaded prior of 750 or 1 500 observations followed by 20 suggestions stays within
   * the full candidate set's IQR on every problem; "Stop 19": near a converged optimum at 3 000 observations the
   * capped rows lost to the exact posterior with halved candidates, not with every candidate)
   */
  candidateScaleRows: number;
  /**
   * Beyond `gpMaxObs` training rows and up to this many, both GPs condition on every row (the exact posterior),
   * while their hyperparameters are fitted on `gpMaxObs` of them (the capped set's rule) and carried over; beyond it,
   * the capped training set as without it. Costs a factorization of all rows at each refit (~3.5 s at 3 000 rows
   * here) and O(rows²) solves per suggestion: ~0.6–0.8 s per suggestion at 3 000 rows against ~0.3 s capped
   * (docs/benchmarks.md, "Round 5": with the candidates scaled on all its rows it was worse than the capped set on
   * the rows measured; pair it with `candidateScaleRows: 0` at several times the cost). 0 (or ≤ gpMaxObs) = off.
   * @default 0
   */
  posteriorMaxObs: number;
  /**
   * Exponent of Protein's cost weight under log-EI (rating = log EI + p · log w − α · log ĉ): 1 multiplies EI by
   * the weight; higher values hold suggestions closer to the drawn cost target; 0 leaves the target to the
   * exploitation steps. @default 0 (with `costCooling`; docs/benchmarks.md "Issue 14, round 2")
   */
  costWeightPower: number;
  /**
   * Cost cooling of EI (CArBO-style EI per unit cost): EI steps rate EI · w^p / ĉ^α, with ĉ the predicted raw
   * cost and α = costCooling · max(0, 1 − spent / (costCoolingRuns · ĉmax)), where spent is the cost of every
   * observation so far and ĉmax the predicted cost of the costliest allowed candidate. 0 = off. @default 1
   * (EI per unit cost; docs/benchmarks.md "Issue 14, round 2")
   */
  costCooling: number;
  /** Spend, in runs of the costliest candidate, over which the cost cooling's α falls to 0. @default 10 */
  costCoolingRuns: number;
  /**
   * Spend pacing: a suggestion's predicted cost is at most `costPacing` × the cost of every observation so far, so
   * the spend grows by at most that share per run and no run outgrows what the cheaper ones have mapped. Applies
   * when costs vary and no cost is fixed (`info.costCap` reports the cap); when no candidate is under the cap it is
   * lifted for that step. Loaded observations count as spent. 0 = off. @default 0.25 (docs/benchmarks.md, "Issue
   * 14, stop 24")
   */
  costPacing: number;
  /**
   * Monotone transform of the scores before the score GP (src/protein/output-warping.ts): "none", a fixed "log",
   * "box-cox" or "yeo-johnson" (λ by maximum likelihood, refitted at every fit), or "auto": at every hyperparameter
   * refit, when the gaps to the best score look log-normal (a long bad tail), identity, log and the fitted Box–Cox
   * (all on the gap to the best score, δ floored at the noise fitted at the top of the scores) are each fitted and
   * the one with the largest marginal likelihood of the raw scores (the Jacobian included) is used; otherwise
   * identity. Helps most on scores that span orders of magnitude (a loss that explodes in part of the box).
   * @default "auto" (docs/benchmarks.md, issue 14 round 4: on the suite and the baselines harness it wins the
   * heavy-tailed rows, Rosenbrock-4 and Levy-4, and every other row stays within the IQR of "none"; on the noisy
   * rows, mixed training and the harness's `trainrun`, it makes the same suggestions as "none")
   */
  outputWarping: OutputWarpingSetting;
  /** PufferLib's downsample (points observed per run); kept for the record. @default 1 */
  downsample: number;
  /** Most prior observations `loadPrior` takes when no limit is passed (0 = all). @default 0 */
  maxObservationsToLoad: number;
  /** How suggested params are laid out: as the config writes them, fully nested, or flat dotted keys. @default "as-written" */
  layout: ParamsLayout;
  /**
   * Reproduce a Python Protein: "metta" (Metta's metta/sweep/protein.py with Metta's settings) or "pufferlib"
   * (PufferLib 2.0's pufferlib/sweep.py). Sets that Protein's settings (`PRESETS`; settings given beside it
   * win) and makes suggest() follow its steps (src/presets.ts). null: protein-sweep's own algorithm. @default null
   */
  preset: PresetName | null;
}

export const DEFAULT_SETTINGS: Readonly<Omit<ProteinSettings, "seed" | "costParam">> = Object.freeze({
  maxSuggestionCost: 3600,
  resampleFrequency: 0,
  numRandomSamples: 10,
  globalSearchScale: 1,
  suggestionsPerPareto: 256,
  expansionRate: 0.1,
  prunePareto: true,
  gpMaxObs: 750,
  seedWithSearchCenter: true,
  metricDistribution: "linear",
  earlyStopQuantile: 0.3,
  acquisition: "logei",
  ucbBeta: 2,
  numKeepTopObs: 5,
  fitMethod: "lbfgs",
  fitIterations: 50,
  kernel: "protein",
  costTarget: "deck",
  pendingStrategy: "liar",
  pendingRadius: 0.1,
  noisePrior: "weak",
  refitGrowth: 0.05,
  globalCandidates: 1024,
  subspaceCandidates: 0,
  localSearch: true,
  refineMargin: 0,
  scoreMean: "edges",
  exploitEvery: 2,
  candidateBounds: "reflect-except-cost",
  coldFitIterations: 500,
  coldFitRows: 200,
  coldRefitSlice: 5,
  candidateScaleRows: 375,
  posteriorMaxObs: 0,
  costWeightPower: 0,
  costCooling: 1,
  costCoolingRuns: 10,
  costPacing: 0.25,
  outputWarping: "auto",
  downsample: 1,
  maxObservationsToLoad: 0,
  layout: "as-written",
  preset: null,
});

/**
 * The reference behaviour (PufferLib's Protein, PROTEIN.md §2): the cost-weighted mean
 * rating, 50 AMSGrad steps per suggestion, the linear + Matérn-3/2 kernel, Protein's noise
 * prior, candidates only around the centres, no local refinement, hyperparameters stepped
 * every suggestion. `new Protein(config, { ...REFERENCE_SETTINGS, seed })`.
 */
export const REFERENCE_SETTINGS: Readonly<Partial<ProteinSettings>> = Object.freeze({
  acquisition: "protein",
  fitMethod: "adam",
  kernel: "protein",
  noisePrior: "protein",
  globalCandidates: 0,
  subspaceCandidates: 0,
  localSearch: false,
  exploitEvery: 0,
  refitGrowth: 0,
  candidateBounds: "clip",
  outputWarping: "none",
  candidateScaleRows: 0,
  scoreMean: "constant",
  costPacing: 0,
});

/** Settings a user may pass to the constructor (any subset). */
export type ProteinOptions = Partial<ProteinSettings>;

/** Names of every setting, for validation of constructor options. */
export const SETTING_NAMES: readonly (keyof ProteinSettings)[] = [...Object.keys(DEFAULT_SETTINGS), "seed", "costParam"] as (keyof ProteinSettings)[];

/**
 * Checks constructor settings completely: an object (or undefined), only known names
 * (a misspelt one gets a "did you mean"), each value validated by the same zod schema as
 * the config's `protein:` block (e.g. `acquisition` one of the rules, `numRandomSamples` an
 * integer ≥ 0, `gpMaxObs` ≥ 2, `globalCandidates` at most 100,000). `undefined` values are
 * the same as leaving a setting out.
 *
 * @returns the validated settings (numbers written as text are converted).
 * @throws ConfigError listing every problem with the key, the value, what is allowed and the fix.
 */
export function validateProteinOptions(options: unknown): ProteinOptions {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ConfigError("Protein settings must be an object", { key: "options", value: options, allowed: "an object of settings such as { seed: 1, numRandomSamples: 10 }, or nothing", fix: "pass an object, or leave the argument out to use the defaults" });
  }
  const issues: ConfigIssue[] = [];
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(options)) {
    const value = (options as Record<string, unknown>)[key];
    const snake = snakeCase(key);
    if (!(SETTING_NAMES as readonly string[]).includes(key) || !isSettingKey(snake)) {
      const guess = didYouMean(key, SETTING_NAMES);
      issues.push({
        message: `unknown setting "${key}"`,
        key,
        value,
        allowed: SETTING_NAMES.join(", "),
        fix: `${guess !== undefined ? `did you mean "${guess}"? ` : ""}check the spelling (settings are camelCase in TypeScript, snake_case in a config's protein: block)`,
      });
      continue;
    }
    if (value === undefined) continue;
    const parsed = settingsShape[snake as SettingKey].safeParse(value);
    if (parsed.success) out[key] = parsed.data;
    else {
      const allowed = settingsAllowed[snake as SettingKey];
      issues.push({ message: `setting ${key} is invalid`, key, value, allowed, fix: `set ${key} to ${allowed}, or leave it out to use the default` });
    }
  }
  if (issues.length > 0) throw new ConfigError("invalid Protein settings", {}, issues);
  return out as ProteinOptions;
}

/**
 * Last segments of a dotted key that name a run's length, in order of preference: the
 * first name in this list that some parameter ends with wins (`total_timesteps` before
 * `epochs`, and so on). Compared case-insensitively, with `-` read as `_`.
 */
export const COST_PARAM_NAMES: readonly string[] = Object.freeze([
  "total_timesteps",
  "num_timesteps",
  "timesteps",
  "total_steps",
  "train_steps",
  "training_steps",
  "num_train_steps",
  "num_training_steps",
  "max_steps",
  "num_steps",
  "steps",
  "total_epochs",
  "num_epochs",
  "max_epochs",
  "n_epochs",
  "train_epochs",
  "epochs",
  "num_iterations",
  "max_iterations",
  "total_iterations",
  "train_iters",
  "max_iter",
  "iterations",
  "num_updates",
  "total_updates",
  "updates",
  "num_samples",
  "total_samples",
]);

/** How the cost parameter in force was chosen. */
export interface CostParamChoice {
  /** Dotted key of the cost parameter, or null for none. */
  key: string | null;
  /** `setting`: named by cost_param / costParam; `detected`: found by its name; `none`: neither. */
  source: "setting" | "detected" | "none";
  /** One sentence for the user (also in `protein.warnings` when detected or none). */
  message: string;
}

/**
 * Finds the parameter that sets a run's length by its name, at any depth: the parameter
 * whose last dotted segment is the earliest of {@link COST_PARAM_NAMES}; among several with
 * the same name, the shallowest (then the first written). Only `eligible` keys are
 * considered (numeric parameters: a categorical cannot be a cost coordinate).
 */
export function detectCostParam(eligible: readonly string[]): string | null {
  let best: { key: string; rank: number; depth: number } | null = null;
  for (const key of eligible) {
    const segments = key.split(".");
    const last = segments[segments.length - 1].toLowerCase().replace(/-/g, "_");
    const rank = COST_PARAM_NAMES.indexOf(last);
    if (rank < 0) continue;
    const depth = segments.length;
    if (best === null || rank < best.rank || (rank === best.rank && depth < best.depth)) best = { key, rank, depth };
  }
  return best?.key ?? null;
}

/** Whether the config or the options name the cost parameter (a key or null), so that none is detected. */
export function costParamNamed(fromConfig: Readonly<ConfigSettings>, options: ProteinOptions): boolean {
  return fromConfig.costParam !== undefined || options.costParam !== undefined;
}

/** Says which cost parameter is in force and why (`named`: see {@link costParamNamed}). */
export function describeCostParam(key: string | null, named: boolean): CostParamChoice {
  if (named && key !== null) return { key, source: "setting", message: `cost parameter ${key} (named by costParam)` };
  if (named) return { key: null, source: "none", message: "no cost parameter (costParam is null): the search centres get no cheaper copies and fixedCost is unavailable" };
  if (key !== null) {
    return { key, source: "detected", message: `cost parameter ${key} detected by its name; set costParam (cost_param in the config) to choose another, or null for none` };
  }
  return {
    key: null,
    source: "none",
    message: `no cost parameter: none is named by costParam and no numeric parameter is named like ${COST_PARAM_NAMES.slice(0, 6).join(", ")}, …; set costParam (cost_param in the config) to the parameter that sets a run's length`,
  };
}

/**
 * Config settings, then constructor options (validated), over the defaults. `keys` are the
 * space's dotted keys; `eligibleCostKeys` the numeric ones, among which a cost parameter is
 * detected when neither the config nor the options name one (`costParam` left out).
 */
export function resolveSettings(
  fromConfig: Readonly<ConfigSettings>,
  options: ProteinOptions,
  keys: readonly string[],
  freshSeed: () => number,
  eligibleCostKeys: readonly string[] = keys,
): ProteinSettings {
  const config = stripUndefined(fromConfig);
  const opts = stripUndefined(validateProteinOptions(options));
  // A preset's settings sit between the defaults and whatever the config or the options set.
  const preset = opts.preset !== undefined ? opts.preset : (config.preset ?? null);
  const merged = { ...DEFAULT_SETTINGS, ...presetSettings(preset), ...config, ...opts, preset } as Partial<ProteinSettings>;
  let costParam = merged.costParam;
  if (costParam === undefined) costParam = detectCostParam(eligibleCostKeys);
  else if (costParam !== null) costParam = costParam.replace(/\//g, ".");
  return { ...(merged as ProteinSettings), costParam, seed: merged.seed ?? freshSeed() };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
