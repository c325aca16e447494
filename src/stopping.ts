/**
 * Early stopping of runs that do worse than earlier runs did at the same cost
 * (PufferLib's `RobustLogCostModel` + `should_stop`, PROTEIN.md §4), as pure functions.
 *
 * Glossary (n = number of observations)
 *   scores: n   raw scores; s′ = dir·s is the direction-adjusted score (larger is better)
 *   costs: n    raw costs (e.g. seconds); x = log(cost)
 *   q           quantile in (0, 1) (`early_stop_quantile`, PufferLib's default 0.3)
 *   a, b        the line s′ ≈ a + b·x, b ≥ 0, fitted by minimizing the pinball loss
 *               L(a, b) = Σ ρ_q(s′_i − a − b·x_i),  ρ_q(r) = max(q·r, (q − 1)·r)
 *   U           the upper cost threshold: cost of the last point of the pruned Pareto front
 *
 * Decision (per PufferLib `get_threshold` / `should_stop`, made sign-safe):
 *   - no model (fewer than `minSamples` usable observations): never stop;
 *   - cost < minCost (PufferLib: 0.3·U + 10, see {@link earlyStopMinCost}): never stop;
 *   - cost > 1.2·U: stop when s′ < s′_best − 0.1·|s′_best| (PufferLib: s < 0.9·best, which is
 *     the same for positive scores and meaningless for negative ones or for "minimize");
 *   - otherwise: stop when s′ < a + b·log(cost).
 */

import { ProteinError } from "./errors";
import { type Goal, goalDirection } from "./pareto";

/** A fitted score-versus-log-cost quantile line, in direction-adjusted units. */
export interface LogCostQuantileModel {
  /** Intercept: s′ at cost 1. */
  readonly a: number;
  /** Slope per unit of log(cost), ≥ 0. */
  readonly b: number;
  /** The quantile q it was fitted for. */
  readonly quantile: number;
  /** The goal whose direction-adjusted scores were fitted. */
  readonly goal: Goal;
  /** Number of observations used. */
  readonly n: number;
  /** The minimized pinball loss L(a, b). */
  readonly loss: number;
}

/** Options of {@link fitQuantileLogCost}. */
export interface FitQuantileLogCostOptions {
  /** Scores are negated first for "minimize". @default "maximize" */
  readonly goal?: Goal;
  /** Below this many usable observations no model is fitted (null). @default 30 (PufferLib) */
  readonly minSamples?: number;
  /** Costs at or below this are unusable (log undefined or extreme). @default 1e-6 */
  readonly minUsableCost?: number;
}

/** Pinball loss Σ ρ_q(y_i − a − b·x_i). */
export function pinballLoss(x: Float64Array, y: Float64Array, q: number, a: number, b: number): number {
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    const r = y[i] - a - b * x[i];
    total += r >= 0 ? q * r : (q - 1) * r;
  }
  return total;
}

/**
 * Rearranges `v[lo..hi]` so that v[k] holds the value it would have after sorting, with
 * smaller-or-equal values before it (Hoare's quickselect, median-of-three pivot). O(n) expected.
 */
