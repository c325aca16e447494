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
import { type SweepConfig, parseSweepConfig } from "./config/parse";
import { ObservationError, ProteinError } from "./errors";
import type { GpFitState } from "./gp";
import { clippedExp } from "./acquisition/safe-math";
import { paretoFront, prunePareto } from "./pareto";
import { earlyStopDecision, earlyStopMinCost, fitQuantileLogCost, nextUpperCostThreshold } from "./stopping";
import { createRng, SobolSequence, type Rng, type RngState } from "./random";
import { SweepState } from "./protein/sweep-state";
import { EPS, type ModelData, type ModelSummary, Surrogate } from "./protein/surrogate";
import { CandidateSearch, conditionOnPending, releasePending } from "./protein/candidate-search";
import { type NestedParams, type ParamsProblem, SearchSpace, paramsError } from "./space/search-space";
import { DEFAULT_SETTINGS, type ProteinOptions, type ProteinSettings, SETTING_NAMES, resolveSettings } from "./settings";
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
  /** Candidates rated. */
  candidates?: number;
  /** Suggestions pending (not yet observed) when this one was made. */
  pending?: number;
  /** Why a fallback or a departure from the usual path happened. */
  reason?: string;
  /** GP fit summaries. */
  scoreModel?: ModelSummary;
  costModel?: ModelSummary;
}

export type { ModelSummary };

export interface Suggestion {
  /** Id to pass back to `observe` (optional) or to `abandon`. */
  id: string;
  /** Params nested as the config is written. */
  params: NestedParams;
  info: SuggestionInfo;
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

/** What `observe` reports. */
export interface ObserveResult {
  /** The observation as recorded (raw values). */
  observation: Observation;
  /** Params outside the current range: recorded as given, used unclamped by the model. */
  outOfRange: ParamsProblem[];
  /** The pending suggestion this observation completed, if any. */
  completedSuggestion?: string;
}

/** Everything needed to resume a sweep exactly (JSON-serializable). */
export interface ProteinSnapshot {
  format: "protein-sweep/snapshot";
  version: 1;
  config: unknown;
  settings: ProteinSettings;
  observations: Observation[];
  prior: Observation[];
  pending: Array<{ id: string; params: NestedParams }>;
  suggestionIndex: number;
  idCounter: number;
  rng: RngState;
  sobol: { seed: number; index: number };
  deck: number[];
  upperCostThreshold: number | null;
  /** GP hyperparameters in log space (the warm start of the next fit). */
  gp: { score: GpFitState | null; cost: GpFitState | null; lastFitSize: { score: number; cost: number } };
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
 * @example
 * const protein = new Protein(yamlText, { seed: 7 });
 * for (let i = 0; i < 100; i++) {
 *   const { params } = protein.suggest();
 *   const { score, cost } = await train(params);
 *   protein.observe(params, score, cost);
 * }
 */
export class Protein {
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
  private upperCostThreshold: number | null = null;

  /**
   * @param config YAML/INI text, a config object, or a parsed `SweepConfig`.
   * @param options settings (camelCase); they override the config's `protein:` block.
   * @throws ConfigError when the config or a setting is invalid.
   */
  constructor(config: string | object | SweepConfig, options: ProteinOptions = {}) {
    this.config = parseSweepConfig(config);
    this.space = SearchSpace.fromConfig(this.config);
    validateOptions(options);
    this.settings = Object.freeze(resolveSettings(this.config.settings as ConfigSettings, options, this.space.keys, freshSeed));
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
    this.surrogate = new Surrogate(this.space, this.settings, this.direction, this.rng);
    this.search = new CandidateSearch(this.space, this.settings, this.costIndex, this.rng);
  }

  /** The seed in force (pass it back to reproduce this sweep). */
  get seed(): number | string {
    return this.settings.seed;
  }

  /** Observations recorded by this sweep (raw values), oldest first. */
  get observations(): readonly Readonly<Observation>[] {
    return this.state.records;
  }

  /** Observations loaded from earlier phases. */
  get priorObservations(): readonly Readonly<Observation>[] {
    return this.state.priorRecords;
  }

