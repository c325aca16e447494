/**
 * The surrogate: records turned into training rows under the current space, the output
 * transforms (direction, percentile, min–max scaling of scores, log-cost scaling), the
 * score and log-cost GPs and their fit schedule. Knows nothing of candidates or phases.
 */
import { GaussianProcess, type FitOptions, type GpFitState } from "../gp";
import type { Observation } from "../observations/record";
import type { ProteinSettings } from "../settings";
import type { Rng } from "../random";
import type { SearchSpace } from "../space/search-space";
import { logit } from "../acquisition/safe-math";
import { DUPLICATE_DISTANCE, dedupRows, gatherRows, maxOf, minMaxScale, minMaxUnscale, minOf, quantile, subsampleRecent } from "../model-data";
import {
  IDENTITY_WARP,
  type OutputWarp,
  type OutputWarpKind,
  type OutputWarpingInfo,
  warpChoiceSet,
  warpForward,
  warpInverse,
  warpLogJacobian,
  warpParameterCount,
} from "./output-warping";

/** Fewest rows of the better half that `fitTopNoise` fits a GP to. */
const TOP_NOISE_MIN_ROWS = 10;
/** Most rows `fitTopNoise` fits to (the best ones): its cost stays that of a 100-row fit at any n (no suite row has more than 50 in its better half, so no measured figure depends on the cap; at 200 the cold fit took 0.85 s of the first suggest after a 10 000-observation prior). */
const TOP_NOISE_MAX_ROWS = 100;
/** Scaled noise variance below which the better half counts as noise-free (a standard deviation of 1 % of its span). */
const TOP_NOISE_MIN_VARIANCE = 1e-4;

/**
 * Training rows above which "auto" refits the transforms other than the current one with at most
 * WARP_SHORT_REFIT_ITERATIONS warm iterations for its comparison (no suite row reaches it: no measured figure
 * depends on it; at n = 750 a refit under "auto" took 8.4 s against 1.5 s without warping).
 */
const WARP_SHORT_REFIT_ROWS = 256;
const WARP_SHORT_REFIT_ITERATIONS = 10;

/** `scoreMean: "edges"`: the trend starts this far from the centre of each normalized coordinate (range ±1). */
const EDGE_TREND_START = 0.75;

/** Small constant of the reference's normalizations. */
export const EPS = 1e-6;
/** Below this many successes, failures join the GP data with the worst score (PufferLib). */
const FAILURES_IN_MODEL_BELOW = 100;

/** Rows and targets of one model fit. */
export interface ModelData {
  n: number;
  X: Float64Array;
  s: Float64Array;
  cost: Float64Array;
}

/**
 * The scaled targets of the two GPs. `cNorm` is null when costs do not vary (the cost model is skipped). The
 * score targets are the warped scores T(s) (`warp`; identity unless `outputWarping` says otherwise) min–max
 * scaled between `sMin` and `sMax`, the smallest and largest warped successful score.
 */
export interface ModelTargets {
  warp: OutputWarp;
  sMin: number;
  sMax: number;
  yNorm: Float64Array;
  lcMin: number;
  lcMax: number;
  cNorm: Float64Array | null;
}

export interface ModelSummary {
  observations: number;
  logMarginalLikelihood: number;
  lengthscaleRange: [number, number];
  noise: number;
  fellBack: boolean;
  /** The hyperparameters were refitted for this suggestion (else only the data was updated). */
  refitted: boolean;
  /** Under `scoreMean` "bowl" or "edges": the trend's coefficient a (normalized score units; 0 = no trend). */
  trend?: number;
}

/** A GP's summary for `info`: its hyperparameters as they stand, and what the caller says of its fit. */
export function modelSummary(gp: GaussianProcess, observations: number, logMarginalLikelihood: number, fellBack: boolean, refitted: boolean): ModelSummary {
  const ls = gp.hyperparameters.lengthscales;
  const summary: ModelSummary = { observations, logMarginalLikelihood, lengthscaleRange: [minOf(ls), maxOf(ls)], noise: gp.hyperparameters.noise, fellBack, refitted };
  if (gp.hasTrend) summary.trend = gp.trendValue;
  return summary;
}

