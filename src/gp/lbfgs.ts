/**
 * Limited-memory BFGS minimizer with box bounds, for smooth objectives of a few dozen variables
 * (GP log-hyperparameters).
 *
 * Glossary:
 *   p          number of variables
 *   x, g       current point and gradient, length p
 *   lo, hi     box bounds (may be ±Infinity)
 *   P(·)       projection onto the box
 *   pg         projected gradient: g_i, or 0 where x_i sits on a bound and −g_i points out of the box
 *   (s_k, y_k) curvature pairs s = x_{k+1} − x_k, y = g_{k+1} − g_k, kept only when sᵀy > ε·yᵀy
 *   H          implicit inverse-Hessian approximation, applied by the two-loop recursion
 *              (Nocedal & Wright 2006, Algorithm 7.4), scaled by γ = sᵀy / yᵀy (eq. 7.20)
 *   φ(α)       f(x + α·d) along a descent direction d
 *
 * Bounds: variables on a bound whose gradient pushes outward are frozen for the iteration (their direction
 * component is set to 0); the step is capped at α_max, the largest step that stays in the box. The line search
 * is the strong-Wolfe search of Nocedal & Wright Algorithms 3.5 (bracketing) and 3.6 (zoom, with safeguarded
 * cubic interpolation); when the cap is reached while φ still decreases and satisfies the Armijo condition, the
 * step stops on the bound and that variable becomes active. A non-finite objective value (e.g. a failed
 * Cholesky factorization) counts as "too far": the search shrinks the step.
 */

/** Objective: returns f(x) and writes ∇f(x) into `grad`. May return a non-finite value to reject x. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

/** Options of {@link minimizeLbfgs}. */
export interface LbfgsOptions {
  /** Lower bounds, length p. @default all −Infinity */
  lower?: ArrayLike<number>;
  /** Upper bounds, length p. @default all +Infinity */
  upper?: ArrayLike<number>;
  /** Maximum number of iterations (line searches). @default 100 */
  maxIterations?: number;
  /** Maximum number of objective evaluations. @default 20 × maxIterations */
  maxEvaluations?: number;
  /** Number of curvature pairs kept. @default 10 */
  memory?: number;
  /** Stop when ‖pg‖∞ ≤ gtol. @default 1e-5 */
  gtol?: number;
  /** Stop when (f_k − f_{k+1}) ≤ ftol · max(|f_k|, |f_{k+1}|, 1) (as SciPy's L-BFGS-B `ftol`). @default 2.2e-9 */
  ftol?: number;
  /** Armijo constant c₁. @default 1e-4 */
  c1?: number;
  /** Curvature constant c₂. @default 0.9 */
  c2?: number;
  /**
   * Curvature pairs to start from and to update in place (warm start of the Hessian approximation, e.g. across
   * refits of slightly changed problems). Ignored when its size does not match p.
   */
  memoryState?: LbfgsMemory;
}

/** Stored curvature pairs of an L-BFGS run; see {@link createLbfgsMemory}. */
export interface LbfgsMemory {
  readonly p: number;
  readonly m: number;
  /** m×p row-major s vectors. */
  readonly S: Float64Array;
  /** m×p row-major y vectors. */
  readonly Y: Float64Array;
  /** 1/(sᵀy) per slot. */
  readonly rho: Float64Array;
  /** Number of valid pairs. */
  stored: number;
  /** Slot of the next pair (the newest is at head − 1). */
  head: number;
}

/**
 * Empty curvature memory for p variables and m pairs, to pass as `memoryState` to successive runs.
 * @param p number of variables
 * @param m number of pairs kept @default 10
 */
export function createLbfgsMemory(p: number, m = 10): LbfgsMemory {
  return { p, m, S: new Float64Array(m * p), Y: new Float64Array(m * p), rho: new Float64Array(m), stored: 0, head: 0 };
}

