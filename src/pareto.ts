/**
 * The (score, cost) Pareto front of observations and Protein's pruning of its expensive tail
 * (PROTEIN.md §2 step 5).
 *
 * Glossary (n = number of observations)
 *   scores: n   raw scores, in the goal's units
 *   costs: n    raw costs (e.g. seconds); lower is better
 *   goal        "maximize" or "minimize" the score; dir = +1 or −1
 *   s′ = dir·s  direction-adjusted score, larger is better
 *
 * Dominance: j dominates i when c_j ≤ c_i and s′_j ≥ s′_i with at least one strict.
 * The front holds every observation that nothing dominates, except that:
 *   - an observation whose score or cost is NaN is dominated (never on the front);
 *   - of several observations with identical (score, cost) only the lowest index is kept.
 * Along the front (sorted by increasing cost) costs and s′ are both strictly increasing.
 *
 * Unlike PufferLib's `pareto_points`, which assumes "maximize", this takes the goal.
 */

import { ProteinError } from "./errors";

/** Optimization direction of the score. */
export type Goal = "maximize" | "minimize";

/** +1 for "maximize", −1 for "minimize". */
export function goalDirection(goal: Goal): 1 | -1 {
  return goal === "minimize" ? -1 : 1;
}

function checkGoal(goal: Goal): void {
  if (goal !== "maximize" && goal !== "minimize") {
    throw new ProteinError("goal must be \"maximize\" or \"minimize\"", {
      key: "goal",
      value: goal,
      allowed: "\"maximize\" | \"minimize\"",
      fix: "set goal to \"maximize\" or \"minimize\"",
    });
  }
}

/** Options of {@link paretoFront}. */
export interface ParetoFrontOptions {
  /**
   * A point joins the front only if its adjusted score exceeds that of every cheaper front
   * point by MORE than this. PufferLib uses 1e-6 in raw score units. With a tolerance > 0
   * the result is PufferLib's greedy chain rather than the exact non-dominated set.
   * @default 0
   */
  readonly scoreTolerance?: number;
}

/**
 * Indices of the non-dominated observations (cost minimized, score optimized per `goal`),
 * sorted by increasing cost. O(n log n): sort by (cost ↑, s′ ↓, index ↑), then one sweep that
 * keeps a point when its s′ beats the best s′ seen so far.
 *
 * @param scores raw scores, length n
 * @param costs raw costs, length n
 * @param goal "maximize" | "minimize"
 * @param options `scoreTolerance` (@default 0: the exact front)
 * @returns front indices into `scores`/`costs`, cost-ascending (empty when n = 0)
 * @throws {ProteinError} when the lengths differ, the goal is unknown or the tolerance is negative
 * @example paretoFront(new Float64Array([1, 3, 2]), new Float64Array([1, 2, 3]), "maximize") // [0, 1]
 */
export function paretoFront(
  scores: Float64Array,
  costs: Float64Array,
  goal: Goal,
  options: ParetoFrontOptions = {},
): number[] {
  checkGoal(goal);
  const n = scores.length;
  if (costs.length !== n) {
    throw new ProteinError("paretoFront: scores and costs must have one entry per observation", {
      value: { scores: n, costs: costs.length },
      fix: "pass arrays of equal length",
    });
  }
  const tol = options.scoreTolerance ?? 0;
  if (!(tol >= 0)) {
    throw new ProteinError("paretoFront: scoreTolerance must be ≥ 0", { value: tol });
  }
  const dir = goalDirection(goal);
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!Number.isNaN(scores[i]) && !Number.isNaN(costs[i])) order.push(i);
  }
  order.sort((a, b) => costs[a] - costs[b] || dir * (scores[b] - scores[a]) || a - b);
  const front: number[] = [];
  let bestAdjusted = Number.NEGATIVE_INFINITY;
  for (const i of order) {
    const adjusted = dir * scores[i];
    // First point always enters (even with s′ = −∞); later ones must strictly improve.
    if (front.length === 0 || adjusted > bestAdjusted + tol) {
      front.push(i);
      bestAdjusted = adjusted;
    }
  }
  return front;
}

