/**
 * Covariance functions (kernels) for the Gaussian process, with analytic derivatives with respect to their
 * log-hyperparameters.
 *
 * Glossary:
 *   d          input dimension
 *   X          n×d row-major inputs, row a = x_a at X[a·d .. a·d + d)
 *   A, B       m×d and n×d row-major inputs of a cross block
 *   K          n×n row-major kernel matrix, K_ab = scale·k(x_a, x_b); symmetric by construction
 *   ℓ_j        lengthscale of dimension j (ARD); θ = log ℓ_j is what an optimizer moves
 *   s_j(a,b)   scaled squared distance of dimension j: (x_aj − x_bj)²/ℓ_j², or for a categorical dimension
 *              [ |x_aj − x_bj| > 1e-9 ] / ℓ_j² (Optuna's treatment: categories are equal or different, no order)
 *   r²         Σ_j s_j, the scaled squared distance
 *   W          n×n symmetric, W = ααᵀ − K⁻¹ (α = K⁻¹(y − m)); then ∂LML/∂θ_p = ½ tr(W ∂K/∂θ_p)
 *              (Rasmussen & Williams 2006, eq. 5.9)
 *
 * Stationary kernels, with t the distance in the kernel's own units:
 *   RBF         k = exp(−r²/2)                                  ∂k/∂log ℓ_j = k · s_j
 *   Matérn 3/2  k = (1 + t) e^{−t},           t = √3·r          ∂k/∂log ℓ_j = 3 e^{−t} · s_j
 *   Matérn 5/2  k = (1 + t + t²/3) e^{−t},    t = √5·r          ∂k/∂log ℓ_j = (5/3)(1 + t) e^{−t} · s_j
 * (R&W eq. 4.9 and 4.17; the derivative follows from ∂s_j/∂log ℓ_j = −2 s_j.) Each is smooth at r = 0.
 *
 * A kernel fills only the lower triangle (with the diagonal) of K, and {@link kernelMatrix} mirrors it, so the
 * matrix is symmetric by construction. Terms take a `scale` factor and an `accumulate` flag so that sums and
 * products with a constant are built in one buffer without temporaries.
 */
import { symmetrizeFromLower } from "../linalg/blas";
import { type CrossPart, type CrossTerms, WASM_MIN_PAIRS, wasmCross, wasmCrossSum, wasmKernelsActive } from "../linalg/wasm/index";

/** The stationary base kernels. */
export type StationaryKernelType = "matern52" | "matern32" | "rbf";

/** Two inputs whose categorical coordinates differ by at most this much are the same category. */
export const CATEGORY_TOLERANCE = 1e-9;

/**
 * A covariance function with log-hyperparameters θ (in a fixed order, see `paramNames`).
 * Implementations validate nothing: callers pass consistent sizes.
 */
export interface Kernel {
  /** Input dimension d. */
  readonly dim: number;
  /** Number of log-hyperparameters. */
  readonly numParams: number;
  /** Names of the log-hyperparameters in order, e.g. `["log outputScale", "log lengthscale[0]", …]`. */
  readonly paramNames: readonly string[];
  /** Writes θ into `out[offset .. offset + numParams)`. */
  getLogParams(out: Float64Array, offset: number): void;
  /** Reads θ from `theta[offset .. offset + numParams)`. */
  setLogParams(theta: ArrayLike<number>, offset: number): void;
  /**
   * Lower triangle (i ≥ j, diagonal included) of scale·k(X, X) into `out` (n×n row-major): assigns, or adds
   * when `accumulate`. The strict upper triangle is left untouched.
   */
  /**
   * Lower triangle (incl. diagonal): out[a·n + b] (=, or += when `accumulate`) scale·k(x_a, x_b), b ≤ a, for the
   * rows a ≥ `fromRow` (default 0: all). Each entry is computed on its own, so rows filled separately equal
   * rows filled together bit for bit.
   */
  fillLower(X: Float64Array, n: number, out: Float64Array, scale: number, accumulate: boolean, fromRow?: number): void;
  /** Cross block: out[i·n + j] (=, or += when `accumulate`) scale·k(a_i, b_j); A is m×d, B is n×d, out m×n. */
  fillCross(
    A: Float64Array,
    m: number,
    B: Float64Array,
    n: number,
    out: Float64Array,
    scale: number,
    accumulate: boolean,
  ): void;
  /** Diagonal: out[i] (=, or +=) scale·k(a_i, a_i) for the m rows of A. */
  fillDiag(A: Float64Array, m: number, out: Float64Array, scale: number, accumulate: boolean): void;
  /**
   * This kernel's cross block as one term of a sum computed in the WebAssembly module (SumKernel.fillCross), or
   * absent / null where it has no such form. The part's rows are valid until this kernel's next call.
   */
  crossPart?(A: Float64Array, m: number, B: Float64Array, n: number, scale: number): CrossPart | null;
  /**
   * Gradient contraction. For each log-hyperparameter p of this kernel adds
   *   ½ Σ_ab W_ab · ∂(scale·k_ab)/∂θ_p                                            (R&W eq. 5.9)
   * to out[offset + p], and returns ½ Σ_ab W_ab · scale·k_ab (the same contraction with the kernel itself,
   * which is the derivative with respect to the log of a multiplicative scale on this kernel).
   * Reads W (n×n, symmetric) through its lower triangle only.
   */
  gradient(X: Float64Array, n: number, W: Float64Array, scale: number, out: Float64Array, offset: number): number;
}


