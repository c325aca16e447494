/**
 * Scalar special functions that stay finite and accurate where the naive formula
 * underflows, overflows or cancels. Every acquisition uses these instead of ad-hoc
 * `Math.max(x, 1e-300)` guards.
 *
 * Glossary
 *   z, u   standard-normal argument (dimensionless)
 *   x      |z| when z < 0 (the depth into the lower tail)
 *   φ(z)   standard normal density  exp(−z²/2) / √(2π)
 *   Φ(z)   standard normal CDF      ½·erfc(−z/√2)
 *   R(x)   Mills ratio Φ(−x)/φ(x) for x > 0; R(x) ~ (1/x)·Σ_k (−1)^k (2k−1)!! / x^{2k}
 *   h(u)   φ(u) + u·Φ(u) = E[max(Z + u, 0)], the expected improvement of N(u, 1) over 0
 *
 * Accuracy (checked against test/fixtures/acquisition-special.json in
 * test/acquisition/safe-math.test.ts, tolerance 1e-12 relative; measured worst case in brackets):
 *   - `logNormalCdf` over z ∈ [−40, 10] vs `scipy.special.log_ndtr` [1.6e-14];
 *   - `logStandardEi` over u ∈ [−40, 10] vs a 60-digit mpmath evaluation [2.1e-14].
 *     The weakest region is u ∈ (−10, −1], where w = 1 − x·R(x) is formed by subtraction
 *     (relative error of w up to about x⁴·ε ≈ 1e-12 at x = 10, i.e. ≈ 1e-12 absolute in log h).
 *   Below z = −10 both use the asymptotic series of the Mills ratio, whose truncation error
 *   is below the first omitted term (< 1e-17 relative for x ≥ 10 with ≤ 60 terms).
 */

import normalCdfStdlib from "@stdlib/stats-base-dists-normal-cdf";

/** 1/√(2π). */
const INV_SQRT_2PI = 0.3989422804014327;
/** ½·ln(2π). */
const HALF_LOG_2PI = 0.9189385332046728;
/** ln 2. */
const LN2 = 0.6931471805599453;
/** Below this z (i.e. x = −z ≥ 10) the Mills-ratio asymptotic series is used. */
const ASYMPTOTIC_Z = -10;
/** Largest argument of Math.exp that does not overflow (exp(709.78) ≈ 1.8e308). */
const EXP_MAX = 709.782712893384;
/** An argument of Math.exp whose result is the smallest subnormal, 5e-324 (not 0). */
const EXP_MIN = -745.13;

/**
 * log(1 − eˣ) for x ≤ 0, accurate for every x (Mächler 2012: expm1 branch near 0,
 * log1p branch far from 0).
 *
 * @returns −∞ at x = 0, NaN for x > 0 or NaN.
 * @example log1mexp(-1e-20) // ≈ −46.05 (log(1e-20))
 */
export function log1mexp(x: number): number {
  if (!(x <= 0)) return Number.NaN;
  return x > -LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
}

/**
 * log(1 + eˣ), without overflow for large x and without losing eˣ for very negative x.
 * @example log1pexp(1000) // 1000
 */
export function log1pexp(x: number): number {
  if (x <= -37) return Math.exp(x);
  if (x <= 18) return Math.log1p(Math.exp(x));
  if (x <= 33.3) return x + Math.exp(-x);
  return x;
}

/**
 * softplus(x) = log(1 + eˣ); alias of {@link log1pexp}, named for its use as a
 * positivity constraint (`value = softplus(raw) + floor`).
 */
export function softplus(x: number): number {
  return log1pexp(x);
}

/**
 * Inverse of {@link softplus}: the raw value r with softplus(r) = y, for y > 0.
 * Computed as y + log(−expm1(−y)) so that it is exact for large y and small y alike.
 * @returns NaN for y ≤ 0 or NaN.
 */
export function softplusInverse(y: number): number {
  if (!(y > 0)) return Number.NaN;
  if (y > 33.3) return y;
  return y + Math.log(-Math.expm1(-y));
}

/**
 * Logistic sigmoid 1/(1 + e^{−x}), evaluated without overflow on either side.
 */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * logit(p) = log(p/(1 − p)), with p clamped into [eps, 1 − eps] first so that 0 and 1 map
 * to finite values (PufferLib's percentile transform uses eps = 1e-9).
 *
 * @param eps clamp margin, @default 1e-9
 * @returns NaN for NaN input.
 */
export function logit(p: number, eps = 1e-9): number {
  if (Number.isNaN(p)) return Number.NaN;
  const q = p < eps ? eps : p > 1 - eps ? 1 - eps : p;
  return Math.log(q) - Math.log1p(-q);
}

/**
 * exp(x) with x clamped into [lo, hi] first, so a model that extrapolates cannot
 * produce Infinity (or a silent 0). NaN stays NaN.
 *
 * @param lo lower clamp, @default −745.13 (exp(−745.13) = 5e-324 > 0)
 * @param hi upper clamp, @default 709.78 (largest x with finite exp(x))
 */
export function clippedExp(x: number, lo = EXP_MIN, hi = EXP_MAX): number {
  if (Number.isNaN(x)) return Number.NaN;
  return Math.exp(x < lo ? lo : x > hi ? hi : x);
}

/**
 * log(max(x, floor)): a logarithm that never returns −∞ for x ≥ 0 (or below).
 * NaN stays NaN.
 *
 * @param floor smallest argument passed to log, @default Number.MIN_VALUE (5e-324, log ≈ −744.4)
 */
export function safeLog(x: number, floor = Number.MIN_VALUE): number {
  if (Number.isNaN(x)) return Number.NaN;
  return Math.log(x < floor ? floor : x);
}

/** Standard normal density φ(z) = exp(−z²/2)/√(2π). */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) * INV_SQRT_2PI;
}