  /** Suggestions made and not yet observed or abandoned. */
  get pendingSuggestions(): ReadonlyArray<{ id: string; params: NestedParams }> {
    return [...this.state.pending.values()].map((p) => ({ id: p.id, params: p.params }));
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
   * @param params the params as run (nested or dotted).
   * @param score the metric; NaN/±Infinity make this a failure observation.
   * @param cost what the run cost (≥ 0, finite); omitted = 1 (a sweep without costs).
   * @throws ObservationError when a key is missing or unknown, a value has the wrong type,
   *   the score is not a number, or the cost is negative or not finite. Nothing is recorded then.
   */
  observe(params: Record<string, unknown>, score: number, cost?: number, options: ObserveOptions = {}): ObserveResult {
    const problems = this.space.check(params);
    const fatal = problems.find((p) => p.kind !== "out-of-range");
    if (fatal) throw paramsError(fatal);
    if (typeof score !== "number") {
      throw new ObservationError("score must be a number", { key: "score", value: score, allowed: "a number (NaN or ±Infinity record a failure)", fix: "pass the metric's numeric value, or { isFailure: true } for a failed run" });
    }
    const c = cost === undefined ? 1 : cost;
    if (typeof c !== "number" || !Number.isFinite(c) || c < 0) {
      throw new ObservationError("cost must be a finite number ≥ 0", { key: "cost", value: cost, allowed: "a finite number ≥ 0 (e.g. seconds or timesteps), or omit it", fix: "pass the run's cost, or leave it out to treat every run as cost 1" });
    }
    const isFailure = options.isFailure === true || !Number.isFinite(score);
    const x = this.space.toVector(params);
    const observation: Observation = {
      params: structuredClone(params) as NestedParams,
      score: Number.isFinite(score) ? score : null,
      cost: c,
      isFailure,
      timestamp: options.timestamp ?? nowIso(),
      ...(options.suggestionId !== undefined ? { suggestionId: options.suggestionId } : {}),
      ...(options.metadata !== undefined ? { metadata: structuredClone(options.metadata) } : {}),
    };
    const completed = this.state.completePending(x, options.suggestionId);
    if (completed !== undefined && observation.suggestionId === undefined) observation.suggestionId = completed;
    this.state.records.push(observation);
    return { observation, outOfRange: problems, ...(completed !== undefined ? { completedSuggestion: completed } : {}) };
  }

  /** Drops a pending suggestion that will never report. Returns whether it was pending. */
  abandon(id: string): boolean {
    return this.state.abandon(id);
  }

  /** Successful observations (prior phases first) as model rows. */
  private successData(): ModelData {
    return this.surrogate.successData(this.state.successRecords());
  }

  // ---------------------------------------------------------------- suggest

  /**
   * Suggests the next params to run.
   *
   * @param options.fixedCost raw value of the cost parameter to use (e.g. a fixed total_timesteps).
   * @param options.fill an object to write the suggested values into (other keys kept).
   * @returns `{ id, params, info }`; params are always valid values of the space.
   */
  suggest(options: { fixedCost?: number; fill?: Record<string, unknown> } = {}): Suggestion {
    const index = ++this.state.suggestionIndex;
    const d = this.space.dim;
    let fixedCostU: number | undefined;
    if (options.fixedCost !== undefined) {
      if (this.costIndex === undefined) {
        throw new ProteinError("fixedCost needs a cost parameter", { key: "fixedCost", value: options.fixedCost, allowed: "only when the sweep has a costParam", fix: "set costParam (e.g. train.total_timesteps) in the settings, or drop fixedCost" });
      }
      const space = this.space.entries[this.costIndex].space;
      if (typeof options.fixedCost !== "number" || !space.accepts(options.fixedCost)) {
        throw new ProteinError("fixedCost must be a value of the cost parameter", { key: "fixedCost", value: options.fixedCost, allowed: space.describe(), fix: "pass a raw value of the cost parameter" });
      }
      fixedCostU = space.normalize(options.fixedCost);
    }
    const successes = this.successData();
    const info: SuggestionInfo = { phase: "random", index, pending: this.state.pending.size };
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
    // 3. Resampling a front member (returns its raw params exactly).
    else if (this.settings.resampleFrequency > 0 && index % this.settings.resampleFrequency === 0 && successes.n > 0) {
      const front = paretoFront(successes.s, successes.cost, "maximize", { scoreTolerance: EPS });
      const pick = front[this.rng.int(0, front.length - 1)];
      const record = this.state.successRecords()[pick];
      info.phase = "resample";
      return this.issue(successes.X.slice(pick * d, pick * d + d), info, options.fill, record.params);
    } else if (successes.n === 0) {
      info.reason = "no successful observation yet: continuing the Sobol sequence";
      x = this.randomPoint(fixedCostU);
    } else {
      x = this.modelSuggestion(successes, fixedCostU, info);
    }
    return this.issue(x, info, options.fill, undefined, options.fixedCost);
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

  private issue(x: Float64Array, info: SuggestionInfo, fill?: Record<string, unknown>, raw?: NestedParams, fixedCost?: number): Suggestion {
    const id = this.state.nextId();
    let params: NestedParams;
    if (raw) params = structuredClone(raw);
    else {
      const values = new Map<string, unknown>(this.space.entries.map((e, j) => [e.key, e.space.unnormalize(x[j])]));
      // A fixed cost is returned exactly as asked, not as a round trip through its coordinate.
      if (fixedCost !== undefined && this.costIndex !== undefined) values.set(this.space.keys[this.costIndex], fixedCost);
      params = this.space.nest(values);
    }
    this.state.pending.set(id, { id, x: Float64Array.from(x), params });
    const out = fill ? mergeInto(fill, params) : params;
    return { id, params: out as NestedParams, info };
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
    const found = this.search.search({ models, successes, front, acquisition, pending: P, pendingCount: pendingRows.length, fixedCostU });
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
  predict(params: ReadonlyArray<Record<string, unknown>>): Array<{ score: number; scoreStd: number; cost?: number }> {
    const successes = this.successData();
    if (successes.n === 0) {
      throw new ProteinError("predict needs at least one successful observation", { key: "observations", value: 0, fix: "observe some runs (or loadPrior) first" });
    }
    const d = this.space.dim;
    const Q = new Float64Array(params.length * d);
    params.forEach((p, i) => this.space.toVector(p, Q.subarray(i * d, i * d + d)));
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
      scoreStd: this.surrogate.rawScoreStd(t, Math.sqrt(Math.max(0, pred.variance![i]))),
      ...(cost ? { cost: cost[i] } : {}),
    }));
  }

