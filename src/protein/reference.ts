/**
 * The steps of a Python Protein, for the presets of src/presets.ts: what `suggest()` does under
 * `preset: "metta"` (Metta's metta/sweep/protein.py) or `preset: "pufferlib"` (PufferLib 2.0's
 * pufferlib/sweep.py). Written from those sources; where they differ, the {@link PresetEngine} constants say
 * which way each goes. Knows nothing of records, pending suggestions or ids: it is handed the successful
 * observations as rows and returns a normalized row (or which observation to run again).
 *
 * Glossary (n observations after de-duplication, d parameters, m candidates)
 *   X: n×d   normalized rows; s: n  direction-adjusted scores (larger is better); y = dir·s the raw scores
 *   front    the observations no other one beats in score (by more than −eps) at a cost no higher (+eps)
 *   C: m×d   candidates, drawn uniformly within ±halfWidth of a uniformly chosen front row, clipped to [−1, 1]
 *   ĉ        predicted log-cost min–max normalized over the observations; t the drawn cost target
 *   w        cost weight 1 − |t − ĉ| (clamped at 0 by Metta)
 *
 * The steps, in order (suggestion index i, 1-based):
 *   1. no observation and seedWithSearchCenter: the search centre;
 *   2. fewer than numRandomSamples observations (PufferLib: only without the centre seed): one draw around
 *      the search centre;
 *   3. resampleFrequency > 0 and i % resampleFrequency = 0: a uniformly chosen front observation, run again;
 *   4. fewer than `minModelObservations` observations (Metta: 10): one draw around the search centre;
 *   5. fit the score GP (pyro's Adam, warm from the last fit) and, when costs vary (PufferLib: always), the
 *      log-cost GP (not fitted: the score GP's hyperparameters on the log-cost targets, as pyro's shared
 *      parameter store makes both Python Proteins do); candidates around the front; rating direction·mask·ŷ·w
 *      (Metta also EI, UCB); the argmax.
 */
import { expectedImprovement } from "../acquisition/analytic";
import { clippedExp } from "../acquisition/safe-math";
import { GaussianProcess, type FitOptions } from "../gp";
import { type PresetEngine, PRESET_ENGINES, type PresetName } from "../presets";
import { maxOf, minOf } from "../model-data";
import type { Rng } from "../random";
import type { ProteinSettings } from "../settings";
import { type SearchSpace, reflectInto } from "../space/search-space";
import { type ModelData, type ModelSummary, type SurrogateState, modelSummary } from "./surrogate";

/** What one step decided. */
export interface ReferenceStep {
  phase: "center" | "random" | "resample" | "model" | "fallback";
  /** The normalized row to suggest (every phase but "resample"). */
  x?: Float64Array;
  /** Resample: index (into the successes handed in) of the observation to run again. */
  resample?: number;
  reason?: string;
  /** Model step: predicted raw score and cost of the winner, its rating, the target, the candidates rated. */
  predictedScore?: number;
  predictedCost?: number;
  rating?: number;
  costTarget?: number;
  costThresholdRelaxed?: boolean;
  candidates?: number;
  scoreModel?: ModelSummary;
  costModel?: ModelSummary;
}

/** The observations as the Python Protein keeps them: a later one within `radius` of an earlier one replaces it in place. */
export interface ReferenceObservations extends ModelData {
  /** For each kept row, the index (into the successes handed in) of the observation it holds. */
  source: number[];
}

/**
 * Metta's and PufferLib's `observe()` list: rows in order, an observation closer than `radius` (Euclidean,
 * normalized) to a kept one replacing the first such in place (protein.py:589–595).
 */
