/**
 * Small BLAS-style kernels on row-major `Float64Array`s.
 *
 * Glossary (all arrays row-major, sizes explicit, no checks — these are unchecked kernels):
 *   n, m      lengths / dimensions
 *   x, y      vectors, read from `x[xOff .. xOff + n)`
 *   A         m×n matrix, entry (i, j) at `A[i * n + j]`
 *   S         n×n symmetric matrix of which only one triangle is trusted
 *
 * Every loop runs over a unit-stride index. Nothing allocates unless it returns a new array
 * because the caller passed no `out`.
 */

/** Dot product Σ_k x[xOff+k]·y[yOff+k] over `n` entries (4 partial sums). */
export function dot(n: number, x: Float64Array, xOff: number, y: Float64Array, yOff: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += x[xOff + k] * y[yOff + k];
    s1 += x[xOff + k + 1] * y[yOff + k + 1];
    s2 += x[xOff + k + 2] * y[yOff + k + 2];
    s3 += x[xOff + k + 3] * y[yOff + k + 3];
  }
  for (; k < n; k++) s0 += x[xOff + k] * y[yOff + k];
  return s0 + s1 + (s2 + s3);
}

/** y[yOff+k] += alpha·x[xOff+k] for k < n (in place on `y`). */
export function axpy(
  n: number,
  alpha: number,
  x: Float64Array,
  xOff: number,
  y: Float64Array,
  yOff: number,
): void {
  for (let k = 0; k < n; k++) y[yOff + k] += alpha * x[xOff + k];
}

/** x[xOff+k] *= alpha for k < n (in place). */
export function scal(n: number, alpha: number, x: Float64Array, xOff: number): void {
  for (let k = 0; k < n; k++) x[xOff + k] *= alpha;
}

/**
 * y = alpha·A·x + beta·y with A m×n row-major (each output is a unit-stride dot of a row of A with x).
 * `y` must not alias `x`. With beta = 0, `y` is overwritten (NaN in `y` does not leak).
 * @returns `y`
 */
export function gemv(
  m: number,
  n: number,
  alpha: number,
  A: Float64Array,
  x: Float64Array,
  beta: number,
  y: Float64Array,
): Float64Array {
  for (let i = 0; i < m; i++) {
    const s = alpha * dot(n, A, i * n, x, 0);
    y[i] = beta === 0 ? s : s + beta * y[i];
  }
  return y;
}

/**
 * y = alpha·Aᵀ·x + beta·y with A m×n row-major (x has m entries, y has n): accumulated row by row
 * as axpys so the inner loop stays unit-stride. `y` must not alias `x`.
 * @returns `y`
 */
export function gemvTranspose(
  m: number,
  n: number,
  alpha: number,
  A: Float64Array,
  x: Float64Array,
  beta: number,
  y: Float64Array,
): Float64Array {
  if (beta === 0) y.fill(0, 0, n);
  else if (beta !== 1) scal(n, beta, y, 0);
  for (let i = 0; i < m; i++) axpy(n, alpha * x[i], A, i * n, y, 0);
  return y;
}

/**
 * y = alpha·S·x + beta·y for S n×n symmetric, reading only its lower triangle (incl. diagonal).
 * `y` must not alias `x`.
 * @returns `y`
 */
export function symvLower(
  n: number,
  alpha: number,
  S: Float64Array,
  x: Float64Array,
  beta: number,
  y: Float64Array,
): Float64Array {
  if (beta === 0) y.fill(0, 0, n);
  else if (beta !== 1) scal(n, beta, y, 0);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    const axi = alpha * x[i];
    // row i, columns j < i: contributes S_ij·x_j to y_i and S_ij·x_i to y_j (symmetry)
    let s = 0;
    for (let j = 0; j < i; j++) {
      const sij = S[row + j];
      s += sij * x[j];
      y[j] += axi * sij;
    }
    y[i] += alpha * s + axi * S[row + i];
  }
  return y;
}

/** Block edge of symmetrizeFromLower: a 32×32 tile of doubles and its mirror image stay in L1 together. */
const MIRROR_BLOCK = 32;

/**
 * Copies the strict lower triangle of the n×n matrix S onto its strict upper triangle (in place), in square
 * blocks so that the column-strided writes stay in cache.
 */
export function symmetrizeFromLower(S: Float64Array, n: number): Float64Array {
  for (let ib = 0; ib < n; ib += MIRROR_BLOCK) {
    const ie = Math.min(ib + MIRROR_BLOCK, n);
    for (let jb = 0; jb <= ib; jb += MIRROR_BLOCK) {
      const je = Math.min(jb + MIRROR_BLOCK, n);
      for (let i = ib; i < ie; i++) {
        const row = i * n;
        const jEnd = je < i ? je : i;
        for (let j = jb; j < jEnd; j++) S[j * n + i] = S[row + j];
      }
    }
  }
  return S;
}

/** Sum of squares Σ x[xOff+k]² over n entries. */
export function sumSquares(n: number, x: Float64Array, xOff: number): number {
  return dot(n, x, xOff, x, xOff);
}
