/**
 * Kernel invariants over every configuration (sklearn test_kernels.py style): symmetry, k(X) == k(X, X),
 * diagonal, closed-form values, categorical dims without order, and the gradient contraction against
 * central finite differences of ½ Σ W_ab K_ab(θ).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ConstantKernel,
  LinearKernel,
  ScaledKernel,
  StationaryKernel,
  SumKernel,
  crossKernelMatrix,
  kernelMatrix,
  type Kernel,
  type StationaryKernelType,
} from "../../src/gp/kernels";

const TYPES: StationaryKernelType[] = ["matern52", "matern32", "rbf"];

function build(type: StationaryKernelType, d: number, linear: boolean, cats: number[]): Kernel {
  const s = new StationaryKernel(type, d, cats);
  return linear
    ? new ScaledKernel(new SumKernel([s, new LinearKernel(d, cats), new ConstantKernel(d)]))
    : new ScaledKernel(s);
}

function configs(): { name: string; make: (d: number) => Kernel; cats: (d: number) => number[] }[] {
  const out = [];
  for (const t of TYPES) {
    for (const linear of [false, true]) {
      for (const withCats of [false, true]) {
        const cats = (d: number) => (withCats ? [d - 1] : []);
        out.push({ name: `${t}${linear ? "+linear" : ""}${withCats ? "+categorical" : ""}`, make: (d: number) => build(t, d, linear, cats(d)), cats });
      }
    }
  }
  return out;
}

/** Seeded LCG for test data only. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function data(n: number, d: number, cats: number[], rnd: () => number): Float64Array {
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) X[i * d + j] = cats.includes(j) ? Math.floor(rnd() * 3) : 2 * rnd() - 1;
  return X;
}

describe("closed forms", () => {
  it("Matérn 5/2, Matérn 3/2 and RBF at r = 0.7 (one dimension, ℓ = 2, x − x' = 1.4)", () => {
    const r = 0.7;
    const expected: Record<StationaryKernelType, number> = {
      matern52: (1 + Math.sqrt(5) * r + (5 * r * r) / 3) * Math.exp(-Math.sqrt(5) * r),
      matern32: (1 + Math.sqrt(3) * r) * Math.exp(-Math.sqrt(3) * r),
      rbf: Math.exp(-0.5 * r * r),
    };
    for (const t of TYPES) {
      const k = new StationaryKernel(t, 1);
      k.setLogParams([Math.log(2)], 0);
      const K = kernelMatrix(k, Float64Array.of(0.3, 1.7), 2);
      expect(K[1]).toBeCloseTo(expected[t], 14);
      expect(K[0]).toBe(1);
    }
  });

  it("Protein's kernel σ_f·(x·x' + b + Matérn32) with c = 1", () => {
    const k = build("matern32", 2, true, []);
    // θ = [log σ_f, log ℓ0, log ℓ1, log c, log b]
    k.setLogParams([Math.log(1.5), 0, Math.log(2), 0, Math.log(0.5)], 0);
    const x = [0.2, -0.4];
    const z = [0.5, 0.6];
    const r = Math.sqrt((0.3 / 1) ** 2 + (1.0 / 2) ** 2);
    const m32 = (1 + Math.sqrt(3) * r) * Math.exp(-Math.sqrt(3) * r);
    const K = crossKernelMatrix(k, Float64Array.from(x), 1, Float64Array.from(z), 1);
    expect(K[0]).toBeCloseTo(1.5 * (0.2 * 0.5 - 0.4 * 0.6 + 0.5 + m32), 14);
  });

  it("a categorical dimension only sees equal vs different (no order)", () => {
    const k = new StationaryKernel("matern52", 2, [1]);
    const X = Float64Array.of(0, 0, 0, 1, 0, 2, 0, 0);
    const K = kernelMatrix(k, X, 4);
    expect(K[0 * 4 + 1]).toBe(K[0 * 4 + 2]); // category 0 vs 1 == category 0 vs 2
    expect(K[0 * 4 + 3]).toBe(1); // same category, same continuous coordinate
    expect(K[0 * 4 + 1]).toBeLessThan(1);
    // Linear term ignores the categorical column entirely.
    const lin = new LinearKernel(2, [1]);
    const KL = kernelMatrix(lin, Float64Array.of(1, 5, 2, 7), 2);
    expect(Array.from(KL)).toEqual([1, 2, 2, 4]);
  });
});

describe.each(configs())("kernel invariants: $name", ({ make, cats }) => {
  it("K symmetric, K(X) = K(X, X), diag = k(x, x), and a positive semi-definite diagonal", () => {
    const rnd = lcg(3);
    const d = 3;
    const n = 7;
    const k = make(d);
    const theta = Array.from({ length: k.numParams }, () => rnd() - 0.5);
    k.setLogParams(theta, 0);
    const X = data(n, d, cats(d), rnd);
    const K = kernelMatrix(k, X, n);
    const C = crossKernelMatrix(k, X, n, X, n);
    const diag = new Float64Array(n);
    k.fillDiag(X, n, diag, 1, false);
    for (let i = 0; i < n; i++) {
      expect(diag[i]).toBeCloseTo(K[i * n + i], 12);
      for (let j = 0; j < n; j++) {
        expect(K[i * n + j]).toBe(K[j * n + i]);
        expect(C[i * n + j]).toBeCloseTo(K[i * n + j], 12);
      }
    }
  });

  it("the cross block K(A, B) equals the same block of K([A; B]) exactly, for row counts off the 4-row blocking", () => {
    const rnd = lcg(11);
    const d = 5;
    for (const [m, n] of [[9, 11], [4, 8], [1, 3], [6, 1]]) {
      const k = make(d);
      k.setLogParams(Array.from({ length: k.numParams }, () => rnd() - 0.5), 0);
      const A = data(m, d, cats(d), rnd);
      const B = data(n, d, cats(d), rnd);
      const stacked = new Float64Array((m + n) * d);
      stacked.set(A);
      stacked.set(B, m * d);
      const K = kernelMatrix(k, stacked, m + n);
      const C = crossKernelMatrix(k, A, m, B, n);
      const acc = new Float64Array(m * n).fill(0.25);
      k.fillCross(A, m, B, n, acc, 1, true);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          expect(C[i * n + j]).toBe(K[i * (m + n) + m + j]);
          expect(acc[i * n + j]).toBeCloseTo(0.25 + C[i * n + j], 14);
        }
      }
    }
  });

  it("gradient contraction matches central finite differences (fast-check)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 2, max: 8 }), fc.integer({ min: 1, max: 4 }), (seed, n, d) => {
        const rnd = lcg(seed);
        const k = make(d);
        const P = k.numParams;
        const theta = Array.from({ length: P }, () => 1.6 * rnd() - 0.8);
        const X = data(n, d, cats(d), rnd);
        const W = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) W[i * n + j] = W[j * n + i] = 2 * rnd() - 1;
        const contraction = (t: number[]): number => {
          k.setLogParams(t, 0);
          const K = kernelMatrix(k, X, n);
          let s = 0;
          for (let i = 0; i < n * n; i++) s += W[i] * K[i];
          return 0.5 * s;
        };
        k.setLogParams(theta, 0);
        const g = new Float64Array(P);
        const value = k.gradient(X, n, W, 1, g, 0);
        expect(value).toBeCloseTo(contraction(theta), 10);
        const h = 1e-6;
        for (let p = 0; p < P; p++) {
          const tp = theta.slice();
          const tm = theta.slice();
          tp[p] += h;
          tm[p] -= h;
          const fd = (contraction(tp) - contraction(tm)) / (2 * h);
          expect(Math.abs(g[p] - fd)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(fd)));
        }
      }),
      { numRuns: 25 },
    );
  });
});