  // ---------------------------------------------------------------- early stopping

  /**
   * Whether a run at `cost` with `score` so far should stop (PufferLib's rule, made
   * sign-safe): needs ≥ 30 successful observations; never before 0.3·upper cost + 10;
   * beyond 1.2× the upper cost threshold a run must reach best − 0.1·|best| (direction-
   * adjusted, so it holds for negative scores and for minimize); otherwise it must reach the `earlyStopQuantile` line a + b·log(cost).
   */
  shouldStop(score: number, cost: number): boolean {
    if (!Number.isFinite(score)) return true;
    const data = this.successData();
    if (data.n === 0) return false;
    const upper = this.upperCostThreshold ?? Math.max(...data.cost);
    const model = fitQuantileLogCost(data.s, data.cost, this.settings.earlyStopQuantile, { minSamples: 30 });
    return earlyStopDecision(this.surrogate.modelScore(score), cost, model, {
      minCost: earlyStopMinCost(upper),
      maxCostThreshold: upper,
      bestScore: Math.max(...data.s),
      goal: "maximize",
    }).stop;
  }

  // ---------------------------------------------------------------- snapshots

  /** Everything needed to resume exactly (JSON-serializable). */
  snapshot(): ProteinSnapshot {
    return structuredClone({
      format: "protein-sweep/snapshot" as const,
      version: 1 as const,
      config: this.config.source,
      settings: { ...this.settings },
      observations: this.state.records,
      prior: this.state.priorRecords,
      pending: [...this.state.pending.values()].map((p) => ({ id: p.id, params: p.params })),
      suggestionIndex: this.state.suggestionIndex,
      idCounter: this.state.idCounter,
      rng: this.rng.getState(),
      sobol: { seed: this.sobolSeed, index: this.sobol.index },
      deck: this.search.getDeck(),
      upperCostThreshold: this.upperCostThreshold,
      gp: this.surrogate.getState(),
    });
  }