/**
 * Full symmetric kernel matrix K = k(X, X) (n×n row-major), built from the lower triangle and mirrored.
 * @param kernel the covariance function
 * @param X n×d row-major inputs
 * @param n number of rows of X
 * @param out n×n output (allocated when omitted)
 * @returns `out`
 */
export function kernelMatrix(kernel: Kernel, X: Float64Array, n: number, out?: Float64Array): Float64Array {
  const K = out ?? new Float64Array(n * n);
  kernel.fillLower(X, n, K, 1, false);
  return symmetrizeFromLower(K, n);
}

/**
 * Cross kernel block K(A, B) (m×n row-major), computed in row blocks of A by the caller if needed.
 * @param A m×d row-major
 * @param B n×d row-major
 * @returns `out`
 */
export function crossKernelMatrix(
  kernel: Kernel,
  A: Float64Array,
  m: number,
  B: Float64Array,
  n: number,
  out?: Float64Array,
): Float64Array {
  const K = out ?? new Float64Array(m * n);
  kernel.fillCross(A, m, B, n, K, 1, false);
  return K;
}

/** Lists of continuous and categorical dimension indices. */
function splitDims(dim: number, categoricalDims: readonly number[]): { cont: Int32Array; cat: Int32Array } {
  const isCat = new Uint8Array(dim);
  for (const j of categoricalDims) isCat[j] = 1;
  const cont: number[] = [];
  const cat: number[] = [];
  for (let j = 0; j < dim; j++) (isCat[j] ? cat : cont).push(j);
  return { cont: Int32Array.from(cont), cat: Int32Array.from(cat) };
}

/** Kernel type codes for the inner loops (a small integer switch is cheaper than a string compare). */
const RBF = 0;
const M32 = 1;
const M52 = 2;

/** k(r²) for a type code. */
function stationaryValue(code: number, r2: number): number {
  if (code === RBF) return Math.exp(-0.5 * r2);
  if (code === M32) {
    const t = Math.sqrt(3 * r2);
    return (1 + t) * Math.exp(-t);
  }
  const t = Math.sqrt(5 * r2);
  return (1 + t + (t * t) / 3) * Math.exp(-t);
}

/** Rows of the lower triangle the wasm kernel computes per chunk (each against every row up to the chunk's last). */
const LOWER_CHUNK = 64;

/**
 * The lower triangle's rows fromRow ≤ a < n of a kernel matrix through the wasm kernel: chunks of LOWER_CHUNK
 * rows, each against the rows up to its last (the few pairs above the diagonal within a chunk are computed and
 * ignored). `row(v, a, o)` gets row a's values against rows 0, 1, … at v[o], v[o + 1], …. Returns the first row
 * it did not fill, for the JavaScript loop to go on from: fromRow when the wasm kernels are off or unavailable or
 * the triangle is too small to pay, n when it filled them all.
 */
