/**
 * Protein: ask/tell hyperparameter suggestions from a GP model of the score and of the
 * log-cost, searching around the (score, cost) Pareto front (PROTEIN.md §2–§4).
 *
 * This file orchestrates: raw observations → rows under the current space (space/) →
 * GP fits (gp/) → front and centers (pareto.ts) → candidates → ratings (acquisition/).
 * Numeric loops live in those modules and in model-data.ts.
 *
 * Direction: every score enters the model as s = ±transform(score), + for maximize and
 * − for minimize, so that "larger is better" holds everywhere below (front, top-k,
 * normalization, acquisition, early stopping). Maximizing f and minimizing −f therefore
 * give bit-identical suggestion sequences.
 */
import { type ConfigSettings } from "./config/settings";
import { type SweepConfig, parseSweepConfig } from "./config/parse";
import { ObservationError, ProteinError } from "./errors";
import { GaussianProcess, type GpFitState } from "./gp";
import { expectedImprovement, logExpectedImprovement, upperConfidenceBound } from "./acquisition/analytic";
import { CostTargetDeck, costWeights, maxCostMask } from "./acquisition/cost";
import { argmax as argmaxFinite } from "./acquisition/select";
import { clippedExp, logit } from "./acquisition/safe-math";
import { paretoFront, prunePareto } from "./pareto";
import { earlyStopDecision, earlyStopMinCost, fitQuantileLogCost, nextUpperCostThreshold } from "./stopping";
import { createRng, SobolSequence, type Rng, type RngState } from "./random";
import { DUPLICATE_DISTANCE, dedupRows, excludeNear, gatherRows, minMaxScale, quantile, subsampleRecent } from "./model-data";
import { type NestedParams, type ParamsProblem, SearchSpace, paramsError } from "./space/search-space";
import { DEFAULT_SETTINGS, type ProteinOptions, type ProteinSettings, SETTING_NAMES, resolveSettings } from "./settings";
import { type Observation, parseObservation } from "./observations/record";
import { type LoadPriorOptions, type PriorReport, preparePrior } from "./observations/prior";
import { type SpaceChange, diffSpaces } from "./space/compare";

/** Small constant of the reference's normalizations. */
const EPS = 1e-6;
/** Below this many successes, failures join the GP data with the worst score (PufferLib). */
const FAILURES_IN_MODEL_BELOW = 100;

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

export interface ModelSummary {
  observations: number;
  logMarginalLikelihood: number;
  lengthscaleRange: [number, number];
  noise: number;
  fellBack: boolean;
  /** The hyperparameters were refitted for this suggestion (else only the data was updated). */
  refitted: boolean;
}

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

interface Pending {
  id: string;
  x: Float64Array;
  params: NestedParams;
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

/** The suggester's state of `exportState()` (JSON-serializable). */
export type ProteinState = Pick<ProteinSnapshot, "suggestionIndex" | "idCounter" | "rng" | "sobol" | "deck" | "upperCostThreshold" | "gp">;

/** Rows and targets of one model fit. */
interface ModelData {
  n: number;
  X: Float64Array;
  s: Float64Array;
  cost: Float64Array;
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
  private deck: CostTargetDeck;
  private readonly costIndex: number | undefined;
  private readonly records: Observation[] = [];
  private readonly priorRecords: Observation[] = [];
  private readonly pending = new Map<string, Pending>();
  private suggestionIndex = 0;
  private idCounter = 0;
  private upperCostThreshold: number | null = null;
  private scoreGp: GaussianProcess | null = null;
  private costGp: GaussianProcess | null = null;
  /** Successful observations at each GP's last hyperparameter fit (0 = never fitted). */
  private readonly lastFitSize = { score: 0, cost: 0 };

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
    this.deck = new CostTargetDeck({ expansionRate: this.settings.expansionRate });
  }

  /** The seed in force (pass it back to reproduce this sweep). */
  get seed(): number | string {
    return this.settings.seed;
  }

  /** Observations recorded by this sweep (raw values), oldest first. */
  get observations(): readonly Readonly<Observation>[] {
    return this.records;
  }

  /** Observations loaded from earlier phases. */
  get priorObservations(): readonly Readonly<Observation>[] {
    return this.priorRecords;
  }

  /** Suggestions made and not yet observed or abandoned. */
  get pendingSuggestions(): ReadonlyArray<{ id: string; params: NestedParams }> {
    return [...this.pending.values()].map((p) => ({ id: p.id, params: p.params }));
  }

