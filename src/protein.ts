/**
 * Protein: ask/tell hyperparameter suggestions from a GP model of the score and of the
 * log-cost, searching around the (score, cost) Pareto front (PROTEIN.md §2–§4).
 *
 * This file holds the phases of one suggestion (centre, random, resample, model) and the
 * public API. Its three parts live in protein/: the sweep state (records, pending
 * suggestions, counters), the surrogate (training rows, output transforms, the two GPs)
 * and the candidate search (centres, candidates, ratings, refinement). Numeric loops live
 * in those and in model-data.ts.
 *
 * Direction: every score enters the model as s = ±transform(score), + for maximize and
 * − for minimize, so that "larger is better" holds everywhere below (front, top-k,
 * normalization, acquisition, early stopping). Maximizing f and minimizing −f therefore
 * give bit-identical suggestion sequences.
 */
import { type ConfigSettings } from "./config/settings";
import { type SweepConfig, assertBayesianMethod, parseSweepConfig } from "./config/parse";
import { ConfigError, ObservationError, ProteinError } from "./errors";
import type { GpFitState } from "./gp";
import { clippedExp } from "./acquisition/safe-math";
import { paretoFront, prunePareto } from "./pareto";
import { earlyStopDecision, earlyStopMinCost, fitQuantileLogCost, nextUpperCostThreshold } from "./stopping";
import { createRng, SobolSequence, type Rng, type RngState } from "./random";
import { SweepState } from "./protein/sweep-state";
import { EPS, type ModelData, type ModelSummary, Surrogate } from "./protein/surrogate";
import type { OutputWarpingInfo } from "./protein/output-warping";
import { CandidateSearch, conditionOnPending, releasePending } from "./protein/candidate-search";
import { ReferenceEngine, unsupportedUnderPreset } from "./protein/reference";
import { type NestedParams, type ParamsLayout, type ParamsProblem, SearchSpace, flattenParams, paramsError } from "./space/search-space";
import { maxOf } from "./model-data";
import {
  type ValidSnapshot,
  type ValidState,
  checkDomain,
  checkObjectSafety,
  checkRecords,
  domainProblem,
  isPlainObject,
  parseOrThrow,
  proteinStateSchema,
  snapshotSchema,
} from "./protein/validate";
import { type CostParamChoice, type ProteinOptions, type ProteinSettings, costParamNamed, describeCostParam, resolveSettings, validateProteinOptions } from "./settings";
import { type Observation, parseObservation } from "./observations/record";
import { type LoadPriorOptions, type PriorReport, preparePrior } from "./observations/prior";
import { type SpaceChange, diffSpaces } from "./space/compare";

/** How a suggestion was made. */
export type SuggestionPhase = "center" | "random" | "resample" | "model" | "fallback";

/** What `suggest()` reports beside the params. */
export interface SuggestionInfo {
  phase: SuggestionPhase;
  /** 1-based index of this suggestion in the sweep. */
  index: number;
  /** Predicted raw score (model phase). */
  predictedScore?: number;
  /** Predicted cost (model phase, when costs vary). */
  predictedCost?: number;
  /** The winning candidate's rating. */
  rating?: number;
  acquisition?: ProteinSettings["acquisition"];
  /** Normalized cost target of Protein's weighting. */
  costTarget?: number;
  /** Every candidate's predicted cost reached maxSuggestionCost, so the mask was lifted. */
  costThresholdRelaxed?: boolean;
  /** Exponent α of the predicted cost dividing EI on this step (`costCooling`), when it applied. */
  costCoolingAlpha?: number;
  /** The most this step's predicted cost could be (`costPacing` × the cost spent so far), when the cap applied. */
  costCap?: number;
  /** Candidates rated. */
  candidates?: number;
  /** The cost parameter in force and how it was chosen (named, detected by its name, or none). */
  costParam?: CostParamChoice;
  /** Suggestions pending (not yet observed) when this one was made. */
  pending?: number;
  /** Why a fallback or a departure from the usual path happened. */
  reason?: string;
  /** The transform of the scores the score GP was fitted on (only when `outputWarping` is not "none"). */
  outputWarping?: OutputWarpingInfo;
  /** GP fit summaries. */
  scoreModel?: ModelSummary;
  costModel?: ModelSummary;
}

export type { ModelSummary };

/**
 * One suggestion. `P` is the params type given to `new Protein<P>(…)` (default: the generic
 * `NestedParams`); it describes the layout of the `layout` setting ("as-written" by default).
 */
export interface Suggestion<P extends object = NestedParams> {
  /** Id to pass back to `observe` (optional) or to `abandon`. */
  id: string;
  /** Params laid out as the `layout` setting says (as the config is written, by default). A fresh copy. */
  params: P;
  info: SuggestionInfo;
}

/** Options of `suggest()`. */
export interface SuggestOptions {
  /** Raw value of the cost parameter to use (e.g. a fixed total_timesteps); must lie in its range. */
  fixedCost?: number;
  /** An object to write the suggested values into (other keys kept); returned as `params`. */
  fill?: Record<string, unknown>;
}

/** Options of `forget()` and `amend()`. */
export interface CorrectionOptions {
  /** Why (kept in the record of corrections, e.g. "metric logged from the wrong run"). Required. */
  reason: string;
  /** Which list the reference points into: this sweep's observations (default) or the prior phases'. */
  from?: "observations" | "prior";
}

/** Fields of an observation that `amend()` may change. */
export interface ObservationChanges {
  params?: Record<string, unknown>;
  score?: number;
  cost?: number;
  isFailure?: boolean;
  metadata?: Record<string, unknown>;
}

/** One forgotten or amended observation, as kept by the sweep (and its snapshots). */
export interface Correction {
  action: "forgotten" | "amended";
  /** Its position in `from` when it was corrected. */
  index: number;
  from: "observations" | "prior";
  /** The observation as it was before. */
  observation: Observation;
  /** What replaced it (amend). */
  replacement?: Observation;
  reason: string;
  /** When (ISO 8601). */
  at: string;
}

/**
 * The counters, generator and model warm starts of a sweep: everything of a snapshot except
 * the config, settings, observations, prior observations and pending suggestions. A shared
 * study moves it between processes with `exportState()` / `importState()`.
 */
export interface ProteinState {
  format: "protein-sweep/state";
  version: 1;
  suggestionIndex: number;
  idCounter: number;
  rng: RngState;
  sobol: { seed: number; index: number };
  deck: number[];
  upperCostThreshold: number | null;
  /** GP hyperparameters in log space (the warm start of the next fit). */
  gp: {
    score: GpFitState | null;
    cost: GpFitState | null;
    lastFitSize: { score: number; cost: number };
    /** L-BFGS iterations left of a refit on all rows spread over suggestions (coldRefitSlice); absent = none. */
    refitLeft?: { score: number; cost: number };
  };
}