function selectKth(v: Float64Array, k: number): number {
  let lo = 0;
  let hi = v.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three to v[mid]
    if (v[mid] < v[lo]) swap(v, mid, lo);
    if (v[hi] < v[lo]) swap(v, hi, lo);
    if (v[hi] < v[mid]) swap(v, hi, mid);
    const pivot = v[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        swap(v, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return v[k];
}

function swap(v: Float64Array, i: number, j: number): void {
  const t = v[i];
  v[i] = v[j];
  v[j] = t;
}

/**
 * For a fixed slope b the best intercept is the ⌈q·n⌉-th smallest residual z_i = y_i − b·x_i
 * (where the left derivative (1−q)·#{z<a} − q·#{z≥a} changes sign). Returns the profile loss
 * F(b) = min_a L(a, b) and that intercept. `scratch` has length n.
 */
function profileLoss(
  x: Float64Array,
  y: Float64Array,
  q: number,
  b: number,
  scratch: Float64Array,
): { loss: number; a: number } {
  const n = x.length;
  for (let i = 0; i < n; i++) scratch[i] = y[i] - b * x[i];
  const k = Math.min(n, Math.max(1, Math.ceil(q * n))) - 1;
  const a = selectKth(scratch, k);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const r = scratch[i] - a;
    loss += r >= 0 ? q * r : (q - 1) * r;
  }
  return { loss, a };
}

/**
 * Exact quantile regression of s′ on x = log(cost) with the slope constrained to b ≥ 0.
 *
 * Method: F(b) = min_a L(a, b) is convex and piecewise linear in b with breakpoints at slopes
 * between pairs of points; the constrained optimum lies in [0, B] with B the steepest slope
 * between x-adjacent points. A golden-section search narrows the bracket to round-off, then
 * the slope is snapped to the nearest breakpoints through the point that fixes the intercept,
 * which lands on the LP vertex (a line through two data points, or b = 0 through one). Cost:
 * O(n) per evaluation (quickselect), 75–150 evaluations. Compared with PufferLib's Nelder–Mead started
 * from least squares, the result is the true minimum rather than a local stop.
 *
 * @param scores raw scores, length n (NaN/±∞ entries are skipped)
 * @param costs raw costs, length n (entries ≤ `minUsableCost` or non-finite are skipped)
 * @param quantile q in (0, 1)
 * @param options goal (@default "maximize"), minSamples (@default 30), minUsableCost (@default 1e-6)
 * @returns the model, or null when fewer than `minSamples` observations are usable
 * @throws {ProteinError} when q is not in (0, 1), the lengths differ, or the goal is unknown
 * @example fitQuantileLogCost(scores, costs, 0.3, { goal: "maximize" })
 */
export function fitQuantileLogCost(
  scores: Float64Array,
  costs: Float64Array,
  quantile: number,
  options: FitQuantileLogCostOptions = {},
): LogCostQuantileModel | null {
  const goal = options.goal ?? "maximize";
  const minSamples = options.minSamples ?? 30;
  const minUsableCost = options.minUsableCost ?? 1e-6;
  if (!(quantile > 0 && quantile < 1)) {
    throw new ProteinError("early_stop_quantile must be strictly between 0 and 1", {
      key: "early_stop_quantile",
      value: quantile,
      allowed: "0 < q < 1 (PufferLib's configs use 0.3)",
      fix: "set early_stop_quantile to e.g. 0.3",
    });
  }
  if (goal !== "maximize" && goal !== "minimize") {
    throw new ProteinError("goal must be \"maximize\" or \"minimize\"", { key: "goal", value: goal });
  }
  if (scores.length !== costs.length) {
    throw new ProteinError("fitQuantileLogCost: scores and costs must have one entry per observation", {
      value: { scores: scores.length, costs: costs.length },
      fix: "pass arrays of equal length",
    });
  }
  const dir = goalDirection(goal);
  let n = 0;
  for (let i = 0; i < scores.length; i++) {
    if (Number.isFinite(scores[i]) && costs[i] > minUsableCost && Number.isFinite(costs[i])) n++;
  }
  if (n < Math.max(1, minSamples)) return null;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0, j = 0; i < scores.length; i++) {
    if (Number.isFinite(scores[i]) && costs[i] > minUsableCost && Number.isFinite(costs[i])) {
      x[j] = Math.log(costs[i]);
      y[j] = dir * scores[i];
      j++;
    }
  }
  const { a, b, loss } = quantileLineFit(x, y, quantile);
  return { a, b, quantile, goal, n, loss };
}

/**
 * The core solver on plain arrays: minimize Σ ρ_q(y_i − a − b·x_i) subject to b ≥ 0.
 * Exposed for tests and for other uses of a monotone quantile line.
 *
 * @param xRaw abscissae, length n ≥ 1
 * @param y ordinates, length n
 * @param q quantile in (0, 1)
 * @throws {ProteinError} when n = 0, the lengths differ, q ∉ (0, 1) or a value is not finite
 */
