/**
 * Cholesky factorization A = L·Lᵀ of a symmetric positive-definite matrix.
 *
 * Glossary:
 *   n        order of the matrix
 *   A        n×n symmetric positive definite, row-major; only its lower triangle (incl. diagonal) is read
 *   L        n×n lower triangular with positive diagonal, row-major, L·Lᵀ = A; strict upper triangle stored as 0
 *   L_ij     entry (i, j) at index i·n + j
 *   jitter   τ ≥ 0 added to the diagonal, so that L·Lᵀ = A + τ·I
 *   meanDiag (1/n)·Σ_i A_ii, the scale the relative jitter is measured against
 *
 * Algorithm (kernel): the row-oriented (Cholesky–Banachiewicz) recurrence
 *   L_ij = (A_ij − Σ_{k<j} L_ik·L_jk) / L_jj   (j < i),      L_ii = sqrt(A_ii − Σ_{k<i} L_ik²)       (1)
 * in which every inner sum is a unit-stride dot product of two rows of L. It is computed in
 * tiles of CHOLESKY_TILE rows × CHOLESKY_TILE columns (so the rows a tile touches stay in L2), and inside a
 * tile 4 rows × 2 columns at a time: the 8 dot products share their loads (6 loads per 8 multiply–adds
 * instead of 2 per 1), which is what makes it ~3× faster than the plain loop in V8.
 * Measured alternatives (bench/linalg.bench.ts, docs/benchmarks.md): plain loop, 4-way unrolled dot,
 * 2×2 / 4×4 / 6×2 register blocks, tiles 16–128, a k-split (GEMM-then-TRSM) variant; 4×2 with 64-tiles won
 * or tied at n = 100…1500.
 */
import { NumericalError, ProteinError } from "../errors";
import { checkLength, checkOrder } from "./check";

/** Rows (and columns) per cache tile of the blocked kernel. Must be a multiple of 4. */
export const CHOLESKY_TILE = 64;

/** Default first relative jitter of the ladder: τ₁ = 1e-10·meanDiag. */
export const DEFAULT_INITIAL_RELATIVE_JITTER = 1e-10;

/**
 * Default cap of the jitter ladder: τ ≤ 1e-4·meanDiag.
 * Why 1e-4: a GP kernel matrix over normalized outputs has meanDiag ≈ signal variance, so the cap adds at most
 * the equivalent of an observation-noise standard deviation of 1 % of the signal's — enough to absorb
 * round-off (≈ n·ε·‖A‖) and near-duplicate inputs (condition numbers up to ~1e12 after jitter), small
 * enough not to change the model visibly. Past it, the matrix is genuinely broken (NaN, negative variance).
 */
export const DEFAULT_MAX_RELATIVE_JITTER = 1e-4;

/**
 * One 4×2 block of (1): computes L[i..i+3][j], L[i..i+3][j+1] (requires j + 1 < i), the dot products running
 * over k < j with shared loads, then adding the k = j term for column j + 1.
 */
function block4x2(a: Float64Array, n: number, i: number, j: number): void {
  const r0 = i * n;
  const r1 = r0 + n;
  const r2 = r1 + n;
  const r3 = r2 + n;
  const c0 = j * n;
  const c1 = c0 + n;
  let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
  for (let k = 0; k < j; k++) {
    const y0 = a[c0 + k];
    const y1 = a[c1 + k];
    const x0 = a[r0 + k];
    s00 += x0 * y0;
    s01 += x0 * y1;
    const x1 = a[r1 + k];
    s10 += x1 * y0;
    s11 += x1 * y1;
    const x2 = a[r2 + k];
    s20 += x2 * y0;
    s21 += x2 * y1;
    const x3 = a[r3 + k];
    s30 += x3 * y0;
    s31 += x3 * y1;
  }
  const djj = a[c0 + j]; // L_jj
  const lj1j = a[c1 + j]; // L_{j+1,j}
  const dj1 = a[c1 + j + 1]; // L_{j+1,j+1}
  let l = (a[r0 + j] - s00) / djj;
  a[r0 + j] = l;
  a[r0 + j + 1] = (a[r0 + j + 1] - s01 - l * lj1j) / dj1;
  l = (a[r1 + j] - s10) / djj;
  a[r1 + j] = l;
  a[r1 + j + 1] = (a[r1 + j + 1] - s11 - l * lj1j) / dj1;
  l = (a[r2 + j] - s20) / djj;
  a[r2 + j] = l;
  a[r2 + j + 1] = (a[r2 + j + 1] - s21 - l * lj1j) / dj1;
  l = (a[r3 + j] - s30) / djj;
  a[r3 + j] = l;
  a[r3 + j + 1] = (a[r3 + j + 1] - s31 - l * lj1j) / dj1;
}