/** Result of {@link minimizeLbfgs}. */
export interface LbfgsResult {
  /** Best point found (inside the box). */
  x: Float64Array;
  /** f(x); non-finite only if the starting point was rejected. */
  f: number;
  /** ∇f(x). */
  grad: Float64Array;
  /** Iterations done. */
  iterations: number;
  /** Objective evaluations done. */
  evaluations: number;
  /** True when a gtol/ftol criterion was met. */
  converged: boolean;
  /** Why it stopped: "gtol", "ftol", "maxIterations", "maxEvaluations", "lineSearch", "nonFiniteStart". */
  reason: "gtol" | "ftol" | "maxIterations" | "maxEvaluations" | "lineSearch" | "nonFiniteStart";
}

/**
 * Minimizes `fun` from `x0` with L-BFGS inside a box.
 * @param fun objective writing its gradient; non-finite values reject a point
 * @param x0 starting point (projected onto the box first); not modified
 * @param options bounds, limits and tolerances
 * @returns the best point, which is never worse than the (projected) start
 * @example
 * const r = minimizeLbfgs((x, g) => { g[0] = 2 * (x[0] - 3); return (x[0] - 3) ** 2; }, Float64Array.of(0));
 * // r.x[0] ≈ 3
 */
export function minimizeLbfgs(fun: Objective, x0: ArrayLike<number>, options: LbfgsOptions = {}): LbfgsResult {
  const p = x0.length;
  const maxIter = options.maxIterations ?? 100;
  const maxEval = options.maxEvaluations ?? 20 * Math.max(maxIter, 1);
  const given = options.memoryState && options.memoryState.p === p ? options.memoryState : undefined;
  const mem = given ?? createLbfgsMemory(p, Math.max(1, options.memory ?? 10));
  const m = mem.m;
  const gtol = options.gtol ?? 1e-5;
  const ftol = options.ftol ?? 2.2e-9;
  const c1 = options.c1 ?? 1e-4;
  const c2 = options.c2 ?? 0.9;
  const lo = new Float64Array(p).fill(-Infinity);
  const hi = new Float64Array(p).fill(Infinity);
  if (options.lower) for (let i = 0; i < p; i++) lo[i] = options.lower[i];
  if (options.upper) for (let i = 0; i < p; i++) hi[i] = options.upper[i];

  // All scratch allocated once.
  const x = new Float64Array(p);
  const g = new Float64Array(p);
  const d = new Float64Array(p);
  const xt = new Float64Array(p); // trial point
  const gt = new Float64Array(p);
  const xl = new Float64Array(p); // α_lo point of the zoom
  const gl = new Float64Array(p);
  const S = mem.S;
  const Y = mem.Y;
  const rho = mem.rho;
  const alphaK = new Float64Array(m);
  let stored = mem.stored; // pairs kept
  let head = mem.head; // slot of the next pair

  for (let i = 0; i < p; i++) x[i] = Math.min(hi[i], Math.max(lo[i], x0[i]));
  let evals = 1;
  let f = fun(x, g);
  if (!Number.isFinite(f) || !allFinite(g)) {
    return { x, f, grad: g, iterations: 0, evaluations: evals, converged: false, reason: "nonFiniteStart" };
  }

  let fl = 0; // φ(α_lo)
  let dl = 0; // φ'(α_lo)
  let ft = 0; // φ(α) at the last trial
  let dt = 0;

  /** Evaluates φ and φ' at step α into xt/gt; returns false when the value is non-finite. */
  const trial = (alpha: number): boolean => {
    for (let i = 0; i < p; i++) {
      const v = x[i] + alpha * d[i];
      xt[i] = v < lo[i] ? lo[i] : v > hi[i] ? hi[i] : v;
    }
    evals++;
    ft = fun(xt, gt);
    if (!Number.isFinite(ft) || !allFinite(gt)) {
      ft = Infinity;
      return false;
    }
    let s = 0;
    for (let i = 0; i < p; i++) s += gt[i] * d[i];
    dt = s;
    return true;
  };
  const keepLo = (): void => {
    xl.set(xt);
    gl.set(gt);
    fl = ft;
    dl = dt;
  };

  /**
   * Strong-Wolfe line search (N&W Alg. 3.5/3.6) on [0, alphaMax]. On success xt/gt/ft hold the accepted point.
   */
  const lineSearch = (alpha0: number, alphaMax: number, f0: number, d0: number): boolean => {
    let aPrev = 0;
    let fPrev = f0;
    let dPrev = d0;
    let a = Math.min(alpha0, alphaMax);
    fl = f0;
    dl = d0;
    xl.set(x);
    gl.set(g);
    for (let i = 0; i < 40; i++) {
      if (evals >= maxEval) return false;
      const ok = trial(a);
      if (!ok || ft > f0 + c1 * a * d0 || (i > 0 && ft >= fPrev)) {
        return zoom(aPrev, fPrev, dPrev, a, ok ? ft : Infinity, ok ? dt : NaN, f0, d0);
      }
      if (Math.abs(dt) <= -c2 * d0) return true;
      if (dt >= 0) return zoom(a, ft, dt, aPrev, fPrev, dPrev, f0, d0, true);
      if (a >= alphaMax) return true; // stopped on the box boundary, still descending
      keepLo();
      aPrev = a;
      fPrev = ft;
      dPrev = dt;
      a = Math.min(2 * a, alphaMax);
    }
    return false;
  };

  /** N&W Alg. 3.6. The bracket is (aLo, aHi); aLo satisfies Armijo and has the lowest value so far. */
  const zoom = (
    aLo: number,
    fLo: number,
    dLo: number,
    aHi: number,
    fHi: number,
    dHi: number,
    f0: number,
    d0: number,
    loIsTrial = false,
  ): boolean => {
    if (loIsTrial) keepLo();
    for (let it = 0; it < 30; it++) {
      if (evals >= maxEval) break;
      const lower = Math.min(aLo, aHi);
      const width = Math.abs(aHi - aLo);
      if (width <= 1e-14 * Math.max(1, Math.abs(aHi))) break;
      let a = Number.isFinite(fHi) ? cubicMin(aLo, fLo, dLo, aHi, fHi, dHi) : NaN;
      const safeLo = lower + 0.1 * width;
      const safeHi = lower + 0.9 * width;
      if (!(a >= safeLo && a <= safeHi)) a = 0.5 * (aLo + aHi);
      const ok = trial(a);
      if (!ok || ft > f0 + c1 * a * d0 || ft >= fLo) {
        aHi = a;
        fHi = ok ? ft : Infinity;
        dHi = ok ? dt : NaN;
      } else {
        if (Math.abs(dt) <= -c2 * d0) return true;
        if (dt * (aHi - aLo) >= 0) {
          aHi = aLo;
          fHi = fLo;
          dHi = dLo;
        }
        aLo = a;
        fLo = ft;
        dLo = dt;
        keepLo();
      }
    }
    // Could not meet the curvature condition: accept α_lo if it decreased f at all.
    if (aLo > 0 && fl < f0) {
      xt.set(xl);
      gt.set(gl);
      ft = fl;
      dt = dl;
      return true;
    }
    return false;
  };

  let iter = 0;
  let reason: LbfgsResult["reason"] = "maxIterations";
  let converged = false;
  while (true) {
    // Projected gradient test.
    let pgInf = 0;
    for (let i = 0; i < p; i++) {
      const gi = g[i];
      const frozen = (x[i] <= lo[i] && gi > 0) || (x[i] >= hi[i] && gi < 0);
      if (!frozen) pgInf = Math.max(pgInf, Math.abs(gi));
    }
    if (pgInf <= gtol) {
      converged = true;
      reason = "gtol";
      break;
    }
    if (iter >= maxIter) {
      reason = "maxIterations";
      break;
    }
    if (evals >= maxEval) {
      reason = "maxEvaluations";
      break;
    }

    // Direction by the two-loop recursion on the free variables.
    let accepted = false;
    for (let attempt = 0; attempt < 2 && !accepted; attempt++) {
      if (attempt === 1) stored = 0; // retry as steepest descent with memory cleared
      twoLoop(g, x, lo, hi, d, S, Y, rho, alphaK, stored, head, m, p);
      let d0 = 0;
      let dNorm = 0;
      for (let i = 0; i < p; i++) {
        d0 += g[i] * d[i];
        dNorm += d[i] * d[i];
      }
      if (!(d0 < 0)) {
        if (stored === 0) break;
        continue;
      }
      let alphaMax = Infinity;
      for (let i = 0; i < p; i++) {
        if (d[i] < 0 && lo[i] > -Infinity) alphaMax = Math.min(alphaMax, (lo[i] - x[i]) / d[i]);
        else if (d[i] > 0 && hi[i] < Infinity) alphaMax = Math.min(alphaMax, (hi[i] - x[i]) / d[i]);
      }
      if (!(alphaMax > 0)) {
        if (stored === 0) break;
        continue;
      }
      const alpha0 = stored === 0 ? Math.min(1, 1 / Math.sqrt(dNorm)) : 1;
      if (lineSearch(alpha0, alphaMax, f, d0)) accepted = true;
      else if (stored === 0) break;
    }
    iter++;
    if (!accepted) {
      reason = evals >= maxEval ? "maxEvaluations" : "lineSearch";
      break;
    }

    // Curvature pair.
    let sy = 0;
    let yy = 0;
    const off = head * p;
    for (let i = 0; i < p; i++) {
      const si = xt[i] - x[i];
      const yi = gt[i] - g[i];
      S[off + i] = si;
      Y[off + i] = yi;
      sy += si * yi;
      yy += yi * yi;
    }
    if (sy > 2.2e-16 * yy && yy > 0) {
      rho[head] = 1 / sy;
      head = (head + 1) % m;
      stored = Math.min(stored + 1, m);
    }
    const fOld = f;
    x.set(xt);
    g.set(gt);
    f = ft;
    if (fOld - f <= ftol * Math.max(Math.abs(fOld), Math.abs(f), 1)) {
      converged = true;
      reason = "ftol";
      break;
    }
  }
  mem.stored = stored;
  mem.head = head;
  return { x, f, grad: g, iterations: iter, evaluations: evals, converged, reason };
}

