/**
 * Linear-algebra benchmarks, one `describe` group per kernel and size:
 * - linalg:cholesky:n=… — ours (tiled, 4×2 register blocks) vs ml-matrix's CholeskyDecomposition vs the plain
 *   row-major triple loop vs the plain loop with a 4-way unrolled dot, at n = 100, 300, 750, 1500.
 * - linalg:inverse:n=… — inverseFromCholesky (blocked, `src/linalg/triangular-blocked.ts`) vs the previous
 *   row-axpy implementation kept below as `inverseFromCholeskyOld` vs ml-matrix's `inverse` (LU) of A, and our
 *   Cholesky of the same A for scale, at n = 100, 300, 750.
 * - linalg:solveLowerMany:n=750,m=256 (and the transpose) — ours (chunked, transposed, blocked) vs the previous
 *   row-axpy implementations kept below as baselines.
 *
 * Run: npx vitest bench --run bench/linalg.bench.ts
 * Inputs come from a seeded generator outside the timed bodies; every variant copies A before factoring
 * (ours and the loops: into a preallocated Float64Array; ml-matrix: Matrix.clone()); every result feeds `sink`.
 * LAPACK reference: tools/bench-numpy-cholesky.py. Results: docs/benchmarks.md.
 */
import { afterAll, bench, describe } from "vitest";
import { CholeskyDecomposition, Matrix, inverse } from "ml-matrix";
import { choleskyInPlace, inverseFromCholesky, solveLowerMany, solveLowerTransposeMany } from "../src/linalg";

/** The plain row-major triple loop (Cholesky–Banachiewicz, eq. (1) of src/linalg/cholesky.ts), the baseline. */
export function choleskyNaive(a: Float64Array, n: number): number {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      if (i === j) {
        if (!(s > 0)) return i;
        a[ri + i] = Math.sqrt(s);
      } else {
        a[ri + j] = s / a[rj + j];
      }
    }
    for (let j = i + 1; j < n; j++) a[ri + j] = 0;
  }
  return -1;
}

/** The same loop with a 4-way unrolled dot product (no register blocking, no tiles). */
export function choleskyUnrolledDot(a: Float64Array, n: number): number {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
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
        if (!(s > 0)) return i;
        a[ri + i] = Math.sqrt(s);
      } else {
        a[ri + j] = s / a[rj + j];
      }
    }
    for (let j = i + 1; j < n; j++) a[ri + j] = 0;
  }
  return -1;
}

