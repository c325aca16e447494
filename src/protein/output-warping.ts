/**
 * Output warping: a monotone increasing transform T of the model scores (s, "larger is better", the sweep's
 * direction already applied) before the score GP sees them, and the choice of T per fit.
 *
 * The transforms (every one is increasing in s, so the order of the scores, the incumbent and the front are kept):
 *   identity     T(s) = s
 *   log          T(s) = σ · log(x),             x = σ·s − m + δ > 0
 *   box-cox      T(s) = σ · BC_λ(x),            BC_λ(x) = (x^λ − 1)/λ (log x at λ = 0), λ by maximum likelihood
 *   yeo-johnson  T(s) = −YJ_λ(−s / sd(s)),      YJ as Yeo & Johnson (2000), λ by maximum likelihood
 * The orientation σ is always −1: x = (best − s) + δ, the gap to the best score plus δ, so the bad tail (a loss that
 * explodes far from its optimum) is compressed and the good end keeps its resolution. (The gap to the worst, σ = +1,
 * would compress the good end, where the optimum is; the field is kept so that a stored warp says what it is.)
 * m is the smallest σ·s and δ the gap between it and the third smallest, so the best point is never an isolated
 * outlier after the log; δ is floored at `deltaFloor` (the surrogate passes the observation noise it fitted at the
 * top of the scores, so a noisy best is not stretched over the top of the target range) and at 1e-9 of the spread. λ of Box–Cox comes from its profile likelihood of the
 * scores as an i.i.d. sample (scipy's `boxcox_normmax(method="mle")`); Yeo–Johnson works on the scores divided by
 * their standard deviation, as HEBO does with its losses (−s is the loss-like direction, so the bad tail is again
 * the one it compresses).
 *
 * The choice ("auto"): only when the gaps to the best look log-normal rather than normal (their Box–Cox profile
 * likelihood larger at λ = 0 than at λ = 1: a long bad tail, what a warp is for; otherwise identity, no comparison),
 * each candidate (identity, log, and the fitted Box–Cox when 0.1 ≤ |λ| and λ ≤ 0.9, so that it compresses the bad
 * tail and is not the log again) gets its own GP fit, and the one with the largest log marginal likelihood of the original scores wins: the
 * GP's fitted objective (LML + hyperparameter log-priors) on the warped, min–max scaled targets, plus the
 * log-Jacobian Σ log T'(sᵢ) − n log(span), minus 1 nat per fitted transform parameter (λ). Without the Jacobian,
 * a transform that squeezes the scores would always look better; with it, every candidate is a density of the
 * same raw scores and the likelihoods compare.
 */

/** The transforms. */
export const OUTPUT_WARPINGS = ["none", "auto", "log", "box-cox", "yeo-johnson"] as const;
export type OutputWarpingSetting = (typeof OUTPUT_WARPINGS)[number];
export type OutputWarpKind = "identity" | "log" | "box-cox" | "yeo-johnson";

/** A fitted transform of the model scores. */
export interface OutputWarp {
  kind: OutputWarpKind;
  /** Power of Box–Cox or Yeo–Johnson (0 for log, 1 for identity). */
  lambda: number;
  /** −1: x is the gap to the best score (compresses the bad tail), what every fitted warp uses; +1 (the gap to the worst) is not produced. */
  orientation: 1 | -1;
  /** m − δ: x = orientation·s − offset. */
  offset: number;
  /** Yeo–Johnson: the scores are divided by this first. */
  scale: number;
}

export const IDENTITY_WARP: Readonly<OutputWarp> = Object.freeze({ kind: "identity", lambda: 1, orientation: 1, offset: 0, scale: 1 });

/** Largest Box–Cox λ "auto" offers (λ ≥ 1 would not compress the bad tail; 0.9 keeps it apart from identity). */
const AUTO_MAX_LAMBDA = 0.9;

/** Range searched for λ (scipy brackets (−2, 2) and searches unbounded; its λ lies inside this range on every fixture). */
const LAMBDA_RANGE: readonly [number, number] = [-10, 10];