function lowerInWasm(X: Float64Array, n: number, d: number, fromRow: number, terms: CrossTerms, row: (v: Float64Array, a: number, o: number) => void, withDiagonal = false): number {
  if ((n - fromRow) * n < 2 * WASM_MIN_PAIRS || !wasmKernelsActive()) return fromRow;
  for (let a0 = fromRow; a0 < n; a0 += LOWER_CHUNK) {
    const rows = Math.min(LOWER_CHUNK, n - a0);
    const cols = a0 + rows - (withDiagonal ? 0 : 1);
    if (cols === 0) {
      row(new Float64Array(0), a0, 0); // row 0 alone: nothing below its diagonal
      continue;
    }
    const done = wasmCross(X.subarray(a0 * d, (a0 + rows) * d), rows, X, cols, d, terms, (v, row0, k) => {
      for (let r = 0; r < k; r++) row(v, a0 + row0 + r, r * cols);
    });
    if (!done) return a0;
  }
  return n;
}

/** out[offset + b] (=, or +=) row[b] for b < n. */
function storeRow(out: Float64Array, offset: number, row: Float64Array, n: number, accumulate: boolean): void {
  if (accumulate) for (let b = 0; b < n; b++) out[offset + b] += row[b];
  else for (let b = 0; b < n; b++) out[offset + b] = row[b];
}

/** v[b] ← scale·k(v[b]) for b < n, v holding r²; the type switch is outside the loops. */
function kernelOfR2InPlace(code: number, v: Float64Array, n: number, scale: number): void {
  if (code === RBF) {
    for (let b = 0; b < n; b++) v[b] = scale * Math.exp(-0.5 * v[b]);
  } else if (code === M32) {
    for (let b = 0; b < n; b++) {
      const t = Math.sqrt(3 * v[b]);
      v[b] = scale * ((1 + t) * Math.exp(-t)); // the same rounding as stationaryValue
    }
  } else {
    for (let b = 0; b < n; b++) {
      const t = Math.sqrt(5 * v[b]);
      v[b] = scale * ((1 + t + (t * t) / 3) * Math.exp(-t));
    }
  }
}

/**
 * Stationary ARD kernel (Matérn 5/2, Matérn 3/2 or RBF) with unit amplitude, k(x, x) = 1.
 * Log-hyperparameters: [log ℓ_0, …, log ℓ_{d−1}].
 *
 * Implementation: rows are first rescaled, z_j = x_j/ℓ_j on continuous dimensions (category codes are kept
 * as they are), into scratch buffers that grow with the largest input seen, so that the pair loop computes
 * r² = Σ_j (z_aj − z_bj)² without a multiply by 1/ℓ_j² and without index indirection when there is no
 * categorical dimension.
 */
export class StationaryKernel implements Kernel {
  readonly dim: number;
  readonly numParams: number;
  readonly paramNames: readonly string[];
  readonly type: StationaryKernelType;
  private readonly code: number;
  /** 1/ℓ_j, length d. */
  private readonly invLs: Float64Array;
  /** 1/ℓ_j², length d (for categorical dimensions). */
  private readonly invLs2: Float64Array;
  private readonly logLs: Float64Array;
  private readonly cont: Int32Array;
  private readonly cat: Int32Array;
  /** Scratch s_j for one pair, length d. */
  private readonly s: Float64Array;
  /** Scratch per-dimension gradient sums, length d. */
  private readonly acc: Float64Array;
  /** Scaled copies of the two inputs of the current call (grown on demand). */
  private za = new Float64Array(0);
  private zb = new Float64Array(0);
  /** Scratch row of r² / kernel values for fillCross (grown on demand). */
  private row = new Float64Array(0);

  /**
   * @param type base kernel
   * @param dim input dimension d ≥ 1
   * @param categoricalDims indices of dimensions holding category codes (compared for equality only)
   */
  constructor(type: StationaryKernelType, dim: number, categoricalDims: readonly number[] = []) {
    this.type = type;
    this.code = type === "rbf" ? RBF : type === "matern32" ? M32 : M52;
    this.dim = dim;
    this.numParams = dim;
    this.paramNames = Array.from({ length: dim }, (_, j) => `log lengthscale[${j}]`);
    this.invLs = new Float64Array(dim).fill(1);
    this.invLs2 = new Float64Array(dim).fill(1);
    this.logLs = new Float64Array(dim);
    const { cont, cat } = splitDims(dim, categoricalDims);
    this.cont = cont;
    this.cat = cat;
    this.s = new Float64Array(dim);
    this.acc = new Float64Array(dim);
  }

