/**
 * Internal blocked kernels behind the many-right-hand-side solves and the inverse of `triangular.ts`.
 * Not exported from the package; the checked entries in `triangular.ts` validate sizes and call these.
 *
 * Glossary:
 *   n        order of L
 *   L        n×n lower triangular, row-major (entry (i, k) at i·n + k), nonzero diagonal; strict upper never read
 *   Y        rows×n row-major: each row is ONE right-hand side / solution vector y (y_k at r·n + k). Storing the
 *            right-hand sides as rows makes every inner loop a unit-stride dot product or axpy of a row of L
 *            with a row of Y.
 *   Z        n×n, row j = column j of L⁻¹ (so Z = L⁻ᵀ, upper triangular), used by the inverse
 *   R        (L·Lᵀ)⁻¹ = L⁻ᵀ·L⁻¹ = Z·Zᵀ, symmetric
 *   TILE     rows of L (and of Y) per cache tile, as in `cholesky.ts`
 *
 * Equations:
 *   forward, dot form:   y_i ← (y_i − Σ_{k<i} L_ik·y_k) / L_ii,  i = 0 … n−1                  (F)
 *   backward, axpy form: y_i ← y_i / L_ii, then y_k ← y_k − L_ik·y_i for k < i,  i = n−1 … 0     (B)  [Lᵀ·y = b]
 *   inverse:             Z_j = L⁻¹·e_j by (F) with the sums starting at k = j (Z_jk = 0 for k < j), then
 *                        R_pq = Σ_{k ≥ p} Z_pk·Z_qk  for p ≥ q                                         (G)
 *
 * Register blocking as in the Cholesky kernel: 4 rows of Y × 2 rows of L per pass share their loads
 * (6 loads per 8 multiply–adds in (F) and (G)); tiles of TILE rows of L keep the rows a pass touches in L2.
 */

import { wasmForwardRows } from "./wasm/index";

/** Right-hand sides (rows of Y) and order of L from which the forward solve's 4-row blocks go to WebAssembly. */
const WASM_MIN_ROWS = 8;
const WASM_MIN_ORDER = 32;

/** Rows of L per cache tile. */
export const TRI_TILE = 64;

/**
 * Right-hand sides per chunk of the transposed many-RHS solves: the chunk (CHUNK × n) is the scratch size, and
 * each chunk makes one pass over L.
 */
export const RHS_CHUNK = 64;

// ---------------------------------------------------------------------------------------------------------------
// (F) forward substitution on rows of Y

/** (F) for rows r … r+3 of Y and columns i, i+1 (i + 1 < n), sums over k ∈ [k0, i), then the k = i term for i+1. */
function forward4x2(L: Float64Array, n: number, Y: Float64Array, r: number, i: number, k0: number): void {
  const y0 = r * n;
  const y1 = y0 + n;
  const y2 = y1 + n;
  const y3 = y2 + n;
  const a0 = i * n;
  const a1 = a0 + n;
  let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
  for (let k = k0; k < i; k++) {
    const l0 = L[a0 + k];
    const l1 = L[a1 + k];
    const x0 = Y[y0 + k];
    s00 += x0 * l0;
    s01 += x0 * l1;
    const x1 = Y[y1 + k];
    s10 += x1 * l0;
    s11 += x1 * l1;
    const x2 = Y[y2 + k];
    s20 += x2 * l0;
    s21 += x2 * l1;
    const x3 = Y[y3 + k];
    s30 += x3 * l0;
    s31 += x3 * l1;
  }
  const d0 = L[a0 + i]; // L_ii
  const l10 = L[a1 + i]; // L_{i+1,i}
  const d1 = L[a1 + i + 1]; // L_{i+1,i+1}
  let v = (Y[y0 + i] - s00) / d0;
  Y[y0 + i] = v;
  Y[y0 + i + 1] = (Y[y0 + i + 1] - s01 - l10 * v) / d1;
  v = (Y[y1 + i] - s10) / d0;
  Y[y1 + i] = v;
  Y[y1 + i + 1] = (Y[y1 + i + 1] - s11 - l10 * v) / d1;
  v = (Y[y2 + i] - s20) / d0;
  Y[y2 + i] = v;
  Y[y2 + i + 1] = (Y[y2 + i + 1] - s21 - l10 * v) / d1;
  v = (Y[y3 + i] - s30) / d0;
  Y[y3 + i] = v;
  Y[y3 + i + 1] = (Y[y3 + i + 1] - s31 - l10 * v) / d1;
}

