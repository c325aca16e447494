/**
 * Protein settings as a config's `protein:` block (or PufferLib's `[sweep]` scalars)
 * writes them, snake_case, validated by zod and returned camelCase.
 */
import { z } from "zod";
import { parseDecimal } from "./safe";

/** Names of the presets that reproduce a Python Protein (src/presets.ts). */
export const PRESET_NAMES = ["metta", "pufferlib"] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** Most candidates drawn over the whole box per suggestion: 100,000 × d coordinates stay in the tens of megabytes. */
export const MAX_GLOBAL_CANDIDATES = 100_000;
/** Most candidates sampled around each search center per suggestion. */
export const MAX_SUGGESTIONS_PER_PARETO = 10_000;

/**
 * Numbers may arrive as strings from INI files or quoted YAML ("1e-5"); the text is read
 * by a linear scanner (a regular expression here used to backtrack on long digit runs).
 */
const num = z
  .union([z.number(), z.string().transform((s, ctx) => parseDecimal(s) ?? (ctx.addIssue({ code: "custom", message: "not a number" }), z.NEVER))])
  .pipe(z.number().finite());
const bool = z.union([z.boolean(), z.enum(["true", "false", "True", "False"]).transform((s) => s.toLowerCase() === "true")]);

/** The acquisition rules Protein offers. */
export const ACQUISITIONS = ["protein", "ei", "logei", "ucb"] as const;
export type Acquisition = (typeof ACQUISITIONS)[number];

/** Values of `outputWarping` (the transforms are in src/protein/output-warping.ts, whose OUTPUT_WARPINGS equals this list). */
export const OUTPUT_WARPINGS = ["none", "auto", "log", "box-cox", "yeo-johnson"] as const;
export type OutputWarpingSetting = (typeof OUTPUT_WARPINGS)[number];

/** A per-suggestion count of extra candidates (`global_candidates`, `subspace_candidates`) and what it allows. */
const candidateCount = num.pipe(z.number().int().nonnegative().max(MAX_GLOBAL_CANDIDATES));
const candidateCountAllowed = `an integer from 0 to ${MAX_GLOBAL_CANDIDATES} (more would need gigabytes per suggestion)`;

/** Settings schema keyed by the snake_case name a config uses. */
export const settingsShape = {
  max_suggestion_cost: num.pipe(z.number().positive()),
  resample_frequency: num.pipe(z.number().int().nonnegative()),
  num_random_samples: num.pipe(z.number().int().nonnegative()),
  global_search_scale: num.pipe(z.number().positive()),
  suggestions_per_pareto: num.pipe(z.number().int().positive().max(MAX_SUGGESTIONS_PER_PARETO)),
  expansion_rate: num.pipe(z.number().nonnegative()),
  cost_param: z.string().nullable(),
  prune_pareto: bool,
  gp_max_obs: num.pipe(z.number().int().min(2)),
  seed_with_search_center: bool,
  metric_distribution: z.enum(["linear", "percentile"]),
  early_stop_quantile: num.pipe(z.number().gt(0).lt(1)),
  acquisition: z.enum(ACQUISITIONS),
  ucb_beta: num.pipe(z.number().nonnegative()),
  seed: z.union([z.number().int(), z.string()]),
  num_keep_top_obs: num.pipe(z.number().int().nonnegative()),
  downsample: num.pipe(z.number().int().positive()),
  max_observations_to_load: num.pipe(z.number().int().nonnegative()),
  fit_method: z.enum(["lbfgs", "adam", "pyro"]),
  cost_target: z.enum(["deck", "uniform"]),
  pending_strategy: z.enum(["liar", "believer", "none"]),
  pending_radius: num.pipe(z.number().nonnegative()),
  kernel: z.enum(["protein", "matern52", "matern32", "rbf"]),
  fit_iterations: num.pipe(z.number().int().positive()),
  local_search: bool,
  refine_margin: num.pipe(z.number().nonnegative().lt(0.5)),
  noise_prior: z.enum(["protein", "weak"]),
  global_candidates: candidateCount,
  subspace_candidates: candidateCount,
  refit_growth: num.pipe(z.number().nonnegative()),
  exploit_every: num.pipe(z.number().int().nonnegative()),
  layout: z.enum(["as-written", "nested", "dotted"]),
  candidate_bounds: z.enum(["reflect", "clip", "reflect-except-cost"]),
  cold_fit_iterations: num.pipe(z.number().int().positive()),
  cold_fit_rows: num.pipe(z.number().int().nonnegative()),
  cold_refit_slice: num.pipe(z.number().int().nonnegative()),
  candidate_scale_rows: num.pipe(z.number().int().nonnegative()),
  posterior_max_obs: num.pipe(z.number().int().nonnegative()),
  cost_weight_power: num.pipe(z.number().nonnegative()),
  cost_cooling: num.pipe(z.number().nonnegative()),
  cost_cooling_runs: num.pipe(z.number().positive()),
  cost_pacing: num.pipe(z.number().nonnegative()),
  preset: z.enum(PRESET_NAMES).nullable(),
  output_warping: z.enum(OUTPUT_WARPINGS),
  score_mean: z.enum(["constant", "bowl", "edges"]),
} as const;