export interface ObserveOptions {
  /** The run failed (crashed, diverged). A non-finite score is a failure too. */
  isFailure?: boolean;
  /** Id of the suggestion this run came from (else pending suggestions are matched by params). */
  suggestionId?: string;
  /** Free JSON data kept with the observation (run name, tags, phase). */
  metadata?: Record<string, unknown>;
  /** Timestamp to record (ISO 8601); default now. */
  timestamp?: string;
}

const OBSERVE_OPTIONS = ["isFailure", "suggestionId", "metadata", "timestamp"] as const;
const SUGGEST_OPTIONS = ["fixedCost", "fill"] as const;

/** What `observe` reports. */
export interface ObserveResult {
  /** The observation as recorded (raw values). */
  observation: Observation;
  /** Params outside the current range: recorded as given, used unclamped by the model. */
  outOfRange: ParamsProblem[];
  /** The pending suggestion this observation completed, if any. */
  completedSuggestion?: string;
}

/** Everything needed to resume a sweep exactly (JSON-serializable): the records, and the state of `exportState()`. */
export interface ProteinSnapshot extends Omit<ProteinState, "format" | "version"> {
  format: "protein-sweep/snapshot";
  version: 1;
  config: unknown;
  /** The settings in force; `costParam` is absent when it was detected rather than named. */
  settings: Omit<ProteinSettings, "costParam"> & { costParam?: string | null };
  observations: Observation[];
  prior: Observation[];
  pending: Array<{ id: string; params: NestedParams }>;
  /** Observations forgotten or amended (absent in snapshots of older versions). */
  corrections?: Correction[];
}

function freshSeed(): number {
  const buf = new Uint32Array(1);
  globalThis.crypto.getRandomValues(buf);
  return buf[0];
}

function nowIso(): string {
  return new Date().toISOString();
}

/**
 * Gaussian-process hyperparameter optimizer with Protein's cost-aware search.
 *
 * `P` types the suggested params (default `NestedParams`): `new Protein<MyParams>(config)`
 * makes `suggest().params.train.learning_rate` type-check. It is a promise the caller makes
 * about the config (and the `layout` setting); the values themselves are always checked.
 *
 * Every object handed out (suggested params, observations, pending suggestions, snapshots,
 * results) is a fresh copy: changing it changes nothing inside.
 *
 * @example
 * const protein = new Protein(yamlText, { seed: 7 });
 * for (let i = 0; i < 100; i++) {
 *   const { params } = protein.suggest();
 *   const { score, cost } = await train(params);
 *   protein.observe(params, score, cost);
 * }
 */
export class Protein<P extends object = NestedParams> {
  readonly config: SweepConfig;
  readonly space: SearchSpace;
  readonly settings: Readonly<ProteinSettings>;
  /** +1 to maximize, −1 to minimize. */
  readonly direction: 1 | -1;

  private readonly rng: Rng;
  private sobol: SobolSequence;
  private sobolSeed: number;
  private readonly costIndex: number | undefined;
  private readonly state = new SweepState();
  private readonly surrogate: Surrogate;
  private readonly search: CandidateSearch;
  /** The steps of a Python Protein, when a preset is in force (src/presets.ts); else null. */
  private readonly reference: ReferenceEngine | null;
  private upperCostThreshold: number | null = null;
  private readonly corrections: Correction[] = [];
  private readonly warningList: string[] = [];
  /** The config or the options named the cost parameter (else it was detected, or there is none). */
  private readonly costParamNamed: boolean;
  /** Which cost parameter is in force, and whether it was named or detected (also in every suggestion's `info.costParam`). */
  readonly costParamChoice: Readonly<CostParamChoice>;

  /**
   * @param config YAML/INI text, a config object, or a parsed `SweepConfig`.
   * @param options settings (camelCase); they override the config's `protein:` block.
   * @throws ConfigError when the config or a setting is invalid.
   */
  constructor(config: string | object | SweepConfig, options: ProteinOptions = {}) {
    this.config = parseSweepConfig(config);
    this.space = SearchSpace.fromConfig(this.config);
    assertBayesianMethod(this.config);
    validateProteinOptions(options);
    const numericKeys = this.space.keys.filter((_, i) => !this.space.categoricalDims.includes(i));
    this.settings = Object.freeze(resolveSettings(this.config.settings as ConfigSettings, options, this.space.keys, freshSeed, numericKeys));
    this.costParamNamed = costParamNamed(this.config.settings as ConfigSettings, options);
    this.costParamChoice = Object.freeze(describeCostParam(this.settings.costParam, this.costParamNamed));
    if (!this.costParamNamed) this.warningList.push(this.costParamChoice.message);
    if (this.settings.costParam !== null && this.space.indexOf(this.settings.costParam) === undefined && options.costParam !== undefined) {
      throw new ProteinError("costParam is not a parameter of the sweep", {
        key: "costParam",
        value: this.settings.costParam,
        allowed: `one of ${this.space.keys.join(", ")}, or null`,
        fix: "name the dotted key of the parameter that sets the run's cost (e.g. train.total_timesteps), or pass null",
      });
    }
    this.costIndex = this.settings.costParam === null ? undefined : this.space.indexOf(this.settings.costParam);
    this.direction = this.config.goal === "maximize" ? 1 : -1;
    this.rng = createRng(this.settings.seed);
    this.sobolSeed = this.rng.uint32();
    this.sobol = new SobolSequence(Math.max(1, this.space.dim), { scramble: createRng(this.sobolSeed) });
    this.surrogate = new Surrogate(this.space, this.settings, this.direction, this.rng, this.costIndex);
    this.search = new CandidateSearch(this.space, this.settings, this.costIndex, this.rng);
    const unsupported = unsupportedUnderPreset(this.settings);
    if (unsupported.length > 0) {
      throw new ConfigError(`settings the "${this.settings.preset}" preset cannot follow`, {}, unsupported.map((u) => ({
        message: `${u.key} ${JSON.stringify(u.value)} is not part of the ${this.settings.preset} Protein`,
        key: u.key,
        value: u.value,
        allowed: u.allowed,
        fix: `leave ${u.key} out under preset "${this.settings.preset}", or drop the preset`,
      })));
    }
    if (this.settings.fitMethod === "pyro" && this.settings.kernel !== "protein") {
      throw new ConfigError('fitMethod "pyro" needs the Protein kernel', { key: "fitMethod", value: "pyro", allowed: 'kernel "protein" (pyro\'s Polynomial + Matern32)', fix: 'set kernel: "protein", or use fitMethod "lbfgs"' });
    }
    this.reference = this.settings.preset === null ? null : new ReferenceEngine(this.space, this.settings, this.direction, this.rng, this.settings.preset);
  }

  /**
   * Things the user should know about how the sweep was set up (a fresh copy): today, the cost
   * parameter when it was detected by its name rather than named, or that there is none.
   */
  get warnings(): readonly string[] {
    return [...this.warningList];
  }

