/**
 * Candidate search (PROTEIN.md §2 steps 5–8): search centres from the front and the top-k,
 * candidates sampled around them (and over the whole box), pending suggestions kept at a
 * distance, every candidate rated by the chosen acquisition with Protein's cost weighting,
 * optional local refinement, and the winner. Knows nothing of records or phases: it is
 * handed fitted models and rows.
 */
import { expectedImprovement, logExpectedImprovement, upperConfidenceBound } from "../acquisition/analytic";
import { CostTargetDeck, costWeights, maxCostMask } from "../acquisition/cost";
import { argmax as argmaxFinite } from "../acquisition/select";
import { clippedExp } from "../acquisition/safe-math";
import type { GaussianProcess } from "../gp";
import { DUPLICATE_DISTANCE, dedupRows, excludeNear, gatherRows } from "../model-data";
import type { Rng } from "../random";
import type { ProteinSettings } from "../settings";
import type { SearchSpace } from "../space/search-space";
import { EPS, type FittedModels, type ModelData, concatRows } from "./surrogate";

type Acquisition = ProteinSettings["acquisition"];

/** What one rating pass returns for a block of candidates. */
interface Rated {
  rating: Float64Array;
  mean: Float64Array;
  predictedCost: Float64Array;
}
type Rate = (C: Float64Array, m: number) => Rated;

/** What the search reports about its winner. */
export interface SearchOutcome {
  x: Float64Array;
  candidates: number;
  rating: number;
  /** Normalized score-model mean at the winner. */
  meanNorm: number;
  predictedCost?: number;
  costTarget?: number;
  costThresholdRelaxed?: boolean;
  /** Exponent α of the predicted cost dividing EI on this step (cost cooling), when it applies. */
  costCoolingAlpha?: number;
  reasons: string[];
}

export interface SearchRequest {
  models: FittedModels;
  /** Successful observations (the centres and the cost units come from them). */
  successes: ModelData;
  /** Indices (into successes) of the front used as centres. */
  front: readonly number[];
  acquisition: Acquisition;
  /** Pending rows (p×d) to keep candidates away from. */
  pending: Float64Array;
  pendingCount: number;
  /** Normalized cost coordinate every candidate takes, when the cost is fixed. */
  fixedCostU: number | undefined;
  /** Total cost of every observation so far (for the cost cooling of EI). */
  spent?: number;
}

export class CandidateSearch {
  private deck: CostTargetDeck;

  constructor(
    private readonly space: SearchSpace,
    private readonly settings: Readonly<ProteinSettings>,
    private readonly costIndex: number | undefined,
    private readonly rng: Rng,
  ) {
    this.deck = new CostTargetDeck({ expansionRate: settings.expansionRate });
  }

  /** The cost-target deck's remaining cards. */
  getDeck(): number[] {
    return this.deck.getState().remaining as number[];
  }

  setDeck(remaining: number[]): void {
    this.deck = new CostTargetDeck({ expansionRate: this.settings.expansionRate, state: { remaining } });
  }