/** log φ(z) = −z²/2 − ½·log(2π); exact for every finite z. */
export function logNormalPdf(z: number): number {
  return -0.5 * z * z - HALF_LOG_2PI;
}

/**
 * Standard normal CDF Φ(z) = ½·erfc(−z/√2) (stdlib's erfc: relative accuracy is kept
 * in the lower tail until Φ underflows near z = −38.5).
 */
export function normalCdf(z: number): number {
  return normalCdfStdlib(z, 0, 1);
}

/**
 * Σ_{k≥0} t_k with t_0 = 1, t_k = −t_{k−1}·(2k − 1 + shift)/x², minus the leading 1.
 * shift = 0 gives S(x) − 1 where x·R(x) = S(x) (Mills-ratio series);
 * shift = 2 gives the bracket of w(x) = 1 − x·R(x) = x^{−2}·(1 − 3/x² + 15/x⁴ − …).
 * Valid (asymptotic) for x ≥ 10: terms shrink by ≥ 1/100·(2k+1) and the loop stops once a
 * term is below 1e-17 or starts to grow.
 */
function millsTailSeriesMinusOne(x: number, shift: number): number {
  const invX2 = 1 / (x * x);
  let term = 1;
  let sum = 0;
  for (let k = 1; k <= 60; k++) {
    const next = -term * (2 * k - 1 + shift) * invX2;
    if (Math.abs(next) >= Math.abs(term)) break; // asymptotic series starts to diverge
    term = next;
    sum += term;
    if (Math.abs(term) < 1e-17) break;
  }
  return sum;
}

/**
 * log Φ(z), accurate from z = −∞ to +∞ (compare `scipy.special.log_ndtr`).
 *
 * - z > 0: log1p(−Φ(−z)), so log Φ(z) ≈ −Φ(−z) keeps its digits for large z;
 * - −10 < z ≤ 0: log Φ(z) directly;
 * - z ≤ −10: log φ(z) − log x + log1p(S(x) − 1), x = −z, S the Mills-ratio series
 *   (Abramowitz & Stegun 26.2.12), which never underflows.
 *
 * @example logNormalCdf(-40) // ≈ −804.6084420137538
 */
export function logNormalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  if (z > 0) return Math.log1p(-normalCdf(-z));
  if (z > ASYMPTOTIC_Z) return Math.log(normalCdf(z));
  if (z === Number.NEGATIVE_INFINITY) return Number.NEGATIVE_INFINITY;
  const x = -z;
  return logNormalPdf(z) - Math.log(x) + Math.log1p(millsTailSeriesMinusOne(x, 0));
}

/**
 * log w(u), where w(u) = 1 − |u|·Φ(u)/φ(u) for u ≤ −1, so that h(u) = φ(u)·w(u).
 * Uses the series for u ≤ −10 (no cancellation), else w by subtraction.
 */
function logW(u: number): number {
  const x = -u;
  if (u <= ASYMPTOTIC_Z) {
    // w = x^{-2}·(1 − 3/x² + 15/x⁴ − …)
    return -2 * Math.log(x) + Math.log1p(millsTailSeriesMinusOne(x, 2));
  }
  // −10 < u ≤ −1: φ(u) ≥ 7.7e-23 and Φ(u) ≥ 7.6e-24, both normal numbers.
  const ratio = normalCdf(u) / normalPdf(u);
  return Math.log1p(-x * ratio);
}

/**
 * h(u) = φ(u) + u·Φ(u) = E[max(Z + u, 0)] for Z ~ N(0, 1): the expected improvement of a
 * unit-variance Gaussian whose mean exceeds the incumbent by u. Positive for all finite u,
 * increasing (h′ = Φ), h(u) → u as u → ∞; underflows to 0 below u ≈ −38.
 */
export function standardEi(u: number): number {
  if (Number.isNaN(u)) return Number.NaN;
  if (u > -1) {
    if (u === Number.POSITIVE_INFINITY) return u;
    return normalPdf(u) + u * normalCdf(u);
  }
  if (u === Number.NEGATIVE_INFINITY) return 0;
  return normalPdf(u) * Math.exp(logW(u));
}

/**
 * log h(u), finite for every finite u (BoTorch's `_log_ei_helper` idea: for u ≤ −1 write
 * h = φ(u)·(1 − |u|·Φ(u)/φ(u)) and take logs of each factor; below u = −10 the second
 * factor comes from the Mills-ratio series, so nothing cancels or underflows).
 *
 * @example logStandardEi(-40) // ≈ −807.98 (h itself underflows to 0 there)
 */
export function logStandardEi(u: number): number {
  if (Number.isNaN(u)) return Number.NaN;
  if (u > -1) {
    if (u === Number.POSITIVE_INFINITY) return u;
    return Math.log(normalPdf(u) + u * normalCdf(u));
  }
  if (u === Number.NEGATIVE_INFINITY) return u;
  return logNormalPdf(u) + logW(u);
}