  getLogParams(out: Float64Array, offset: number): void {
    out.set(this.logLs, offset);
  }

  setLogParams(theta: ArrayLike<number>, offset: number): void {
    for (let j = 0; j < this.dim; j++) {
      const t = theta[offset + j];
      this.logLs[j] = t;
      this.invLs[j] = Math.exp(-t);
      this.invLs2[j] = Math.exp(-2 * t);
    }
  }

  /** Scales m rows of `src` into the scratch `which` (0: za, 1: zb), growing it if needed. */
  private scaled(src: Float64Array, m: number, which: 0 | 1): Float64Array {
    const d = this.dim;
    const size = m * d;
    let z = which === 0 ? this.za : this.zb;
    if (z.length < size) {
      z = new Float64Array(size);
      if (which === 0) this.za = z;
      else this.zb = z;
    }
    const w = this.invLs;
    for (let i = 0; i < m; i++) {
      const o = i * d;
      for (let j = 0; j < d; j++) z[o + j] = src[o + j] * w[j];
    }
    const cat = this.cat;
    for (let q = 0; q < cat.length; q++) {
      const j = cat[q];
      for (let i = 0; i < m; i++) z[i * d + j] = src[i * d + j];
    }
    return z;
  }

  crossPart(A: Float64Array, m: number, B: Float64Array, n: number, scale: number): CrossPart {
    return { kind: "sqdist", A: this.scaled(A, m, 0), B: this.scaled(B, n, 1), terms: this.terms(scale) };
  }

  /** The wasm kernel's terms: r² over the continuous dimensions, then the categorical ones weighted 1/ℓ_j², then scale·k(r²). */
  private terms(scale: number): CrossTerms {
    return {
      kind: "sqdist",
      cont: this.cont,
      cat: this.cat,
      catWeight: Float64Array.from(this.cat, (j) => this.invLs2[j]),
      tol: CATEGORY_TOLERANCE,
      kernel: { code: this.code, scale },
    };
  }

  /** r² between scaled rows; fills this.s with the per-dimension terms when `keep`. */
  private r2(za: Float64Array, ia: number, zb: Float64Array, ib: number, keep: boolean): number {
    const d = this.dim;
    const cat = this.cat;
    let r2 = 0;
    if (cat.length === 0) {
      if (keep) {
        const s = this.s;
        for (let j = 0; j < d; j++) {
          const t = za[ia + j] - zb[ib + j];
          const v = t * t;
          s[j] = v;
          r2 += v;
        }
      } else {
        for (let j = 0; j < d; j++) {
          const t = za[ia + j] - zb[ib + j];
          r2 += t * t;
        }
      }
      return r2;
    }
    const cont = this.cont;
    const s = this.s;
    for (let q = 0; q < cont.length; q++) {
      const j = cont[q];
      const t = za[ia + j] - zb[ib + j];
      const v = t * t;
      if (keep) s[j] = v;
      r2 += v;
    }
    const w2 = this.invLs2;
    for (let q = 0; q < cat.length; q++) {
      const j = cat[q];
      const v = Math.abs(za[ia + j] - zb[ib + j]) > CATEGORY_TOLERANCE ? w2[j] : 0;
      if (keep) s[j] = v;
      r2 += v;
    }
    return r2;
  }

  fillLower(X: Float64Array, n: number, out: Float64Array, scale: number, accumulate: boolean, fromRow = 0): void {
    const d = this.dim;
    const code = this.code;
    const z = this.scaled(X, n, 0);
    const jsFrom = lowerInWasm(z, n, d, fromRow, this.terms(scale), (v, a, o) => {
      // Row a's kernel values with rows 0..a−1 at v[o …]; the diagonal is scale (r² = 0).
      const ra = a * n;
      if (accumulate) for (let b = 0; b < a; b++) out[ra + b] += v[o + b];
      else out.set(v.subarray(o, o + a), ra);
      if (accumulate) out[ra + a] += scale;
      else out[ra + a] = scale;
    });
    for (let a = jsFrom; a < n; a++) {
      const ra = a * n;
      const ia = a * d;
      for (let b = 0; b < a; b++) {
        const v = scale * stationaryValue(code, this.r2(z, ia, z, b * d, false));
        if (accumulate) out[ra + b] += v;
        else out[ra + b] = v;
      }
      if (accumulate) out[ra + a] += scale;
      else out[ra + a] = scale;
    }
  }