/** Baseline: the previous inverseFromCholesky (W = L⁻¹ by row axpys, then Lᵀ⁻¹·W in place, then the mirror). */
export function inverseFromCholeskyOld(L: Float64Array, n: number, W: Float64Array): Float64Array {
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

/** Baseline: the previous solveLowerMany (in place on X, n×m: whole-row axpys, four rows X_k per pass over X_i). */
export function solveLowerManyOld(L: Float64Array, n: number, X: Float64Array, m: number): Float64Array {
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

/** Baseline: the previous solveLowerTransposeMany (in place on X, n×m: two rows X_i per sweep over every X_k). */
export function solveLowerTransposeManyOld(L: Float64Array, n: number, X: Float64Array, m: number): Float64Array {
  let i = n - 1;
  for (; i >= 1; i -= 2) {
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

/** mulberry32: seeded uniform [0, 1) for the inputs (bench-local; not the library RNG). */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** SPD test matrix X·Xᵀ/n + I, X n×n uniform on [-1, 1), seeded by n. */
function spd(n: number): Float64Array {
  const r = seeded(0xc0ffee + n);
  const x = new Float64Array(n * n);
  for (let i = 0; i < x.length; i++) x[i] = 2 * r() - 1;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += x[i * n + k] * x[j * n + k];
      s /= n;
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
    a[i * n + i] += 1;
  }
  return a;
}

let sink = 0;
afterAll(() => {
  if (!Number.isFinite(sink)) throw new Error(`benchmark produced a non-finite result (${sink})`);
});

for (const n of [100, 300, 750, 1500]) {
  const A = spd(n);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(A.subarray(i * n, i * n + n)));
  const Am = new Matrix(rows);
  const work = new Float64Array(n * n);
  const opts = n >= 1500 ? { time: 0, iterations: 5, warmupIterations: 1 } : { time: 1000, iterations: 10, warmupIterations: 3 };

  describe(`linalg:cholesky:n=${n}`, () => {
    bench(
      "ours (choleskyInPlace)",
      () => {
        work.set(A);
        if (choleskyInPlace(work, n) !== -1) throw new Error("not SPD");
        sink += work[n * n - 1];
      },
      opts,
    );
    bench(
      "ml-matrix CholeskyDecomposition",
      () => {
        const d = new CholeskyDecomposition(Am.clone());
        sink += d.lowerTriangularMatrix.get(n - 1, n - 1);
      },
      opts,
    );
    bench(
      "naive triple loop",
      () => {
        work.set(A);
        if (choleskyNaive(work, n) !== -1) throw new Error("not SPD");
        sink += work[n * n - 1];
      },
      opts,
    );
    bench(
      "unrolled dot, no blocking",
      () => {
        work.set(A);
        if (choleskyUnrolledDot(work, n) !== -1) throw new Error("not SPD");
        sink += work[n * n - 1];
      },
      opts,
    );
  });
}

for (const n of [100, 300, 750]) {
  const A = spd(n);
  const L = A.slice();
  if (choleskyInPlace(L, n) !== -1) throw new Error("not SPD");
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(A.subarray(i * n, i * n + n)));
  const Am = new Matrix(rows);
  const work = new Float64Array(n * n);
  const out = new Float64Array(n * n);
  const opts = n >= 750 ? { time: 0, iterations: 8, warmupIterations: 2 } : { time: 1000, iterations: 10, warmupIterations: 3 };

  describe(`linalg:inverse:n=${n}`, () => {
    bench(
      "ours (inverseFromCholesky)",
      () => {
        inverseFromCholesky(L, n, out);
        sink += out[n * n - 1];
      },
      opts,
    );
    bench(
      "old (row axpys)",
      () => {
        inverseFromCholeskyOld(L, n, out);
        sink += out[n * n - 1];
      },
      opts,
    );
    bench(
      "ml-matrix inverse(A)",
      () => {
        sink += inverse(Am).get(n - 1, n - 1);
      },
      n >= 750 ? { time: 0, iterations: 3, warmupIterations: 1 } : opts, // ~3 s per call at n = 750
    );
    bench(
      "for scale: choleskyInPlace(A)",
      () => {
        work.set(A);
        if (choleskyInPlace(work, n) !== -1) throw new Error("not SPD");
        sink += work[n * n - 1];
      },
      opts,
    );
  });
}

{
  const n = 750;
  const m = 256;
  const L = spd(n);
  if (choleskyInPlace(L, n) !== -1) throw new Error("not SPD");
  const r = seeded(7);
  const B = new Float64Array(n * m);
  for (let i = 0; i < B.length; i++) B[i] = 2 * r() - 1;
  const X = new Float64Array(n * m);
  const opts = { time: 0, iterations: 10, warmupIterations: 2 };

  describe(`linalg:solveLowerMany:n=${n},m=${m}`, () => {
    bench(
      "ours (solveLowerMany)",
      () => {
        solveLowerMany(L, n, B, m, X);
        sink += X[n * m - 1];
      },
      opts,
    );
    bench(
      "old (row axpys)",
      () => {
        X.set(B);
        solveLowerManyOld(L, n, X, m);
        sink += X[n * m - 1];
      },
      opts,
    );
  });

  describe(`linalg:solveLowerTransposeMany:n=${n},m=${m}`, () => {
    bench(
      "ours (solveLowerTransposeMany)",
      () => {
        solveLowerTransposeMany(L, n, B, m, X);
        sink += X[0];
      },
      opts,
    );
    bench(
      "old (row axpys)",
      () => {
        X.set(B);
        solveLowerTransposeManyOld(L, n, X, m);
        sink += X[0];
      },
      opts,
    );
  });
}