function allFinite(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}

/**
 * d = −H·pg by the two-loop recursion (N&W Alg. 7.4), with frozen variables (on a bound, gradient pointing
 * out) zeroed in the input and in the result. The newest pair sits at slot head − 1.
 */
function twoLoop(
  g: Float64Array,
  x: Float64Array,
  lo: Float64Array,
  hi: Float64Array,
  d: Float64Array,
  S: Float64Array,
  Y: Float64Array,
  rho: Float64Array,
  alphaK: Float64Array,
  stored: number,
  head: number,
  m: number,
  p: number,
): void {
  for (let i = 0; i < p; i++) {
    const gi = g[i];
    const frozen = (x[i] <= lo[i] && gi > 0) || (x[i] >= hi[i] && gi < 0);
    d[i] = frozen ? 0 : gi;
  }
  for (let k = 0; k < stored; k++) {
    const slot = (head - 1 - k + 2 * m) % m;
    const o = slot * p;
    let a = 0;
    for (let i = 0; i < p; i++) a += S[o + i] * d[i];
    a *= rho[slot];
    alphaK[slot] = a;
    for (let i = 0; i < p; i++) d[i] -= a * Y[o + i];
  }
  if (stored > 0) {
    const o = ((head - 1 + m) % m) * p;
    let yy = 0;
    for (let i = 0; i < p; i++) yy += Y[o + i] * Y[o + i];
    const gamma = 1 / (rho[(head - 1 + m) % m] * yy); // sᵀy / yᵀy
    for (let i = 0; i < p; i++) d[i] *= gamma;
  }
  for (let k = stored - 1; k >= 0; k--) {
    const slot = (head - 1 - k + 2 * m) % m;
    const o = slot * p;
    let b = 0;
    for (let i = 0; i < p; i++) b += Y[o + i] * d[i];
    b *= rho[slot];
    const a = alphaK[slot];
    for (let i = 0; i < p; i++) d[i] += (a - b) * S[o + i];
  }
  for (let i = 0; i < p; i++) {
    const gi = g[i];
    const frozen = (x[i] <= lo[i] && gi > 0) || (x[i] >= hi[i] && gi < 0);
    d[i] = frozen ? 0 : -d[i];
  }
}

/**
 * Minimizer of the cubic interpolating φ and φ' at a and b (N&W eq. 3.59); NaN when it does not exist.
 */
function cubicMin(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  if (!(disc >= 0) || !Number.isFinite(db)) return NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  const denom = db - da + 2 * d2;
  if (denom === 0) return NaN;
  return b - (b - a) * ((db + d2 - d1) / denom);
}