  fillCross(
    A: Float64Array,
    m: number,
    B: Float64Array,
    n: number,
    out: Float64Array,
    scale: number,
    accumulate: boolean,
  ): void {
    const d = this.dim;
    const za = this.scaled(A, m, 0);
    const zb = this.scaled(B, n, 1);
    if (m * n >= WASM_MIN_PAIRS) {
      const done = wasmCross(za, m, zb, n, d, this.terms(scale), (v, row0, rows) => {
        if (!accumulate) out.set(v.subarray(0, rows * n), row0 * n);
        else for (let r = 0, o = row0 * n; r < rows * n; r++) out[o + r] += v[r];
      });
      if (done) return;
    }
    if (this.row.length < n) this.row = new Float64Array(n);
    const row = this.row;
    const allCont = this.cat.length === 0;
    // Per row of A: r² to every row of B in one tight pass (no calls, no flags), then k(r²) in a second pass
    // with the kernel type fixed outside the loop. ~3× faster than a call per pair (bench/gp.bench.ts).
    for (let i = 0; i < m; i++) {
      const ia = i * d;
      if (allCont) {
        let b = 0;
        for (; b + 3 < n; b += 4) {
          const i0 = b * d, i1 = i0 + d, i2 = i1 + d, i3 = i2 + d;
          let r0 = 0, r1 = 0, r2 = 0, r3 = 0;
          for (let j = 0; j < d; j++) {
            const a = za[ia + j];
            const t0 = a - zb[i0 + j], t1 = a - zb[i1 + j], t2 = a - zb[i2 + j], t3 = a - zb[i3 + j];
            r0 += t0 * t0;
            r1 += t1 * t1;
            r2 += t2 * t2;
            r3 += t3 * t3;
          }
          row[b] = r0;
          row[b + 1] = r1;
          row[b + 2] = r2;
          row[b + 3] = r3;
        }
        for (; b < n; b++) {
          const ib = b * d;
          let r2 = 0;
          for (let j = 0; j < d; j++) {
            const t = za[ia + j] - zb[ib + j];
            r2 += t * t;
          }
          row[b] = r2;
        }
      } else {
        for (let b = 0; b < n; b++) row[b] = this.r2(za, ia, zb, b * d, false);
      }
      kernelOfR2InPlace(this.code, row, n, scale);
      storeRow(out, i * n, row, n, accumulate);
    }
  }

  fillDiag(_A: Float64Array, m: number, out: Float64Array, scale: number, accumulate: boolean): void {
    for (let i = 0; i < m; i++) {
      if (accumulate) out[i] += scale;
      else out[i] = scale;
    }
  }

  gradient(X: Float64Array, n: number, W: Float64Array, scale: number, out: Float64Array, offset: number): number {
    const d = this.dim;
    const s = this.s;
    const acc = this.acc.fill(0);
    const code = this.code;
    const z = this.scaled(X, n, 0);
    let offDiag = 0; // Σ_{a>b} W_ab k_ab
    let diag = 0; // Σ_a W_aa (k_aa = 1)
    for (let a = 0; a < n; a++) {
      const ra = a * n;
      const ia = a * d;
      for (let b = 0; b < a; b++) {
        const w = W[ra + b];
        const r2 = this.r2(z, ia, z, b * d, true);
        let k: number;
        let c: number; // ∂k/∂log ℓ_j = c · s_j
        if (code === RBF) {
          k = Math.exp(-0.5 * r2);
          c = k;
        } else if (code === M32) {
          const t = Math.sqrt(3 * r2);
          const e = Math.exp(-t);
          k = (1 + t) * e;
          c = 3 * e;
        } else {
          const t = Math.sqrt(5 * r2);
          const e = Math.exp(-t);
          k = (1 + t + (t * t) / 3) * e;
          c = (5 / 3) * (1 + t) * e;
        }
        offDiag += w * k;
        const wc = w * c;
        for (let j = 0; j < d; j++) acc[j] += wc * s[j];
      }
      diag += W[ra + a];
    }
    // ½ Σ_ab over the full symmetric matrix = Σ_{a>b} + ½ Σ_{a=b}; the diagonal has s_j = 0.
    for (let j = 0; j < d; j++) out[offset + j] += scale * acc[j];
    return scale * (offDiag + 0.5 * diag);
  }
}