/** One entry of (1), with a 4-way unrolled dot. Returns false when (i = j) the pivot is not positive and finite. */
function entry(a: Float64Array, n: number, i: number, j: number): boolean {
  const ri = i * n;
  const rj = j * n;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let k = 0;
  for (; k + 3 < j; k += 4) {
    s0 += a[ri + k] * a[rj + k];
    s1 += a[ri + k + 1] * a[rj + k + 1];
    s2 += a[ri + k + 2] * a[rj + k + 2];
    s3 += a[ri + k + 3] * a[rj + k + 3];
  }
  for (; k < j; k++) s0 += a[ri + k] * a[rj + k];
  const s = a[ri + j] - (s0 + s1 + (s2 + s3));
  if (i === j) {
    if (!(s > 0 && s < Infinity)) return false;
    a[ri + i] = Math.sqrt(s);
  } else {
    a[ri + j] = s / a[rj + j];
  }
  return true;
}

/**
 * Unchecked kernel. In place: on return the lower triangle of `a` (n×n row-major) holds L with L·Lᵀ = A;
 * the strict upper triangle is set to 0. Reads only the lower triangle (incl. diagonal) of A.
 * Validates nothing (sizes, finiteness) and never throws; allocates nothing.
 * @param a n×n row-major, overwritten (first n·n entries).
 * @returns -1 on success, else the 0-based index of the first non-positive (or non-finite) pivot; `a` is then
 *   partly overwritten (rows before the pivot hold L, later rows are unspecified).
 * @example
 * const a = Float64Array.of(4, 0, 2, 5); // A = [[4, 2], [2, 5]], upper entry ignored
 * choleskyInPlace(a, 2); // -1; a = [2, 0, 1, 2]
 */
export function choleskyInPlace(a: Float64Array, n: number, fromRow = 0): number {
  const nb = CHOLESKY_TILE;
  // Rows before `from` are taken as already factored (see choleskyExtendInPlace).
  const from = Math.max(0, Math.min(n, fromRow)) & ~3;
  for (let i0 = from - (from % nb); i0 < n; i0 += nb) {
    const i1 = Math.min(i0 + nb, n);
    const i4 = i0 + ((i1 - i0) & ~3); // rows [i0, i4) go 4 at a time
    const b0 = Math.max(i0, from); // first blocked row to compute (a multiple of 4, like i0 and from)
    const e0 = Math.max(i4, from); // first single row to compute
    // Off-diagonal tiles L[i0:i1, j0:j0+nb], left to right (all columns < i0 ≤ every row).
    for (let j0 = 0; j0 < i0; j0 += nb) {
      const j1 = j0 + nb;
      for (let i = b0; i < i4; i += 4) for (let j = j0; j < j1; j += 2) block4x2(a, n, i, j);
      for (let i = e0; i < i1; i++) for (let j = j0; j < j1; j++) entry(a, n, i, j);
    }
    // Diagonal tile: rows in order, so the first failing pivot is the one reported.
    for (let i = b0; i < i4; i += 4) {
      let j = i0;
      for (; j + 2 <= i; j += 2) block4x2(a, n, i, j);
      for (let r = i; r < i + 4; r++) {
        for (let c = j; c <= r; c++) if (!entry(a, n, r, c)) return r;
      }
    }
    for (let r = e0; r < i1; r++) {
      for (let c = i0; c <= r; c++) if (!entry(a, n, r, c)) return r;
    }
  }
  for (let i = 0; i < n; i++) a.fill(0, i * n + i + 1, i * n + n);
  return -1;
}