export type SettingKey = keyof typeof settingsShape;

/** What each setting accepts, for error messages. */
export const settingsAllowed: Record<SettingKey, string> = {
  max_suggestion_cost: "a positive number (cost units, e.g. seconds)",
  resample_frequency: "an integer ≥ 0 (0 = never)",
  num_random_samples: "an integer ≥ 0",
  global_search_scale: "a positive number",
  suggestions_per_pareto: `an integer from 1 to ${MAX_SUGGESTIONS_PER_PARETO}`,
  expansion_rate: "a number ≥ 0",
  cost_param: "a parameter key such as train.total_timesteps, or null",
  prune_pareto: "true or false",
  gp_max_obs: "an integer ≥ 2",
  seed_with_search_center: "true or false",
  metric_distribution: '"linear" or "percentile"',
  early_stop_quantile: "a number strictly between 0 and 1",
  acquisition: ACQUISITIONS.map((a) => `"${a}"`).join(", "),
  ucb_beta: "a number ≥ 0",
  seed: "an integer or a string",
  num_keep_top_obs: "an integer ≥ 0",
  downsample: "an integer ≥ 1",
  max_observations_to_load: "an integer ≥ 0",
  fit_method: '"lbfgs", "adam" or "pyro" (the Python Protein\'s 1000 Adam steps on pyro\'s parameters; needs kernel "protein")',
  cost_target: '"deck" (PufferLib) or "uniform" (Metta)',
  pending_strategy: '"liar", "believer" or "none"',
  pending_radius: "a number ≥ 0 (normalized distance)",
  kernel: '"protein" (linear + Matérn 3/2), "matern52", "matern32" or "rbf"',
  fit_iterations: "an integer ≥ 1",
  local_search: "true or false",
  refine_margin: "a number from 0 up to (not including) 0.5 (fraction of each continuous range the local refinement keeps free at each end; 0 = off)",
  noise_prior: '"protein" (LogNormal(ln 1e-2, 0.5)) or "weak" (LogNormal(ln 1e-4, 2))',
  global_candidates: candidateCountAllowed,
  subspace_candidates: candidateCountAllowed,
  refit_growth: "a number ≥ 0 (fraction of growth of the data between hyperparameter refits)",
  exploit_every: "an integer ≥ 0 (every k-th suggestion rates by the posterior mean; 0 = never)",
  layout: '"as-written" (keys nested as the config writes them), "nested" (every dot splits) or "dotted" (flat dotted keys)',
  candidate_bounds: '"reflect" (a draw past a bound is folded back inside), "clip" (Protein: it lands on the bound) or "reflect-except-cost" (reflect, but clip the cost parameter)',
  cold_fit_iterations: "an integer ≥ 1 (L-BFGS iterations of a fit that starts without a warm start)",
  cold_fit_rows: "an integer ≥ 0 (rows a cold fit sees before its warm refit on all rows; 0 = all rows)",
  cold_refit_slice: "an integer ≥ 0 (L-BFGS iterations per suggestion of the refit on all rows after a subset cold fit; 0 = all in one suggestion)",
  posterior_max_obs: "an integer ≥ 0 (training rows up to which both GPs condition on every row while their hyperparameters are fitted on gpMaxObs of them; 0 = off)",
  candidate_scale_rows: "an integer ≥ 0 (training rows beyond which the candidates shrink in proportion; 0 = never)",
  cost_weight_power: "a number ≥ 0 (exponent of the cost weight under log-EI; 1 = EI × weight)",
  cost_cooling: "a number ≥ 0 (initial exponent α of the predicted cost dividing EI; 0 = off)",
  cost_cooling_runs: "a number > 0 (spend, in runs of the costliest candidate, over which α cools to 0)",
  cost_pacing: "a number ≥ 0 (a suggestion's predicted cost is at most this multiple of the cost spent so far; 0 = off)",
  preset: `${PRESET_NAMES.map((p) => `"${p}"`).join(" or ")} (reproduce that Python Protein), or null (protein-sweep's own algorithm)`,
  score_mean: '"constant" (the score GP\'s prior mean is a fitted constant), "edges" (minus a trend that falls over the last eighth of each numeric range toward its bounds) or "bowl" (minus a quadratic trend over the whole box)',
  output_warping: `${OUTPUT_WARPINGS.map((w) => `"${w}"`).join(", ")} (transform of the scores before the GP; "auto" chooses per fit)`,
};