/**
 * Linear (dot-product) kernel k(x, x') = c · Σ_{j continuous} x_j x'_j. Categorical dimensions are left out:
 * a category code has no order, so it must not enter a dot product. Log-hyperparameters: [log c].
 */
export class LinearKernel implements Kernel {
  readonly dim: number;
  readonly numParams = 1;
  readonly paramNames: readonly string[] = ["log linearScale"];
  private c = 1;
  private logC = 0;
  private readonly cont: Int32Array;
  /** Scratch row of fillCross (grown on demand). */
  private row = new Float64Array(0);

  /** @param categoricalDims dimensions excluded from the dot product */
  constructor(dim: number, categoricalDims: readonly number[] = []) {
    this.dim = dim;
    this.cont = splitDims(dim, categoricalDims).cont;
  }

  getLogParams(out: Float64Array, offset: number): void {
    out[offset] = this.logC;
  }

  setLogParams(theta: ArrayLike<number>, offset: number): void {
    this.logC = theta[offset];
    this.c = Math.exp(this.logC);
  }

  private dot(A: Float64Array, ia: number, B: Float64Array, ib: number): number {
    const cont = this.cont;
    const d = this.dim;
    let s = 0;
    if (cont.length === d) {
      for (let j = 0; j < d; j++) s += A[ia + j] * B[ib + j];
      return s;
    }
    for (let q = 0; q < cont.length; q++) {
      const j = cont[q];
      s += A[ia + j] * B[ib + j];
    }
    return s;
  }

  fillLower(X: Float64Array, n: number, out: Float64Array, scale: number, accumulate: boolean, fromRow = 0): void {
    const d = this.dim;
    const f = scale * this.c;
    const jsFrom = lowerInWasm(X, n, d, fromRow, { kind: "dot", cont: this.cont }, (v, a, o) => {
      // Row a's dot products with rows 0..a (the diagonal included) at v[o …].
      const ra = a * n;
      if (accumulate) for (let b = 0; b <= a; b++) out[ra + b] += f * v[o + b];
      else for (let b = 0; b <= a; b++) out[ra + b] = f * v[o + b];
    }, true);
    for (let a = jsFrom; a < n; a++) {
      const ra = a * n;
      for (let b = 0; b <= a; b++) {
        const v = f * this.dot(X, a * d, X, b * d);
        if (accumulate) out[ra + b] += v;
        else out[ra + b] = v;
      }
    }
  }

  crossPart(A: Float64Array, _m: number, B: Float64Array, _n: number, scale: number): CrossPart {
    return { kind: "dot", A, B, terms: { kind: "dot", cont: this.cont }, factor: scale * this.c };
  }

  fillCross(
    A: Float64Array,
    m: number,
    B: Float64Array,
    n: number,
    out: Float64Array,
    scale: number,
    accumulate: boolean,
  ): void {
    const d = this.dim;
    const f = scale * this.c;
    if (m * n >= WASM_MIN_PAIRS) {
      const done = wasmCross(A, m, B, n, d, { kind: "dot", cont: this.cont }, (v, row0, rows) => {
        for (let r = 0; r < rows; r++) {
          const o = (row0 + r) * n;
          const so = r * n;
          if (accumulate) for (let b = 0; b < n; b++) out[o + b] += f * v[so + b];
          else for (let b = 0; b < n; b++) out[o + b] = f * v[so + b];
        }
      });
      if (done) return;
    }
    if (this.row.length < n) this.row = new Float64Array(n);
    const row = this.row;
    const allCont = this.cont.length === d;
    for (let i = 0; i < m; i++) {
      const ia = i * d;
      let b = 0;
      // All dimensions continuous: four rows of B per pass share the loads of a row of A.
      if (allCont) {
        for (; b + 3 < n; b += 4) {
          const i0 = b * d, i1 = i0 + d, i2 = i1 + d, i3 = i2 + d;
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (let j = 0; j < d; j++) {
            const a = A[ia + j];
            s0 += a * B[i0 + j];
            s1 += a * B[i1 + j];
            s2 += a * B[i2 + j];
            s3 += a * B[i3 + j];
          }
          row[b] = f * s0;
          row[b + 1] = f * s1;
          row[b + 2] = f * s2;
          row[b + 3] = f * s3;
        }
      }
      for (; b < n; b++) row[b] = f * this.dot(A, ia, B, b * d);
      storeRow(out, i * n, row, n, accumulate);
    }
  }