export function referenceObservations(data: ModelData, d: number, radius: number): ReferenceObservations {
  const keep: number[] = [];
  const r2 = radius * radius;
  for (let i = 0; i < data.n; i++) {
    let same = -1;
    for (let k = 0; k < keep.length && same < 0; k++) {
      const a = keep[k] * d;
      let dist = 0;
      for (let j = 0; j < d; j++) {
        const diff = data.X[i * d + j] - data.X[a + j];
        dist += diff * diff;
      }
      if (dist < r2) same = k;
    }
    if (same >= 0) keep[same] = i;
    else keep.push(i);
  }
  const X = new Float64Array(keep.length * d);
  keep.forEach((i, k) => X.set(data.X.subarray(i * d, i * d + d), k * d));
  return { n: keep.length, X, s: Float64Array.from(keep, (i) => data.s[i]), cost: Float64Array.from(keep, (i) => data.cost[i]), source: keep };
}

/**
 * The Python Protein's Pareto front (protein.py:211–225): observation i is on it unless another j has
 * s_j + eps > s_i and cost_j − eps < cost_i. Indices in observation order. Two observations with the same
 * score and cost knock each other out (the Python code does the same).
 */
export function referenceParetoFront(s: Float64Array, cost: Float64Array, eps: number): number[] {
  const n = s.length;
  const front: number[] = [];
  for (let i = 0; i < n; i++) {
    let dominated = false;
    for (let j = 0; j < n && !dominated; j++) dominated = j !== i && s[j] + eps > s[i] && cost[j] - eps < cost[i];
    if (!dominated) front.push(i);
  }
  return front;
}

/**
 * Draws `count` rows around the m×d `centers`: each row picks a centre uniformly, adds
 * halfWidth_j·U(−1, 1) per coordinate and clips to [−1, 1] (protein.py:167–176), or folds back inside when
 * `reflect`. No rounding to integers here: the Python Protein rates the continuous rows and rounds only
 * when it turns the winner into params. Categorical coordinates (which the Python Protein does not have) are
 * moved to the nearest category code.
 */
export function sampleAroundCenters(space: SearchSpace, centers: Float64Array, count: number, halfWidth: Float64Array, reflect: boolean, rng: Rng): Float64Array {
  const d = space.dim;
  const m = d === 0 ? 0 : centers.length / d;
  const out = new Float64Array(count * d);
  if (d === 0 || m === 0) return out;
  for (let i = 0; i < count; i++) {
    const c = m === 1 ? 0 : rng.int(0, m - 1);
    for (let j = 0; j < d; j++) {
      const u = centers[c * d + j] + halfWidth[j] * (2 * rng.random() - 1);
      out[i * d + j] = reflect ? reflectInto(u) : u < -1 ? -1 : u > 1 ? 1 : u;
    }
  }
  for (const j of space.categoricalDims) for (let i = 0; i < count; i++) out[i * d + j] = space.entries[j].space.snap(out[i * d + j]);
  return out;
}

/** Index of the first largest value (numpy's argmax; NaN never wins here). */
function firstArgmax(values: Float64Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best] || Number.isNaN(values[best])) best = i;
  return best;
}

/** Settings a preset's steps cannot follow when they differ from the preset's own. */
export function unsupportedUnderPreset(settings: Readonly<ProteinSettings>): Array<{ key: keyof ProteinSettings; value: unknown; allowed: string }> {
  const out: Array<{ key: keyof ProteinSettings; value: unknown; allowed: string }> = [];
  if (settings.preset === null) return out;
  if (settings.kernel !== "protein") out.push({ key: "kernel", value: settings.kernel, allowed: '"protein" (the Python Protein\'s linear + Matérn 3/2 kernel)' });
  if (settings.scoreMean !== "constant") out.push({ key: "scoreMean", value: settings.scoreMean, allowed: '"constant" (the Python Protein\'s GP has no trend in its mean)' });
  if (settings.costPacing !== 0) out.push({ key: "costPacing", value: settings.costPacing, allowed: "0 (the Python Protein caps a suggestion's cost only by maxSuggestionCost)" });
  if (settings.costTarget !== "uniform") out.push({ key: "costTarget", value: settings.costTarget, allowed: '"uniform" (the Python Protein\'s (1 + expansionRate)·U(0, 1))' });
  const acquisitions = settings.preset === "metta" ? ["protein", "ei", "ucb"] : ["protein"];
  if (!acquisitions.includes(settings.acquisition)) {
    out.push({ key: "acquisition", value: settings.acquisition, allowed: acquisitions.map((a) => `"${a}"`).join(", ") + ` (what ${settings.preset === "metta" ? "Metta's" : "PufferLib 2.0's"} Protein offers)` });
  }
  return out;
}