  /** The seed in force (pass it back to reproduce this sweep). */
  get seed(): number | string {
    return this.settings.seed;
  }

  /** Observations recorded by this sweep (raw values), oldest first. A fresh copy on every read. */
  get observations(): readonly Readonly<Observation>[] {
    return structuredClone(this.state.records);
  }

  /** Observations loaded from earlier phases. A fresh copy on every read. */
  get priorObservations(): readonly Readonly<Observation>[] {
    return structuredClone(this.state.priorRecords);
  }

  /** Number of this sweep's observations (without copying them). */
  get observationCount(): number {
    return this.state.records.length;
  }

  /** Suggestions made and not yet observed or abandoned (copies). */
  get pendingSuggestions(): ReadonlyArray<{ id: string; params: P }> {
    return [...this.state.pending.values()].map((p) => ({ id: p.id, params: structuredClone(p.params) as P }));
  }

  /** Observations forgotten or amended so far, oldest first (copies). */
  get correctionLog(): readonly Correction[] {
    return structuredClone(this.corrections);
  }

  /** Number of suggestions made so far. */
  get suggestionCount(): number {
    return this.state.suggestionIndex;
  }

  // ---------------------------------------------------------------- observe

  /**
   * Records one run's result. Raw params are the record; values outside the range are
   * kept as given and reported. A non-finite score is a failure.
   *
   * Accepted is exactly what the observations file can store: params whose values lie in
   * the domain of their distribution (> 0 for log, in (0, 1) for logit, an integer for
   * int_uniform, a power of two for uniform_pow2, finite everywhere), an ISO 8601 timestamp,
   * JSON-only metadata, a string suggestionId.
   *
   * @param params the params as run (nested or dotted).
   * @param score the metric; NaN/±Infinity make this a failure observation.
   * @param cost what the run cost (≥ 0, finite); omitted = 1 (a sweep without costs).
   * @returns a copy of the record, the out-of-range values, the pending suggestion completed.
   * @throws ObservationError when a key is missing or unknown, a value has the wrong type or lies
   *   outside its distribution's domain, the score is not a number, the cost is negative or not
   *   finite, or an option cannot be stored. Nothing is recorded then.
   */
  observe(params: P | Readonly<Record<string, unknown>>, score: number, cost?: number, options: ObserveOptions = {}): ObserveResult {
    const opts = checkOptions(options, OBSERVE_OPTIONS, "observe", ObservationError) as ObserveOptions;
    const { problems, x } = this.checkParams(params, "observe");
    if (typeof score !== "number") {
      throw new ObservationError("score must be a number", { key: "score", value: score, allowed: "a number (NaN or ±Infinity record a failure)", fix: "pass the metric's numeric value, or { isFailure: true } for a failed run" });
    }
    const c = checkCost(cost);
    if (opts.isFailure !== undefined && typeof opts.isFailure !== "boolean") {
      throw new ObservationError("isFailure must be true or false", { key: "options.isFailure", value: opts.isFailure, allowed: "true or false", fix: "pass { isFailure: true } for a failed run, or leave it out" });
    }
    if (opts.suggestionId !== undefined && (typeof opts.suggestionId !== "string" || opts.suggestionId === "")) {
      throw new ObservationError("suggestionId must be a non-empty string", { key: "options.suggestionId", value: opts.suggestionId, allowed: "the id suggest() returned (a string such as \"s12\")", fix: "pass suggestion.id, or leave it out to match by params" });
    }
    if (opts.metadata !== undefined) checkObjectSafety(opts.metadata, "metadata");
    const isFailure = opts.isFailure === true || !Number.isFinite(score);
    const candidate: Observation = {
      params: params as NestedParams,
      score: Number.isFinite(score) ? score : null,
      cost: c,
      isFailure,
      timestamp: opts.timestamp ?? nowIso(),
      ...(opts.suggestionId !== undefined ? { suggestionId: opts.suggestionId } : {}),
      ...(opts.metadata !== undefined ? { metadata: opts.metadata } : {}),
    };
    // The stored form is what the observations file would give back: validated, a deep copy.
    const observation = parseObservation(candidate);
    const completed = this.state.completePending(x, opts.suggestionId);
    if (completed !== undefined && observation.suggestionId === undefined) observation.suggestionId = completed;
    this.state.records.push(observation);
    return { observation: structuredClone(observation), outOfRange: problems, ...(completed !== undefined ? { completedSuggestion: completed } : {}) };
  }

  /** Drops a pending suggestion that will never report. Returns whether it was pending. */
  abandon(id: string): boolean {
    if (typeof id !== "string") return false;
    return this.state.abandon(id);
  }

  /**
   * Checks one params object completely: an object without prototype-reaching keys or cycles,
   * every key known and present, every value in its distribution's domain. Returns the
   * out-of-range values (accepted) and the normalized row.
   */
  private checkParams(params: unknown, where: string): { problems: ParamsProblem[]; x: Float64Array } {
    if (!isPlainObject(params)) {
      throw new ObservationError(`${where}: params must be an object of parameter values`, {
        key: "params",
        value: params,
        allowed: `an object with the keys ${this.space.keys.join(", ")}`,
        fix: "pass the params object that suggest() returned, with each value filled in",
      });
    }
    checkObjectSafety(params, "params");
    const problems = this.space.check(params);
    const fatal = problems.find((p) => p.kind !== "out-of-range");
    if (fatal) throw paramsError(fatal);
    checkDomain(this.space, flattenParams(params), where);
    return { problems, x: this.space.toVector(params) };
  }

  // ---------------------------------------------------------------- corrections

  /**
   * Removes an observation from the sweep (a run logged twice, a metric from the wrong run,
   * a value that should never have been recorded). The removal is recorded — what, when,
   * why — in `correctionLog` and in snapshots; the models stop using the observation at the
   * next suggestion.
   *
   * @param ref the observation's `suggestionId` (must name exactly one observation), or its
   *   index in `observations` (or in `priorObservations` with `{ from: "prior" }`).
   * @param options.reason why (required).
   * @returns the correction as recorded.
   * @throws ProteinError when the reference names no observation (or several) or no reason is given.
   * @example
   * protein.forget("s17", { reason: "the run read a stale checkpoint" });
   */
  forget(ref: string | number, options: CorrectionOptions): Correction {
    const { list, from, index, reason } = this.locate(ref, options, "forget");
    const [removed] = list.splice(index, 1);
    const correction: Correction = { action: "forgotten", index, from, observation: removed, reason, at: nowIso() };
    this.corrections.push(correction);
    return structuredClone(correction);
  }