  /** Number of suggestions made so far. */
  get suggestionCount(): number {
    return this.suggestionIndex;
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
    const completed = this.completePending(x, options.suggestionId);
    if (completed !== undefined && observation.suggestionId === undefined) observation.suggestionId = completed;
    this.records.push(observation);
    return { observation, outOfRange: problems, ...(completed !== undefined ? { completedSuggestion: completed } : {}) };
  }

  /** Drops a pending suggestion that will never report. Returns whether it was pending. */
  abandon(id: string): boolean {
    return this.pending.delete(id);
  }

  private completePending(x: Float64Array, id: string | undefined): string | undefined {
    if (id !== undefined && this.pending.delete(id)) return id;
    let best: string | undefined;
    let bestDistance = DUPLICATE_DISTANCE;
    for (const p of this.pending.values()) {
      let d2 = 0;
      for (let j = 0; j < x.length; j++) d2 += (x[j] - p.x[j]) ** 2;
      const dist = Math.sqrt(d2);
      if (dist <= bestDistance) {
        bestDistance = dist;
        best = p.id;
      }
    }
    if (best !== undefined) this.pending.delete(best);
    return best;
  }

  // ---------------------------------------------------------------- data

  /** Direction-adjusted model score of a raw score (percentile transform first). */
  private modelScore(score: number): number {
    const t = this.settings.metricDistribution === "percentile" ? Math.min(100, Math.max(-5, logit(score, 1e-9))) : score;
    return this.direction * t;
  }

  /** All observations in chronological order: prior phases first. */
  private allRecords(): Observation[] {
    return [...this.priorRecords, ...this.records];
  }

  /** Successful observations as rows (X, s, cost), chronological. */
  private successData(): ModelData {
    const records = this.allRecords().filter((r) => !r.isFailure && r.score !== null);
    return this.rows(records, records.map((r) => this.modelScore(r.score as number)));
  }

  private rows(records: Observation[], s: number[]): ModelData {
    const d = this.space.dim;
    const X = new Float64Array(records.length * d);
    records.forEach((r, i) => this.space.toVector(r.params, X.subarray(i * d, i * d + d)));
    return { n: records.length, X, s: Float64Array.from(s), cost: Float64Array.from(records, (r) => r.cost) };
  }