  /** Rebuilds a Protein from `snapshot()`; its next suggestion equals the uninterrupted sweep's. */
  static restore(snapshot: ProteinSnapshot): Protein {
    if (snapshot?.format !== "protein-sweep/snapshot" || snapshot.version !== 1) {
      throw new ProteinError("not a protein-sweep snapshot (or a newer version)", { key: "format", value: snapshot?.format, allowed: 'format "protein-sweep/snapshot", version 1', fix: "pass the object protein.snapshot() returned (JSON round trips are fine)" });
    }
    const p = new Protein(snapshot.config as object, snapshot.settings);
    p.state.records.push(...structuredClone(snapshot.observations));
    p.state.priorRecords.push(...structuredClone(snapshot.prior));
    for (const q of snapshot.pending) p.state.pending.set(q.id, { id: q.id, params: q.params, x: p.space.toVector(q.params) });
    p.state.suggestionIndex = snapshot.suggestionIndex;
    p.state.idCounter = snapshot.idCounter;
    p.rng.setState(snapshot.rng);
    p.sobolSeed = snapshot.sobol.seed;
    p.sobol = new SobolSequence(Math.max(1, p.space.dim), { scramble: createRng(snapshot.sobol.seed) });
    p.sobol.fastForward(snapshot.sobol.index);
    p.search.setDeck(snapshot.deck);
    p.upperCostThreshold = snapshot.upperCostThreshold;
    p.surrogate.setState(snapshot.gp);
    return p;
  }

  // ---------------------------------------------------------------- phases

  /**
   * Loads observations of an earlier phase as a prior. Raw values are re-normalized under
   * the CURRENT space; values outside the current range follow `outOfRange` (`keep` by
   * default: used unclamped). Pass the result of `loadObservations(path)` to also get the
   * per-key range changes between that file's config and this sweep's.
   *
   * @returns what was loaded, kept out of range, dropped (and why), filled, and what changed.
   * @throws ObservationError when an observation is not a valid record.
   * @example
   * const prior = loadObservations("phase1.jsonl");
   * const report = protein.loadPrior(prior, { maxObservations: 200 });
   * for (const change of report.rangeChanges) console.warn(change.message);
   */
  loadPrior(prior: readonly Observation[] | { header?: { config: unknown }; observations: readonly Observation[] }, options: LoadPriorOptions = {}): PriorReport & { rangeChanges: SpaceChange[] } {
    const list = Array.isArray(prior) ? (prior as readonly Observation[]) : (prior as { observations: readonly Observation[] }).observations;
    const header = Array.isArray(prior) ? undefined : (prior as { header?: { config: unknown } }).header;
    const records = list.map((o, i) => parseObservation(o, { index: i }));
    const max = options.maxObservations ?? (this.settings.maxObservationsToLoad || undefined);
    const { observations, report } = preparePrior(records, this.space, this.config.goal, { ...options, ...(max !== undefined ? { maxObservations: max } : {}) });
    let rangeChanges: SpaceChange[] = [];
    if (header?.config !== undefined) {
      try {
        rangeChanges = diffSpaces(SearchSpace.fromConfig(parseSweepConfig(header.config as object)), this.space);
      } catch {
        rangeChanges = [];
      }
    }
    this.state.priorRecords.push(...observations);
    return { ...report, rangeChanges };
  }
}

function validateOptions(options: ProteinOptions): void {
  for (const key of Object.keys(options)) {
    if (!(SETTING_NAMES as readonly string[]).includes(key)) {
      throw new ProteinError(`unknown setting "${key}"`, { key, value: (options as Record<string, unknown>)[key], allowed: SETTING_NAMES.join(", "), fix: "check the spelling (settings are camelCase in TypeScript, snake_case in a config's protein: block)" });
    }
  }
  void DEFAULT_SETTINGS;
}

function mergeInto(target: Record<string, unknown>, source: NestedParams): Record<string, unknown> {
  for (const [k, v] of Object.entries(source)) {
    const t = target[k];
    if (typeof v === "object" && v !== null && typeof t === "object" && t !== null && !Array.isArray(t)) mergeInto(t as Record<string, unknown>, v as NestedParams);
    else target[k] = typeof v === "object" ? structuredClone(v) : v;
  }
  return target;
}