export class ReferenceEngine {
  readonly engine: PresetEngine;
  private scoreGp: GaussianProcess | null = null;
  private costGp: GaussianProcess | null = null;
  private readonly lastFitSize = { score: 0, cost: 0 };

  constructor(
    private readonly space: SearchSpace,
    private readonly settings: Readonly<ProteinSettings>,
    /** +1 to maximize, −1 to minimize. */
    private readonly direction: 1 | -1,
    private readonly rng: Rng,
    preset: PresetName,
  ) {
    this.engine = PRESET_ENGINES[preset];
  }

  /**
   * One suggestion's decision. `successes` are the successful observations (prior phases first) as rows;
   * `index` the 1-based suggestion index; `fixedCostU` the cost coordinate every row takes, if fixed.
   */
  step(successes: ModelData, index: number, costIndex: number | undefined, fixedCostU: number | undefined): ReferenceStep {
    const s = this.settings;
    const e = this.engine;
    const d = this.space.dim;
    const obs = referenceObservations(successes, d, e.duplicateDistance);
    const fixCost = (X: Float64Array): Float64Array => {
      if (fixedCostU !== undefined && costIndex !== undefined) for (let r = costIndex; r < X.length; r += d) X[r] = fixedCostU;
      return X;
    };
    const reflect = s.candidateBounds === "reflect";
    const halfWidths = (scale: number): Float64Array => Float64Array.from(this.space.scales, (w) => w * scale);
    const aroundCentre = (scale: number): Float64Array => fixCost(sampleAroundCenters(this.space, this.space.centers, 1, halfWidths(scale), reflect, this.rng));

    if (obs.n === 0 && s.seedWithSearchCenter) return { phase: "center", x: fixCost(Float64Array.from(this.space.centers)) };
    if ((!e.randomPhaseNeedsNoCenter || !s.seedWithSearchCenter) && obs.n < s.numRandomSamples) {
      return { phase: "random", x: aroundCentre(e.candidatesUseGlobalScale ? s.globalSearchScale : 1) };
    }
    if (s.resampleFrequency > 0 && index % s.resampleFrequency === 0 && obs.n > 0) {
      const front = referenceParetoFront(obs.s, obs.cost, e.paretoEps);
      if (front.length > 0) return { phase: "resample", resample: obs.source[front[this.rng.int(0, front.length - 1)]] };
    }
    if (obs.n < Math.max(1, e.minModelObservations)) {
      return { phase: "fallback", x: aroundCentre(1), reason: `fewer than ${e.minModelObservations} observations: a random draw around the search centre (as the Python Protein)` };
    }
    return this.modelStep(obs, fixCost, reflect);
  }