/**
 * Rows of a factor that stay valid when the matrix changes only in rows ≥ `changedFrom` (rows appended,
 * or the last rows removed or replaced): every row of the blocked kernel is computed from the rows
 * before it alone, and the same way for any n, except the last (n mod 4) rows, which go one at a time
 * instead of in a 4-row block. So the factor of the old matrix (order `oldN`) and of the new one
 * (order `newN`) agree bit for bit on the rows before the result, a multiple of 4.
 */
export function reusableCholeskyRows(oldN: number, newN: number, changedFrom: number): number {
  return Math.max(0, Math.min(oldN, newN, changedFrom)) & ~3;
}

/**
 * Completes a factorization whose first `from` rows already hold L (row-major, stride n), for a
 * matrix whose rows ≥ `from` are loaded (lower triangle) into `a`: O((n − from)·n²) instead of O(n³)
 * work, and bit for bit what {@link choleskyInPlace} gives on the whole matrix when `from` comes
 * from {@link reusableCholeskyRows}. Unchecked, like choleskyInPlace.
 * @returns -1 on success, else the index of the first failing pivot.
 */
export function choleskyExtendInPlace(a: Float64Array, n: number, from: number): number {
  return choleskyInPlace(a, n, from);
}

/** Result of {@link cholesky}. */
export interface CholeskyResult {
  /** n×n row-major lower triangular factor (strict upper triangle 0) of A + jitter·I. */
  L: Float64Array;
  /** Absolute jitter τ added to the diagonal before the successful factorization (0 if none was needed). */
  jitter: number;
  /** Number of factorizations run (1 when A factored as given). */
  attempts: number;
}

/** Options of {@link cholesky}. */
export interface CholeskyOptions {
  /** Where to write L (n·n entries or more). May be `a` itself (then `a` is copied once first). @default a new Float64Array(n·n) */
  out?: Float64Array;
  /** Largest jitter tried, relative to the mean diagonal of A; 0 disables the ladder. @default 1e-4 ({@link DEFAULT_MAX_RELATIVE_JITTER}) */
  maxRelativeJitter?: number;
  /** First jitter tried, relative to the mean diagonal; each retry multiplies it by 10. @default 1e-10 */
  initialRelativeJitter?: number;
}

function checkJitterOption(value: number, key: string, allowZero: boolean): void {
  if (!(Number.isFinite(value) && (allowZero ? value >= 0 : value > 0))) {
    throw new ProteinError(`cholesky option ${key} must be a finite number ${allowZero ? ">= 0" : "> 0"}`, {
      key,
      value,
      allowed: allowZero ? "a finite number >= 0" : "a finite number > 0",
      fix: `pass e.g. ${key}: ${allowZero ? DEFAULT_MAX_RELATIVE_JITTER : DEFAULT_INITIAL_RELATIVE_JITTER}`,
    });
  }
}

/** Copies the lower triangle (incl. diagonal) of src into dst and adds `jitter` to the diagonal. */
function loadLower(src: Float64Array, dst: Float64Array, n: number, jitter: number): void {
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = 0; j <= i; j++) dst[row + j] = src[row + j];
    dst[row + i] += jitter;
  }
}

