import { describe, expect, it } from "vitest";
import fc from "fast-check";
import fixtures from "../fixtures/acquisition-special.json";
import {
  expectedImprovement,
  logExpectedImprovement,
  upperConfidenceBound,
} from "../../src/acquisition/analytic";
import { ProteinError } from "../../src/errors";

const f64 = (xs: number[]) => Float64Array.from(xs);
const one = (fn: typeof expectedImprovement, m: number, v: number, best: number) =>
  fn(f64([m]), f64([v]), best)[0];

function relErr(got: number, want: number): number {
  if (got === want) return 0;
  return Math.abs(got - want) / Math.abs(want);
}

describe("expectedImprovement", () => {
  it("matches hand-computed values: EI(0, 1, 0) = φ(0), EI(1, 1, 0) = φ(1) + Φ(1)", () => {
    expect(relErr(one(expectedImprovement, 0, 1, 0), 1 / Math.sqrt(2 * Math.PI))).toBeLessThan(1e-15);
    // φ(1) = 0.24197072451914337, Φ(1) = 0.8413447460685429
    expect(relErr(one(expectedImprovement, 1, 1, 0), 0.24197072451914337 + 0.8413447460685429)).toBeLessThan(1e-14);
    // σ = 2, u = 0.5: 2·(φ(.5) + .5·Φ(.5)) = 2·(0.3520653267642995 + 0.5·0.6914624612740131)
    expect(relErr(one(expectedImprovement, 1, 4, 0), 2 * (0.3520653267642995 + 0.5 * 0.6914624612740131))).toBeLessThan(1e-14);
  });

  it("matches mpmath EI rows to 1e-11 relative (0 where EI underflows)", () => {
    const m = f64(fixtures.ei.map((r) => r.mean));
    const v = f64(fixtures.ei.map((r) => r.variance));
    for (let i = 0; i < fixtures.ei.length; i++) {
      const r = fixtures.ei[i];
      const got = expectedImprovement(m.subarray(i, i + 1), v.subarray(i, i + 1), r.best)[0];
      if (r.ei < 1e-300) expect(got).toBeLessThan(1e-300);
      else expect(relErr(got, r.ei), JSON.stringify(r)).toBeLessThan(1e-11);
    }
  });

  it("is ≥ 0, non-decreasing in the mean and ≥ max(μ − f*, 0) (properties)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -50, max: 50, noNaN: true }),
        fc.double({ min: 0, max: 20, noNaN: true }),
        fc.double({ min: 1e-8, max: 100, noNaN: true }),
        fc.double({ min: -50, max: 50, noNaN: true }),
        (mean, step, variance, best) => {
          const out = expectedImprovement(f64([mean, mean + step]), f64([variance, variance]), best);
          expect(out[0]).toBeGreaterThanOrEqual(0);
          expect(out[1]).toBeGreaterThanOrEqual(out[0]);
          expect(out[0]).toBeGreaterThanOrEqual(Math.max(mean - best, 0) * (1 - 1e-12));
        },
      ),
    );
  });

  it("is non-decreasing in the variance (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.double({ min: 1e-6, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        (mean, variance, extra) => {
          const out = expectedImprovement(f64([mean, mean]), f64([variance, variance + extra]), 0);
          expect(out[1]).toBeGreaterThanOrEqual(out[0] * (1 - 1e-12));
        },
      ),
    );
  });

  it("with zero or negative variance returns the deterministic improvement", () => {
    const out = expectedImprovement(f64([2, -1, 3]), f64([0, 0, -1e-12]), 1);
    expect(Array.from(out)).toEqual([1, 0, 2]);
  });

  it("propagates NaN and writes into out", () => {
    const out = new Float64Array(2);
    const r = expectedImprovement(f64([Number.NaN, 0]), f64([1, Number.NaN]), 0, out);
    expect(r).toBe(out);
    expect(out[0]).toBeNaN();
    expect(out[1]).toBeNaN();
  });

  it("rejects mismatched lengths", () => {
    expect(() => expectedImprovement(f64([0, 1]), f64([1]), 0)).toThrow(ProteinError);
    expect(() => expectedImprovement(f64([0]), f64([1]), 0, new Float64Array(3))).toThrow(/wrong length/);
  });
});

describe("logExpectedImprovement", () => {
  it("matches mpmath log EI rows to 1e-12 relative, including where EI underflows", () => {
    for (const r of fixtures.ei) {
      const got = one(logExpectedImprovement, r.mean, r.variance, r.best);
      expect(Number.isFinite(got)).toBe(true);
      expect(relErr(got, r.logEi), JSON.stringify(r)).toBeLessThan(1e-12);
    }
  });

  it("equals log(EI) wherever EI is a normal number (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -30, max: 30, noNaN: true }),
        fc.double({ min: 1e-6, max: 10, noNaN: true }),
        (mean, variance) => {
          const ei = one(expectedImprovement, mean, variance, 0);
          const logEi = one(logExpectedImprovement, mean, variance, 0);
          if (ei > 1e-300) expect(Math.abs(logEi - Math.log(ei))).toBeLessThan(1e-10 * Math.max(1, Math.abs(logEi)));
          expect(Number.isFinite(logEi)).toBe(true);
        },
      ),
    );
  });

  it("stays finite and ordered where EI underflows to 0", () => {
    const out = logExpectedImprovement(f64([-50, -60, -100]), f64([1, 1, 1]), 0);
    expect(expectedImprovement(f64([-50]), f64([1]), 0)[0]).toBe(0);
    expect(Array.from(out).every(Number.isFinite)).toBe(true);
    expect(out[0]).toBeGreaterThan(out[1]);
    expect(out[1]).toBeGreaterThan(out[2]);
    // log EI(u) ≈ −u²/2 − ½log 2π − 2 log|u| for large |u|
    expect(out[2]).toBeCloseTo(-5000 - 0.5 * Math.log(2 * Math.PI) - 2 * Math.log(100), 3);
  });

  it("zero variance: log of the deterministic improvement, −∞ when none", () => {
    const out = logExpectedImprovement(f64([3, 0]), f64([0, 0]), 1);
    expect(out[0]).toBe(Math.LN2);
    expect(out[1]).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe("upperConfidenceBound", () => {
  it("is μ + β·σ (Metta's convention, β scales σ)", () => {
    const out = upperConfidenceBound(f64([1, -2, 0]), f64([4, 0.25, 0]), 2);
    expect(Array.from(out)).toEqual([5, -1, 0]);
  });

  it("treats negative variance as 0, NaN stays NaN, rejects negative β", () => {
    const out = upperConfidenceBound(f64([1, 1]), f64([-1e-15, Number.NaN]), 2);
    expect(out[0]).toBe(1);
    expect(out[1]).toBeNaN();
    expect(() => upperConfidenceBound(f64([1]), f64([1]), -1)).toThrow(/beta must be/);
  });
});