  /** Steps 5–8: centres, candidates, ratings, refinement, winner. */
  search(req: SearchRequest): SearchOutcome {
    const s = this.settings;
    const d = this.space.dim;
    const { models, successes, acquisition, fixedCostU } = req;
    const P = req.pending;
    const p = req.pendingCount;
    const { scoreGp, costGp } = models;
    const { lcMin, lcMax } = models.targets;
    const excluding = p > 0 && s.pendingStrategy !== "none";
    const reasons: string[] = [];
    const centers = this.searchCenters(successes, req.front);

    // 6. Candidates around the centers.
    const m0 = (centers.length / d) * s.suggestionsPerPareto;
    let C = this.space.sample(m0, this.rng, { centers, scale: s.globalSearchScale, ...this.boundsOption() });
    if (s.globalCandidates > 0) {
      // Uniform draws over the whole box, so regions far from every centre can compete.
      // "clip": twice each parameter's scale around the search centre, clipped (the earlier default);
      // "reflect": exactly uniform over the box (centre 0, half-width 1 in every coordinate).
      const G =
        s.candidateBounds === "clip"
          ? this.space.sample(s.globalCandidates, this.rng, { scale: 2 })
          : this.space.sample(s.globalCandidates, this.rng, { centers: new Float64Array(d), scale: new Float64Array(d).fill(1), ...this.boundsOption() });
      C = concatRows(C, G);
    }
    const mAll = C.length / d;
    if (fixedCostU !== undefined && this.costIndex !== undefined) for (let i = 0; i < mAll; i++) C[i * d + this.costIndex] = fixedCostU;
    const keep = dedupRows(C, mAll, d, DUPLICATE_DISTANCE);
    C = gatherRows(C, keep, d);
    let m = keep.length;
    if (excluding) {
      const kept = excludeNear(C, m, P, p, d, s.pendingRadius);
      if (kept === 0) reasons.push(`every candidate lay within pendingRadius ${s.pendingRadius} of a pending suggestion; the radius was ignored`);
      else m = kept;
      C = C.subarray(0, m * d);
    }
    let candidates = m;

    // 7. Rate the candidates.
    const useCostWeight = fixedCostU === undefined;
    const target = useCostWeight ? (s.costTarget === "deck" ? this.deck.draw(this.rng) : (1 + s.expansionRate) * this.rng.random()) : Number.NaN;
    const bestSeen = maxOf(models.targets.yNorm, models.data.n);
    let relaxed: boolean | undefined;
    const eiStep = acquisition === "ei" || acquisition === "logei";
    const cooling = eiStep && useCostWeight && costGp !== null && s.costCooling > 0;
    let alpha: number | undefined;
    const rate: Rate = (Cb, mb) => {
      const pred = scoreGp.predict(Cb, { variance: acquisition !== "protein", includeNoise: false });
      const costNorm = costGp ? costGp.predict(Cb).mean : new Float64Array(mb).fill(0.5);
      const predictedCost = new Float64Array(mb);
      for (let i = 0; i < mb; i++) predictedCost[i] = costGp ? clippedExp(costNorm[i] * (lcMax - lcMin + EPS) + lcMin) : successes.cost[0];
      let mask: Uint8Array;
      if (relaxed === undefined) ({ mask, relaxed } = maxCostMask(predictedCost, s.maxSuggestionCost));
      else mask = relaxed ? new Uint8Array(mb).fill(1) : maxCostMask(predictedCost, s.maxSuggestionCost).mask;
      const weight = useCostWeight ? costWeights(costNorm, target, { clampAtZero: s.costTarget === "uniform" || acquisition !== "protein" }) : new Float64Array(mb).fill(1);
      if (cooling && alpha === undefined) {
        // α is fixed on the first pass: ĉmax is the costliest allowed candidate of the initial sample.
        let cMax = 0;
        for (let i = 0; i < mb; i++) if (mask[i] && predictedCost[i] > cMax) cMax = predictedCost[i];
        const spent = req.spent ?? 0;
        alpha = cMax > 0 ? s.costCooling * Math.max(0, 1 - spent / (s.costCoolingRuns * cMax)) : 0;
      }
      const a = alpha ?? 0;
      const rating = new Float64Array(mb);
      switch (acquisition) {
        case "protein":
          for (let i = 0; i < mb; i++) rating[i] = pred.mean[i] * weight[i] * mask[i];
          break;
        case "ei":
          expectedImprovement(pred.mean, pred.variance!, bestSeen, rating);
          for (let i = 0; i < mb; i++) rating[i] = mask[i] ? (rating[i] * weight[i]) / Math.pow(Math.max(predictedCost[i], 1e-300), a) : 0;
          break;
        case "logei":
          logExpectedImprovement(pred.mean, pred.variance!, bestSeen, rating);
          for (let i = 0; i < mb; i++) rating[i] = mask[i] ? rating[i] + s.costWeightPower * Math.log(Math.max(weight[i], 1e-300)) - a * Math.log(Math.max(predictedCost[i], 1e-300)) : Number.NEGATIVE_INFINITY;
          break;
        case "ucb":
          upperConfidenceBound(pred.mean, pred.variance!, s.ucbBeta, rating);
          for (let i = 0; i < mb; i++) rating[i] = mask[i] ? rating[i] * weight[i] : Number.NEGATIVE_INFINITY;
          break;
      }
      return { rating, mean: pred.mean, predictedCost };
    };
    let rated = rate(C, m);
    let best = argmaxFinite(rated.rating);
    if (best < 0) {
      reasons.push("no candidate had a finite rating; took the model's best mean");
      best = argmaxFinite(rated.mean);
      if (best < 0) best = 0;
    }

    // 7b. Optional local refinement: perturb the best-rated candidates with shrinking
    // boxes and keep any that rate higher (acquisition optimization beyond the sample).
    if (s.localSearch && m > 0) {
      const refined = this.refine(C, m, rated.rating, rate, fixedCostU, P, p);
      if (refined) {
        C = refined.C;
        rated = refined.rated;
        best = refined.best;
        candidates = m + refined.extra;
      }
    }

    // 8. The winner, with what the model expected of it.
    return {
      x: Float64Array.from(C.subarray(best * d, best * d + d)),
      candidates,
      rating: rated.rating[best],
      meanNorm: rated.mean[best],
      ...(costGp ? { predictedCost: rated.predictedCost[best] } : {}),
      ...(useCostWeight ? { costTarget: target } : {}),
      ...(relaxed ? { costThresholdRelaxed: true } : {}),
      ...(alpha !== undefined ? { costCoolingAlpha: alpha } : {}),
      reasons,
    };
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
    rate: Rate,
    fixedCostU: number | undefined,
    P: Float64Array,
    p: number,
  ): { C: Float64Array; rated: Rated; best: number; extra: number } | undefined {
    const d = this.space.dim;
    const K = Math.min(8, m);
    const order = topIndices(rating, K);
    let top = gatherRows(C, order, d);
    let topRating = Float64Array.from(order, (i) => rating[i]);
    const initialBest = topRating[0];
    let extra = 0;
    for (const step of [0.1, 0.03, 0.01]) {
      const n = top.length / d;
      let Z = this.space.sample(n * 32, this.rng, { centers: top, scale: new Float64Array(d).fill(step), ...this.boundsOption() });
      if (fixedCostU !== undefined && this.costIndex !== undefined) for (let i = 0; i < n * 32; i++) Z[i * d + this.costIndex] = fixedCostU;
      let mz = n * 32;
      if (p > 0 && this.settings.pendingStrategy !== "none") mz = excludeNear(Z, mz, P, p, d, this.settings.pendingRadius);
      if (mz === 0) continue;
      Z = Z.subarray(0, mz * d);
      const r = rate(Z, mz).rating;
      extra += mz;
      const pool = concatRows(top, Z);
      const poolRating = concatRows(topRating, r);
      const keep = topIndices(poolRating, K);
      top = gatherRows(pool, keep, d);
      topRating = Float64Array.from(keep, (i) => poolRating[i]);
    }
    if (!(topRating[0] > initialBest)) return undefined;
    const winner = top.subarray(0, d);
    const rated = rate(Float64Array.from(winner), 1);
    return { C: Float64Array.from(winner), rated, best: 0, extra };
  }