export function quantileLineFit(
  xRaw: Float64Array,
  y: Float64Array,
  q: number,
): { a: number; b: number; loss: number } {
  const n = xRaw.length;
  if (n === 0 || y.length !== n || !(q > 0 && q < 1)) {
    throw new ProteinError("quantileLineFit: needs n ≥ 1 points, equal-length x and y, and 0 < q < 1", {
      value: { x: n, y: y.length, q },
    });
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(xRaw[i]) || !Number.isFinite(y[i])) {
      throw new ProteinError("quantileLineFit: x and y must be finite", {
        value: { index: i, x: xRaw[i], y: y[i] },
        fix: "drop non-finite observations first (fitQuantileLogCost does)",
      });
    }
  }
  const scratch = new Float64Array(n);
  // Work on x centred at its midrange c: y ≈ a_c + b·(x − c), a = a_c − b·c. The same problem,
  // but residuals no longer cancel when b is large and the x are close together.
  let xMin = Number.POSITIVE_INFINITY;
  let xMax = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    if (xRaw[i] < xMin) xMin = xRaw[i];
    if (xRaw[i] > xMax) xMax = xRaw[i];
  }
  const center = 0.5 * (xMin + xMax);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = xRaw[i] - center;
  // Upper bound B: max slope between consecutive distinct-x groups (any pair's slope is a
  // weighted mean of consecutive ones, so no vertex is steeper).
  const idx = Array.from({ length: n }, (_, i) => i).sort((i, j) => x[i] - x[j]);
  let maxSlope = 0;
  let prevX = Number.NaN;
  let prevMinY = 0;
  for (let g = 0; g < n; ) {
    const gx = x[idx[g]];
    let gMin = y[idx[g]];
    let gMax = y[idx[g]];
    let h = g + 1;
    while (h < n && x[idx[h]] === gx) {
      const v = y[idx[h]];
      if (v < gMin) gMin = v;
      if (v > gMax) gMax = v;
      h++;
    }
    if (!Number.isNaN(prevX)) {
      const s = (gMax - prevMinY) / (gx - prevX);
      if (s > maxSlope) maxSlope = s;
    }
    prevX = gx;
    prevMinY = gMin;
    g = h;
  }

  // Golden-section search of the convex profile F(b) on [0, maxSlope]. Near-equal x (relative
  // spacing near machine epsilon) make maxSlope huge; the search still converges because each
  // step shrinks the bracket by 0.618 (≈ 75 steps per 10¹⁶ of range). An infinite bound (x
  // spacing in the subnormal range) is capped, and such slopes are not resolved.
  let lo = 0;
  let hi = Number.isFinite(maxSlope) ? maxSlope : 1e300;
  const invPhi = (Math.sqrt(5) - 1) / 2;
  let m1 = hi - invPhi * (hi - lo);
  let m2 = lo + invPhi * (hi - lo);
  let f1 = profileLoss(x, y, q, m1, scratch).loss;
  let f2 = profileLoss(x, y, q, m2, scratch).loss;
  for (let iter = 0; iter < 400 && hi - lo > 1e-15 * Math.max(1, hi); iter++) {
    if (f1 <= f2) {
      hi = m2;
      m2 = m1;
      f2 = f1;
      m1 = hi - invPhi * (hi - lo);
      f1 = profileLoss(x, y, q, m1, scratch).loss;
    } else {
      lo = m1;
      m1 = m2;
      f1 = f2;
      m2 = lo + invPhi * (hi - lo);
      f2 = profileLoss(x, y, q, m2, scratch).loss;
    }
  }

  // Candidates: the bracket's ends and midpoint, b = 0, and the breakpoints nearest the bracket
  // among slopes through the point that sets the intercept at the midpoint.
  const mid = 0.5 * (lo + hi);
  const atMid = profileLoss(x, y, q, mid, scratch);
  let pivot = 0;
  let closest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(y[i] - mid * x[i] - atMid.a);
    if (d < closest) {
      closest = d;
      pivot = i;
    }
  }
  let below = Number.NEGATIVE_INFINITY;
  let above = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    if (x[i] === x[pivot]) continue;
    const s = (y[i] - y[pivot]) / (x[i] - x[pivot]);
    if (s < 0) continue;
    if (s <= mid && s > below) below = s;
    if (s >= mid && s < above) above = s;
  }
  const candidates = [0, lo, hi, mid, below, above];
  let bestB = 0;
  let bestA = 0;
  let bestLoss = Number.POSITIVE_INFINITY;
  for (const b of candidates) {
    if (!(b >= 0) || !Number.isFinite(b)) continue;
    const r = profileLoss(x, y, q, b, scratch);
    if (r.loss < bestLoss) {
      bestLoss = r.loss;
      bestA = r.a;
      bestB = b;
    }
  }
  return { a: bestA - bestB * center, b: bestB, loss: bestLoss };
}

/**
 * PufferLib's minimum cost before a run may be stopped: fraction·U + absolute
 * (`get_threshold`: 0.3·U + 10).
 *
 * @param upperCostThreshold U, the cost of the pruned front's most expensive point
 * @param fraction @default 0.3
 * @param absolute @default 10 (in cost units; PufferLib measures cost in seconds)
 */