  /**
   * Repairs an observation in place (a wrong score, cost or failure flag; a params value
   * logged wrongly): the fields given replace the old ones, everything else (timestamp,
   * suggestionId) is kept. Checked like `observe`; recorded in `correctionLog` with the
   * old and the new observation.
   *
   * @throws ObservationError when the repaired observation is invalid (nothing changes then).
   * @throws ProteinError when the reference names no observation (or several) or no reason is given.
   * @example
   * protein.amend(3, { score: 0.91 }, { reason: "score was logged before the final eval" });
   */
  amend(ref: string | number, changes: ObservationChanges, options: CorrectionOptions): Correction {
    const { list, from, index, reason } = this.locate(ref, options, "amend");
    const change = checkOptions(changes, ["params", "score", "cost", "isFailure", "metadata"], "amend", ObservationError) as ObservationChanges;
    const old = list[index];
    if (change.params !== undefined) this.checkParams(change.params, "amend");
    if (change.score !== undefined && typeof change.score !== "number") {
      throw new ObservationError("score must be a number", { key: "changes.score", value: change.score, allowed: "a number (NaN or ±Infinity record a failure)", fix: "pass the corrected metric" });
    }
    const cost = change.cost !== undefined ? checkCost(change.cost) : old.cost;
    if (change.isFailure !== undefined && typeof change.isFailure !== "boolean") {
      throw new ObservationError("isFailure must be true or false", { key: "changes.isFailure", value: change.isFailure, allowed: "true or false", fix: "pass true or false" });
    }
    if (change.metadata !== undefined) checkObjectSafety(change.metadata, "metadata");
    const score = change.score !== undefined ? (Number.isFinite(change.score) ? change.score : null) : old.score;
    const isFailure = change.isFailure ?? (change.score !== undefined ? !Number.isFinite(change.score) : old.isFailure);
    const replacement = parseObservation({
      ...old,
      ...(change.params !== undefined ? { params: change.params } : {}),
      ...(change.metadata !== undefined ? { metadata: change.metadata } : {}),
      score,
      cost,
      isFailure: isFailure || score === null,
    });
    list[index] = replacement;
    const correction: Correction = { action: "amended", index, from, observation: old, replacement: structuredClone(replacement), reason, at: nowIso() };
    this.corrections.push(correction);
    return structuredClone(correction);
  }

  private locate(ref: unknown, options: unknown, what: string): { list: Observation[]; from: "observations" | "prior"; index: number; reason: string } {
    const opts = checkOptions(options, ["reason", "from"], what, ProteinError) as Partial<CorrectionOptions>;
    if (typeof opts.reason !== "string" || opts.reason.trim() === "") {
      throw new ProteinError(`${what} needs a reason`, { key: "options.reason", value: opts.reason, allowed: "a non-empty string", fix: `say why, e.g. protein.${what}(ref, { reason: "metric logged from the wrong run" })` });
    }
    const from = opts.from ?? "observations";
    if (from !== "observations" && from !== "prior") {
      throw new ProteinError(`${what}: unknown list`, { key: "options.from", value: from, allowed: '"observations" or "prior"', fix: 'leave it out for this sweep\'s observations, or pass "prior"' });
    }
    const list = from === "prior" ? this.state.priorRecords : this.state.records;
    const name = from === "prior" ? "priorObservations" : "observations";
    if (typeof ref === "number") {
      if (!Number.isInteger(ref) || ref < 0 || ref >= list.length) {
        throw new ProteinError(`${what}: no observation at index ${ref}`, { key: "ref", value: ref, allowed: list.length === 0 ? `no index (${name} is empty)` : `an integer index in [0, ${list.length - 1}] of ${name}`, fix: `look the observation up in protein.${name}` });
      }
      return { list, from, index: ref, reason: opts.reason };
    }
    if (typeof ref !== "string" || ref === "") {
      throw new ProteinError(`${what}: the reference must be a suggestionId or an index`, { key: "ref", value: ref, allowed: `a suggestionId (string) or an index into ${name}`, fix: "pass the observation's suggestionId, or its index" });
    }
    const hits: number[] = [];
    for (let i = 0; i < list.length; i++) if (list[i].suggestionId === ref) hits.push(i);
    if (hits.length !== 1) {
      throw new ProteinError(hits.length === 0 ? `${what}: no observation has suggestionId "${ref}"` : `${what}: ${hits.length} observations have suggestionId "${ref}"`, {
        key: "ref",
        value: ref,
        allowed: hits.length === 0 ? `the suggestionId of an observation in ${name}` : `one of the indices ${hits.slice(0, 10).join(", ")}`,
        fix: hits.length === 0 ? `check the id, or pass { from: "${from === "prior" ? "observations" : "prior"}" } if it is in the other list` : "pass the index of the one you mean",
      });
    }
    return { list, from, index: hits[0], reason: opts.reason };
  }

  /** Successful observations (prior phases first) as model rows. */
  private successData(): ModelData {
    return this.surrogate.successData(this.state.successRecords());
  }

  // ---------------------------------------------------------------- suggest

  /**
   * Suggests the next params to run.
   *
   * @param options.fixedCost raw value of the cost parameter to use (e.g. a fixed total_timesteps);
   *   it must lie within the cost parameter's range.
   * @param options.fill an object to write the suggested values into (other keys kept).
   * @returns `{ id, params, info }`; params are always values of the space, within its ranges.
   * @throws ProteinError when an option is invalid.
   */
  suggest(options: SuggestOptions = {}): Suggestion<P> {
    const opts = checkOptions(options, SUGGEST_OPTIONS, "suggest", ProteinError) as SuggestOptions;
    if (opts.fill !== undefined && !isPlainObject(opts.fill)) {
      throw new ProteinError("fill must be a plain object", { key: "fill", value: opts.fill, allowed: "an object to write the suggested values into", fix: "pass an object, or leave fill out" });
    }
    let fixedCostU: number | undefined;
    if (opts.fixedCost !== undefined) fixedCostU = this.fixedCostCoordinate(opts.fixedCost);
    const index = ++this.state.suggestionIndex;
    const d = this.space.dim;
    const successes = this.successData();
    const info: SuggestionInfo = { phase: "random", index, pending: this.state.pending.size, costParam: { ...this.costParamChoice } };
    if (this.reference !== null) return this.referenceSuggestion(successes, index, fixedCostU, info, opts);
    let x: Float64Array | undefined;

    // 2. Centre, then the random phase (scrambled Sobol, cheap cost coordinate).
    if (index <= this.settings.numRandomSamples && successes.n < this.settings.numRandomSamples) {
      if (index === 1 && this.settings.seedWithSearchCenter && successes.n === 0 && this.state.pending.size === 0) {
        x = Float64Array.from(this.space.centers);
        info.phase = "center";
        if (fixedCostU !== undefined && this.costIndex !== undefined) x[this.costIndex] = fixedCostU;
      } else {
        x = this.randomPoint(fixedCostU);
      }
    }
    // 3. Resampling a front member (returns its raw params exactly); only members within the current ranges.
    else if (this.settings.resampleFrequency > 0 && index % this.settings.resampleFrequency === 0 && successes.n > 0 && this.resamplePick(successes) !== undefined) {
      const pick = this.resamplePick(successes, true) as number;
      const record = this.state.successRecords()[pick];
      info.phase = "resample";
      return this.issue(successes.X.slice(pick * d, pick * d + d), info, opts.fill, record.params, opts.fixedCost);
    } else if (successes.n === 0) {
      info.reason = "no successful observation yet: continuing the Sobol sequence";
      x = this.randomPoint(fixedCostU);
    } else {
      x = this.modelSuggestion(successes, fixedCostU, info);
    }
    return this.issue(x, info, opts.fill, undefined, opts.fixedCost);
  }

