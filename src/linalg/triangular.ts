/**
 * Solves with a Cholesky factor, log-determinant and inverse.
 *
 * Glossary:
 *   n      order of the system
 *   L      n×n lower triangular, row-major (entry (i, k) at i·n + k), nonzero diagonal; the strict upper
 *          triangle is never read. Usually the factor from `cholesky`, so that A = L·Lᵀ.
 *   b, x   vectors of length n
 *   B, X   n×m row-major right-hand sides / solutions (row i at i·m … i·m + m − 1)
 *   m      number of right-hand sides (columns of B)
 *
 * Every solve is unchecked in its values (a zero on the diagonal of L gives Infinity/NaN, no error) but checks
 * sizes in O(1). `out` may be the right-hand side itself: all solves work in place.
 * The many-RHS solves and the inverse run blocked kernels (`triangular-blocked.ts`) on right-hand sides
 * stored as rows, so that every inner loop is a unit-stride dot product or axpy with a row of L.
 */
import { ProteinError } from "../errors";
import { symmetrizeFromLower } from "./blas";
import { checkLength, checkOrder } from "./check";
import {
  RHS_CHUNK,
  backwardRows,
  forwardRows,
  gramLowerInPlace,
  transposeColumnsBack,
  transposeColumnsInto,
} from "./triangular-blocked";

function checkFactor(L: Float64Array, n: number): void {
  checkOrder(n);
  checkLength(L, n * n, "L", `${n}×${n}`);
}

function prepareOut(b: Float64Array, size: number, out: Float64Array | undefined, key: string, shape: string): Float64Array {
  checkLength(b, size, key, shape);
  if (out === undefined) return b.slice(0, size);
  checkLength(out, size, "out", shape);
  if (out !== b) out.set(b.subarray(0, size));
  return out;
}

/**
 * Forward substitution: solves L·x = b, x_i = (b_i − Σ_{k<i} L_ik·x_k) / L_ii.
 * @param L n×n lower triangular. @param b length n. @param out length n, may be `b` (in place).
 * @returns x (in `out` when given, else a new array).
 * @throws ProteinError when n or a length is invalid.
 */
export function solveLower(L: Float64Array, n: number, b: Float64Array, out?: Float64Array): Float64Array {
  checkFactor(L, n);
  const x = prepareOut(b, n, out, "b", `length-${n}`);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    let s0 = 0, s1 = 0;
    let k = 0;
    for (; k + 1 < i; k += 2) {
      s0 += L[row + k] * x[k];
      s1 += L[row + k + 1] * x[k + 1];
    }
    if (k < i) s0 += L[row + k] * x[k];
    x[i] = (x[i] - (s0 + s1)) / L[row + i];
  }
  return x;
}

/**
 * Back substitution with the transpose: solves Lᵀ·x = b. Column-oriented so the inner loop reads a row of L:
 * for i = n−1 … 0: x_i ← x_i / L_ii, then x_k ← x_k − L_ik·x_i for k < i.
 * @param L n×n lower triangular. @param b length n. @param out length n, may be `b` (in place).
 * @returns x (in `out` when given, else a new array).
 * @throws ProteinError when n or a length is invalid.
 */
export function solveLowerTranspose(L: Float64Array, n: number, b: Float64Array, out?: Float64Array): Float64Array {
  checkFactor(L, n);
  const x = prepareOut(b, n, out, "b", `length-${n}`);
  for (let i = n - 1; i >= 0; i--) {
    const row = i * n;
    const xi = x[i] / L[row + i];
    x[i] = xi;
    for (let k = 0; k < i; k++) x[k] -= L[row + k] * xi;
  }
  return x;
}

/** Scratch for the many-RHS solves: RHS_CHUNK right-hand sides stored as rows (RHS_CHUNK × n), grown on demand. */
let chunkScratch = new Float64Array(0);

function scratchFor(n: number): Float64Array {
  const size = RHS_CHUNK * n;
  if (chunkScratch.length < size) chunkScratch = new Float64Array(size);
  return chunkScratch;
}

/**
 * Solves L·X = B for m right-hand sides. Works on chunks of RHS_CHUNK columns of B: each chunk is transposed
 * into a scratch array (one right-hand side per row), solved there by blocked forward substitution in dot form,
 * x_i = (b_i − Σ_{k<i} L_ik·x_k) / L_ii (4 right-hand sides × 2 rows of L per pass, tiles of 64 rows of L),
 * and transposed back. The scratch (RHS_CHUNK·n entries) is kept between calls.
 * @param L n×n lower triangular. @param B n×m row-major. @param m columns of B.
 * @param out n×m, may be `B` (in place).
 * @returns X (in `out` when given, else a new array).
 * @throws ProteinError when n, m or a length is invalid.
 * @example
 * // L = [[2, 0], [1, 2]], B = [[2, 4], [5, 6]] → X = [[1, 2], [2, 2]]
 * solveLowerMany(Float64Array.of(2, 0, 1, 2), 2, Float64Array.of(2, 4, 5, 6), 2);
 */
export function solveLowerMany(
  L: Float64Array,
  n: number,
  B: Float64Array,
  m: number,
  out?: Float64Array,
): Float64Array {
  checkFactor(L, n);
  checkOrder(m, "m");
  const X = prepareOut(B, n * m, out, "B", `${n}×${m}`);
  if (n === 0 || m === 0) return X;
  const Y = scratchFor(n);
  // L goes into the wasm module once for all chunks (when the module solves them).
  let lLoaded = false;
  for (let c0 = 0; c0 < m; c0 += RHS_CHUNK) {
    const c1 = Math.min(c0 + RHS_CHUNK, m);
    transposeColumnsInto(X, n, m, c0, c1, Y);
    lLoaded = forwardRows(L, n, Y, 0, c1 - c0, false, lLoaded);
    transposeColumnsBack(Y, n, m, c0, c1, X);
  }
  return X;
}

