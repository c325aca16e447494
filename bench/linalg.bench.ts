/**
 * Cholesky benchmarks: ours (tiled, 4×2 register blocks) vs ml-matrix's CholeskyDecomposition vs the plain
 * row-major triple loop vs the plain loop with a 4-way unrolled dot, at n = 100, 300, 750, 1500.
 *
 * Run: npx vitest bench --run bench/linalg.bench.ts
 * Inputs come from a seeded generator outside the timed bodies; every variant copies A before factoring
 * (ours and the loops: into a preallocated Float64Array; ml-matrix: Matrix.clone()); every result feeds `sink`.
 * LAPACK reference: tools/bench-numpy-cholesky.py. Results: docs/benchmarks.md.
 */
import { afterAll, bench, describe } from "vitest";
import { CholeskyDecomposition, Matrix } from "ml-matrix";
import { choleskyInPlace } from "../src/linalg";

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