export function earlyStopMinCost(upperCostThreshold: number, fraction = 0.3, absolute = 10): number {
  return upperCostThreshold * fraction + absolute;
}

/**
 * PufferLib's slow update of U after each suggest: take the pruned front's max cost the first
 * time, afterwards grow by 1% per call while below it (never shrink).
 *
 * @param previous the current U, or null before the first update
 * @param prunedFrontMaxCost cost of the most expensive point of the pruned Pareto front
 */
export function nextUpperCostThreshold(previous: number | null, prunedFrontMaxCost: number): number {
  if (previous === null || !(previous >= 0)) return prunedFrontMaxCost;
  return previous < prunedFrontMaxCost ? previous * 1.01 : previous;
}

/** Inputs of {@link earlyStopDecision} besides the run's score and cost. */
export interface EarlyStopOptions {
  /** Runs are never stopped below this cost (see {@link earlyStopMinCost}). */
  readonly minCost: number;
  /** U: beyond `lateCostFactor`·U a run must come close to the best score. */
  readonly maxCostThreshold: number;
  /** Best raw score observed so far (in the goal's direction). */
  readonly bestScore: number;
  /** The goal; must match the model's. */
  readonly goal: Goal;
  /** @default 1.2 (PufferLib) */
  readonly lateCostFactor?: number;
  /** A late run must reach s′_best − (1 − lateScoreFraction)·|s′_best|. @default 0.9 (PufferLib) */
  readonly lateScoreFraction?: number;
}

/** Outcome of {@link earlyStopDecision}. */
export interface EarlyStopDecision {
  /** True: stop the run. */
  readonly stop: boolean;
  /**
   * The score the run had to reach, in RAW units (for "minimize" the run must stay at or below
   * it); −∞ (maximize) / +∞ (minimize) when no rule applies.
   */
  readonly threshold: number;
  /** Which rule decided. */
  readonly rule: "no-model" | "invalid" | "below-min-cost" | "late" | "quantile";
}

/**
 * Whether to stop a running trial now, with the threshold and the rule that decided (see the
 * module notes). A NaN score, or a cost that is NaN or ≤ 0, never stops a run (rule "invalid"):
 * PufferLib stops NaN losses elsewhere.
 *
 * @param score the run's current raw score (e.g. a running mean of the metric)
 * @param cost the run's cost so far (same units as the model's costs)
 * @param model the fit from {@link fitQuantileLogCost}, or null
 * @throws {ProteinError} when the model was fitted for the other goal
 */
export function earlyStopDecision(
  score: number,
  cost: number,
  model: LogCostQuantileModel | null,
  options: EarlyStopOptions,
): EarlyStopDecision {
  const dir = goalDirection(options.goal);
  const never = dir > 0 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (model === null) return { stop: false, threshold: never, rule: "no-model" };
  if (model.goal !== options.goal) {
    throw new ProteinError("early stopping: the model was fitted for the other goal", {
      key: "goal",
      value: options.goal,
      allowed: `"${model.goal}" (the goal passed to fitQuantileLogCost)`,
      fix: "fit and query the early-stopping model with the same goal",
    });
  }
  if (Number.isNaN(score) || !(cost > 0)) return { stop: false, threshold: never, rule: "invalid" };
  if (cost < options.minCost) return { stop: false, threshold: never, rule: "below-min-cost" };
  const adjusted = dir * score;
  const lateFactor = options.lateCostFactor ?? 1.2;
  if (cost > lateFactor * options.maxCostThreshold) {
    const best = dir * options.bestScore;
    const required = best - (1 - (options.lateScoreFraction ?? 0.9)) * Math.abs(best);
    return { stop: adjusted < required, threshold: dir * required, rule: "late" };
  }
  const line = model.a + model.b * Math.log(cost);
  return { stop: adjusted < line, threshold: dir * line, rule: "quantile" };
}

/**
 * Boolean form of {@link earlyStopDecision}: true when the run should be stopped.
 *
 * @throws {ProteinError} when the model was fitted for the other goal
 * @example shouldStopRun(0.2, 900, model, { minCost: 100, maxCostThreshold: 1000, bestScore: 0.9, goal: "maximize" })
 */
export function shouldStopRun(
  score: number,
  cost: number,
  model: LogCostQuantileModel | null,
  options: EarlyStopOptions,
): boolean {
  return earlyStopDecision(score, cost, model, options).stop;
}