/** Both GPs conditioned on one training set. */
export interface FittedModels {
  data: ModelData;
  targets: ModelTargets;
  scoreGp: GaussianProcess;
  costGp: GaussianProcess | null;
  scoreFit: ModelSummary;
  costFit?: ModelSummary;
  /** The output warping in force (absent when `outputWarping` is "none"). */
  warping?: OutputWarpingInfo;
}

/** The fit state a snapshot keeps. */
export interface SurrogateState {
  score: GpFitState | null;
  cost: GpFitState | null;
  lastFitSize: { score: number; cost: number };
  /**
   * With `outputWarping` other than "none": the transform last chosen and the fit state of the score GP of every
   * transform compared so far (`score` is the chosen one's). The transform's own parameters are refitted from the
   * raw scores at every fit, so only the choice is kept.
   */
  warping?: {
    kind: OutputWarpKind;
    scores: Partial<Record<OutputWarpKind, GpFitState>>;
    /** Under "auto": each transform's criterion at the last choice (reported in `info` until the next choice). */
    criteria?: Partial<Record<OutputWarpKind, number>>;
    top?: GpFitState;
    topNoise?: number;
  };
  /** L-BFGS iterations left of a refit on all rows spread over suggestions (`coldRefitSlice`); absent = none. */
  refitLeft?: { score: number; cost: number };
}

export class Surrogate {
  private scoreGp: GaussianProcess | null = null;
  private costGp: GaussianProcess | null = null;
  /** With output warping: one score GP per transform compared (each keeps its own warm start), and the last choice. */
  private readonly warpGps = new Map<OutputWarpKind, GaussianProcess>();
  private warpKind: OutputWarpKind = "identity";
  /** GP of the better half of the rows, for the noise at the top (`fitTopNoise`), and its last estimate (raw units). */
  private topGp: GaussianProcess | null = null;
  private topNoise = 0;
  private warpCriteria: Partial<Record<OutputWarpKind, number>> | undefined;
  /** LML + log-priors of the hyperparameters after the last `fitGp` (what the fit maximized). */
  private lastObjective = Number.NaN;
  /** Successful observations at each GP's last hyperparameter fit (0 = never fitted). */
  private readonly lastFitSize = { score: 0, cost: 0 };
  /** While "auto" compares transforms in one refit: the first candidate's subset fit, where the others start. */
  private comparingWarps = false;
  private subsetStart: GpFitState | null = null;
  /** Iterations left of the refit on all rows that follows a subset cold fit, spread over suggestions (0 = none). */
  private readonly refitLeft = { score: 0, cost: 0 };

  constructor(
    private readonly space: SearchSpace,
    private readonly settings: Readonly<ProteinSettings>,
    /** +1 to maximize, −1 to minimize. */
    private readonly direction: 1 | -1,
    private readonly rng: Rng,
    /** The cost parameter's coordinate, left out of the `scoreMean` trend. */
    private readonly costIndex?: number,
  ) {}

  /** Coordinates of the `scoreMean` trend ("edges", "bowl"): the numeric ones but the cost parameter's. */
  private trendDims(): number[] {
    return [...this.space.continuousDims, ...this.space.integerDims].filter((j) => j !== this.costIndex).sort((a, b) => a - b);
  }

  /** Direction-adjusted model score of a raw score (percentile transform first). */
  modelScore(score: number): number {
    const t = this.settings.metricDistribution === "percentile" ? Math.min(100, Math.max(-5, logit(score, 1e-9))) : score;
    return this.direction * t;
  }

  /** The records and rows of the last `successData` call (rows are derived once per record). */
  private cached: { records: Observation[]; data: ModelData } | null = null;
  /** Scores of the rows of the last every-row training set (posteriorMaxObs): its hyperparameter subset is chosen around their best. */
  private exactScores: Float64Array | null = null;

