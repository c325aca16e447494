import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CholeskyDecomposition } from "ml-matrix";
import { NumericalError, ProteinError } from "../../src/errors";
import { CHOLESKY_TILE, cholesky, choleskyInPlace } from "../../src/linalg";
import { fromMatrix, gram, lowerTimesTranspose, randomSpd, rbfMatrix, relDiff, seeded, toMatrix } from "./helpers";

const SIZES = [1, 2, 7, 64, 65, 200, 301];

function factor(a: Float64Array, n: number): Float64Array {
  const l = a.slice();
  expect(choleskyInPlace(l, n)).toBe(-1);
  return l;
}

function expectLowerTriangular(l: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    expect(l[i * n + i]).toBeGreaterThan(0);
    for (let j = i + 1; j < n; j++) expect(l[i * n + j]).toBe(0);
  }
}

describe("choleskyInPlace", () => {
  it("tile size is a multiple of 4 (the kernel's row grouping)", () => {
    expect(CHOLESKY_TILE % 4).toBe(0);
  });

  it.each(SIZES)("L·Lᵀ reconstructs a random SPD matrix, n = %i, to 1e-12 relative", (n) => {
    const a = randomSpd(n, 1000 + n);
    const l = factor(a, n);
    expectLowerTriangular(l, n);
    expect(relDiff(lowerTimesTranspose(l, n), a)).toBeLessThan(1e-12);
  });

  it.each([5, 66, 130, 257])("L·Lᵀ reconstructs an ill-conditioned RBF kernel matrix, n = %i, to 1e-12 relative", (n) => {
    const a = rbfMatrix(n, 7 * n, 1e-6);
    const l = factor(a, n);
    expect(relDiff(lowerTimesTranspose(l, n), a)).toBeLessThan(1e-12);
  });

  it.each(SIZES)("agrees with ml-matrix CholeskyDecomposition, n = %i, to 1e-12 relative", (n) => {
    const a = randomSpd(n, 2000 + n);
    const l = factor(a, n);
    const ref = new CholeskyDecomposition(toMatrix(a, n, n));
    expect(ref.isPositiveDefinite()).toBe(true);
    expect(relDiff(l, fromMatrix(ref.lowerTriangularMatrix))).toBeLessThan(1e-12);
  });

  it("reads only the lower triangle and zeroes the strict upper triangle", () => {
    const n = 70;
    const a = randomSpd(n, 3);
    const messy = a.slice();
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) messy[i * n + j] = j % 3 === 0 ? NaN : 1e6 * (i - j);
    expect(choleskyInPlace(messy, n)).toBe(-1);
    expect(messy).toEqual(factor(a, n));
  });

  it("handles n = 0", () => {
    expect(choleskyInPlace(new Float64Array(0), 0)).toBe(-1);
  });

  it("factors a hand-computed 2×2 example", () => {
    const a = Float64Array.of(4, 99, 2, 5);
    expect(choleskyInPlace(a, 2)).toBe(-1);
    expect(Array.from(a)).toEqual([2, 0, 1, 2]);
  });

  it("reports the first non-positive pivot of an indefinite matrix", () => {
    expect(choleskyInPlace(Float64Array.of(1, 0, 0, 0, 2, 0, 0, 0, -1), 3)).toBe(2);
    expect(choleskyInPlace(Float64Array.of(1, 2, 2, 1), 2)).toBe(1); // 1 − 2² < 0
    expect(choleskyInPlace(Float64Array.of(0), 1)).toBe(0);
  });

  it.each([3, 63, 64, 65, 70, 131, 199])("reports pivot %i when only that pivot is broken (n = 200, tiled path)", (p) => {
    const n = 200;
    const a = randomSpd(n, 11);
    const l = factor(a, n);
    // Σ_{k<p} L_pk² is what the pivot subtracts; make A_pp smaller than it.
    let s = 0;
    for (let k = 0; k < p; k++) s += l[p * n + k] ** 2;
    const broken = a.slice();
    broken[p * n + p] = s * 0.999;
    expect(choleskyInPlace(broken, n)).toBe(p);
  });

  it("reports a NaN or infinite pivot instead of throwing", () => {
    expect(choleskyInPlace(Float64Array.of(1, 0, NaN, 1), 2)).toBe(1);
    expect(choleskyInPlace(Float64Array.of(Infinity), 1)).toBe(0);
    expect(choleskyInPlace(Float64Array.of(1, 0, Infinity, 1), 2)).toBe(1);
  });

  it("property: L·Lᵀ = A for random SPD matrices (1e-12 relative)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 90 }), fc.integer({ min: 1, max: 90 }), fc.integer(), (n, k, seed) => {
        const a = gram(n, k, seed, 1e-3);
        const l = a.slice();
        if (choleskyInPlace(l, n) !== -1) return false;
        return relDiff(lowerTimesTranspose(l, n), a) < 1e-12;
      }),
      { numRuns: 60, seed: 42 },
    );
  });
});