  /**
   * The GP training set (PROTEIN.md §2 step 4): successes, plus failures at the worst
   * score while successes are few; near-duplicate rows removed (newest kept); capped at
   * gpMaxObs (recent half + random half of the older).
   */
  private trainingData(successes: ModelData): ModelData {
    const failures = this.allRecords().filter((r) => r.isFailure || r.score === null);
    let data = successes;
    if (successes.n < FAILURES_IN_MODEL_BELOW && failures.length > 0 && successes.n > 0) {
      const worst = Math.min(...successes.s);
      const f = this.rows(failures, failures.map(() => worst));
      // Failures first: the most recent rows are always kept by the cap below.
      data = concatData(f, successes, this.space.dim);
    }
    const keep = dedupRows(data.X, data.n, this.space.dim, DUPLICATE_DISTANCE);
    const capped = subsampleRecent(keep, this.settings.gpMaxObs, this.rng);
    return selectData(data, capped, this.space.dim);
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
    this.suggestionIndex++;
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
    const info: SuggestionInfo = { phase: "random", index: this.suggestionIndex, pending: this.pending.size };
    let x: Float64Array | undefined;

    // 2. Centre, then the random phase (scrambled Sobol, cheap cost coordinate).
    if (this.suggestionIndex <= this.settings.numRandomSamples && successes.n < this.settings.numRandomSamples) {
      if (this.suggestionIndex === 1 && this.settings.seedWithSearchCenter && successes.n === 0 && this.pending.size === 0) {
        x = Float64Array.from(this.space.centers);
        info.phase = "center";
        if (fixedCostU !== undefined && this.costIndex !== undefined) x[this.costIndex] = fixedCostU;
      } else {
        x = this.randomPoint(fixedCostU);
      }
    }
    // 3. Resampling a front member (returns its raw params exactly).
    else if (this.settings.resampleFrequency > 0 && this.suggestionIndex % this.settings.resampleFrequency === 0 && successes.n > 0) {
      const front = paretoFront(successes.s, successes.cost, "maximize", { scoreTolerance: EPS });
      const pick = front[this.rng.int(0, front.length - 1)];
      const record = this.allRecords().filter((r) => !r.isFailure && r.score !== null)[pick];
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
    const id = `s${++this.idCounter}`;
    let params: NestedParams;
    if (raw) params = structuredClone(raw);
    else {
      const values = new Map<string, unknown>(this.space.entries.map((e, j) => [e.key, e.space.unnormalize(x[j])]));
      // A fixed cost is returned exactly as asked, not as a round trip through its coordinate.
      if (fixedCost !== undefined && this.costIndex !== undefined) values.set(this.space.keys[this.costIndex], fixedCost);
      params = this.space.nest(values);
    }
    this.pending.set(id, { id, x: Float64Array.from(x), params });
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
    const data = this.trainingData(successes);
    const { sMin, sMax, yNorm, lcMin, lcMax, cNorm } = this.modelTargets(successes, data);
    const scoreGp = (this.scoreGp ??= this.makeGp());
    const scoreFit = this.fitGp(scoreGp, "score", data.X, yNorm, successes.n);
    info.scoreModel = scoreFit;
    let costGp: GaussianProcess | null = null;
    if (cNorm) {
      costGp = this.costGp ??= this.makeGp();
      info.costModel = this.fitGp(costGp, "cost", data.X, cNorm, successes.n);
    }

    // Pending suggestions: condition the models on fantasies at their rows.
    const pendingRows = [...this.pending.values()];
    const P = new Float64Array(pendingRows.length * d);
    pendingRows.forEach((p, i) => P.set(p.x, i * d));
    if (pendingRows.length > 0 && s.pendingStrategy !== "none") {
      const liar = s.pendingStrategy === "liar";
      const fant = liar ? new Float64Array(pendingRows.length).fill(0) : scoreGp.predict(P).mean;
      scoreGp.setData(concatRows(data.X, P), concatValues(yNorm, fant));
      if (costGp && cNorm) costGp.setData(concatRows(data.X, P), concatValues(cNorm, costGp.predict(P).mean));
    }

    // 5. Search centers: the (pruned) front, plus cheaper copies of the top-k.
    let front = paretoFront(successes.s, successes.cost, "maximize", { scoreTolerance: EPS });
    const pruned = prunePareto(front, successes.s, successes.cost, "maximize");
    if (s.prunePareto) front = pruned;
    const costliest = successes.cost[pruned[pruned.length - 1]];
    this.upperCostThreshold = nextUpperCostThreshold(this.upperCostThreshold, costliest);
    const centers = this.searchCenters(successes, front);

    // 6. Candidates around the centers.
    const m0 = (centers.length / d) * s.suggestionsPerPareto;
    let C = this.space.sample(m0, this.rng, { centers, scale: s.globalSearchScale });
    if (s.globalCandidates > 0) {
      // Uniform draws over the whole box, so regions far from every centre can compete.
      const G = this.space.sample(s.globalCandidates, this.rng, { scale: 2 });
      C = concatRows(C, G);
    }
    const mAll = C.length / d;
    if (fixedCostU !== undefined && this.costIndex !== undefined) for (let i = 0; i < mAll; i++) C[i * d + this.costIndex] = fixedCostU;
    const keep = dedupRows(C, mAll, d, DUPLICATE_DISTANCE);
    C = gatherRows(C, keep, d);
    let m = keep.length;
    if (pendingRows.length > 0 && s.pendingStrategy !== "none") {
      const kept = excludeNear(C, m, P, pendingRows.length, d, s.pendingRadius);
      if (kept === 0) info.reason = `every candidate lay within pendingRadius ${s.pendingRadius} of a pending suggestion; the radius was ignored`;
      else m = kept;
      C = C.subarray(0, m * d);
    }
    info.candidates = m;

    // 7. Rate the candidates.
    const useCostWeight = fixedCostU === undefined;
    const target = useCostWeight ? (s.costTarget === "deck" ? this.deck.draw(this.rng) : (1 + s.expansionRate) * this.rng.random()) : Number.NaN;
    if (useCostWeight) info.costTarget = target;
    const bestSeen = maxOf(yNorm, data.n);
    let relaxed: boolean | undefined;
    const rate = (Cb: Float64Array, mb: number): { rating: Float64Array; mean: Float64Array; predictedCost: Float64Array } => {
      const pred = scoreGp.predict(Cb, { variance: acquisition !== "protein", includeNoise: false });
      const costNorm = costGp ? costGp.predict(Cb).mean : new Float64Array(mb).fill(0.5);
      const predictedCost = new Float64Array(mb);
      for (let i = 0; i < mb; i++) predictedCost[i] = costGp ? clippedExp(costNorm[i] * (lcMax - lcMin + EPS) + lcMin) : successes.cost[0];
      let mask: Uint8Array;
      if (relaxed === undefined) ({ mask, relaxed } = maxCostMask(predictedCost, s.maxSuggestionCost));
      else mask = relaxed ? new Uint8Array(mb).fill(1) : maxCostMask(predictedCost, s.maxSuggestionCost).mask;
      const weight = useCostWeight ? costWeights(costNorm, target, { clampAtZero: s.costTarget === "uniform" || acquisition !== "protein" }) : new Float64Array(mb).fill(1);
      const rating = new Float64Array(mb);
      switch (acquisition) {
        case "protein":
          for (let i = 0; i < mb; i++) rating[i] = pred.mean[i] * weight[i] * mask[i];
          break;
        case "ei":
          expectedImprovement(pred.mean, pred.variance!, bestSeen, rating);
          for (let i = 0; i < mb; i++) rating[i] = mask[i] ? rating[i] * weight[i] : 0;
          break;
        case "logei":
          logExpectedImprovement(pred.mean, pred.variance!, bestSeen, rating);
          for (let i = 0; i < mb; i++) rating[i] = mask[i] ? rating[i] + Math.log(Math.max(weight[i], 1e-300)) : Number.NEGATIVE_INFINITY;
          break;
        case "ucb":
          upperConfidenceBound(pred.mean, pred.variance!, s.ucbBeta, rating);
          for (let i = 0; i < mb; i++) rating[i] = mask[i] ? rating[i] * weight[i] : Number.NEGATIVE_INFINITY;
          break;
      }
      return { rating, mean: pred.mean, predictedCost };
    };
    let rated = rate(C, m);
    if (relaxed) info.costThresholdRelaxed = true;
    let best = argmaxFinite(rated.rating);
    if (best < 0) {
      info.reason = "no candidate had a finite rating; took the model's best mean";
      best = argmaxFinite(rated.mean);
      if (best < 0) best = 0;
    }

    // 7b. Optional local refinement: perturb the best-rated candidates with shrinking
    // boxes and keep any that rate higher (acquisition optimization beyond the sample).
    if (s.localSearch && m > 0) {
      const refined = this.refine(C, m, rated.rating, rate, fixedCostU, P, pendingRows.length);
      if (refined) {
        C = refined.C;
        rated = refined.rated;
        best = refined.best;
        info.candidates = m + refined.extra;
      }
    }

    // 8. The winner, with what the model expected of it.
    info.rating = rated.rating[best];
    const yHat = rated.mean[best] * (Math.abs(sMax - sMin) + EPS) + sMin;
    info.predictedScore = this.direction * yHat;
    if (costGp) info.predictedCost = rated.predictedCost[best];
    // Restore the models to the real data (fantasies were only for this suggestion).
    if (pendingRows.length > 0 && s.pendingStrategy !== "none") {
      scoreGp.setData(data.X, yNorm);
      if (costGp && cNorm) costGp.setData(data.X, cNorm);
    }
    return Float64Array.from(C.subarray(best * d, best * d + d));
  }

  /**
   * Local refinement of the acquisition: the 8 best-rated candidates are perturbed in
   * boxes of half-width 0.1, 0.03 and 0.01 (per coordinate; categorical coordinates
   * redraw with that probability), 32 perturbations each per round; the best 8 of old and
   * new go to the next round. Returns the merged set, or undefined if nothing improved.
   */
  private refine(
    C: Float64Array,
    m: number,
    rating: Float64Array,
    rate: (C: Float64Array, m: number) => { rating: Float64Array; mean: Float64Array; predictedCost: Float64Array },
    fixedCostU: number | undefined,
    P: Float64Array,
    p: number,
  ): { C: Float64Array; rated: ReturnType<typeof rate>; best: number; extra: number } | undefined {
    const d = this.space.dim;
    const K = Math.min(8, m);
    const order = topIndices(rating, K);
    let top = gatherRows(C, order, d);
    let topRating = Float64Array.from(order, (i) => rating[i]);
    const initialBest = topRating[0];
    const added: Float64Array[] = [];
    for (const step of [0.1, 0.03, 0.01]) {
      const n = top.length / d;
      let Z = this.space.sample(n * 32, this.rng, { centers: top, scale: new Float64Array(d).fill(step) });
      if (fixedCostU !== undefined && this.costIndex !== undefined) for (let i = 0; i < n * 32; i++) Z[i * d + this.costIndex] = fixedCostU;
      let mz = n * 32;
      if (p > 0 && this.settings.pendingStrategy !== "none") mz = excludeNear(Z, mz, P, p, d, this.settings.pendingRadius);
      if (mz === 0) continue;
      Z = Z.subarray(0, mz * d);
      const r = rate(Z, mz).rating;
      added.push(Float64Array.from(Z));
      const pool = concatRows(top, Z);
      const poolRating = concatRows(topRating, r);
      const keep = topIndices(poolRating, K);
      top = gatherRows(pool, keep, d);
      topRating = Float64Array.from(keep, (i) => poolRating[i]);
    }
    if (!(topRating[0] > initialBest)) return undefined;
    const winner = top.subarray(0, d);
    const rated = rate(Float64Array.from(winner), 1);
    return { C: Float64Array.from(winner), rated, best: 0, extra: added.reduce((a, z) => a + z.length / d, 0) };
  }

  /** Front rows, plus the top-k rows with their cost coordinate moved ½ and ⅓ of the way to −1. */
  private searchCenters(data: ModelData, front: readonly number[]): Float64Array {
    const d = this.space.dim;
    const k = Math.min(this.settings.numKeepTopObs, data.n);
    const order = [...Array(data.n).keys()].sort((a, b) => data.s[b] - data.s[a] || b - a).slice(0, k);
    const rows: Float64Array[] = front.map((i) => data.X.subarray(i * d, i * d + d));
    for (const i of order) {
      const row = data.X.subarray(i * d, i * d + d);
      if (this.costIndex === undefined) {
        rows.push(row);
        continue;
      }
      const c = row[this.costIndex];
      for (const fraction of [1 / 2, 1 / 3]) {
        const copy = Float64Array.from(row);
        copy[this.costIndex] = c - (c + 1) * fraction;
        rows.push(copy);
      }
    }
    const out = new Float64Array(rows.length * d);
    rows.forEach((r, i) => out.set(r, i * d));
    return out;
  }

  /**
   * Targets of the two GPs: scores min–max scaled over every success, and log-costs scaled between their
   * minimum and 97th percentile — `cNorm` is null when costs do not vary (the cost model is skipped).
   */
  private modelTargets(
    successes: ModelData,
    data: ModelData,
  ): { sMin: number; sMax: number; yNorm: Float64Array; lcMin: number; lcMax: number; cNorm: Float64Array | null } {
    const sMin = Math.min(...successes.s);
    const sMax = Math.max(...successes.s);
    const yNorm = minMaxScale(data.s, sMin, sMax, EPS);
    const costs = successes.cost;
    const logC = Float64Array.from(costs, (c) => Math.log(Math.max(c, EPS)));
    const lcMin = Math.min(...logC);
    const lcMax = quantile(logC, 0.97);
    const costsVary = Math.max(...costs) - Math.min(...costs) > 1e-12 * Math.max(1, Math.abs(Math.max(...costs)));
    const cNorm = costsVary ? minMaxScale(Float64Array.from(data.cost, (c) => Math.log(Math.max(c, EPS))), lcMin, lcMax, EPS) : null;
    return { sMin, sMax, yNorm, lcMin, lcMax, cNorm };
  }

  private makeGp(): GaussianProcess {
    const s = this.settings;
    const protein = s.kernel === "protein";
    return new GaussianProcess({
      kernel: protein ? "matern32" : s.kernel,
      dim: this.space.dim,
      linear: protein,
      categoricalDims: this.space.categoricalDims,
      normalizeY: "none",
      priors: s.noisePrior === "protein" ? true : { noise: { mu: Math.log(1e-4), sigma: 2 } },
    });
  }

  /**
   * Conditions a GP on (X, y) and refits its hyperparameters when due: always with
   * Protein's Adam fit (the reference steps every suggestion), always up to 100
   * observations, and otherwise when the observations grew by at least `refitGrowth`
   * since the last fit (at 300 and the default 0.05, about every 15 new ones); between
   * refits the previous hyperparameters are kept and only the posterior is updated (one
   * Cholesky). `observed` counts the successful observations the rows were drawn from:
   * growth is measured on it, not on the rows, because beyond `gpMaxObs` the rows are a
   * fixed-size subsample and would never grow (the hyperparameters would freeze).
   */
  private fitGp(gp: GaussianProcess, which: "score" | "cost", X: Float64Array, y: Float64Array, observed: number): ModelSummary {
    gp.setData(X, y);
    const n = observed;
    const last = this.lastFitSize[which];
    const due = this.settings.fitMethod === "adam" || n <= 100 || last === 0 || n - last >= Math.max(1, Math.ceil(this.settings.refitGrowth * n)) || n < last;
    let lml: number;
    let fellBack = false;
    if (due) {
      // Protein resets its optimizer state every 50 suggestions (optimizer_reset_frequency).
      const resetOptimizer = this.settings.fitMethod === "adam" && this.suggestionIndex % 50 === 0;
      const result = gp.fit({ method: this.settings.fitMethod, maxIterations: this.settings.fitIterations, steps: this.settings.fitIterations, rng: this.rng, resetOptimizer });
      this.lastFitSize[which] = n;
      lml = result.lml;
      fellBack = result.fellBack;
    } else {
      lml = gp.logMarginalLikelihood({ includePriors: false });
    }
    const ls = gp.hyperparameters.lengthscales;
    return {
      observations: y.length,
      logMarginalLikelihood: lml,
      lengthscaleRange: [Math.min(...ls), Math.max(...ls)],
      noise: gp.hyperparameters.noise,
      fellBack,
      refitted: due,
    };
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
    const data = this.trainingData(successes);
    const { sMin, sMax, yNorm, lcMin, lcMax, cNorm } = this.modelTargets(successes, data);
    const span = Math.abs(sMax - sMin) + EPS;
    const scoreGp = (this.scoreGp ??= this.makeGp());
    this.fitGp(scoreGp, "score", data.X, yNorm, successes.n);
    const pred = scoreGp.predict(Q, { variance: true, includeNoise: false });
    let cost: Float64Array | undefined;
    if (cNorm) {
      const costGp = (this.costGp ??= this.makeGp());
      this.fitGp(costGp, "cost", data.X, cNorm, successes.n);
      const m = costGp.predict(Q).mean;
      cost = Float64Array.from(m, (v) => clippedExp(v * (lcMax - lcMin + EPS) + lcMin));
    }
    return Array.from({ length: params.length }, (_, i) => ({
      score: this.direction * (pred.mean[i] * span + sMin),
      scoreStd: Math.sqrt(Math.max(0, pred.variance![i])) * span,
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
    return earlyStopDecision(this.modelScore(score), cost, model, {
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
      observations: this.records,
      prior: this.priorRecords,
      pending: [...this.pending.values()].map((p) => ({ id: p.id, params: p.params })),
      suggestionIndex: this.suggestionIndex,
      idCounter: this.idCounter,
      rng: this.rng.getState(),
      sobol: { seed: this.sobolSeed, index: this.sobol.index },
      deck: this.deck.getState().remaining as number[],
      upperCostThreshold: this.upperCostThreshold,
      gp: { score: this.scoreGp?.getFitState() ?? null, cost: this.costGp?.getFitState() ?? null, lastFitSize: { ...this.lastFitSize } },
    });
  }

  /** Rebuilds a Protein from `snapshot()`; its next suggestion equals the uninterrupted sweep's. */
  static restore(snapshot: ProteinSnapshot): Protein {
    if (snapshot?.format !== "protein-sweep/snapshot" || snapshot.version !== 1) {
      throw new ProteinError("not a protein-sweep snapshot (or a newer version)", { key: "format", value: snapshot?.format, allowed: 'format "protein-sweep/snapshot", version 1', fix: "pass the object protein.snapshot() returned (JSON round trips are fine)" });
    }
    const p = new Protein(snapshot.config as object, snapshot.settings);
    p.records.push(...structuredClone(snapshot.observations));
    p.priorRecords.push(...structuredClone(snapshot.prior));
    for (const q of snapshot.pending) p.pending.set(q.id, { id: q.id, params: q.params, x: p.space.toVector(q.params) });
    p.suggestionIndex = snapshot.suggestionIndex;
    p.idCounter = snapshot.idCounter;
    p.rng.setState(snapshot.rng);
    p.sobolSeed = snapshot.sobol.seed;
    p.sobol = new SobolSequence(Math.max(1, p.space.dim), { scramble: createRng(snapshot.sobol.seed) });
    p.sobol.fastForward(snapshot.sobol.index);
    p.deck = new CostTargetDeck({ expansionRate: p.settings.expansionRate, state: { remaining: snapshot.deck } });
    p.upperCostThreshold = snapshot.upperCostThreshold;
    if (snapshot.gp.score) (p.scoreGp = p.makeGp()).setFitState(snapshot.gp.score);
    if (snapshot.gp.cost) (p.costGp = p.makeGp()).setFitState(snapshot.gp.cost);
    Object.assign(p.lastFitSize, snapshot.gp.lastFitSize);
    return p;
  }

  // ---------------------------------------------------------------- shared-study sync

  /**
   * The suggester's state without the observations: what a process needs, besides the
   * replayed observations and pending suggestions, to continue another process's sweep.
   */
  exportState(): ProteinState {
    return structuredClone({
      suggestionIndex: this.suggestionIndex,
      idCounter: this.idCounter,
      rng: this.rng.getState(),
      sobol: { seed: this.sobolSeed, index: this.sobol.index },
      deck: this.deck.getState().remaining as number[],
      upperCostThreshold: this.upperCostThreshold,
      gp: { score: this.scoreGp?.getFitState() ?? null, cost: this.costGp?.getFitState() ?? null, lastFitSize: { ...this.lastFitSize } },
    });
  }

  /** Takes over a state from `exportState()` (observations and pending suggestions are kept). */
  importState(state: ProteinState): void {
    this.suggestionIndex = state.suggestionIndex;
    this.idCounter = state.idCounter;
    this.rng.setState(state.rng);
    if (state.sobol.seed !== this.sobolSeed || state.sobol.index !== this.sobol.index) {
      this.sobolSeed = state.sobol.seed;
      this.sobol = new SobolSequence(Math.max(1, this.space.dim), { scramble: createRng(state.sobol.seed) });
      this.sobol.fastForward(state.sobol.index);
    }
    this.deck = new CostTargetDeck({ expansionRate: this.settings.expansionRate, state: { remaining: state.deck } });
    this.upperCostThreshold = state.upperCostThreshold;
    if (state.gp.score) (this.scoreGp ??= this.makeGp()).setFitState(state.gp.score);
    else this.scoreGp = null;
    if (state.gp.cost) (this.costGp ??= this.makeGp()).setFitState(state.gp.cost);
    else this.costGp = null;
    Object.assign(this.lastFitSize, state.gp.lastFitSize);
  }

  /** Registers a suggestion made elsewhere (another process) as pending here. */
  addPending(id: string, params: NestedParams): void {
    const problems = this.space.check(params);
    const fatal = problems.find((p) => p.kind !== "out-of-range");
    if (fatal) throw paramsError(fatal);
    this.pending.set(id, { id, params: structuredClone(params), x: this.space.toVector(params) });
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
    this.priorRecords.push(...observations);
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

/** Indices of the k largest finite values, largest first (ties: lower index first). */
function topIndices(values: Float64Array, k: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]) && values[i] > Number.NEGATIVE_INFINITY) idx.push(i);
  idx.sort((a, b) => values[b] - values[a] || a - b);
  return idx.slice(0, k);
}

function maxOf(a: Float64Array, n: number): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) if (a[i] > m) m = a[i];
  return m;
}

function concatRows(A: Float64Array, B: Float64Array): Float64Array {
  const out = new Float64Array(A.length + B.length);
  out.set(A);
  out.set(B, A.length);
  return out;
}
const concatValues = concatRows;

function concatData(a: ModelData, b: ModelData, _d: number): ModelData {
  return { n: a.n + b.n, X: concatRows(a.X, b.X), s: concatRows(a.s, b.s), cost: concatRows(a.cost, b.cost) };
}

function selectData(data: ModelData, rows: readonly number[], d: number): ModelData {
  return {
    n: rows.length,
    X: gatherRows(data.X, rows, d),
    s: Float64Array.from(rows, (i) => data.s[i]),
    cost: Float64Array.from(rows, (i) => data.cost[i]),
  };
}
