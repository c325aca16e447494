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
 * The many-RHS solves update whole rows of X (unit stride over m in the innermost loop).
 */
import { ProteinError } from "../errors";
import { checkLength, checkOrder } from "./check";

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

/**
 * Solves L·X = B for m right-hand sides: X_i = (B_i − Σ_{k<i} L_ik·X_k) / L_ii on whole rows, four rows X_k per
 * pass over X_i.
 * @param L n×n lower triangular. @param B n×m row-major. @param m columns of B.
 * @param out n×m, may be `B` (in place).
 * @returns X (in `out` when given, else a new array).
 * @throws ProteinError when n, m or a length is invalid.
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
  for (let i = 0; i < n; i++) {
    const li = i * n;
    const xi = i * m;
    let k = 0;
    for (; k + 3 < i; k += 4) {
      const l0 = L[li + k], l1 = L[li + k + 1], l2 = L[li + k + 2], l3 = L[li + k + 3];
      const x0 = k * m, x1 = x0 + m, x2 = x1 + m, x3 = x2 + m;
      for (let c = 0; c < m; c++) {
        X[xi + c] -= l0 * X[x0 + c] + l1 * X[x1 + c] + (l2 * X[x2 + c] + l3 * X[x3 + c]);
      }
    }
    for (; k < i; k++) {
      const l = L[li + k];
      const xk = k * m;
      for (let c = 0; c < m; c++) X[xi + c] -= l * X[xk + c];
    }
    const inv = 1 / L[li + i];
    for (let c = 0; c < m; c++) X[xi + c] *= inv;
  }
  return X;
}

/**
 * Solves Lᵀ·X = B for m right-hand sides. For i = n−1 … 0: X_i ← X_i / L_ii, then X_k ← X_k − L_ik·X_i (k < i),
 * two rows i at a time so each X_k is read and written once per pair.
 * @param L n×n lower triangular. @param B n×m row-major. @param m columns of B.
 * @param out n×m, may be `B` (in place).
 * @returns X (in `out` when given, else a new array).
 * @throws ProteinError when n, m or a length is invalid.
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
  let i = n - 1;
  for (; i >= 1; i -= 2) {
    // Rows i and h = i − 1: finish X_i, update X_h with it, finish X_h, then sweep both into every X_k, k < h.
    const h = i - 1;
    const li = i * n;
    const lh = h * n;
    const xi = i * m;
    const xh = h * m;
    const invI = 1 / L[li + i];
    const lih = L[li + h];
    const invH = 1 / L[lh + h];
    for (let c = 0; c < m; c++) {
      const v = X[xi + c] * invI;
      X[xi + c] = v;
      X[xh + c] = (X[xh + c] - lih * v) * invH;
    }
    for (let k = 0; k < h; k++) {
      const a = L[li + k];
      const b = L[lh + k];
      const xk = k * m;
      for (let c = 0; c < m; c++) X[xk + c] -= a * X[xi + c] + b * X[xh + c];
    }
  }
  if (i === 0) {
    const inv = 1 / L[0];
    for (let c = 0; c < m; c++) X[c] *= inv;
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
 * (L·Lᵀ)⁻¹ as a full symmetric n×n row-major matrix, in ~n³/3 multiply–adds and no scratch:
 * first W = L⁻¹ (lower triangular, row by row: W_i = (e_i − Σ_{k<i} L_ik·W_k) / L_ii), then, in place, the
 * lower triangle of Lᵀ⁻¹·W (rows i = n−1 … 0, as in {@link solveLowerTransposeMany} restricted to columns ≤ row),
 * then the upper triangle mirrored from the lower.
 * @param L n×n Cholesky factor. @param out n×n, must not be `L`.
 * @returns the inverse (in `out` when given, else a new array).
 * @throws ProteinError when n or a length is invalid, or when `out` is `L`.
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
  }
  // W = L⁻¹, lower triangle only (row i has entries in columns 0..i).
  for (let i = 0; i < n; i++) {
    const li = i * n;
    W.fill(0, li, li + n);
    W[li + i] = 1;
    for (let k = 0; k < i; k++) {
      const l = L[li + k];
      const wk = k * n;
      for (let c = 0; c <= k; c++) W[li + c] -= l * W[wk + c];
    }
    const inv = 1 / L[li + i];
    for (let c = 0; c <= i; c++) W[li + c] *= inv;
  }
  // Lᵀ·Y = W, lower triangle of Y only: Y_i ← Y_i / L_ii, then Y_k[0..k] −= L_ik·Y_i[0..k] for k < i.
  for (let i = n - 1; i >= 0; i--) {
    const li = i * n;
    const inv = 1 / L[li + i];
    for (let c = 0; c <= i; c++) W[li + c] *= inv;
    for (let k = 0; k < i; k++) {
      const l = L[li + k];
      const wk = k * n;
      for (let c = 0; c <= k; c++) W[wk + c] -= l * W[li + c];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) W[j * n + i] = W[i * n + j];
  return W;
}