/** (F) for rows r … r+3 of Y and the single column i. */
function forward4x1(L: Float64Array, n: number, Y: Float64Array, r: number, i: number, k0: number): void {
  const y0 = r * n;
  const y1 = y0 + n;
  const y2 = y1 + n;
  const y3 = y2 + n;
  const a0 = i * n;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let k = k0; k < i; k++) {
    const l0 = L[a0 + k];
    s0 += Y[y0 + k] * l0;
    s1 += Y[y1 + k] * l0;
    s2 += Y[y2 + k] * l0;
    s3 += Y[y3 + k] * l0;
  }
  const d0 = L[a0 + i];
  Y[y0 + i] = (Y[y0 + i] - s0) / d0;
  Y[y1 + i] = (Y[y1 + i] - s1) / d0;
  Y[y2 + i] = (Y[y2 + i] - s2) / d0;
  Y[y3 + i] = (Y[y3 + i] - s3) / d0;
}

/** (F) for the single row r of Y and the columns [i0, i1), sums from k0, 4-way unrolled dots. */
function forwardRow(L: Float64Array, n: number, Y: Float64Array, r: number, i0: number, i1: number, k0: number): void {
  const y = r * n;
  for (let i = i0; i < i1; i++) {
    const a = i * n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let k = k0;
    for (; k + 3 < i; k += 4) {
      s0 += L[a + k] * Y[y + k];
      s1 += L[a + k + 1] * Y[y + k + 1];
      s2 += L[a + k + 2] * Y[y + k + 2];
      s3 += L[a + k + 3] * Y[y + k + 3];
    }
    for (; k < i; k++) s0 += L[a + k] * Y[y + k];
    Y[y + i] = (Y[y + i] - (s0 + s1 + (s2 + s3))) / L[a + i];
  }
}

/**
 * Solves L·y = b in place for each of the rows [r0, r1) of Y (row stride n), by (F) in tiles of TRI_TILE rows of L.
 * With `fromRow` set, row r must hold 0 in its columns [s, r − r0), where s = r − r0 rounded down to a multiple
 * of 4 (start of r's 4-row block); the solution is then 0 before column r − r0 and the sums start at s: the
 * inverse uses it for Z_j = L⁻¹·e_j, whose first j entries are 0. Columns before s are neither read nor written.
 * Returns whether L was left in the wasm module; a caller solving more right-hand sides with the same L and nothing
 * else in between passes that back as `lLoaded`, so L is not copied in again.
 */
