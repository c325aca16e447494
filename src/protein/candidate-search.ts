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
import { DUPLICATE_DISTANCE, dedupRows, excludeNear, gatherRows, maxOf } from "../model-data";
import type { Rng } from "../random";
import type { ProteinSettings } from "../settings";
import type { SearchSpace } from "../space/search-space";
import { EPS, type FittedModels, type ModelData, concatRows } from "./surrogate";

type Acquisition = ProteinSettings["acquisition"];

/** What one rating pass returns for a block of candidates. */
interface Rated {
  /** Exact ratings of every candidate that can be among the TOP_KEEP best; −∞ for the others (never solved). */
  rating: Float64Array;
  mean: Float64Array;
  predictedCost: Float64Array;
  /** Candidates whose posterior variance was solved. */
  solved: number;
}
/** Rates m candidates; `known` are exact ratings already held that the block's best compete with (the refinement's). */
type Rate = (C: Float64Array, m: number, known?: ArrayLike<number>) => Rated;

/**
 * Whether ratings are solved only for the candidates that can reach the top (default). Off, every candidate's
 * variance is solved: the same suggestions, slower. For tests and benchmarks that check exactly that; not a
 * setting.
 */
let variancePruning = true;
/** Candidates rated so far (with a variance acquisition) and how many of them had their variance solved. */
const pruningCount = { rated: 0, solved: 0 };
/** `minRows`: training rows above which the bound is used (default {@link PRUNE_MIN_ROWS}; 0 = always). */
export function setVariancePruning(enabled: boolean, minRows = PRUNE_MIN_ROWS): void {
  variancePruning = enabled;
  pruneMinRows = minRows;
}
/** Counts since the process started (or the last reset), for tests and benchmarks. */
export function variancePruningCount(reset = false): { rated: number; solved: number } {
  const out = { ...pruningCount };
  if (reset) pruningCount.rated = pruningCount.solved = 0;
  return out;
}

/** Best-rated candidates the local refinement keeps (and so the ratings that must be exact). */
const TOP_KEEP = 8;
/**
 * Training rows the variance bound conditions on (the posterior given only the rows nearest each candidate).
 * At n = 750 (bench/variance-pruning.ts, 6 steps): 8 rows left 53 % of the variances to solve, 16 rows 23 %,
 * 24 rows 14 %, 32 rows 10 %.
 */
const VARIANCE_BOUND_NEIGHBOURS = 32;
/**
 * Training rows above which the variance bound pays. The bound costs about a 32-row Cholesky per candidate; a
 * variance solve costs about n²/2 multiply–adds, so at small n solving every variance is the cheaper way to
 * the same ratings (bench:suggest at n = 100: 363 ms p50 with the bound).
 */