/** Options of {@link prunePareto}. */
export interface PruneParetoOptions {
  /**
   * Drop a tail point when (normalized score gain)/(normalized cost increase + ε) over its
   * cheaper neighbour is below this. @default 0.5 (PufferLib)
   */
  readonly efficiencyThreshold?: number;
  /**
   * Stop pruning once the cheaper neighbour's score falls below this fraction of the best;
   * see `stopRule`. @default 0.98 (PufferLib)
   */
  readonly stopScoreFraction?: number;
  /**
   * "normalized" (default, sign-safe): the neighbour's score is measured on the front's
   * min–max scale, (s′ − s′_min)/(s′_max − s′_min), and pruning stops when that is below
   * `stopScoreFraction`. "ratio": PufferLib's s′ < fraction·s′_max, meaningful only when all
   * adjusted scores are positive (kept to reproduce PufferLib exactly). @default "normalized"
   */
  readonly stopRule?: "normalized" | "ratio";
  /** ε guarding the ranges and the efficiency denominator. @default 1e-6 (PufferLib's EPSILON) */
  readonly epsilon?: number;
}

/**
 * Protein's pruning of the high-cost tail of a front (PufferLib `prune_pareto_front`), made
 * sign-safe. With the front sorted by cost, s′ its adjusted scores, and ranges
 * Δs = max(s′_max − s′_min, ε), Δc = max(c_max − c_min, ε) taken over the front, walk from the
 * most expensive point i = m−1 down to i = 2 (the two cheapest points are always kept):
 *   1. stop if the neighbour i−1 is no longer near the best (see `stopRule`);
 *   2. efficiency = ((s′_i − s′_{i−1})/Δs) / ((c_i − c_{i−1})/Δc + ε);
 *   3. drop i if efficiency < `efficiencyThreshold`, else stop.
 * "Near the best" for the default rule means (s′_{i−1} − s′_min)/Δs ≥ 0.98: the same test as
 * PufferLib's s′_{i−1} ≥ 0.98·s′_max when s′_min = 0, and invariant to shifting or flipping
 * the score's sign.
 *
 * @param front indices of a Pareto front (e.g. from {@link paretoFront}); any order
 * @param scores raw scores, indexed by `front`
 * @param costs raw costs, indexed by `front`
 * @param goal "maximize" | "minimize"
 * @param options thresholds and the stop rule
 * @returns the kept indices, sorted by increasing cost (a new array)
 * @throws {ProteinError} when the goal is unknown or an index is out of range
 */
export function prunePareto(
  front: readonly number[],
  scores: Float64Array,
  costs: Float64Array,
  goal: Goal,
  options: PruneParetoOptions = {},
): number[] {
  checkGoal(goal);
  const threshold = options.efficiencyThreshold ?? 0.5;
  const fraction = options.stopScoreFraction ?? 0.98;
  const rule = options.stopRule ?? "normalized";
  const eps = options.epsilon ?? 1e-6;
  const dir = goalDirection(goal);
  for (const i of front) {
    if (!Number.isInteger(i) || i < 0 || i >= scores.length || i >= costs.length) {
      throw new ProteinError("prunePareto: front index out of range", {
        value: i,
        allowed: `integers in [0, ${Math.min(scores.length, costs.length) - 1}]`,
        fix: "pass indices returned by paretoFront for the same arrays",
      });
    }
  }
  const sorted = front.slice().sort((a, b) => costs[a] - costs[b] || dir * (scores[a] - scores[b]) || a - b);
  const m = sorted.length;
  if (m < 3) return sorted; // the loop below never removes index 0 or 1

  let sMin = Number.POSITIVE_INFINITY;
  let sMax = Number.NEGATIVE_INFINITY;
  let cMin = Number.POSITIVE_INFINITY;
  let cMax = Number.NEGATIVE_INFINITY;
  for (const i of sorted) {
    const s = dir * scores[i];
    if (s < sMin) sMin = s;
    if (s > sMax) sMax = s;
    if (costs[i] < cMin) cMin = costs[i];
    if (costs[i] > cMax) cMax = costs[i];
  }
  const scoreRange = Math.max(sMax - sMin, eps);
  const costRange = Math.max(cMax - cMin, eps);
  const best = dir * scores[sorted[m - 1]]; // PufferLib: the most expensive front point

  let keep = m;
  for (let i = m - 1; i >= 2; i--) {
    const prev = dir * scores[sorted[i - 1]];
    const nearBest = rule === "ratio" ? prev >= fraction * best : (prev - sMin) / scoreRange >= fraction;
    if (!nearBest) break;
    const gain = (dir * scores[sorted[i]] - prev) / scoreRange;
    const costIncrease = (costs[sorted[i]] - costs[sorted[i - 1]]) / costRange;
    const efficiency = gain / (costIncrease + eps);
    if (efficiency < threshold) keep = i;
    else break;
  }
  return sorted.slice(0, keep);
}