  /** A suggestion by the steps of the preset's Python Protein (src/protein/reference.ts). */
  private referenceSuggestion(successes: ModelData, index: number, fixedCostU: number | undefined, info: SuggestionInfo, opts: SuggestOptions): Suggestion<P> {
    const step = (this.reference as ReferenceEngine).step(successes, index, this.costIndex, fixedCostU);
    info.phase = step.phase;
    if (step.reason !== undefined) info.reason = step.reason;
    if (step.phase === "model") {
      info.acquisition = this.settings.acquisition;
      info.predictedScore = step.predictedScore;
      if (step.predictedCost !== undefined) info.predictedCost = step.predictedCost;
      info.rating = step.rating;
      if (step.costTarget !== undefined) info.costTarget = step.costTarget;
      if (step.costThresholdRelaxed) info.costThresholdRelaxed = true;
      info.candidates = step.candidates;
      info.scoreModel = step.scoreModel;
      if (step.costModel) info.costModel = step.costModel;
    }
    if (step.resample !== undefined) {
      const d = this.space.dim;
      const record = this.state.successRecords()[step.resample];
      return this.issue(successes.X.slice(step.resample * d, step.resample * d + d), info, opts.fill, record.params, opts.fixedCost);
    }
    return this.issue(step.x as Float64Array, info, opts.fill, undefined, opts.fixedCost);
  }

  /** The last `suggestAsync` call in line (calls run one after another). */
  private asyncTail: Promise<unknown> = Promise.resolve();

  /**
   * `suggest()` computed on a worker thread: the calling thread's event loop keeps running
   * (timers, I/O, child processes' output) while the models are fitted and the candidates rated.
   * The same seed and the same calls give exactly the suggestions `suggest()` gives; afterwards
   * the sweep is where `suggest()` would have left it (counters, generator, model warm starts,
   * the suggestion pending). Calls made before an earlier one resolved wait for it, so each
   * sees the one before. Observations recorded meanwhile are kept (the suggestion was made
   * without them, as in a shared study); a `suggest()` or `importState()` meanwhile would
   * issue the same ids twice, so the call then rejects and changes nothing.
   * Node only (node:worker_threads); one worker thread serves every sweep of the process and
   * does not keep it alive while idle.
   *
   * @param options as for `suggest()`; checked on the calling thread first.
   * @returns a promise of what `suggest()` returns.
   * @throws (rejects with) ProteinError when an option is invalid, the sweep changed under it,
   *   or the worker thread failed.
   */
  suggestAsync(options: SuggestOptions = {}): Promise<Suggestion<P>> {
    const run = this.asyncTail.then(() => this.suggestOnWorker(options));
    this.asyncTail = run.catch(() => undefined);
    return run;
  }

  private async suggestOnWorker(options: SuggestOptions): Promise<Suggestion<P>> {
    const opts = checkOptions(options, SUGGEST_OPTIONS, "suggest", ProteinError) as SuggestOptions;
    if (opts.fill !== undefined && !isPlainObject(opts.fill)) {
      throw new ProteinError("fill must be a plain object", { key: "fill", value: opts.fill, allowed: "an object to write the suggested values into", fix: "pass an object, or leave fill out" });
    }
    if (opts.fixedCost !== undefined) this.fixedCostCoordinate(opts.fixedCost);
    const { suggestOnWorker } = await import("./protein/async");
    const before = { index: this.state.suggestionIndex, ids: this.state.idCounter };
    const reply = await suggestOnWorker(this, this.snapshotData(), opts.fixedCost !== undefined ? { fixedCost: opts.fixedCost } : {});
    if (this.state.suggestionIndex !== before.index || this.state.idCounter !== before.ids) {
      throw new ProteinError("suggestAsync: the sweep made or imported suggestions while this one was computed", {
        key: "suggestAsync",
        allowed: "no suggest() or importState() on this sweep until the promise settles",
        fix: "await suggestAsync() before calling suggest() or importState() on the same Protein",
      });
    }
    const { id, params, info } = reply.suggestion;
    if (this.state.pending.has(id)) {
      throw new ProteinError(`suggestAsync: the id "${id}" was registered by addPending while the suggestion was computed`, { key: "id", value: id, allowed: "an id not pending yet", fix: "call suggestAsync again (the next id is used)" });
    }
    // The worker exported this state from the same sweep with the same code, and postMessage gave
    // this thread its own copy: the schema check and the clone of importState() are skipped, which
    // keeps this thread's share of the call to about a millisecond at n = 3,000.
    this.applyState(reply.state as ValidState, "suggestAsync", "call suggestAsync again, or use suggest()");
    this.state.pending.set(id, { id, x: this.space.toVector(params), params: structuredClone(params) as NestedParams });
    const out = opts.fill ? mergeInto(opts.fill, params as NestedParams) : params;
    return { id, params: out as P, info: info as SuggestionInfo };
  }

  /**
   * The front member to resample, among successes whose params lie within the current
   * ranges (a prior observation kept outside a narrowed range is never re-suggested).
   * Without `draw`, only says whether there is one (no random draw).
   */
  private resamplePick(successes: ModelData, draw = false): number | undefined {
    const records = this.state.successRecords();
    const inRange: number[] = [];
    for (let i = 0; i < records.length; i++) if (!this.space.check(records[i].params).some((p) => p.kind === "out-of-range")) inRange.push(i);
    if (inRange.length === 0) return undefined;
    if (!draw) return inRange[0];
    if (inRange.length === successes.n) {
      const front = paretoFront(successes.s, successes.cost, "maximize", { scoreTolerance: EPS });
      return front[this.rng.int(0, front.length - 1)];
    }
    const s = Float64Array.from(inRange, (i) => successes.s[i]);
    const c = Float64Array.from(inRange, (i) => successes.cost[i]);
    const front = paretoFront(s, c, "maximize", { scoreTolerance: EPS });
    return inRange[front[this.rng.int(0, front.length - 1)]];
  }

