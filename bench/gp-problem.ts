/** Test data of the GP benchmarks (bench/gp.bench.ts, bench/gp-memory.ts), drawn from one seeded generator. */
import type { Rng } from "../src/random/index";

/** q rows of d coordinates uniform on [−1, 1), row-major. */
export function uniformRows(q: number, d: number, rng: Rng): Float64Array {
  const X = new Float64Array(q * d);
  for (let i = 0; i < X.length; i++) X[i] = rng.uniform(-1, 1);
  return X;
}

/**
 * A smooth Protein-like score: y = Σ_j w_j sin(2x_j + j) + N(0, 0.05²), with w_j = 1 on the first `strong`
 * dimensions and 0.1 on the rest; X uniform on [−1, 1).
 */
export function smoothProblem(n: number, d: number, strong: number, rng: Rng): { X: Float64Array; y: Float64Array } {
  const X = uniformRows(n, d, rng);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += (j < strong ? 1 : 0.1) * Math.sin(2 * X[i * d + j] + j);
    y[i] = s + 0.05 * rng.normal();
  }
  return { X, y };
}