  /** How candidate draws treat the bounds (`candidateBounds`): "reflect-except-cost" keeps clipping the cost coordinate. */
  private boundsOption(): { bounds: "clip" | "reflect"; clipDims?: number[] } {
    const mode = this.settings.candidateBounds;
    if (mode === "clip") return { bounds: "clip" };
    if (mode === "reflect-except-cost" && this.costIndex !== undefined) return { bounds: "reflect", clipDims: [this.costIndex] };
    return { bounds: "reflect" };
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
}

/** Conditions the models on fantasies at the pending rows (constant liar or kriging believer). */
export function conditionOnPending(models: FittedModels, P: Float64Array, p: number, strategy: ProteinSettings["pendingStrategy"]): void {
  if (p === 0 || strategy === "none") return;
  const { data, scoreGp, costGp } = models;
  const { yNorm, cNorm } = models.targets;
  const fant = strategy === "liar" ? new Float64Array(p).fill(0) : scoreGp.predict(P).mean;
  scoreGp.setData(concatRows(data.X, P), concatRows(yNorm, fant));
  if (costGp && cNorm) costGp.setData(concatRows(data.X, P), concatRows(cNorm, costGp.predict(P).mean));
}

/** Puts the models back on the real data (fantasies were only for one suggestion). */
export function releasePending(models: FittedModels, p: number, strategy: ProteinSettings["pendingStrategy"]): void {
  if (p === 0 || strategy === "none") return;
  models.scoreGp.setData(models.data.X, models.targets.yNorm);
  const gp: GaussianProcess | null = models.costGp;
  if (gp && models.targets.cNorm) gp.setData(models.data.X, models.targets.cNorm);
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