  /** Normalized coordinate of a fixed cost; refuses values outside the cost parameter's range. */
  private fixedCostCoordinate(fixedCost: unknown): number {
    if (this.costIndex === undefined) {
      throw new ProteinError("fixedCost needs a cost parameter", { key: "fixedCost", value: fixedCost, allowed: "only when the sweep has a costParam", fix: "set costParam (e.g. train.total_timesteps) in the settings, or drop fixedCost" });
    }
    const { key, space } = this.space.entries[this.costIndex];
    const allowed = space.describe();
    if (typeof fixedCost !== "number" || domainProblem(space, fixedCost) !== undefined || !space.contains(fixedCost)) {
      // Refused rather than clipped: a cost outside the range is nearly always a units slip
      // (1e12 for 1e6..1e8), and clipping would run a budget nobody asked for.
      throw new ProteinError(`fixedCost must be a value of the cost parameter "${key}" within its range`, {
        key: "fixedCost",
        value: fixedCost,
        allowed,
        fix: `pass a raw value of ${key} in its range (${allowed}), or widen the range in the sweep config`,
      });
    }
    return space.normalize(fixedCost);
  }

  private randomPoint(fixedCostU: number | undefined): Float64Array {
    const d = this.space.dim;
    const u = this.sobol.next();
    const x = new Float64Array(d);
    for (let j = 0; j < d; j++) x[j] = 2 * u[j] - 1;
    if (this.costIndex !== undefined) {
      x[this.costIndex] = fixedCostU ?? Math.min(1, Math.max(-1, -0.8 + 0.1 * this.rng.normal()));
    }
    return this.space.snap(x);
  }

  private issue(x: Float64Array, info: SuggestionInfo, fill?: Record<string, unknown>, raw?: NestedParams, fixedCost?: number): Suggestion<P> {
    let id = this.state.nextId();
    // An id registered by addPending (another process's suggestion) is never reused.
    while (this.state.pending.has(id)) id = this.state.nextId();
    const layout: ParamsLayout = this.settings.layout;
    let params: NestedParams;
    if (raw) {
      const values = flattenParams(raw);
      // A resampled front member runs at the fixed cost when one is asked for.
      if (fixedCost !== undefined && this.costIndex !== undefined) values.set(this.space.keys[this.costIndex], fixedCost);
      params = this.space.nest(values, layout);
    } else {
      const values = new Map<string, unknown>(this.space.entries.map((e, j) => [e.key, e.space.unnormalize(x[j])]));
      // A fixed cost is returned exactly as asked, not as a round trip through its coordinate.
      if (fixedCost !== undefined && this.costIndex !== undefined) values.set(this.space.keys[this.costIndex], fixedCost);
      params = this.space.nest(values, layout);
    }
    // The pending row is the row of the params as issued (not the candidate row they were
    // rounded from), so that a restored sweep, or another process given them by addPending,
    // holds the very same row.
    this.state.pending.set(id, { id, x: this.space.toVector(params), params: structuredClone(params) });
    const out = fill ? mergeInto(fill, params) : params;
    return { id, params: out as P, info };
  }

  /** PROTEIN.md §2 steps 4–8. */
  private modelSuggestion(successes: ModelData, fixedCostU: number | undefined, info: SuggestionInfo): Float64Array {
    const s = this.settings;
    const d = this.space.dim;
    info.phase = "model";
    // Every exploitEvery-th suggestion is rated by Protein's cost-weighted posterior mean instead.
    const acquisition = s.exploitEvery > 0 && s.acquisition !== "protein" && info.index % s.exploitEvery === 0 ? "protein" : s.acquisition;
    info.acquisition = acquisition;

    // 4. Fit the two GPs.
    const models = this.surrogate.fit(successes, this.state.failureRecords(), this.state.suggestionIndex);
    if (models.warping) info.outputWarping = models.warping;
    info.scoreModel = models.scoreFit;
    if (models.costFit) info.costModel = models.costFit;

    // Pending suggestions: condition the models on fantasies at their rows.
    const pendingRows = [...this.state.pending.values()];
    const P = new Float64Array(pendingRows.length * d);
    pendingRows.forEach((p, i) => P.set(p.x, i * d));
    conditionOnPending(models, P, pendingRows.length, s.pendingStrategy);

    // 5. Search centers: the (pruned) front, plus cheaper copies of the top-k.
    let front = paretoFront(successes.s, successes.cost, "maximize", { scoreTolerance: EPS });
    const pruned = prunePareto(front, successes.s, successes.cost, "maximize");
    if (s.prunePareto) front = pruned;
    const costliest = successes.cost[pruned[pruned.length - 1]];
    this.upperCostThreshold = nextUpperCostThreshold(this.upperCostThreshold, costliest);

    // 6–8. Candidates, ratings, refinement, the winner.
    let spent = 0;
    for (const r of this.state.allRecords()) if (Number.isFinite(r.cost)) spent += r.cost;
    const found = this.search.search({ models, successes, front, acquisition, pending: P, pendingCount: pendingRows.length, fixedCostU, spent });
    if (found.costCoolingAlpha !== undefined) info.costCoolingAlpha = found.costCoolingAlpha;
    if (found.costCap !== undefined) info.costCap = found.costCap;
    info.candidates = found.candidates;
    if (found.costTarget !== undefined) info.costTarget = found.costTarget;
    if (found.costThresholdRelaxed) info.costThresholdRelaxed = true;
    if (found.reasons.length > 0) info.reason = found.reasons[found.reasons.length - 1];
    info.rating = found.rating;
    info.predictedScore = this.surrogate.rawScore(models.targets, found.meanNorm);
    if (found.predictedCost !== undefined) info.predictedCost = found.predictedCost;
    releasePending(models, pendingRows.length, s.pendingStrategy);
    return found.x;
  }

  // ---------------------------------------------------------------- predictions

  /**
   * What the models currently expect at the given params: the score GP's posterior mean
   * and standard deviation (raw units, the sweep's goal direction) and, when costs vary,
   * the predicted cost. Fits the models on all observations (prior phases included).
   * Params may lie outside the current ranges (they are normalized unclamped).
   *
   * @throws ObservationError when a params object does not match the space.
   * @throws ProteinError when there is no successful observation yet.
   */
  predict(params: ReadonlyArray<P | Readonly<Record<string, unknown>>>): Array<{ score: number; scoreStd: number; cost?: number }> {
    if (!Array.isArray(params)) {
      throw new ObservationError("predict takes an array of params objects", { key: "params", value: params, allowed: "an array of params objects", fix: "wrap a single params object in [ ]" });
    }
    const d = this.space.dim;
    const Q = new Float64Array(params.length * d);
    params.forEach((p, i) => Q.set(this.checkParams(p, `predict [${i}]`).x, i * d));
    const successes = this.successData();
    if (successes.n === 0) {
      throw new ProteinError("predict needs at least one successful observation", { key: "observations", value: 0, fix: "observe some runs (or loadPrior) first" });
    }
    const models = this.surrogate.fit(successes, this.state.failureRecords(), this.state.suggestionIndex);
    const t = models.targets;
    const pred = models.scoreGp.predict(Q, { variance: true, includeNoise: false });
    let cost: Float64Array | undefined;
    if (models.costGp) {
      const m = models.costGp.predict(Q).mean;
      cost = Float64Array.from(m, (v) => clippedExp(v * (t.lcMax - t.lcMin + EPS) + t.lcMin));
    }
    return Array.from({ length: params.length }, (_, i) => ({
      score: this.surrogate.rawScore(t, pred.mean[i]),
      scoreStd: this.surrogate.rawScoreStd(t, Math.sqrt(Math.max(0, pred.variance![i])), pred.mean[i]),
      ...(cost ? { cost: cost[i] } : {}),
    }));
  }

