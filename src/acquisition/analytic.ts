/**
 * Analytic acquisitions on a Gaussian posterior: expected improvement (EI), its logarithm,
 * and the upper confidence bound (UCB). All are for MAXIMIZATION of direction-adjusted
 * values: for a "minimize" goal pass −mean and −best (the variance is unchanged).
 *
 * Glossary (n = number of candidates)
 *   mean      μ: n   posterior mean of the (direction-adjusted) objective per candidate
 *   variance  σ²: n  posterior variance per candidate (negative round-off is clamped to 0)
 *   best      f*     incumbent (direction-adjusted), e.g. the best observed value
 *   u         (μ − f*)/σ, the standardized improvement
 *   h(u)      φ(u) + u·Φ(u)  (see safe-math.ts)
 *
 *   EI     = E[max(f − f*, 0)] = σ·h(u)                     (Jones et al. 1998, eq. 15)
 *   log EI = log σ + log h(u)                               (Ament et al. 2023, "LogEI")
 *   UCB    = μ + β·σ                                        (Metta's convention: β scales σ,
 *            not √β as in Srinivas et al.; Metta's default β = 2)
 *
 * Degenerate inputs: σ² ≤ 0 (or so small that u overflows) gives the deterministic value
 * EI = max(μ − f*, 0), log EI = log max(μ − f*, 0) (−∞ when μ ≤ f*). NaN in any input
 * gives NaN for that candidate.
 */

import { ProteinError } from "../errors";
import { logStandardEi, standardEi } from "./safe-math";

function prepareOut(name: string, n: number, out: Float64Array | undefined): Float64Array {
  if (out === undefined) return new Float64Array(n);
  if (out.length !== n) {
    throw new ProteinError(`${name}: the output array has the wrong length`, {
      value: out.length,
      allowed: `length ${n} (the number of candidates)`,
      fix: "pass an out array with one entry per candidate, or omit it",
    });
  }
  return out;
}

function checkSameLength(name: string, mean: Float64Array, variance: Float64Array): void {
  if (mean.length !== variance.length) {
    throw new ProteinError(`${name}: mean and variance must have one entry per candidate`, {
      value: { mean: mean.length, variance: variance.length },
      fix: "pass arrays of equal length",
    });
  }
}

/**
 * Expected improvement over `best` of N(mean[i], variance[i]), for maximization.
 *
 * @param mean posterior means μ, length n (direction-adjusted: larger is better)
 * @param variance posterior variances σ², length n
 * @param best incumbent f* (direction-adjusted)
 * @param out optional output, length n; returned
 * @returns EI ≥ 0 per candidate (0 where it underflows, below u ≈ −38; use
 *   {@link logExpectedImprovement} to rank such candidates)
 * @throws {ProteinError} when the array lengths differ
 * @example expectedImprovement(new Float64Array([0]), new Float64Array([1]), 0) // [0.3989…]
 */
export function expectedImprovement(
  mean: Float64Array,
  variance: Float64Array,
  best: number,
  out?: Float64Array,
): Float64Array {
  checkSameLength("expectedImprovement", mean, variance);
  const n = mean.length;
  const result = prepareOut("expectedImprovement", n, out);
  for (let i = 0; i < n; i++) {
    const diff = mean[i] - best;
    const v = variance[i];
    const sigma = v > 0 ? Math.sqrt(v) : 0;
    const u = diff / sigma;
    if (sigma > 0 && Number.isFinite(u)) {
      result[i] = sigma * standardEi(u); // EI = σ·h(u)
    } else if (Number.isNaN(diff) || Number.isNaN(v)) {
      result[i] = Number.NaN;
    } else {
      result[i] = diff > 0 ? diff : 0; // σ = 0: deterministic improvement
    }
  }
  return result;
}

/**
 * log of {@link expectedImprovement}, finite wherever σ > 0 even when EI underflows to 0.
 *
 * @param mean posterior means μ, length n (direction-adjusted)
 * @param variance posterior variances σ², length n
 * @param best incumbent f* (direction-adjusted)
 * @param out optional output, length n; returned
 * @returns log EI per candidate; −∞ only where σ = 0 and μ ≤ f*
 * @throws {ProteinError} when the array lengths differ
 */
export function logExpectedImprovement(
  mean: Float64Array,
  variance: Float64Array,
  best: number,
  out?: Float64Array,
): Float64Array {
  checkSameLength("logExpectedImprovement", mean, variance);
  const n = mean.length;
  const result = prepareOut("logExpectedImprovement", n, out);
  for (let i = 0; i < n; i++) {
    const diff = mean[i] - best;
    const v = variance[i];
    const sigma = v > 0 ? Math.sqrt(v) : 0;
    const u = diff / sigma;
    if (sigma > 0 && Number.isFinite(u)) {
      result[i] = 0.5 * Math.log(v) + logStandardEi(u); // log EI = log σ + log h(u)
    } else if (Number.isNaN(diff) || Number.isNaN(v)) {
      result[i] = Number.NaN;
    } else {
      result[i] = diff > 0 ? Math.log(diff) : Number.NEGATIVE_INFINITY;
    }
  }
  return result;
}

/**
 * Upper confidence bound μ + β·σ (Metta's `_compute_ucb`: β multiplies the standard
 * deviation directly; its default β is 2). For maximization of direction-adjusted means.
 *
 * @param mean posterior means μ, length n (direction-adjusted)
 * @param variance posterior variances σ², length n (values ≤ 0 count as σ = 0)
 * @param beta exploration weight β ≥ 0
 * @param out optional output, length n; returned
 * @throws {ProteinError} when the array lengths differ or β is negative or not finite
 */
export function upperConfidenceBound(
  mean: Float64Array,
  variance: Float64Array,
  beta: number,
  out?: Float64Array,
): Float64Array {
  checkSameLength("upperConfidenceBound", mean, variance);
  if (!(beta >= 0) || !Number.isFinite(beta)) {
    throw new ProteinError("upperConfidenceBound: beta must be a finite number ≥ 0", {
      key: "ucb_beta",
      value: beta,
      allowed: "a finite number ≥ 0 (Metta's default is 2)",
      fix: "set ucb_beta to a non-negative number",
    });
  }
  const n = mean.length;
  const result = prepareOut("upperConfidenceBound", n, out);
  for (let i = 0; i < n; i++) {
    const v = variance[i];
    const sigma = v > 0 ? Math.sqrt(v) : Number.isNaN(v) ? Number.NaN : 0;
    result[i] = mean[i] + beta * sigma;
  }
  return result;
}