  private modelStep(obs: ReferenceObservations, fixCost: (X: Float64Array) => Float64Array, reflect: boolean): ReferenceStep {
    const s = this.settings;
    const e = this.engine;
    const d = this.space.dim;
    const n = obs.n;
    const dir = e.name === "metta" ? this.direction : 1; // PufferLib 2.0 always maximizes (its sweeps maximize a score)
    // Raw-orientation scores y (Metta rates in the raw direction); PufferLib's are the direction-adjusted s.
    const y = Float64Array.from(obs.s, (v) => dir * v);

    // Score GP targets.
    let targets: Float64Array;
    let yMean = 0;
    let yStd = 1;
    const yMin = minOf(y);
    const yMax = maxOf(y);
    if (e.scoreScaling === "zscore") {
      for (let i = 0; i < n; i++) yMean += y[i];
      yMean /= n;
      let ss = 0;
      for (let i = 0; i < n; i++) ss += (y[i] - yMean) * (y[i] - yMean);
      yStd = Math.sqrt(ss / n) + 1e-12;
      targets = Float64Array.from(y, (v) => (v - yMean) / yStd);
    } else {
      targets = Float64Array.from(y, (v) => (v - yMin) / (Math.abs(yMax - yMin) + e.scaleEps));
    }
    const scoreGp = (this.scoreGp ??= this.makeGp(0));
    const scoreModel = this.fitGp(scoreGp, "score", obs.X, targets, n);

    // Candidates around the front.
    const front = referenceParetoFront(obs.s, obs.cost, e.paretoEps);
    const centers = new Float64Array(front.length * d);
    front.forEach((i, k) => centers.set(obs.X.subarray(i * d, i * d + d), k * d));
    const scale = e.candidatesUseGlobalScale ? s.globalSearchScale : 1;
    const halfWidth = Float64Array.from(this.space.scales, (w) => w * scale);
    const m = front.length * s.suggestionsPerPareto;
    const C = fixCost(sampleAroundCenters(this.space, centers, m, halfWidth, reflect, this.rng));
    const wantVar = s.acquisition !== "protein";
    const pred = scoreGp.predict(C, { variance: wantVar, includeNoise: false });

    // ŷ: the predicted raw-orientation score, min–max normalized over the observations (Metta: from the
    // z-score model, protein.py:464–465; PufferLib: the min–max model's own output, sweep.py:431–459).
    const yHat = e.scoreScaling === "zscore" ? Float64Array.from(pred.mean, (v) => (v * yStd + yMean - yMin) / (Math.abs(yMax - yMin) + e.scaleEps)) : pred.mean;

    // Cost: its GP, or 0.5 everywhere when costs do not vary (Metta).
    const c = obs.cost;
    const cMin = minOf(c);
    const cMax = maxOf(c);
    let costNorm: Float64Array;
    let predictedCost: Float64Array;
    let costModel: ModelSummary | undefined;
    if (e.skipConstantCost && cMax - cMin < 1e-12) {
      costNorm = new Float64Array(m).fill(0.5);
      predictedCost = new Float64Array(m).fill(c[0]);
    } else {
      const logC = Float64Array.from(c, (v) => Math.log(Math.max(v, e.name === "metta" ? 1e-12 : Number.MIN_VALUE)));
      const lcMin = minOf(logC);
      const lcMax = maxOf(logC);
      const lcNorm = Float64Array.from(logC, (v) => (v - lcMin) / (lcMax - lcMin + e.scaleEps));
      const costGp = (this.costGp ??= this.makeGp(e.costGpMean));
      costModel = e.costSharesScoreHyperparameters ? this.shareHyperparameters(scoreGp, costGp, obs.X, lcNorm, n) : this.fitGp(costGp, "cost", obs.X, lcNorm, n);
      costNorm = costGp.predict(C).mean;
      predictedCost = Float64Array.from(costNorm, (v) => clippedExp(v * (lcMax - lcMin) + lcMin));
    }
    const mask = new Uint8Array(m);
    let allowed = 0;
    for (let i = 0; i < m; i++) if (predictedCost[i] < s.maxSuggestionCost) (mask[i] = 1), allowed++;
    const relaxed = allowed === 0 && e.relaxCostMask && m > 0;
    if (relaxed) mask.fill(1);

    // Rating.
    const rating = new Float64Array(m);
    let target: number | undefined;
    if (s.acquisition === "ei") {
      const meanAdj = Float64Array.from(pred.mean, (v) => dir * v);
      const variance = Float64Array.from(pred.variance!, (v) => Math.max(v, 1e-12));
      const bestY = dir === 1 ? yMax : yMin;
      expectedImprovement(meanAdj, variance, (dir * (bestY - yMean)) / yStd, rating);
      for (let i = 0; i < m; i++) rating[i] *= mask[i];
    } else if (s.acquisition === "ucb") {
      for (let i = 0; i < m; i++) rating[i] = mask[i] * (dir * pred.mean[i] + s.ucbBeta * Math.sqrt(Math.max(pred.variance![i], 1e-12)));
    } else {
      target = (1 + s.expansionRate) * this.rng.random();
      for (let i = 0; i < m; i++) {
        let w = 1 - Math.abs(target - costNorm[i]);
        if (e.clampWeight && w < 0) w = 0;
        rating[i] = dir * mask[i] * (yHat[i] * w);
      }
    }
    const best = firstArgmax(rating);
    const rawBest = e.scoreScaling === "zscore" ? pred.mean[best] * yStd + yMean : pred.mean[best] * (yMax - yMin) + yMin;
    return {
      phase: "model",
      x: Float64Array.from(C.subarray(best * d, best * d + d)),
      predictedScore: dir * this.direction * rawBest,
      ...(costModel ? { predictedCost: predictedCost[best] } : {}),
      rating: rating[best],
      ...(target !== undefined ? { costTarget: target } : {}),
      ...(relaxed ? { costThresholdRelaxed: true } : {}),
      candidates: m,
      scoreModel,
      ...(costModel ? { costModel } : {}),
    };
  }