/**
 * Solves Lᵀ·X = B for m right-hand sides. Works on chunks of RHS_CHUNK columns of B transposed into a scratch
 * array, as {@link solveLowerMany}, by blocked back substitution: for i = n−1 … 0, x_i ← x_i / L_ii, then
 * x_k ← x_k − L_ik·x_i for k < i (4 right-hand sides × 2 rows of L per pass, tiles of 64 rows of L).
 * @param L n×n lower triangular. @param B n×m row-major. @param m columns of B.
 * @param out n×m, may be `B` (in place).
 * @returns X (in `out` when given, else a new array).
 * @throws ProteinError when n, m or a length is invalid.
 * @example
 * // Lᵀ = [[2, 1], [0, 2]], B = [[4, 3], [4, 2]] → X = [[1, 1], [2, 1]]
 * solveLowerTransposeMany(Float64Array.of(2, 0, 1, 2), 2, Float64Array.of(4, 3, 4, 2), 2);
 */
export function solveLowerTransposeMany(
  L: Float64Array,
  n: number,
  B: Float64Array,
  m: number,
  out?: Float64Array,
): Float64Array {
  checkFactor(L, n);
  checkOrder(m, "m");
  const X = prepareOut(B, n * m, out, "B", `${n}×${m}`);
  if (n === 0 || m === 0) return X;
  const Y = scratchFor(n);
  for (let c0 = 0; c0 < m; c0 += RHS_CHUNK) {
    const c1 = Math.min(c0 + RHS_CHUNK, m);
    transposeColumnsInto(X, n, m, c0, c1, Y);
    backwardRows(L, n, Y, 0, c1 - c0);
    transposeColumnsBack(Y, n, m, c0, c1, X);
  }
  return X;
}

/**
 * Solves (L·Lᵀ)·x = b, i.e. A·x = b given A's Cholesky factor: L·y = b, then Lᵀ·x = y.
 * @param L n×n Cholesky factor. @param b length n. @param out length n, may be `b` (in place).
 * @returns x (in `out` when given, else a new array).
 * @throws ProteinError when n or a length is invalid.
 */
export function choleskySolve(L: Float64Array, n: number, b: Float64Array, out?: Float64Array): Float64Array {
  const y = solveLower(L, n, b, out);
  return solveLowerTranspose(L, n, y, y);
}

/**
 * log det(L·Lᵀ) = 2·Σ_i log L_ii (0 for n = 0). Non-positive diagonal entries give NaN or −Infinity.
 * @param L n×n Cholesky factor.
 * @throws ProteinError when n or the length of L is invalid.
 */
export function logDetFromCholesky(L: Float64Array, n: number): number {
  checkFactor(L, n);
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(L[i * n + i]);
  return 2 * s;
}

/**
 * (L·Lᵀ)⁻¹ as a full symmetric n×n row-major matrix, in ~n³/3 multiply–adds and no scratch, in `out`:
 * 1. Z = L⁻ᵀ (upper triangular): row j of Z is L⁻¹·e_j, by blocked forward substitution in dot form
 *    (4 rows of Z × 2 rows of L per pass; the sums for row j start at column j, Z being 0 before it).
 * 2. In place, the lower triangle of Z·Zᵀ = L⁻ᵀ·L⁻¹ = (L·Lᵀ)⁻¹: R_pq = Σ_{k ≥ p} Z_pk·Z_qk for q ≤ p, unit-stride
 *    dot products of rows of Z (4×2 blocks in 64×64 tiles); R_pq only needs entries of Z right of column p, so
 *    it can overwrite the strict lower triangle, and each diagonal entry is written last in its row.
 * 3. The upper triangle mirrored from the lower.
 * @param L n×n Cholesky factor. @param out n×n, must not be `L`.
 * @returns the inverse (in `out` when given, else a new array).
 * @throws ProteinError when n or a length is invalid, or when `out` is `L`.
 * @example
 * inverseFromCholesky(Float64Array.of(2, 0, 1, 2), 2); // (LLᵀ)⁻¹ = [[4, 2], [2, 5]]⁻¹ = [[5, −2], [−2, 4]] / 16
 */
export function inverseFromCholesky(L: Float64Array, n: number, out?: Float64Array): Float64Array {
  checkFactor(L, n);
  const size = n * n;
  let W: Float64Array;
  if (out === undefined) W = new Float64Array(size);
  else {
    checkLength(out, size, "out", `${n}×${n}`);
    if (out === L) {
      throw new ProteinError("inverseFromCholesky cannot write over its factor", {
        key: "out",
        allowed: "a Float64Array other than L",
        fix: "pass a separate n×n scratch array as out",
      });
    }
    W = out;
    W.fill(0, 0, size);
  }
  for (let j = 0; j < n; j++) W[j * n + j] = 1; // rows e_j
  forwardRows(L, n, W, 0, n, true); // 1. W = Z = L⁻ᵀ
  gramLowerInPlace(W, n); // 2. lower triangle of Z·Zᵀ
  symmetrizeFromLower(W, n); // 3.
  return W;
}