describe("cholesky (checked, jitter ladder)", () => {
  it("returns jitter 0 and one attempt for an SPD matrix, and leaves A untouched", () => {
    const n = 50;
    const a = randomSpd(n, 5);
    const copy = a.slice();
    const r = cholesky(a, n);
    expect(r.jitter).toBe(0);
    expect(r.attempts).toBe(1);
    expect(a).toEqual(copy);
    expect(relDiff(lowerTimesTranspose(r.L, n), a)).toBeLessThan(1e-12);
  });

  it("writes into out, also when out is a itself", () => {
    const n = 9;
    const a = randomSpd(n, 6);
    const expected = cholesky(a, n).L;
    const out = new Float64Array(n * n).fill(NaN);
    expect(cholesky(a, n, { out }).L).toBe(out);
    expect(out).toEqual(expected);
    const inPlace = a.slice();
    expect(cholesky(inPlace, n, { out: inPlace }).L).toBe(inPlace);
    expect(inPlace).toEqual(expected);
  });

  it("in place with a singular matrix still retries from the original A", () => {
    const n = 30;
    const a = gram(n, 4, 8, 0);
    const ref = cholesky(a, n);
    const inPlace = a.slice();
    const r = cholesky(inPlace, n, { out: inPlace });
    expect(r.jitter).toBe(ref.jitter);
    expect(inPlace).toEqual(ref.L);
  });

  it("factors a rank-deficient X·Xᵀ by adding jitter, and reports it", () => {
    const n = 40;
    const a = gram(n, 5, 9, 0); // rank 5
    expect(choleskyInPlace(a.slice(), n)).toBeGreaterThanOrEqual(0);
    const r = cholesky(a, n);
    expect(r.jitter).toBeGreaterThan(0);
    expect(r.attempts).toBeGreaterThanOrEqual(2);
    let meanDiag = 0;
    for (let i = 0; i < n; i++) meanDiag += a[i * n + i] / n;
    // τ is on the ladder meanDiag·10^k, 1e-10 ≤ 10^k ≤ 1e-4
    const k = Math.log10(r.jitter / meanDiag);
    expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-9);
    expect(k).toBeGreaterThanOrEqual(-10 - 1e-9);
    expect(k).toBeLessThanOrEqual(-4 + 1e-9);
    expect(r.attempts).toBe(Math.round(k) + 10 + 2);
    const shifted = a.slice();
    for (let i = 0; i < n; i++) shifted[i * n + i] += r.jitter;
    expect(relDiff(lowerTimesTranspose(r.L, n), shifted)).toBeLessThan(1e-12);
  });

  it("a singular 2×2 of ones takes the first rung of the ladder", () => {
    const r = cholesky(Float64Array.of(1, 1, 1, 1), 2);
    expect(r.jitter).toBeCloseTo(1e-10, 20);
    expect(r.attempts).toBe(2);
  });

  it("throws NumericalError naming the largest jitter when even the cap fails", () => {
    const a = Float64Array.of(1, 0, 0, -1); // meanDiag 0 → scale 1, cap 1e-4
    let error: unknown;
    try {
      cholesky(a, 2);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NumericalError);
    const err = error as NumericalError;
    expect(err.message).toContain("jitter 0.000100 added");
    expect(err.message).toContain("pivot 1");
    expect(err.message).toContain("after 8 attempts");
    expect(err.message).toMatch(/fix: raise the noise variance/);
    expect(err.key).toBe("jitter");
    expect(err.value).toBeCloseTo(1e-4, 15);
  });

  it("respects custom ladder bounds", () => {
    const a = Float64Array.of(2, 0, 0, -1e-3); // meanDiag 0.9995; needs τ > 1e-3
    const r = cholesky(a, 2, { initialRelativeJitter: 1e-6, maxRelativeJitter: 1e-2 });
    expect(r.attempts).toBe(1 + 5); // 1e-6, 1e-5, 1e-4, 1e-3 fail; 1e-2 succeeds
    expect(r.jitter).toBeCloseTo(0.9995e-2, 12);
    expect(() => cholesky(a, 2, { maxRelativeJitter: 1e-3 })).toThrow(/jitter 0.00100 added.*after 9 attempts/);
    expect(() => cholesky(a, 2, { maxRelativeJitter: 0 })).toThrow(/jitter disabled/);
  });

  it("throws NumericalError on a non-finite entry of the lower triangle, naming it", () => {
    const a = randomSpd(4, 1);
    a[2 * 4 + 1] = NaN;
    expect(() => cholesky(a, 4)).toThrow(NumericalError);
    expect(() => cholesky(a, 4)).toThrow(/key: A\[2\]\[1\]\n\s+got: NaN/);
    const b = randomSpd(3, 2);
    b[0] = Infinity;
    expect(() => cholesky(b, 3)).toThrow(/got: Infinity/);
  });

  it("ignores non-finite entries of the strict upper triangle", () => {
    const a = randomSpd(3, 3);
    a[1] = NaN;
    expect(cholesky(a, 3).jitter).toBe(0);
  });

  it("handles n = 0", () => {
    const r = cholesky(new Float64Array(0), 0);
    expect(r.L.length).toBe(0);
    expect(r.jitter).toBe(0);
  });

  it("rejects bad sizes and options with ProteinError", () => {
    expect(() => cholesky(new Float64Array(3), 2)).toThrow(ProteinError);
    expect(() => cholesky(new Float64Array(4), 2)).not.toThrow(ProteinError); // zero matrix: jitter rescues it
    expect(() => cholesky(new Float64Array(4), -1)).toThrow(/non-negative integer/);
    expect(() => cholesky(new Float64Array(4), 1.5)).toThrow(ProteinError);
    expect(() => cholesky(Float64Array.of(1), 1, { out: new Float64Array(0) })).toThrow(/out.length/);
    expect(() => cholesky(Float64Array.of(1), 1, { maxRelativeJitter: -1 })).toThrow(/maxRelativeJitter/);
    expect(() => cholesky(Float64Array.of(1), 1, { initialRelativeJitter: 0 })).toThrow(/initialRelativeJitter/);
  });

  it("property: any PSD Gram matrix (possibly singular) factors with jitter ≤ cap and L·Lᵀ = A + τI", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 }), fc.integer(), (n, k, seed) => {
        const a = gram(n, k, seed, 0);
        const r = cholesky(a, n);
        const shifted = a.slice();
        let meanDiag = 0;
        for (let i = 0; i < n; i++) {
          shifted[i * n + i] += r.jitter;
          meanDiag += a[i * n + i] / n;
        }
        return r.jitter <= 1e-4 * meanDiag * (1 + 1e-12) && relDiff(lowerTimesTranspose(r.L, n), shifted) < 1e-12;
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  it("the seeded helper is deterministic (test double sanity)", () => {
    expect(seeded(1)()).toBe(seeded(1)());
  });
});