/** Box–Cox of x > 0: (x^λ − 1)/λ, log x at λ = 0 (via expm1, exact near 0). */
export function boxCox(x: number, lambda: number): number {
  const lx = Math.log(x);
  if (Math.abs(lambda) < 1e-12) return lx;
  return Math.expm1(lambda * lx) / lambda;
}

/** Inverse of {@link boxCox}; values outside its image are taken to its edge (0 or +∞ of x). */
export function boxCoxInverse(t: number, lambda: number): number {
  if (Math.abs(lambda) < 1e-12) return Math.exp(t);
  const u = lambda * t;
  if (u <= -1) return lambda > 0 ? 0 : Number.POSITIVE_INFINITY;
  return Math.exp(Math.log1p(u) / lambda);
}

/** d/dx BC_λ(x) = x^(λ−1). */
export function boxCoxDerivative(x: number, lambda: number): number {
  return Math.exp((lambda - 1) * Math.log(x));
}

/** Yeo–Johnson of any real v. */
export function yeoJohnson(v: number, lambda: number): number {
  if (v >= 0) return Math.abs(lambda) < 1e-12 ? Math.log1p(v) : Math.expm1(lambda * Math.log1p(v)) / lambda;
  const l2 = 2 - lambda;
  return Math.abs(l2) < 1e-12 ? -Math.log1p(-v) : -Math.expm1(l2 * Math.log1p(-v)) / l2;
}

/** Inverse of {@link yeoJohnson} (values outside its image go to its edge). */
export function yeoJohnsonInverse(t: number, lambda: number): number {
  if (t >= 0) {
    if (Math.abs(lambda) < 1e-12) return Math.expm1(t);
    const u = lambda * t;
    if (u <= -1) return Number.POSITIVE_INFINITY;
    return Math.expm1(Math.log1p(u) / lambda);
  }
  const l2 = 2 - lambda;
  if (Math.abs(l2) < 1e-12) return -Math.expm1(-t);
  const u = -l2 * t;
  if (u <= -1) return Number.NEGATIVE_INFINITY;
  return -Math.expm1(Math.log1p(u) / l2);
}

/** d/dv YJ_λ(v) = (1 + |v|)^(±(λ−1)). */
export function yeoJohnsonDerivative(v: number, lambda: number): number {
  return v >= 0 ? Math.exp((lambda - 1) * Math.log1p(v)) : Math.exp((1 - lambda) * Math.log1p(-v));
}

/** Variance (divisor n) of f(values), two-pass. */
function varianceOf(values: ArrayLike<number>, f: (v: number) => number): number {
  const n = values.length;
  const t = new Float64Array(n);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += t[i] = f(values[i]);
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (t[i] - mean) * (t[i] - mean);
  return ss / n;
}

/**
 * Box–Cox profile log-likelihood of positive x at λ (scipy's `boxcox_llf`): −n/2 log σ̂² + (λ − 1) Σ log x.
 * σ̂² = var(x^λ)/λ² is taken in log space, as var(exp(uᵢ − max u))·exp(2 max u)/λ² with uᵢ = λ log xᵢ, once the
 * x^λ span more than a factor e: computed directly, (x^λ − 1)/λ of widely spread x and a large |λ| round to the same
 * value (all x^λ underflow next to 1), σ̂² to 0 and the likelihood to +∞, and λ̂ fell back to 1.
 */
export function boxCoxLogLikelihood(x: ArrayLike<number>, lambda: number): number {
  const n = x.length;
  let sumLog = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const lx = Math.log(x[i]);
    sumLog += lx;
    if (lx < lo) lo = lx;
    if (lx > hi) hi = lx;
  }
  let logVariance: number;
  if (Math.abs(lambda) * (hi - lo) <= 1) {
    logVariance = Math.log(varianceOf(x, (xi) => boxCox(xi, lambda)));
  } else {
    const top = lambda > 0 ? lambda * hi : lambda * lo;
    logVariance = Math.log(varianceOf(x, (xi) => Math.exp(lambda * Math.log(xi) - top))) + 2 * top - 2 * Math.log(Math.abs(lambda));
  }
  const llf = (lambda - 1) * sumLog - (n / 2) * logVariance;
  // Equal x (no spread): no λ is identified.
  return Number.isNaN(llf) || llf === Number.POSITIVE_INFINITY ? Number.NEGATIVE_INFINITY : llf;
}