  fillDiag(A: Float64Array, m: number, out: Float64Array, scale: number, accumulate: boolean): void {
    const d = this.dim;
    const f = scale * this.c;
    for (let i = 0; i < m; i++) {
      const v = f * this.dot(A, i * d, A, i * d);
      if (accumulate) out[i] += v;
      else out[i] = v;
    }
  }

  gradient(X: Float64Array, n: number, W: Float64Array, scale: number, out: Float64Array, offset: number): number {
    const d = this.dim;
    let sum = 0; // ½ Σ_ab W_ab x_a·x_b over the full matrix
    for (let a = 0; a < n; a++) {
      const ra = a * n;
      for (let b = 0; b < a; b++) sum += W[ra + b] * this.dot(X, a * d, X, b * d);
      sum += 0.5 * W[ra + a] * this.dot(X, a * d, X, a * d);
    }
    const v = scale * this.c * sum; // ∂(scale·c·x·x')/∂log c = scale·c·x·x'
    out[offset] += v;
    return v;
  }
}

/** Constant kernel k(x, x') = b (an offset). Log-hyperparameters: [log b]. */
export class ConstantKernel implements Kernel {
  readonly dim: number;
  readonly numParams = 1;
  readonly paramNames: readonly string[] = ["log offset"];
  private b = 1;
  private logB = 0;

  constructor(dim: number) {
    this.dim = dim;
  }

  getLogParams(out: Float64Array, offset: number): void {
    out[offset] = this.logB;
  }

  setLogParams(theta: ArrayLike<number>, offset: number): void {
    this.logB = theta[offset];
    this.b = Math.exp(this.logB);
  }

  fillLower(_X: Float64Array, n: number, out: Float64Array, scale: number, accumulate: boolean, fromRow = 0): void {
    const v = scale * this.b;
    for (let a = fromRow; a < n; a++) {
      const ra = a * n;
      for (let b = 0; b <= a; b++) {
        if (accumulate) out[ra + b] += v;
        else out[ra + b] = v;
      }
    }
  }

  crossPart(_A: Float64Array, _m: number, _B: Float64Array, _n: number, scale: number): CrossPart {
    return { kind: "const", value: scale * this.b };
  }

  fillCross(
    _A: Float64Array,
    m: number,
    _B: Float64Array,
    n: number,
    out: Float64Array,
    scale: number,
    accumulate: boolean,
  ): void {
    const v = scale * this.b;
    if (!accumulate) {
      out.fill(v, 0, m * n);
      return;
    }
    for (let i = 0; i < m * n; i++) out[i] += v;
  }

  fillDiag(_A: Float64Array, m: number, out: Float64Array, scale: number, accumulate: boolean): void {
    const v = scale * this.b;
    for (let i = 0; i < m; i++) {
      if (accumulate) out[i] += v;
      else out[i] = v;
    }
  }

  gradient(_X: Float64Array, n: number, W: Float64Array, scale: number, out: Float64Array, offset: number): number {
    let sum = 0;
    for (let a = 0; a < n; a++) {
      const ra = a * n;
      for (let b = 0; b < a; b++) sum += W[ra + b];
      sum += 0.5 * W[ra + a];
    }
    const v = scale * this.b * sum;
    out[offset] += v;
    return v;
  }
}

/** Sum of kernels k = Σ_t k_t. Log-hyperparameters: the terms' in order. */
export class SumKernel implements Kernel {
  readonly dim: number;
  readonly numParams: number;
  readonly paramNames: readonly string[];
  readonly terms: readonly Kernel[];

  /** @param terms at least one kernel, all of the same dimension */
  constructor(terms: readonly Kernel[]) {
    this.terms = terms;
    this.dim = terms[0].dim;
    this.numParams = terms.reduce((s, t) => s + t.numParams, 0);
    this.paramNames = terms.flatMap((t) => t.paramNames);
  }

