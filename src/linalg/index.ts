/**
 * Dense linear algebra on row-major Float64Arrays: Cholesky with a jitter ladder, triangular solves,
 * log-determinant, inverse, and a few BLAS-style kernels.
 */
export {
  CHOLESKY_TILE,
  DEFAULT_INITIAL_RELATIVE_JITTER,
  DEFAULT_MAX_RELATIVE_JITTER,
  cholesky,
  choleskyInPlace,
  choleskyExtendInPlace,
  reusableCholeskyRows,
} from "./cholesky";
export type { CholeskyOptions, CholeskyResult } from "./cholesky";
export {
  choleskySolve,
  inverseFromCholesky,
  logDetFromCholesky,
  solveLower,
  solveLowerMany,
  solveLowerTranspose,
  solveLowerTransposeMany,
} from "./triangular";
export { axpy, dot, gemv, gemvTranspose, scal, sumSquares, symmetrizeFromLower, symvLower } from "./blas";
