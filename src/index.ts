/**
 * protein-sweep: Gaussian-process hyperparameter optimization with Protein's
 * cost-aware search around the (score, cost) Pareto front.
 *
 * @example
 * import { Protein } from "protein-sweep";
 * const protein = new Protein(configYaml, { seed: 7 });
 * const { params } = protein.suggest();
 * protein.observe(params, score, cost);
 */
export { ProteinError, ConfigError, ObservationError, NumericalError } from "./errors";
export type { ErrorDetails, ConfigIssue } from "./errors";

export { parseSweepConfig, safeParseSweepConfig, loadSweepConfig, parseIni, ACQUISITIONS, CONFIG_LIMITS, assertBayesianMethod } from "./config";
export type { SweepConfig, ParameterConfig, ConfigFormat, ConfigSettings, Acquisition } from "./config";

export {
  SearchSpace,
  flattenParams,
  UniformSpace,
  IntUniformSpace,
  Pow2Space,
  LogSpace,
  LogitSpace,
  CategoricalSpace,
  createParameterSpace,
} from "./space";
export type { NestedParams, SpaceEntry, ParamsLayout, ParamsProblem, ParamValue, Distribution, ParameterSpec, ParameterSpace, CoordinateKind } from "./space";

export { Protein } from "./protein";
export type {
  Suggestion,
  SuggestionInfo,
  SuggestionPhase,
  SuggestOptions,
  ModelSummary,
  ObserveOptions,
  ObserveResult,
  ProteinSnapshot,
  ProteinState,
  Correction,
  CorrectionOptions,
  ObservationChanges,
} from "./protein";
export { DEFAULT_SETTINGS, REFERENCE_SETTINGS, COST_PARAM_NAMES, detectCostParam, validateProteinOptions } from "./settings";
export type { ProteinSettings, ProteinOptions, CostParamChoice } from "./settings";
export { PRESETS, PRESET_NAMES, PRESET_ENGINES } from "./presets";
export type { PresetName, PresetEngine } from "./presets";

export {
  saveObservations,
  appendObservation,
  loadObservations,
  encodeObservations,
  decodeObservations,
  createObservationsHeader,
  parseObservation,
} from "./observations";
export type { Observation, ObservationsHeader, LoadedObservations } from "./observations";
export type { LoadPriorOptions, PriorReport, OutOfRangePolicy } from "./observations/prior";
export { diffSpaces } from "./space/compare";
export type { SpaceChange } from "./space/compare";

export { createRng, SobolSequence } from "./random";
export type { Rng, RngState } from "./random";

// The numerical core, usable on its own (a GP surrogate without Protein, or the solves in other code).
export {
  cholesky,
  choleskyInPlace,
  choleskySolve,
  solveLower,
  solveLowerTranspose,
  solveLowerMany,
  solveLowerTransposeMany,
  logDetFromCholesky,
  inverseFromCholesky,
  DEFAULT_MAX_RELATIVE_JITTER,
} from "./linalg";
export type { CholeskyOptions, CholeskyResult } from "./linalg";

export { GaussianProcess, DEFAULT_GP_BOUNDS, defaultPriors, minimizeLbfgs, Adam } from "./gp";
export type {
  GaussianProcessOptions,
  GpHyperparameters,
  GpBounds,
  GpPriors,
  LogNormalPrior,
  FitOptions,
  FitResult,
  Prediction,
  PredictOptions,
  NormalizeY,
  StationaryKernelType,
  LbfgsOptions,
  LbfgsResult,
  Objective,
  AdamOptions,
} from "./gp";

export { expectedImprovement, logExpectedImprovement, upperConfidenceBound, proteinRating } from "./acquisition";
export { paretoFront, prunePareto } from "./pareto";
export type { Goal, ParetoFrontOptions, PruneParetoOptions } from "./pareto";