  private makeGp(mean: number): GaussianProcess {
    return new GaussianProcess({
      kernel: "matern32",
      dim: this.space.dim,
      linear: true,
      categoricalDims: this.space.categoricalDims,
      normalizeY: "none",
      priors: false,
      fitMean: false,
      hyperparameters: { mean },
    });
  }

  private fitGp(gp: GaussianProcess, which: "score" | "cost", X: Float64Array, y: Float64Array, n: number): ModelSummary {
    const e = this.engine;
    const s = this.settings;
    gp.setData(X, y);
    let options: FitOptions;
    if (s.fitMethod === "pyro") {
      // PufferLib 2.0 starts the noise from a draw of its prior (pyro's init_to_sample), once per GP.
      const needsStart = gp.getFitState().pyro == null;
      const initialNoise = e.initialNoise === "prior" ? (needsStart ? Math.exp(this.rng.normal(e.noisePrior!.mu, e.noisePrior!.sigma)) : 1e-2) : e.initialNoise;
      options = { method: "pyro", steps: s.fitIterations, pyro: { learningRate: e.learningRate, jitter: e.jitter, initialNoise, noisePrior: e.noisePrior } };
    } else {
      options = { method: s.fitMethod, steps: s.fitIterations, maxIterations: s.fitIterations, coldMaxIterations: s.coldFitIterations, rng: this.rng };
    }
    const result = gp.fit(options);
    this.lastFitSize[which] = n;
    return modelSummary(gp, n, result.lml, result.fellBack, true);
  }

  /**
   * The Python Proteins' cost GP (see {@link PresetEngine.costSharesScoreHyperparameters}): no fit, the score GP's
   * hyperparameters (kernel, noise) with the cost GP's own constant mean, conditioned on the log-cost targets.
   */
  private shareHyperparameters(scoreGp: GaussianProcess, costGp: GaussianProcess, X: Float64Array, y: Float64Array, n: number): ModelSummary {
    costGp.setData(X, y);
    costGp.setLogParams(scoreGp.getLogParams());
    costGp.hyperparameters = { mean: this.engine.costGpMean };
    this.lastFitSize.cost = n;
    return modelSummary(costGp, n, costGp.logMarginalLikelihood({ includePriors: false }), false, false);
  }

  /** GP fit states (pyro parameters and Adam moments included), in the surrogate's shape. */
  getState(): SurrogateState {
    return { score: this.scoreGp?.getFitState() ?? null, cost: this.costGp?.getFitState() ?? null, lastFitSize: { ...this.lastFitSize } };
  }

  setState(state: SurrogateState): void {
    this.scoreGp = null;
    this.costGp = null;
    if (state.score) (this.scoreGp = this.makeGp(0)).setFitState(state.score);
    if (state.cost) (this.costGp = this.makeGp(this.engine.costGpMean)).setFitState(state.cost);
    Object.assign(this.lastFitSize, state.lastFitSize);
  }
}