const PRUNE_MIN_ROWS = 256;
let pruneMinRows = PRUNE_MIN_ROWS;
/** Candidates whose variances are solved together first (then twice as many each round). */
const FIRST_SOLVE_BATCH = 64;

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
  /** The spend-pacing cap on the predicted cost (costPacing × cost spent), when it applied. */
  costCap?: number;
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
  /** Total cost of every observation so far (for the cost cooling of EI and the spend pacing). */
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

    // 6. Candidates around the centers (fewer on many training rows: candidateScaleRows). Beyond gpMaxObs
    // observations the training set stays at about gpMaxObs rows while the observations grow; the candidates grow
    // back with the share left out of the model (observations / rows), all of them from twice the rows on.
    const rows = scoreGp.size;
    const leftOut = successes.n > s.gpMaxObs ? Math.max(1, successes.n / rows) : 1;
    const shrink = s.candidateScaleRows > 0 && rows > s.candidateScaleRows ? Math.min(1, (s.candidateScaleRows / rows) * leftOut) : 1;
    const perCenter = shrink < 1 ? Math.max(Math.min(32, s.suggestionsPerPareto), Math.round(s.suggestionsPerPareto * shrink)) : s.suggestionsPerPareto;
    const m0 = (centers.length / d) * perCenter;
    let C = this.space.sample(m0, this.rng, { centers, scale: s.globalSearchScale, ...this.boundsOption() });
    const globalCount = Math.round(s.globalCandidates * shrink);
    if (globalCount > 0) {
      // Uniform draws over the whole box, so regions far from every centre can compete.
      // "clip": twice each parameter's scale around the search centre, clipped (the earlier default);
      // "reflect": exactly uniform over the box (centre 0, half-width 1 in every coordinate).
      const G =
        s.candidateBounds === "clip"
          ? this.space.sample(globalCount, this.rng, { scale: 2 })
          : this.space.sample(globalCount, this.rng, { centers: new Float64Array(d), scale: new Float64Array(d).fill(1), ...this.boundsOption() });
      C = concatRows(C, G);
    }
    const subspaceCount = d > 1 ? Math.round(s.subspaceCandidates * shrink) : 0;
    if (subspaceCount > 0) C = concatRows(C, subspaceDraws(this.space, this.rng, subspaceCount, centers, this.costIndex));
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
    const needsVariance = acquisition !== "protein";
    const eiStep = acquisition === "ei" || acquisition === "logei";
    const cooling = eiStep && useCostWeight && costGp !== null && s.costCooling > 0;
    let alpha: number | undefined;
    // The cost of every observation so far: it cools EI (α) and caps a suggestion's cost (spend pacing: no
    // suggestion predicted to cost more than costPacing × it).
    const spentSoFar = req.spent ?? 0;
    const costCap = useCostWeight && costGp !== null && s.costPacing > 0 && spentSoFar > 0 ? s.costPacing * spentSoFar : undefined;
    let capLifted: boolean | undefined;
    const rate: Rate = (Cb, mb, known = []) => {
      // With a variance acquisition on many rows, each candidate's variance is bounded from above first (no n×n
      // solve); on few rows every variance is solved at once. Both give the same ratings where they matter.
      const bounded = needsVariance && variancePruning && scoreGp.size > pruneMinRows;
      const first = bounded ? scoreGp.predictMeanAndVarianceBound(Cb, { includeNoise: false, neighbours: VARIANCE_BOUND_NEIGHBOURS }) : null;
      const full = needsVariance && !bounded ? scoreGp.predict(Cb, { variance: true, includeNoise: false }) : null;
      const mean = first ? first.mean : full ? full.mean : scoreGp.predict(Cb).mean;
      const costNorm = costGp ? costGp.predict(Cb).mean : new Float64Array(mb).fill(0.5);
      const predictedCost = new Float64Array(mb);
      for (let i = 0; i < mb; i++) predictedCost[i] = costGp ? clippedExp(costNorm[i] * (lcMax - lcMin + EPS) + lcMin) : successes.cost[0];
      let mask: Uint8Array;
      if (relaxed === undefined) ({ mask, relaxed } = maxCostMask(predictedCost, s.maxSuggestionCost));
      else mask = relaxed ? new Uint8Array(mb).fill(1) : maxCostMask(predictedCost, s.maxSuggestionCost).mask;
      const weight = useCostWeight ? costWeights(costNorm, target, { clampAtZero: s.costTarget === "uniform" || needsVariance }) : new Float64Array(mb).fill(1);
      if (cooling && alpha === undefined) {
        // α is fixed on the first pass: ĉmax is the costliest allowed candidate of the initial sample.
        let cMax = 0;
        for (let i = 0; i < mb; i++) if (mask[i] && predictedCost[i] > cMax) cMax = predictedCost[i];
        alpha = cMax > 0 ? s.costCooling * Math.max(0, 1 - spentSoFar / (s.costCoolingRuns * cMax)) : 0;
      }
      // Spend pacing: candidates predicted to cost more than the cap (`over`) are masked and rated −∞, so that
      // none can win (Protein's rating gives a masked candidate 0, which beats ratings below 0). When none of the
      // first pass's allowed candidates is under the cap, it is lifted for this step.
      let over: Uint8Array | undefined;
      if (costCap !== undefined && !capLifted) {
        if (capLifted === undefined) {
          capLifted = true;
          for (let i = 0; i < mb; i++) if (mask[i] && predictedCost[i] <= costCap) { capLifted = false; break; }
          if (capLifted) reasons.push(`every candidate was predicted to cost more than costPacing × the cost spent (${costCap.toPrecision(3)}); the cap was lifted for this step`);
        }
        if (!capLifted) {
          over = new Uint8Array(mb);
          for (let i = 0; i < mb; i++) if (predictedCost[i] > costCap) { mask[i] = 0; over[i] = 1; }
        }
      }
      const a = alpha ?? 0;
      if (!needsVariance) {
        const rating = new Float64Array(mb);
        for (let i = 0; i < mb; i++) rating[i] = over !== undefined && over[i] ? Number.NEGATIVE_INFINITY : mean[i] * weight[i] * mask[i];
        return { rating, mean, predictedCost, solved: 0 };
      }
      // Ratings of the rows `rows` (positions in Cb) at the variances `variance` (one per row).
      const ratingsAt = (rows: ArrayLike<number>, variance: Float64Array): Float64Array => {
        const k = rows.length;
        const mu = Float64Array.from(rows, (i) => mean[i]);
        const out = new Float64Array(k);
        switch (acquisition) {
          case "ei":
            expectedImprovement(mu, variance, bestSeen, out);
            for (let t = 0; t < k; t++) out[t] = mask[rows[t]] ? (out[t] * weight[rows[t]]) / Math.pow(Math.max(predictedCost[rows[t]], 1e-300), a) : over !== undefined && over[rows[t]] ? Number.NEGATIVE_INFINITY : 0;
            break;
          case "logei":
            logExpectedImprovement(mu, variance, bestSeen, out);
            for (let t = 0; t < k; t++) out[t] = mask[rows[t]] ? out[t] + s.costWeightPower * Math.log(Math.max(weight[rows[t]], 1e-300)) - a * Math.log(Math.max(predictedCost[rows[t]], 1e-300)) : Number.NEGATIVE_INFINITY;
            break;
          case "ucb":
            upperConfidenceBound(mu, variance, s.ucbBeta, out);
            for (let t = 0; t < k; t++) out[t] = mask[rows[t]] ? out[t] * weight[rows[t]] : Number.NEGATIVE_INFINITY;
            break;
        }
        return out;
      };
      const all = Int32Array.from({ length: mb }, (_, i) => i);
      if (full) {
        pruningCount.rated += mb;
        pruningCount.solved += mb;
        return { rating: ratingsAt(all, full.variance!), mean, predictedCost, solved: mb };
      }
      // Every rating is non-decreasing in the variance (the weights are ≥ 0 here): the rating at the variance's
      // upper bound bounds each candidate's rating from above.
      const bound = ratingsAt(all, first!.varianceBound);
      const { rating, solved } = exactTopRatings(mb, bound, known, TOP_KEEP, (rows) => ratingsAt(rows, scoreGp.predictVarianceOf(Cb, rows, { includeNoise: false })));
      pruningCount.rated += mb;
      pruningCount.solved += solved;
      return { rating, mean, predictedCost, solved };
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
      ...(costCap !== undefined && capLifted === false ? { costCap } : {}),
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
    const K = Math.min(TOP_KEEP, m);
    const order = topIndices(rating, K);
    let top = gatherRows(C, order, d);
    let topRating = Float64Array.from(order, (i) => rating[i]);
    const initialBest = topRating[0];
    let extra = 0;
    // refineMargin: the continuous coordinates (not the cost's) whose perturbations stop short of the faces.
    const marginDims = this.settings.refineMargin > 0 ? this.space.continuousDims.filter((j) => j !== this.costIndex) : [];
    for (const step of [0.1, 0.03, 0.01]) {
      const n = top.length / d;
      let Z = this.space.sample(n * 32, this.rng, { centers: top, scale: new Float64Array(d).fill(step), ...this.refineBoundsOption(marginDims) });
      if (marginDims.length > 0) clampRows(Z, n * 32, d, marginDims, 1 - 2 * this.settings.refineMargin);
      if (fixedCostU !== undefined && this.costIndex !== undefined) for (let i = 0; i < n * 32; i++) Z[i * d + this.costIndex] = fixedCostU;
      let mz = n * 32;
      if (p > 0 && this.settings.pendingStrategy !== "none") mz = excludeNear(Z, mz, P, p, d, this.settings.pendingRadius);
      if (mz === 0) continue;
      Z = Z.subarray(0, mz * d);
      const r = rate(Z, mz, topRating).rating;
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

  /**
   * The refinement's draws: as {@link boundsOption}, but the coordinates given are clipped (a perturbation
   * toward a face keeps its direction and is then stopped at the margin by {@link clampRows}).
   */
  private refineBoundsOption(marginDims: readonly number[]): { bounds: "clip" | "reflect"; clipDims?: number[] } {
    const o = this.boundsOption();
    if (marginDims.length === 0 || o.bounds === "clip") return o;
    return { bounds: "reflect", clipDims: [...new Set([...(o.clipDims ?? []), ...marginDims])] };
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

/**
 * `subspaceCandidates`: `count` copies of the rows of `centers` (each picked at random) with one or two
 * coordinates (chosen at random among all but `keep`; two with probability ½ when more than two may move)
 * redrawn uniformly over their whole range (a category at random for a categorical one), snapped as every draw
 * is. A centre can so leave a basin along one parameter and keep what the others have found: the draws around
 * a centre move every coordinate a little, and the draws over the box move every coordinate at once.
 */
export function subspaceDraws(space: SearchSpace, rng: Rng, count: number, centers: Float64Array, keep?: number): Float64Array {
  const d = space.dim;
  // The coordinates that may be redrawn (all but `keep`, the cost parameter's, whose moves the centres make); a
  // partial shuffle of it picks each row's.
  const order = Int32Array.from({ length: d }, (_, j) => j).filter((j) => j !== keep);
  const f = order.length;
  const nc = d === 0 ? 0 : centers.length / d;
  const out = new Float64Array(count * d);
  if (nc === 0 || count === 0 || f === 0) return out;
  const U = space.sample(count, rng, { centers: new Float64Array(d), scale: new Float64Array(d).fill(1), bounds: "reflect" });
  for (let i = 0; i < count; i++) {
    const c = nc === 1 ? 0 : rng.int(0, nc - 1);
    out.set(centers.subarray(c * d, c * d + d), i * d);
    const k = f > 2 && rng.random() < 0.5 ? 2 : 1;
    // A partial Fisher–Yates shuffle: the first k entries of `order` are k distinct coordinates.
    for (let t = 0; t < k; t++) {
      const r = rng.int(t, f - 1);
      const swap = order[t];
      order[t] = order[r];
      order[r] = swap;
      out[i * d + order[t]] = U[i * d + order[t]];
    }
  }
  return out;
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

/**
 * Exact ratings of the candidates that can be among the `keep` best, given an upper bound of each rating: solves
 * the candidates in order of decreasing bound (a NaN bound first: it bounds nothing), in growing batches, and
 * stops when the next bound is strictly below the keep-th best exact rating found (counting `known` ratings
 * held elsewhere); every candidate left has a rating below that, so it cannot be among the best, and gets −∞.
 * Ratings are counted as {@link topIndices} counts them: NaN and −∞ never rank.
 */
export function exactTopRatings(
  m: number,
  bound: Float64Array,
  known: ArrayLike<number>,
  keep: number,
  solve: (rows: Int32Array) => Float64Array,
): { rating: Float64Array; solved: number } {
  const rating = new Float64Array(m).fill(Number.NEGATIVE_INFINITY);
  const key = (i: number): number => (Number.isNaN(bound[i]) ? Number.POSITIVE_INFINITY : bound[i]);
  const order = Int32Array.from({ length: m }, (_, i) => i).sort((a, b) => key(b) - key(a) || a - b);
  // The `keep` best ranking ratings so far, in increasing order (best[0] is the keep-th best once full).
  const best: number[] = [];
  const add = (v: number): void => {
    if (Number.isNaN(v) || v === Number.NEGATIVE_INFINITY) return;
    if (best.length === keep && v <= best[0]) return;
    let i = 0;
    while (i < best.length && best[i] < v) i++;
    best.splice(i, 0, v);
    if (best.length > keep) best.shift();
  };
  for (let i = 0; i < known.length; i++) add(known[i]);
  let pos = 0;
  let batch = FIRST_SOLVE_BATCH;
  while (pos < m) {
    // A bound is the rating at a larger variance; the slack absorbs rounding in the acquisition's formulas.
    const b = bound[order[pos]];
    if (best.length === keep && b + BOUND_SLACK * (1 + Math.abs(b)) < best[0]) break;
    const rows = order.subarray(pos, Math.min(m, pos + batch));
    const r = solve(rows);
    for (let t = 0; t < rows.length; t++) {
      rating[rows[t]] = r[t];
      add(r[t]);
    }
    pos += rows.length;
    batch *= 2;
  }
  return { rating, solved: pos };
}

/** Relative slack of a rating bound (rounding of the acquisitions' formulas, far above it). */
const BOUND_SLACK = 1e-9;

/** Indices of the k largest finite values, largest first (ties: lower index first). */
function topIndices(values: Float64Array, k: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]) && values[i] > Number.NEGATIVE_INFINITY) idx.push(i);
  idx.sort((a, b) => values[b] - values[a] || a - b);
  return idx.slice(0, k);
}

/** Clamps the coordinates `dims` of m rows to [−limit, limit]. */
function clampRows(X: Float64Array, m: number, d: number, dims: readonly number[], limit: number): void {
  for (let i = 0; i < m; i++) {
    for (const j of dims) {
      const v = X[i * d + j];
      X[i * d + j] = v < -limit ? -limit : v > limit ? limit : v;
    }
  }
}