  // ---------------------------------------------------------------- early stopping

  /**
   * Whether a run at `cost` with `score` so far should stop (PufferLib's rule, made
   * sign-safe): needs ≥ 30 successful observations; never before 0.3·upper cost + 10;
   * beyond 1.2× the upper cost threshold a run must reach best − 0.1·|best| (direction-
   * adjusted, so it holds for negative scores and for minimize); otherwise it must reach the `earlyStopQuantile` line a + b·log(cost).
   *
   * @throws ProteinError when score is not a number or cost is not a finite number ≥ 0.
   */
  shouldStop(score: number, cost: number): boolean {
    if (typeof score !== "number") {
      throw new ProteinError("shouldStop: score must be a number", { key: "score", value: score, allowed: "a number (NaN or ±Infinity: stop)", fix: "pass the run's metric so far" });
    }
    if (typeof cost !== "number" || !Number.isFinite(cost) || cost < 0) {
      throw new ProteinError("shouldStop: cost must be a finite number ≥ 0", { key: "cost", value: cost, allowed: "a finite number ≥ 0", fix: "pass what the run has cost so far" });
    }
    if (!Number.isFinite(score)) return true;
    const data = this.successData();
    if (data.n === 0) return false;
    const upper = this.upperCostThreshold ?? maxOf(data.cost);
    const model = fitQuantileLogCost(data.s, data.cost, this.settings.earlyStopQuantile, { minSamples: 30 });
    return earlyStopDecision(this.surrogate.modelScore(score), cost, model, {
      minCost: earlyStopMinCost(upper),
      maxCostThreshold: upper,
      bestScore: maxOf(data.s),
      goal: "maximize",
    }).stop;
  }

  // ---------------------------------------------------------------- snapshots and shared state

  /** Everything needed to resume exactly (JSON-serializable, a fresh copy). */
  /**
   * The settings a snapshot keeps: all of them, except a cost parameter that was not named
   * (detected, or none found), which is left out so that `restore` detects it again and
   * reports it the same way.
   */
  private snapshotSettings(): ProteinSnapshot["settings"] {
    const { costParam, ...rest } = this.settings;
    return this.costParamNamed ? { ...rest, costParam } : rest;
  }

  snapshot(): ProteinSnapshot {
    return structuredClone(this.snapshotData());
  }

  /** The snapshot's content, not copied (postMessage copies it for `suggestAsync`). */
  private snapshotData(): ProteinSnapshot {
    const state = this.exportState();
    return {
      format: "protein-sweep/snapshot" as const,
      version: 1 as const,
      config: this.config.source,
      settings: this.snapshotSettings(),
      observations: this.state.records,
      prior: this.state.priorRecords,
      pending: [...this.state.pending.values()].map((p) => ({ id: p.id, params: p.params })),
      corrections: this.corrections,
      suggestionIndex: state.suggestionIndex,
      idCounter: state.idCounter,
      rng: state.rng,
      sobol: state.sobol,
      deck: state.deck,
      upperCostThreshold: state.upperCostThreshold,
      gp: state.gp,
    };
  }

  /**
   * Rebuilds a Protein from `snapshot()`; its next suggestion equals the uninterrupted sweep's.
   * The whole snapshot is validated first (fields, types, records against the space, generator
   * and model states).
   * @throws ProteinError naming the first invalid field (ConfigError when its config is invalid).
   */
  static restore<Q extends object = NestedParams>(snapshot: ProteinSnapshot): Protein<Q> {
    const raw = snapshot as unknown;
    if (!isPlainObject(raw) || raw.format !== "protein-sweep/snapshot" || raw.version !== 1) {
      throw new ProteinError("not a protein-sweep snapshot (or a newer version)", { key: "format", value: isPlainObject(raw) ? raw.format : raw, allowed: 'format "protein-sweep/snapshot", version 1', fix: "pass the object protein.snapshot() returned (JSON round trips are fine)" });
    }
    const fix = "pass the object protein.snapshot() returned, unchanged (JSON round trips are fine)";
    const s = structuredClone(parseOrThrow(snapshotSchema, raw, "snapshot", fix)) as ValidSnapshot;
    const p = new Protein<Q>(s.config as object, s.settings as ProteinOptions);
    checkRecords(p.space, s.observations as Observation[], "observations", flattenParams);
    checkRecords(p.space, s.prior as Observation[], "prior", flattenParams);
    const pending = new Map<string, { id: string; x: Float64Array; params: NestedParams }>();
    s.pending.forEach((q, i) => {
      if (pending.has(q.id)) throw new ProteinError(`snapshot: pending[${i}] repeats the id "${q.id}"`, { key: `pending[${i}].id`, value: q.id, allowed: "distinct ids", fix });
      try {
        pending.set(q.id, { id: q.id, params: q.params as NestedParams, x: p.checkParams(q.params, "pending").x });
      } catch (error) {
        throw new ProteinError(`snapshot: pending[${i}] does not fit the sweep's space`, { key: `pending[${i}].params`, value: q.params, allowed: (error as ProteinError).message, fix });
      }
    });
    p.applyState(s, "snapshot", fix);
    for (const r of s.observations) p.state.records.push(r as Observation);
    for (const r of s.prior) p.state.priorRecords.push(r as Observation);
    for (const [id, q] of pending) p.state.pending.set(id, q);
    for (const c of s.corrections ?? []) p.corrections.push(c as Correction);
    return p;
  }

  /**
   * The counters, generator state and model warm starts (JSON, a fresh copy): everything of
   * `snapshot()` except config, settings, observations, prior observations and pending
   * suggestions. Another process with the same config and settings continues from it with
   * `importState`.
   */
  exportState(): ProteinState {
    return structuredClone({
      format: "protein-sweep/state" as const,
      version: 1 as const,
      suggestionIndex: this.state.suggestionIndex,
      idCounter: this.state.idCounter,
      rng: this.rng.getState(),
      sobol: { seed: this.sobolSeed, index: this.sobol.index },
      deck: this.search.getDeck(),
      upperCostThreshold: this.upperCostThreshold,
      gp: (this.reference ?? this.surrogate).getState(),
    });
  }