/**
 * Checked Cholesky with a jitter ladder (as gpytorch's `psd_safe_cholesky`). Copies the lower triangle of A into
 * `out` (or a new array) and factors it. If a pivot fails, retries with A + τ·I for
 * τ = meanDiag·r, r = initialRelativeJitter, ×10, ×100, … up to and including maxRelativeJitter
 * (defaults: 1e-10 … 1e-4, i.e. at most 8 factorizations). meanDiag falls back to 1 when it is not positive.
 * Reads only the lower triangle (incl. diagonal) of A.
 * @param a n×n row-major symmetric matrix (first n·n entries are used).
 * @param n order of the matrix (0 gives an empty factor).
 * @returns L, the jitter τ actually added (0 if none) and the number of attempts.
 * @throws NumericalError when A has a non-finite entry in its lower triangle (names the entry), or when even
 *   τ = maxRelativeJitter·meanDiag fails (names that largest jitter, the failing pivot and a fix).
 * @throws ProteinError when n, the array lengths or the options are invalid.
 * @example
 * const { L, jitter } = cholesky(Float64Array.of(1, 1, 1, 1), 2); // singular: jitter ≈ 1e-10 added
 */
export function cholesky(a: Float64Array, n: number, options: CholeskyOptions = {}): CholeskyResult {
  checkOrder(n);
  const size = n * n;
  checkLength(a, size, "a", `${n}×${n}`);
  const maxRel = options.maxRelativeJitter ?? DEFAULT_MAX_RELATIVE_JITTER;
  const initRel = options.initialRelativeJitter ?? DEFAULT_INITIAL_RELATIVE_JITTER;
  checkJitterOption(maxRel, "maxRelativeJitter", true);
  checkJitterOption(initRel, "initialRelativeJitter", false);
  const out = options.out ?? new Float64Array(size);
  if (options.out !== undefined) checkLength(out, size, "out", `${n}×${n}`);

  let trace = 0;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = 0; j <= i; j++) {
      const v = a[row + j];
      if (!Number.isFinite(v)) {
        throw new NumericalError("cannot factor a matrix with a non-finite entry", {
          key: `A[${i}][${j}]`,
          value: v,
          allowed: "finite numbers",
          fix: "remove NaN/Infinity from the inputs that build the matrix (observations, kernel hyperparameters)",
        });
      }
    }
    trace += a[row + i];
  }
  const meanDiag = n > 0 ? trace / n : 0;
  const scale = meanDiag > 0 ? meanDiag : 1;

  // When factoring in place, keep the input: the ladder needs it for every retry.
  const src = out === a ? a.slice(0, size) : a;
  loadLower(src, out, n, 0);
  let pivot = choleskyInPlace(out, n);
  let attempts = 1;
  if (pivot < 0) return { L: out, jitter: 0, attempts };

  // Rungs r_k = initRel·10^k (k = 0, 1, …), the last one clamped to maxRel (a rung within 1e-9 of the cap is the cap).
  let jitter = 0;
  for (let k = 0; maxRel > 0; k++) {
    const rung = initRel * 10 ** k;
    const last = rung >= maxRel * (1 - 1e-9);
    jitter = scale * (last ? maxRel : rung);
    loadLower(src, out, n, jitter);
    pivot = choleskyInPlace(out, n);
    attempts++;
    if (pivot < 0) return { L: out, jitter, attempts };
    if (last) break;
  }
  throw new NumericalError(
    `Cholesky factorization failed: the ${n}×${n} matrix is not positive definite at pivot ${pivot}` +
      (maxRel > 0 ? ` even with jitter ${jitter.toPrecision(3)} added to the diagonal` : " (jitter disabled)") +
      ` after ${attempts} attempt${attempts === 1 ? "" : "s"}`,
    {
      key: "jitter",
      value: jitter,
      allowed: `jitter up to maxRelativeJitter (${maxRel}) × mean diagonal (${meanDiag.toPrecision(6)})`,
      fix:
        "raise the noise variance (or maxRelativeJitter), and check for a negative variance, " +
        "an exploding length scale, or a matrix that is not symmetric positive semi-definite",
    },
  );
}