/** snake_case → camelCase. */
export function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** camelCase → snake_case. */
export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Settings written in a config, camelCase, each validated. Absent keys take Protein's defaults later. */
export interface ConfigSettings {
  maxSuggestionCost?: number;
  resampleFrequency?: number;
  numRandomSamples?: number;
  globalSearchScale?: number;
  suggestionsPerPareto?: number;
  expansionRate?: number;
  costParam?: string | null;
  prunePareto?: boolean;
  gpMaxObs?: number;
  seedWithSearchCenter?: boolean;
  metricDistribution?: "linear" | "percentile";
  earlyStopQuantile?: number;
  acquisition?: Acquisition;
  ucbBeta?: number;
  seed?: number | string;
  numKeepTopObs?: number;
  downsample?: number;
  maxObservationsToLoad?: number;
  fitMethod?: "lbfgs" | "adam" | "pyro";
  costTarget?: "deck" | "uniform";
  pendingStrategy?: "liar" | "believer" | "none";
  pendingRadius?: number;
  kernel?: "protein" | "matern52" | "matern32" | "rbf";
  fitIterations?: number;
  localSearch?: boolean;
  refineMargin?: number;
  noisePrior?: "protein" | "weak";
  globalCandidates?: number;
  subspaceCandidates?: number;
  refitGrowth?: number;
  exploitEvery?: number;
  candidateBounds?: "reflect" | "clip" | "reflect-except-cost";
  coldFitIterations?: number;
  coldFitRows?: number;
  coldRefitSlice?: number;
  candidateScaleRows?: number;
  posteriorMaxObs?: number;
  costWeightPower?: number;
  costCooling?: number;
  costCoolingRuns?: number;
  costPacing?: number;
  preset?: PresetName | null;
  outputWarping?: OutputWarpingSetting;
  scoreMean?: "constant" | "bowl" | "edges";
}

export function isSettingKey(key: string): key is SettingKey {
  return Object.prototype.hasOwnProperty.call(settingsShape, key);
}