export function forwardRows(L: Float64Array, n: number, Y: Float64Array, r0: number, r1: number, fromRow: boolean, lLoaded = false): boolean {
  const r4 = r0 + ((r1 - r0) & ~3);
  // The 4-row blocks in WebAssembly SIMD when available (the same operations in the same order: the same bits);
  // the few rows after them as below. A row's columns do not depend on the tiling, so one call per row does.
  if (r4 - r0 >= WASM_MIN_ROWS && n >= WASM_MIN_ORDER && wasmForwardRows(L, n, Y, r0, r4, fromRow, lLoaded)) {
    for (let r = r4; r < r1; r++) {
      const k0 = fromRow ? r - r0 : 0;
      if (k0 < n) forwardRow(L, n, Y, r, k0, n, k0);
    }
    return true;
  }
  for (let i0 = 0; i0 < n; i0 += TRI_TILE) {
    const i1 = Math.min(i0 + TRI_TILE, n);
    for (let r = r0; r < r4; r += 4) {
      const k0 = fromRow ? r - r0 : 0;
      if (k0 >= i1) break;
      let i = k0 > i0 ? k0 : i0;
      for (; i + 1 < i1; i += 2) forward4x2(L, n, Y, r, i, k0);
      if (i < i1) forward4x1(L, n, Y, r, i, k0);
    }
    for (let r = r4; r < r1; r++) {
      const k0 = fromRow ? r - r0 : 0;
      if (k0 < i1) forwardRow(L, n, Y, r, k0 > i0 ? k0 : i0, i1, k0);
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// (B) back substitution with Lᵀ on rows of Y

/**
 * (B) for rows r … r+3 of Y and the pair of columns i, h = i − 1 (the two are finished here), then the
 * update of the columns k < h of the 4 rows with both.
 */
function backward4x2(L: Float64Array, n: number, Y: Float64Array, r: number, i: number): void {
  const h = i - 1;
  const y0 = r * n;
  const y1 = y0 + n;
  const y2 = y1 + n;
  const y3 = y2 + n;
  const ai = i * n;
  const ah = h * n;
  const di = L[ai + i];
  const lih = L[ai + h];
  const dh = L[ah + h];
  const p0 = Y[y0 + i] / di;
  const p1 = Y[y1 + i] / di;
  const p2 = Y[y2 + i] / di;
  const p3 = Y[y3 + i] / di;
  const q0 = (Y[y0 + h] - lih * p0) / dh;
  const q1 = (Y[y1 + h] - lih * p1) / dh;
  const q2 = (Y[y2 + h] - lih * p2) / dh;
  const q3 = (Y[y3 + h] - lih * p3) / dh;
  Y[y0 + i] = p0;
  Y[y1 + i] = p1;
  Y[y2 + i] = p2;
  Y[y3 + i] = p3;
  Y[y0 + h] = q0;
  Y[y1 + h] = q1;
  Y[y2 + h] = q2;
  Y[y3 + h] = q3;
  for (let k = 0; k < h; k++) {
    const a = L[ai + k];
    const b = L[ah + k];
    Y[y0 + k] -= a * p0 + b * q0;
    Y[y1 + k] -= a * p1 + b * q1;
    Y[y2 + k] -= a * p2 + b * q2;
    Y[y3 + k] -= a * p3 + b * q3;
  }
}

/** (B) for rows r … r+3 of Y and the single column i. */
function backward4x1(L: Float64Array, n: number, Y: Float64Array, r: number, i: number): void {
  const y0 = r * n;
  const y1 = y0 + n;
  const y2 = y1 + n;
  const y3 = y2 + n;
  const ai = i * n;
  const di = L[ai + i];
  const p0 = Y[y0 + i] / di;
  const p1 = Y[y1 + i] / di;
  const p2 = Y[y2 + i] / di;
  const p3 = Y[y3 + i] / di;
  Y[y0 + i] = p0;
  Y[y1 + i] = p1;
  Y[y2 + i] = p2;
  Y[y3 + i] = p3;
  for (let k = 0; k < i; k++) {
    const a = L[ai + k];
    Y[y0 + k] -= a * p0;
    Y[y1 + k] -= a * p1;
    Y[y2 + k] -= a * p2;
    Y[y3 + k] -= a * p3;
  }
}

/** (B) for the single row r of Y and the columns i1−1 down to i0. */
function backwardRow(L: Float64Array, n: number, Y: Float64Array, r: number, i0: number, i1: number): void {
  const y = r * n;
  for (let i = i1 - 1; i >= i0; i--) {
    const ai = i * n;
    const p = Y[y + i] / L[ai + i];
    Y[y + i] = p;
    for (let k = 0; k < i; k++) Y[y + k] -= L[ai + k] * p;
  }
}

/** Solves Lᵀ·y = b in place for each of the rows [r0, r1) of Y (row stride n), by (B) in tiles of TRI_TILE rows of L. */
export function backwardRows(L: Float64Array, n: number, Y: Float64Array, r0: number, r1: number): void {
  const r4 = r0 + ((r1 - r0) & ~3);
  for (let i1 = n; i1 > 0; i1 -= TRI_TILE) {
    const i0 = Math.max(i1 - TRI_TILE, 0);
    for (let r = r0; r < r4; r += 4) {
      let i = i1 - 1;
      for (; i > i0; i -= 2) backward4x2(L, n, Y, r, i);
      if (i === i0) backward4x1(L, n, Y, r, i);
    }
    for (let r = r4; r < r1; r++) backwardRow(L, n, Y, r, i0, i1);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// (G) R = Z·Zᵀ, lower triangle, in place over Z

/**
 * (G) for rows p … p+3 and columns q, q+1 (q + 1 < p), written into Z's strict lower triangle. The sums run
 * from k = p for all four rows: the entries Z_{p+a,k}, p ≤ k < p+a, are in the strict lower triangle of Z and
 * still 0 when this runs (the 4×4 corner of rows p … p+3 is written last).
 */
function gram4x2(Z: Float64Array, n: number, p: number, q: number): void {
  const z0 = p * n;
  const z1 = z0 + n;
  const z2 = z1 + n;
  const z3 = z2 + n;
  const c0 = q * n;
  const c1 = c0 + n;
  let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
  for (let k = p; k < n; k++) {
    const w0 = Z[c0 + k];
    const w1 = Z[c1 + k];
    const x0 = Z[z0 + k];
    s00 += x0 * w0;
    s01 += x0 * w1;
    const x1 = Z[z1 + k];
    s10 += x1 * w0;
    s11 += x1 * w1;
    const x2 = Z[z2 + k];
    s20 += x2 * w0;
    s21 += x2 * w1;
    const x3 = Z[z3 + k];
    s30 += x3 * w0;
    s31 += x3 * w1;
  }
  Z[z0 + q] = s00;
  Z[z0 + q + 1] = s01;
  Z[z1 + q] = s10;
  Z[z1 + q + 1] = s11;
  Z[z2 + q] = s20;
  Z[z2 + q + 1] = s21;
  Z[z3 + q] = s30;
  Z[z3 + q + 1] = s31;
}

/** (G) for the single entry (p, q), q ≤ p, exact range k ≥ p, 4-way unrolled. */
function gramEntry(Z: Float64Array, n: number, p: number, q: number): void {
  const zp = p * n;
  const zq = q * n;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let k = p;
  for (; k + 3 < n; k += 4) {
    s0 += Z[zp + k] * Z[zq + k];
    s1 += Z[zp + k + 1] * Z[zq + k + 1];
    s2 += Z[zp + k + 2] * Z[zq + k + 2];
    s3 += Z[zp + k + 3] * Z[zq + k + 3];
  }
  for (; k < n; k++) s0 += Z[zp + k] * Z[zq + k];
  Z[zp + q] = s0 + s1 + (s2 + s3);
}

/**
 * Overwrites the lower triangle (incl. diagonal) of Z with R = Z·Zᵀ, given Z upper triangular with its strict
 * lower triangle 0. The strict upper triangle keeps Z. In place, because R_pq (q ≤ p) reads only Z_pk and Z_qk
 * for k ≥ p: entry (p, q) of Z is never read once R_pq is written, except Z_pp, which every row-p entry needs and
 * which is therefore written last in its row.
 */
export function gramLowerInPlace(Z: Float64Array, n: number): void {
  const nb = TRI_TILE;
  for (let p0 = 0; p0 < n; p0 += nb) {
    const p1 = Math.min(p0 + nb, n);
    const p4 = p0 + ((p1 - p0) & ~3);
    for (let q0 = 0; q0 < p0; q0 += nb) {
      const q1 = q0 + nb;
      for (let p = p0; p < p4; p += 4) for (let q = q0; q < q1; q += 2) gram4x2(Z, n, p, q);
      for (let p = p4; p < p1; p++) for (let q = q0; q < q1; q++) gramEntry(Z, n, p, q);
    }
    for (let p = p0; p < p4; p += 4) {
      for (let q = p0; q < p; q += 2) gram4x2(Z, n, p, q);
      for (let a = p; a < p + 4; a++) for (let c = p; c <= a; c++) gramEntry(Z, n, a, c);
    }
    for (let p = p4; p < p1; p++) for (let q = p0; q <= p; q++) gramEntry(Z, n, p, q);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Transposes and the mirror

/** Block edge of the cache-blocked transposes. */
const T_BLOCK = 32;

/**
 * dst (cols×rows) ← columns [c0, c1) of src (rows×srcCols, row-major) transposed: dst[(c − c0)·rows + i] = src[i·srcCols + c].
 */
export function transposeColumnsInto(
  src: Float64Array,
  rows: number,
  srcCols: number,
  c0: number,
  c1: number,
  dst: Float64Array,
): void {
  for (let ib = 0; ib < rows; ib += T_BLOCK) {
    const ie = Math.min(ib + T_BLOCK, rows);
    for (let cb = c0; cb < c1; cb += T_BLOCK) {
      const ce = Math.min(cb + T_BLOCK, c1);
      for (let i = ib; i < ie; i++) {
        const s = i * srcCols;
        for (let c = cb; c < ce; c++) dst[(c - c0) * rows + i] = src[s + c];
      }
    }
  }
}

/** The inverse of {@link transposeColumnsInto}: columns [c0, c1) of dst (rows×dstCols) ← src (cols×rows) transposed. */
export function transposeColumnsBack(
  src: Float64Array,
  rows: number,
  dstCols: number,
  c0: number,
  c1: number,
  dst: Float64Array,
): void {
  for (let ib = 0; ib < rows; ib += T_BLOCK) {
    const ie = Math.min(ib + T_BLOCK, rows);
    for (let cb = c0; cb < c1; cb += T_BLOCK) {
      const ce = Math.min(cb + T_BLOCK, c1);
      for (let i = ib; i < ie; i++) {
        const d = i * dstCols;
        for (let c = cb; c < ce; c++) dst[d + c] = src[(c - c0) * rows + i];
      }
    }
  }
}