/** Yeo–Johnson profile log-likelihood (scipy's `yeojohnson_llf`): −n/2 log σ̂² + (λ − 1) Σ sign(v) log(1 + |v|). */
export function yeoJohnsonLogLikelihood(v: ArrayLike<number>, lambda: number): number {
  const n = v.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.sign(v[i]) * Math.log1p(Math.abs(v[i]));
  const variance = varianceOf(v, (vi) => yeoJohnson(vi, lambda));
  return (lambda - 1) * s - (n / 2) * Math.log(variance);
}

/** Maximizes a smooth function of one variable on [a, b]: a grid of 49 points, then golden-section search. */
function maximize1d(f: (x: number) => number, a: number, b: number): { x: number; f: number } {
  const grid = 48;
  let bestI = 0;
  let bestF = Number.NEGATIVE_INFINITY;
  const values: number[] = [];
  for (let i = 0; i <= grid; i++) {
    const v = f(a + ((b - a) * i) / grid);
    values.push(v);
    if (v > bestF) {
      bestF = v;
      bestI = i;
    }
  }
  if (!Number.isFinite(bestF)) return { x: 1, f: Number.NEGATIVE_INFINITY };
  let lo = a + ((b - a) * Math.max(0, bestI - 1)) / grid;
  let hi = a + ((b - a) * Math.min(grid, bestI + 1)) / grid;
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - g * (hi - lo);
  let x2 = lo + g * (hi - lo);
  let f1 = f(x1);
  let f2 = f(x2);
  for (let it = 0; it < 200 && hi - lo > 1e-11 * Math.max(1, Math.abs(lo)); it++) {
    if (f1 >= f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - g * (hi - lo);
      f1 = f(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + g * (hi - lo);
      f2 = f(x2);
    }
  }
  const x = (lo + hi) / 2;
  const fx = f(x);
  return fx >= bestF ? { x, f: fx } : { x: a + ((b - a) * bestI) / grid, f: bestF };
}

/** Maximum-likelihood λ of Box–Cox for positive data (what scipy.stats.boxcox returns). */
export function boxCoxLambda(x: ArrayLike<number>): { lambda: number; logLikelihood: number } {
  const r = maximize1d((l) => boxCoxLogLikelihood(x, l), LAMBDA_RANGE[0], LAMBDA_RANGE[1]);
  return { lambda: r.x, logLikelihood: r.f };
}

/** Maximum-likelihood λ of Yeo–Johnson (what scipy.stats.yeojohnson returns). */
export function yeoJohnsonLambda(v: ArrayLike<number>): { lambda: number; logLikelihood: number } {
  const r = maximize1d((l) => yeoJohnsonLogLikelihood(v, l), LAMBDA_RANGE[0], LAMBDA_RANGE[1]);
  return { lambda: r.x, logLikelihood: r.f };
}

/** The shifted positive values x = σ·s − offset of one orientation (see the file header), and the offset. */
function shifted(s: ArrayLike<number>, orientation: 1 | -1, deltaFloor: number): { x: Float64Array; offset: number } {
  const v = Float64Array.from(s, (si) => orientation * si).sort();
  const n = v.length;
  const spread = v[n - 1] - v[0];
  const third = v[Math.min(2, n - 1)];
  const delta = Math.max(third - v[0], deltaFloor, 1e-9 * Math.max(spread, Math.abs(v[0]), 1e-300));
  const offset = v[0] - delta;
  return { x: Float64Array.from(s, (si) => orientation * si - offset), offset };
}

/** Standard deviation (divisor n), or 1 when the values do not vary. */
function sdOf(s: ArrayLike<number>): number {
  const sd = Math.sqrt(varianceOf(s, (v) => v));
  return sd > 0 && Number.isFinite(sd) ? sd : 1;
}

/** The transforms to compare for one setting, and the Box–Cox λ that fits the gaps to the best (see {@link warpChoiceSet}). */
export interface WarpChoiceSet {
  candidates: OutputWarp[];
  /** Log, Box–Cox and "auto": the maximum-likelihood Box–Cox λ of the gaps to the best score (below 1: a long bad tail). */
  gapLambda?: number;
}

/**
 * The transforms to compare for one setting, fitted to the scores s (the successes, "larger is better"). A fixed
 * setting gives one; "auto" gives identity, log and (when 0.1 ≤ |λ| and λ ≤ 0.9) Box–Cox, all on the gap to the best,
 * when the gaps look log-normal, else identity only. Fewer than 3 distinct scores, or a spread that overflows:
 * identity only.
 */
export function warpCandidates(setting: OutputWarpingSetting, s: ArrayLike<number>, deltaFloor = 0): OutputWarp[] {
  return warpChoiceSet(setting, s, deltaFloor).candidates;
}

/**
 * {@link warpCandidates} with the Box–Cox λ of the gaps it was decided on. `logNormalGaps` (default true): "auto"
 * offers a warp only when the gaps to the best look log-normal rather than normal; false skips that test (the
 * surrogate between two refits, where the last choice is kept).
 */
export function warpChoiceSet(setting: OutputWarpingSetting, s: ArrayLike<number>, deltaFloor = 0, logNormalGaps = true): WarpChoiceSet {
  const identityOnly = { candidates: [{ ...IDENTITY_WARP }] };
  if (setting === "none") return identityOnly;
  const n = s.length;
  let distinct = 0;
  const sorted = Float64Array.from(s).sort();
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
  if (distinct < 3) return identityOnly;
  // Scores whose spread overflows (finite scores near ±1.7e308): no shift or scale is representable.
  if (!Number.isFinite(sorted[n - 1] - sorted[0]) || !Number.isFinite(Math.sqrt(varianceOf(s, (v) => v)))) return identityOnly;
  if (setting === "yeo-johnson") {
    const scale = sdOf(s);
    const v = Float64Array.from(s, (si) => -si / scale);
    return { candidates: [{ kind: "yeo-johnson", lambda: yeoJohnsonLambda(v).lambda, orientation: -1, offset: 0, scale }] };
  }
  // Only the gap to the best score is transformed (orientation −1): the bad tail is compressed and the good end,
  // where the optimum is, keeps its resolution. The gap to the worst (+1) would do the opposite; the Box–Cox
  // profile likelihood sometimes prefers it (it makes the scores look more Gaussian), which is not what the
  // search needs (docs/benchmarks.md, issue 14 round 3).
  const lower = shifted(s, -1, Number.isFinite(deltaFloor) && deltaFloor > 0 ? deltaFloor : 0);
  const orientation = -1 as const;
  const { lambda } = boxCoxLambda(lower.x);
  const log: OutputWarp = { kind: "log", lambda: 0, orientation, offset: lower.offset, scale: 1 };
  const power: OutputWarp = { kind: "box-cox", lambda, orientation, offset: lower.offset, scale: 1 };
  if (setting === "log") return { candidates: [log], gapLambda: lambda };
  if (setting === "box-cox") return { candidates: [power], gapLambda: lambda };
  // "auto" warps only gaps that look log-normal rather than normal (their Box–Cox profile likelihood larger at λ = 0
  // than at λ = 1): a long bad tail, what a warp is for. Bounded scores with most runs near the bad end (a reward
  // near 0 for most settings, plus noise) have gaps piled up at their largest value; the log of such gaps leaves the
  // bulk nearly constant, which the GP's likelihood rewards, and turns the few noisy good runs into a long tail of
  // the targets (docs/benchmarks.md, issue 14 round 4).
  if (logNormalGaps && !(boxCoxLogLikelihood(lower.x, 0) > boxCoxLogLikelihood(lower.x, 1))) return { candidates: [{ ...IDENTITY_WARP }], gapLambda: lambda };
  const out: OutputWarp[] = [{ ...IDENTITY_WARP }, log];
  // "auto" offers Box–Cox only where it compresses the bad tail more than identity does (λ < 1) and is not the
  // log already (|λ| ≥ 0.1): with λ > 1 it would stretch the bad tail instead.
  if (Math.abs(lambda) >= 0.1 && lambda <= AUTO_MAX_LAMBDA) out.push(power);
  return { candidates: out, gapLambda: lambda };
}

/** T(s). */
export function warpForward(w: Readonly<OutputWarp>, s: number): number {
  switch (w.kind) {
    case "identity":
      return s;
    case "log":
    case "box-cox": {
      const x = Math.max(w.orientation * s - w.offset, Number.MIN_VALUE);
      return w.orientation * boxCox(x, w.lambda);
    }
    case "yeo-johnson":
      return -yeoJohnson(-s / w.scale, w.lambda);
  }
}

/** T'(s) > 0. */
export function warpDerivative(w: Readonly<OutputWarp>, s: number): number {
  switch (w.kind) {
    case "identity":
      return 1;
    case "log":
    case "box-cox":
      return boxCoxDerivative(Math.max(w.orientation * s - w.offset, Number.MIN_VALUE), w.lambda);
    case "yeo-johnson":
      return yeoJohnsonDerivative(-s / w.scale, w.lambda) / w.scale;
  }
}

/** T⁻¹(t): the score whose transform is t; beyond the image of T, the score at its edge (possibly ±∞, clamped to ±MAX_VALUE). */
export function warpInverse(w: Readonly<OutputWarp>, t: number): number {
  let s: number;
  switch (w.kind) {
    case "identity":
      return t;
    case "log":
    case "box-cox":
      s = w.orientation * (boxCoxInverse(w.orientation * t, w.lambda) + w.offset);
      break;
    case "yeo-johnson":
      s = -w.scale * yeoJohnsonInverse(-t, w.lambda);
      break;
  }
  return Math.min(Number.MAX_VALUE, Math.max(-Number.MAX_VALUE, s));
}

/** Σ log T'(sᵢ) over the values. */
export function warpLogJacobian(w: Readonly<OutputWarp>, s: ArrayLike<number>): number {
  if (w.kind === "identity") return 0;
  let total = 0;
  for (let i = 0; i < s.length; i++) total += Math.log(warpDerivative(w, s[i]));
  return total;
}

/** Fitted transform parameters, counted against a candidate in the choice (1 nat each, as AIC does). */
export function warpParameterCount(w: Readonly<OutputWarp>): number {
  return w.kind === "box-cox" || w.kind === "yeo-johnson" ? 1 : 0;
}

/** What `info.outputWarping` reports. */
export interface OutputWarpingInfo {
  /** The setting in force. */
  setting: OutputWarpingSetting;
  /** The transform the score GP was fitted on. */
  kind: OutputWarpKind;
  /** λ of Box–Cox or Yeo–Johnson (0 for log, 1 for identity). */
  lambda: number;
  /** "lower": the gap to the best score is transformed (the bad tail compressed), the one orientation fitted; "upper" (the gap to the worst) is never produced. */
  orientation?: "lower" | "upper";
  /** Log and Box–Cox: δ's floor in force, the noise standard deviation fitted at the top of the scores (raw units); absent when no noise was detected. δ is the larger of it and the gap from the best to the third best. */
  noiseFloor?: number;
  /** Log, Box–Cox and "auto": the maximum-likelihood Box–Cox λ of the gaps to the best score at this fit (below 1: the gaps have a long bad tail). */
  gapLambda?: number;
  /** Score of each transform compared at the last choice (log-likelihood of the raw scores, nats), when "auto" compared several. */
  criteria?: Partial<Record<OutputWarpKind, number>>;
}