  /**
   * Continues the counters, the generator and the models' warm starts from another process's
   * `exportState()` (same config and settings). Observations and pending suggestions are not
   * part of it: observe them, and register the other process's suggestions with `addPending`.
   * @throws ProteinError naming the first invalid field; nothing changes then.
   */
  importState(state: ProteinState): void {
    const fix = "pass the object protein.exportState() returned, unchanged (JSON round trips are fine)";
    const valid = structuredClone(parseOrThrow(proteinStateSchema, state, "state", fix)) as ValidState;
    this.applyState(valid, "state", fix);
  }

  /**
   * Registers a suggestion made elsewhere (another process of a shared study) as pending:
   * new suggestions keep away from it like from this sweep's own; `observe(…, { suggestionId: id })`
   * completes it and `abandon(id)` drops it.
   * @throws ProteinError when the id is already pending or is not a non-empty string.
   * @throws ObservationError when params do not fit the space (keys, types, domains).
   */
  addPending(id: string, params: P | Readonly<Record<string, unknown>>): void {
    if (typeof id !== "string" || id === "") {
      throw new ProteinError("addPending: the id must be a non-empty string", { key: "id", value: id, allowed: "the suggestion's id (a string)", fix: "pass the id the other process's suggest() returned" });
    }
    if (this.state.pending.has(id)) {
      throw new ProteinError(`addPending: "${id}" is already pending`, { key: "id", value: id, allowed: "an id not pending yet", fix: "register each suggestion once; abandon(id) first to replace it" });
    }
    const { x } = this.checkParams(params, "addPending");
    const flat = flattenParams(params as Record<string, unknown>);
    this.state.pending.set(id, { id, x, params: this.space.nest(flat, this.settings.layout) });
  }

  /** Applies a validated state; the model states are checked on scratch models first, so a bad one changes nothing. */
  private applyState(s: ValidState | ValidSnapshot, what: string, fix: string): void {
    try {
      new Surrogate(this.space, this.settings, this.direction, createRng(0)).setState(s.gp as never);
      createRng(0).setState(s.rng as RngState);
    } catch (error) {
      throw new ProteinError(`${what}: the generator or model state does not fit this sweep`, { key: "gp", allowed: `model states of a sweep with ${this.space.dim} parameters: ${(error as Error).message.split("\n")[0]}`, fix }, { cause: error });
    }
    this.state.suggestionIndex = s.suggestionIndex;
    this.state.idCounter = s.idCounter;
    this.rng.setState(s.rng as RngState);
    this.sobolSeed = s.sobol.seed;
    this.sobol = new SobolSequence(Math.max(1, this.space.dim), { scramble: createRng(s.sobol.seed) });
    this.sobol.fastForward(s.sobol.index);
    this.search.setDeck(s.deck);
    this.upperCostThreshold = s.upperCostThreshold;
    (this.reference ?? this.surrogate).setState(s.gp as never);
  }

  // ---------------------------------------------------------------- phases

  /**
   * Loads observations of an earlier phase as a prior. Raw values are re-normalized under
   * the CURRENT space; values outside the current range follow `outOfRange` (`keep` by
   * default: used unclamped). Values outside their distribution's domain (≤ 0 on a log
   * scale, …) cannot be normalized at all: those observations are dropped and reported.
   * Pass the result of `loadObservations(path)` to also get the per-key range changes
   * between that file's config and this sweep's.
   *
   * @returns what was loaded, kept out of range, dropped (and why), filled, and what changed.
   * @throws ObservationError when an observation is not a valid record.
   * @example
   * const prior = loadObservations("phase1.jsonl");
   * const report = protein.loadPrior(prior, { maxObservations: 200 });
   * for (const change of report.rangeChanges) console.warn(change.message);
   */
  loadPrior(prior: readonly Observation[] | { header?: { config: unknown }; observations: readonly Observation[] }, options: LoadPriorOptions = {}): PriorReport & { rangeChanges: SpaceChange[] } {
    const opts = checkOptions(options, ["maxObservations", "outOfRange"], "loadPrior", ObservationError) as LoadPriorOptions;
    const list = Array.isArray(prior) ? (prior as readonly Observation[]) : isPlainObject(prior) && Array.isArray(prior.observations) ? (prior.observations as readonly Observation[]) : undefined;
    if (list === undefined) {
      throw new ObservationError("loadPrior takes an array of observations or what loadObservations returned", { key: "prior", value: prior, allowed: "an array of observations, or { header, observations }", fix: "pass loadObservations(path), or its observations" });
    }
    const header = Array.isArray(prior) ? undefined : (prior as { header?: { config: unknown } }).header;
    const records = list.map((o, i) => parseObservation(o, { index: i }));
    const max = opts.maxObservations ?? (this.settings.maxObservationsToLoad || undefined);
    // preparePrior drops, with the reason, every value outside its distribution's domain.
    const { observations, report } = preparePrior(records, this.space, this.config.goal, { ...opts, ...(max !== undefined ? { maxObservations: max } : {}) });
    let rangeChanges: SpaceChange[] = [];
    if (header?.config !== undefined) {
      try {
        rangeChanges = diffSpaces(SearchSpace.fromConfig(parseSweepConfig(header.config as object)), this.space);
      } catch {
        rangeChanges = [];
      }
    }
    for (const o of observations) this.state.priorRecords.push(o);
    return { ...report, rangeChanges };
  }
}

/** Refuses a non-object options argument and unknown option keys (a typo is an error, not ignored). */
function checkOptions(options: unknown, known: readonly string[], where: string, Err: typeof ProteinError): Record<string, unknown> {
  if (options === undefined) return {};
  if (!isPlainObject(options)) {
    throw new Err(`${where}: options must be an object`, { key: "options", value: options, allowed: `an object with any of ${known.join(", ")}`, fix: "pass {} or leave the argument out" });
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new Err(`${where}: unknown option "${key}"`, { key: `options.${key}`, value: options[key], allowed: known.join(", "), fix: "check the spelling, or remove the option" });
    }
  }
  return options;
}

function checkCost(cost: unknown): number {
  const c = cost === undefined ? 1 : cost;
  if (typeof c !== "number" || !Number.isFinite(c) || c < 0) {
    throw new ObservationError("cost must be a finite number ≥ 0", { key: "cost", value: cost, allowed: "a finite number ≥ 0 (e.g. seconds or timesteps), or omit it", fix: "pass the run's cost, or leave it out to treat every run as cost 1" });
  }
  return c;
}

function mergeInto(target: Record<string, unknown>, source: NestedParams): Record<string, unknown> {
  for (const [k, v] of Object.entries(source)) {
    const t = target[k];
    if (typeof v === "object" && v !== null && typeof t === "object" && t !== null && !Array.isArray(t)) mergeInto(t as Record<string, unknown>, v as NestedParams);
    else target[k] = typeof v === "object" ? structuredClone(v) : v;
  }
  return target;
}