  getLogParams(out: Float64Array, offset: number): void {
    let o = offset;
    for (const t of this.terms) {
      t.getLogParams(out, o);
      o += t.numParams;
    }
  }

  setLogParams(theta: ArrayLike<number>, offset: number): void {
    let o = offset;
    for (const t of this.terms) {
      t.setLogParams(theta, o);
      o += t.numParams;
    }
  }

  fillLower(X: Float64Array, n: number, out: Float64Array, scale: number, accumulate: boolean, fromRow = 0): void {
    this.terms.forEach((t, i) => t.fillLower(X, n, out, scale, accumulate || i > 0, fromRow));
  }

  fillCross(
    A: Float64Array,
    m: number,
    B: Float64Array,
    n: number,
    out: Float64Array,
    scale: number,
    accumulate: boolean,
  ): void {
    // A stationary term followed by linear and constant ones (the default kernel): all of it in the module, added in
    // the order below, with one copy out instead of a JavaScript pass per term (the same bits).
    if (!accumulate && m * n >= WASM_MIN_PAIRS && this.terms.every((t) => t.crossPart !== undefined)) {
      const parts = this.terms.map((t) => t.crossPart!(A, m, B, n, scale));
      if (parts.every((p): p is CrossPart => p !== null) && wasmCrossSum(parts, m, n, this.dim, (v, row0, rows) => out.set(v.subarray(0, rows * n), row0 * n))) return;
    }
    this.terms.forEach((t, i) => t.fillCross(A, m, B, n, out, scale, accumulate || i > 0));
  }

  fillDiag(A: Float64Array, m: number, out: Float64Array, scale: number, accumulate: boolean): void {
    this.terms.forEach((t, i) => t.fillDiag(A, m, out, scale, accumulate || i > 0));
  }

  gradient(X: Float64Array, n: number, W: Float64Array, scale: number, out: Float64Array, offset: number): number {
    let o = offset;
    let v = 0;
    for (const t of this.terms) {
      v += t.gradient(X, n, W, scale, out, o);
      o += t.numParams;
    }
    return v;
  }
}

/**
 * Scaled kernel σ · k_inner (σ = outputScale, a variance). Log-hyperparameters: [log σ, …inner].
 * ∂(σ k)/∂log σ = σ k, so its gradient entry is the inner kernel's returned contraction.
 */
export class ScaledKernel implements Kernel {
  readonly dim: number;
  readonly numParams: number;
  readonly paramNames: readonly string[];
  readonly inner: Kernel;
  private sigma = 1;
  private logSigma = 0;

  constructor(inner: Kernel) {
    this.inner = inner;
    this.dim = inner.dim;
    this.numParams = inner.numParams + 1;
    this.paramNames = ["log outputScale", ...inner.paramNames];
  }

  getLogParams(out: Float64Array, offset: number): void {
    out[offset] = this.logSigma;
    this.inner.getLogParams(out, offset + 1);
  }

  setLogParams(theta: ArrayLike<number>, offset: number): void {
    this.logSigma = theta[offset];
    this.sigma = Math.exp(this.logSigma);
    this.inner.setLogParams(theta, offset + 1);
  }

  fillLower(X: Float64Array, n: number, out: Float64Array, scale: number, accumulate: boolean, fromRow = 0): void {
    this.inner.fillLower(X, n, out, scale * this.sigma, accumulate, fromRow);
  }

  fillCross(
    A: Float64Array,
    m: number,
    B: Float64Array,
    n: number,
    out: Float64Array,
    scale: number,
    accumulate: boolean,
  ): void {
    this.inner.fillCross(A, m, B, n, out, scale * this.sigma, accumulate);
  }

  fillDiag(A: Float64Array, m: number, out: Float64Array, scale: number, accumulate: boolean): void {
    this.inner.fillDiag(A, m, out, scale * this.sigma, accumulate);
  }

  gradient(X: Float64Array, n: number, W: Float64Array, scale: number, out: Float64Array, offset: number): number {
    const v = this.inner.gradient(X, n, W, scale * this.sigma, out, offset + 1);
    out[offset] += v;
    return v;
  }
}