  /**
   * Successful observations as rows (X, s, cost), in the order given. When the records
   * extend those of the previous call (the same objects, in the same order, plus new ones at
   * the end: the usual observe → suggest step), only the new rows are computed; anything
   * else (a forget, an amend, a prior phase loaded in front) rebuilds them all. The result
   * is read-only to callers.
   */
  successData(successes: Observation[]): ModelData {
    const prev = this.cached;
    let data: ModelData;
    if (prev !== null && extendsRecords(prev.records, successes)) {
      if (prev.records.length === successes.length) return prev.data;
      const tail = successes.slice(prev.records.length);
      const more = this.rows(tail, tail.map((r) => this.modelScore(r.score as number)));
      data = concatData(prev.data, more);
    } else {
      data = this.rows(successes, successes.map((r) => this.modelScore(r.score as number)));
    }
    this.cached = { records: successes, data };
    return data;
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
   * about gpMaxObs (of the rows before the cap's base: half nearest the best of them, a quarter most recent, a
   * quarter evenly spaced; then the rows since the base last moved).
   */
  trainingData(successes: ModelData, failures: Observation[]): ModelData {
    let data = successes;
    if (successes.n < FAILURES_IN_MODEL_BELOW && failures.length > 0 && successes.n > 0) {
      const worst = minOf(successes.s);
      const f = this.rows(failures, failures.map(() => worst));
      // Failures first: the most recent rows are always kept by the cap below.
      data = concatData(f, successes);
    }
    const keep = dedupRows(data.X, data.n, this.space.dim, DUPLICATE_DISTANCE);
    // posteriorMaxObs: every row while they fit under it (the hyperparameters are then fitted on a capped subset).
    if (this.exactPosterior(keep.length)) {
      const all = selectData(data, keep, this.space.dim);
      this.exactScores = all.s;
      return all;
    }
    // Beyond the cap: half of it the rows nearest the best older one (where the search looks), half recent and spread.
    const capped = subsampleRecent(keep, this.settings.gpMaxObs, data.n, { X: data.X, s: data.s, d: this.space.dim });
    return selectData(data, capped, this.space.dim);
  }

  /**
   * Targets of the two GPs: scores min–max scaled over every success, and log-costs scaled between their
   * minimum and 97th percentile — `cNorm` is null when costs do not vary (the cost model is skipped).
   */
  modelTargets(successes: ModelData, data: ModelData, warp: OutputWarp = IDENTITY_WARP): ModelTargets {
    const identity = warp.kind === "identity";
    const ws = identity ? successes.s : Float64Array.from(successes.s, (v) => warpForward(warp, v));
    const sMin = minOf(ws);
    const sMax = maxOf(ws);
    const yNorm = minMaxScale(identity ? data.s : Float64Array.from(data.s, (v) => warpForward(warp, v)), sMin, sMax, EPS);
    const costs = successes.cost;
    const logC = Float64Array.from(costs, (c) => Math.log(Math.max(c, EPS)));
    const lcMin = minOf(logC);
    const lcMax = quantile(logC, 0.97);
    const cMax = maxOf(costs);
    const costsVary = cMax - minOf(costs) > 1e-12 * Math.max(1, Math.abs(cMax));
    const cNorm = costsVary ? minMaxScale(Float64Array.from(data.cost, (c) => Math.log(Math.max(c, EPS))), lcMin, lcMax, EPS) : null;
    return { warp, sMin, sMax, yNorm, lcMin, lcMax, cNorm };
  }

  /**
   * Builds the training set from the successes (and failures) and conditions both GPs on it,
   * refitting their hyperparameters when due.
   */
  fit(successes: ModelData, failures: Observation[], suggestionIndex: number): FittedModels {
    const data = this.trainingData(successes, failures);
    if (this.settings.outputWarping !== "none") return this.fitWarped(successes, data, suggestionIndex);
    const targets = this.modelTargets(successes, data);
    const scoreGp = (this.scoreGp ??= this.makeGp());
    const scoreFit = this.fitGp(scoreGp, "score", data.X, targets.yNorm, successes.n, suggestionIndex);
    return this.withCost(successes, data, targets, scoreGp, scoreFit, suggestionIndex);
  }

  /**
   * `fit` with output warping: the transform's parameters are refitted to the successful scores; when the score
   * GP's hyperparameters are due for a refit and the setting is "auto" (and the gaps to the best look log-normal),
   * every candidate transform gets its own fit and the one with the largest likelihood of the raw scores is kept (src/protein/output-warping.ts); between
   * refits the last choice stays and only its data is updated.
   */
  private fitWarped(successes: ModelData, data: ModelData, suggestionIndex: number): FittedModels {
    const due = this.isDue("score", successes.n);
    if (due && this.settings.outputWarping !== "yeo-johnson") this.topNoise = this.fitTopNoise(data);
    // The choice is made at refits; between them the last one is kept even if the gaps no longer look log-normal.
    const { candidates, gapLambda } = warpChoiceSet(this.settings.outputWarping, successes.s, this.topNoise, due);
    let chosen = candidates.find((c) => c.kind === this.warpKind) ?? candidates[0];
    let targets: ModelTargets;
    let scoreFit: ModelSummary;
    // "auto" with nothing but identity to offer at a refit (the gaps do not look log-normal): no comparison was made.
    if (due && candidates.length === 1 && this.settings.outputWarping === "auto") this.warpCriteria = undefined;
    if (candidates.length === 1 || !due) {
      targets = this.modelTargets(successes, data, chosen);
      if (chosen.kind !== "identity" && !(Number.isFinite(targets.sMax - targets.sMin) && targets.yNorm.every(Number.isFinite))) {
        chosen = { ...IDENTITY_WARP };
        targets = this.modelTargets(successes, data, chosen);
      }
      scoreFit = this.fitGp(this.warpGp(chosen.kind), "score", data.X, targets.yNorm, successes.n, suggestionIndex);
    } else {
      const criteria: Partial<Record<OutputWarpKind, number>> = {};
      this.comparingWarps = true;
      this.subsetStart = null;
      let best: { warp: OutputWarp; targets: ModelTargets; fit: ModelSummary; score: number } | null = null;
      try {
        for (const warp of candidates) {
          const t = this.modelTargets(successes, data, warp);
          // A transform whose targets are not all finite (extreme λ on extreme scores) is not a candidate.
          if (warp.kind !== "identity" && !(Number.isFinite(t.sMax - t.sMin) && t.yNorm.every(Number.isFinite))) continue;
          // On many rows a transform other than the current one gets a short warm refit for the comparison (a full
          // one each made "auto" refits ~3× as slow as one fit); the current one gets the whole warm cap.
          const short = data.n > WARP_SHORT_REFIT_ROWS && warp.kind !== this.warpKind ? WARP_SHORT_REFIT_ITERATIONS : undefined;
          const fit = this.fitGp(this.warpGp(warp.kind), "score", data.X, t.yNorm, successes.n, suggestionIndex, true, short);
          const n = data.n;
          const span = Math.abs(t.sMax - t.sMin) + EPS;
          // log p(raw scores) = log p(targets) + Σ log T'(sᵢ) − n log(span); 1 nat per fitted transform parameter.
          const score = this.lastObjective + warpLogJacobian(warp, data.s) - n * Math.log(span) - warpParameterCount(warp);
          criteria[warp.kind] = score;
          if (best === null || score > best.score) best = { warp, targets: t, fit, score };
        }
      } finally {
        this.comparingWarps = false;
        this.subsetStart = null;
      }
      chosen = best!.warp;
      targets = best!.targets;
      scoreFit = best!.fit;
      this.warpCriteria = criteria;
    }
    this.warpKind = chosen.kind;
    const scoreGp = this.warpGp(chosen.kind);
    this.scoreGp = scoreGp;
    const models = this.withCost(successes, data, targets, scoreGp, scoreFit, suggestionIndex);
    models.warping = {
      setting: this.settings.outputWarping,
      kind: chosen.kind,
      lambda: chosen.lambda,
      ...(chosen.kind === "log" || chosen.kind === "box-cox" ? { orientation: chosen.orientation < 0 ? ("lower" as const) : ("upper" as const) } : {}),
      ...(gapLambda !== undefined ? { gapLambda } : {}),
      ...(this.warpCriteria && this.settings.outputWarping === "auto" ? { criteria: { ...this.warpCriteria } } : {}),
      ...(this.topNoise > 0 && chosen.kind !== "identity" && chosen.kind !== "yeo-johnson" ? { noiseFloor: this.topNoise } : {}),
    };
    return models;
  }

  /**
   * The observation noise at the top of the scores, in raw score units, or 0 when it cannot be told from none: the
   * noise standard deviation of a GP (warm-started between calls) fitted to the better half of the training rows
   * (at most the 100 best), their raw scores min–max scaled. The better half leaves out the tail a warp is for, whose misfit an identity GP
   * on all rows would count as noise. A fitted noise below 1 % of the half's span (standard deviation) counts as
   * none, so a noise-free problem keeps δ as it was.
   */
  private fitTopNoise(data: ModelData): number {
    const n = data.n;
    if (n < 2 * TOP_NOISE_MIN_ROWS) return 0;
    const order = [...data.s.keys()].sort((a, b) => data.s[b] - data.s[a] || a - b);
    const rows = order.slice(0, Math.min(Math.ceil(n / 2), TOP_NOISE_MAX_ROWS)).sort((a, b) => a - b);
    const y = Float64Array.from(rows, (i) => data.s[i]);
    const lo = minOf(y);
    const hi = maxOf(y);
    if (!(hi - lo > 0) || !Number.isFinite(hi - lo)) return 0;
    const gp = (this.topGp ??= this.makeGp("noise"));
    gp.setData(gatherRows(data.X, rows, this.space.dim), minMaxScale(y, lo, hi, EPS));
    gp.fit({ method: this.settings.fitMethod, maxIterations: this.settings.fitIterations, coldMaxIterations: this.settings.coldFitIterations, steps: this.settings.fitIterations, rng: this.rng });
    const noise = gp.hyperparameters.noise;
    return noise >= TOP_NOISE_MIN_VARIANCE ? Math.sqrt(noise) * (hi - lo + EPS) : 0;
  }

  private warpGp(kind: OutputWarpKind): GaussianProcess {
    let gp = this.warpGps.get(kind);
    if (gp === undefined) this.warpGps.set(kind, (gp = this.makeGp()));
    return gp;
  }

  private withCost(successes: ModelData, data: ModelData, targets: ModelTargets, scoreGp: GaussianProcess, scoreFit: ModelSummary, suggestionIndex: number): FittedModels {
    let costGp: GaussianProcess | null = null;
    let costFit: ModelSummary | undefined;
    if (targets.cNorm) {
      costGp = this.costGp ??= this.makeGp("cost");
      costFit = this.fitGp(costGp, "cost", data.X, targets.cNorm, successes.n, suggestionIndex);
    }
    return { data, targets, scoreGp, costGp, scoreFit, ...(costFit ? { costFit } : {}) };
  }

  /** A GP of the sweep's settings; a score GP (`which` "score") carries the `scoreMean` trend. */
  private makeGp(which: "score" | "cost" | "noise" = "score"): GaussianProcess {
    const s = this.settings;
    const protein = s.kernel === "protein";
    const gp = new GaussianProcess({
      kernel: protein ? "matern32" : s.kernel,
      dim: this.space.dim,
      linear: protein,
      categoricalDims: this.space.categoricalDims,
      normalizeY: "none",
      priors: s.noisePrior === "protein" ? true : { noise: { mu: Math.log(1e-4), sigma: 2 } },
    });
    if (which === "score" && s.scoreMean !== "constant") gp.setTrend({ dims: this.trendDims(), start: s.scoreMean === "edges" ? EDGE_TREND_START : 0 });
    return gp;
  }

  /** Whether a training set of `rows` rows is conditioned on whole with hyperparameters from a subset (`posteriorMaxObs`). */
  private exactPosterior(rows: number): boolean {
    const s = this.settings;
    return s.posteriorMaxObs > s.gpMaxObs && rows > s.gpMaxObs && rows <= s.posteriorMaxObs && s.fitMethod === "lbfgs";
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
  private isDue(which: "score" | "cost", n: number): boolean {
    const last = this.lastFitSize[which];
    return this.settings.fitMethod !== "lbfgs" || n <= 100 || last === 0 || n - last >= Math.max(1, Math.ceil(this.settings.refitGrowth * n)) || n < last;
  }

  private fitGp(gp: GaussianProcess, which: "score" | "cost", X: Float64Array, y: Float64Array, observed: number, suggestionIndex: number, force = false, warmCap?: number): ModelSummary {
    gp.setData(X, y);
    const n = observed;
    const scheduled = force || this.isDue(which, n);
    // A refit the schedule calls for anyway ends a spread one (it runs the whole warm cap).
    if (scheduled) this.refitLeft[which] = 0;
    const due = scheduled || this.refitLeft[which] > 0;
    let lml: number;
    let objective: number;
    let fellBack = false;
    if (due) {
      // Protein resets its optimizer state every 50 suggestions (optimizer_reset_frequency).
      const resetOptimizer = this.settings.fitMethod === "adam" && suggestionIndex % 50 === 0;
      const options: FitOptions = {
        method: this.settings.fitMethod,
        maxIterations: warmCap !== undefined && gp.isFitted ? Math.min(warmCap, this.settings.fitIterations) : this.settings.fitIterations,
        coldMaxIterations: this.settings.coldFitIterations,
        steps: this.settings.fitIterations,
        rng: this.rng,
        resetOptimizer,
      };
      const slice = this.settings.coldRefitSlice;
      if (this.exactPosterior(y.length)) {
        // The hyperparameters are fitted on gpMaxObs of the rows (a GP of its own, warm from this one's state), and
        // this GP, conditioned on every row, takes them: one factorization of all rows per refit.
        // The capped set's rule, so these are the hyperparameters the capped sweep fits.
        const near = this.exactScores !== null && this.exactScores.length === y.length ? { X, s: this.exactScores, d: this.space.dim } : undefined;
        const rows = subsampleRecent([...y.keys()], this.settings.gpMaxObs, y.length, near);
        const Xs = gatherRows(X, rows, this.space.dim);
        const ys = Float64Array.from(rows, (i) => y[i]);
        const sub = this.makeGp(which);
        sub.setData(Xs, ys);
        if (gp.isFitted) sub.setFitState(gp.getFitState());
        else this.coldFitOnSubset(sub, which, Xs, ys, options);
        const result = sub.fit(options);
        if (sub.isFitted) gp.setFitState(sub.getFitState());
        this.refitLeft[which] = 0;
        lml = gp.logMarginalLikelihood({ includePriors: false });
        objective = gp.logMarginalLikelihood({ includePriors: true });
        fellBack = result.fellBack;
      } else if (this.coldFitOnSubset(gp, which, X, y, options) && slice > 0) {
        // The subset's hyperparameters serve this suggestion; the refit on all rows follows, a slice per call.
        this.refitLeft[which] = this.settings.fitIterations;
        lml = gp.logMarginalLikelihood({ includePriors: false });
        objective = gp.logMarginalLikelihood({ includePriors: true });
      } else {
        const spreading = this.refitLeft[which] > 0;
        const result = gp.fit(spreading ? { ...options, maxIterations: Math.min(slice, this.refitLeft[which]) } : options);
        this.refitLeft[which] = spreading && !result.converged && !result.fellBack ? Math.max(0, this.refitLeft[which] - Math.max(1, result.iterations)) : 0;
        lml = result.lml;
        objective = result.objective;
        fellBack = result.fellBack;
      }
      this.lastFitSize[which] = n;
    } else {
      lml = gp.logMarginalLikelihood({ includePriors: false });
      objective = gp.logMarginalLikelihood({ includePriors: true });
    }
    const summary = modelSummary(gp, y.length, lml, fellBack, due);
    this.lastObjective = objective;
    return summary;
  }

  /**
   * Before a cold L-BFGS fit on more than `coldFitRows` rows: fits the hyperparameters to convergence on a
   * seeded random subset of `coldFitRows` rows (a new GP, same settings) and starts `gp` from them, so the fit
   * that follows is a capped warm refit on all rows. A cold fit's cost grows as rows³ × iterations and runs to
   * convergence; on a subset it costs a fraction, and the subset's optimum is close to the full one. Does
   * nothing (no random draws either) when the fit is warm, uses Adam, or the rows are few.
   */
  private coldFitOnSubset(gp: GaussianProcess, which: "score" | "cost", X: Float64Array, y: Float64Array, options: FitOptions): boolean {
    const m = this.settings.coldFitRows;
    if (this.settings.fitMethod !== "lbfgs" || gp.isFitted || m <= 0 || y.length <= m) return false;
    const rows = this.rng
      .shuffle([...y.keys()])
      .slice(0, m)
      .sort((a, b) => a - b);
    const sub = this.makeGp(which);
    sub.setData(gatherRows(X, rows, this.space.dim), Float64Array.from(rows, (i) => y[i]));
    // While "auto" compares transforms, the candidates after the first start from the first one's subset fit (their
    // targets are scaled to the same [0, 1]) with the warm cap, instead of converging from the default start.
    if (this.subsetStart) sub.setFitState({ ...this.subsetStart, lbfgs: null });
    sub.fit(options);
    // The subset's curvature pairs are scaled to its size: the full refit builds its own.
    if (!sub.isFitted) return false;
    if (this.comparingWarps && !this.subsetStart) this.subsetStart = sub.getFitState();
    gp.setFitState({ ...sub.getFitState(), lbfgs: null });
    return true;
  }

  /** Raw score (the sweep's direction) of a normalized model output (through the inverse warp: the median, not the mean, under a warp). */
  rawScore(t: ModelTargets, yNorm: number): number {
    return this.direction * warpInverse(t.warp, minMaxUnscale(yNorm, t.sMin, t.sMax, EPS));
  }

  /**
   * Standard deviation in raw score units of a normalized model standard deviation. Under a warp, at the mean
   * `yNorm`: half the raw width of the band mean ± std mapped back through the inverse warp.
   */
  rawScoreStd(t: ModelTargets, stdNorm: number, yNorm = 0): number {
    const linear = Math.min(Number.MAX_VALUE, minMaxUnscale(stdNorm, 0, Math.abs(t.sMax / 2 - t.sMin / 2) * 2, EPS));
    if (t.warp.kind === "identity") return linear;
    const m = minMaxUnscale(yNorm, t.sMin, t.sMax, EPS);
    const width = warpInverse(t.warp, m + linear) - warpInverse(t.warp, m - linear);
    return Math.min(Number.MAX_VALUE, Math.abs(width / 2));
  }

  /** GP fit states (the warm start of the next fit) and the fit schedule. */
  getState(): SurrogateState {
    const state: SurrogateState = { score: this.scoreGp?.getFitState() ?? null, cost: this.costGp?.getFitState() ?? null, lastFitSize: { ...this.lastFitSize } };
    if (this.refitLeft.score > 0 || this.refitLeft.cost > 0) state.refitLeft = { ...this.refitLeft };
    if (this.settings.outputWarping !== "none") {
      const scores: Partial<Record<OutputWarpKind, GpFitState>> = {};
      for (const [kind, gp] of this.warpGps) scores[kind] = gp.getFitState();
      state.warping = { kind: this.warpKind, scores };
      if (this.warpCriteria) state.warping.criteria = { ...this.warpCriteria };
      if (this.topGp) state.warping.top = this.topGp.getFitState();
      if (this.topNoise > 0) state.warping.topNoise = this.topNoise;
    }
    return state;
  }

  setState(state: SurrogateState): void {
    this.scoreGp = null;
    this.costGp = null;
    this.warpGps.clear();
    this.warpKind = "identity";
    this.warpCriteria = undefined;
    this.topGp = null;
    this.topNoise = 0;
    if (state.score) (this.scoreGp = this.makeGp()).setFitState(state.score);
    if (state.warping) {
      for (const [kind, fit] of Object.entries(state.warping.scores) as [OutputWarpKind, GpFitState][]) {
        const gp = this.makeGp();
        gp.setFitState(fit);
        this.warpGps.set(kind, gp);
      }
      this.warpKind = state.warping.kind;
      if (state.warping.criteria) this.warpCriteria = { ...state.warping.criteria };
      if (state.warping.top) (this.topGp = this.makeGp("noise")).setFitState(state.warping.top);
      this.topNoise = state.warping.topNoise ?? 0;
      this.scoreGp = this.warpGps.get(this.warpKind) ?? this.scoreGp;
    }
    if (state.cost) (this.costGp = this.makeGp("cost")).setFitState(state.cost);
    Object.assign(this.lastFitSize, state.lastFitSize);
    Object.assign(this.refitLeft, state.refitLeft ?? { score: 0, cost: 0 });
  }
}

/** Whether `next` starts with exactly the objects of `prev`, in order. */
function extendsRecords(prev: readonly Observation[], next: readonly Observation[]): boolean {
  if (next.length < prev.length) return false;
  for (let i = 0; i < prev.length; i++) if (prev[i] !== next[i]) return false;
  return true;
}

export function concatRows(A: Float64Array, B: Float64Array): Float64Array {
  const out = new Float64Array(A.length + B.length);
  out.set(A);
  out.set(B, A.length);
  return out;
}

function concatData(a: ModelData, b: ModelData): ModelData {
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
