import { describe, expect, it } from "vitest";
import fc from "fast-check";
import fixtures from "../fixtures/acquisition-special.json";
import {
  clippedExp,
  log1mexp,
  log1pexp,
  logNormalCdf,
  logNormalPdf,
  logStandardEi,
  logit,
  normalCdf,
  normalPdf,
  safeLog,
  sigmoid,
  softplus,
  softplusInverse,
  standardEi,
} from "../../src/acquisition/safe-math";

function relErr(got: number, want: number): number {
  if (got === want) return 0;
  return Math.abs(got - want) / Math.abs(want);
}

describe("normal CDF against scipy (fixtures from tools/make-acquisition-fixtures.py)", () => {
  it("covers z from −40 to 10", () => {
    const zs = fixtures.normal.map((r) => r.z);
    expect(Math.min(...zs)).toBe(-40);
    expect(Math.max(...zs)).toBe(10);
    expect(zs.length).toBeGreaterThan(400);
  });

  it("logNormalCdf matches scipy.special.log_ndtr to 1e-12 relative over the whole grid", () => {
    for (const r of fixtures.normal) {
      expect(relErr(logNormalCdf(r.z), r.log_ndtr), `z = ${r.z}`).toBeLessThan(1e-12);
    }
  });

  it("normalCdf matches scipy.special.ndtr to 1e-12 relative where ndtr is a normal number", () => {
    for (const r of fixtures.normal) {
      if (r.ndtr < 2.3e-308) {
        expect(normalCdf(r.z)).toBeLessThan(1e-300); // both (nearly) underflow
        continue;
      }
      expect(relErr(normalCdf(r.z), r.ndtr), `z = ${r.z}`).toBeLessThan(1e-12);
    }
  });

  it("logNormalCdf is continuous across the z = −10 branch switch", () => {
    const left = logNormalCdf(-10 - 1e-12);
    const right = logNormalCdf(-10 + 1e-12);
    expect(Math.abs(left - right)).toBeLessThan(1e-10);
  });

  it("handles infinities and NaN", () => {
    expect(logNormalCdf(Number.NEGATIVE_INFINITY)).toBe(Number.NEGATIVE_INFINITY);
    expect(Math.abs(logNormalCdf(Number.POSITIVE_INFINITY))).toBe(0);
    expect(logNormalCdf(Number.NaN)).toBeNaN();
    expect(Number.isFinite(logNormalCdf(-1e6))).toBe(true);
  });

  it("normalPdf and logNormalPdf agree with the closed form", () => {
    expect(normalPdf(0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 15);
    expect(relErr(normalPdf(1.5), Math.exp(-1.125) / Math.sqrt(2 * Math.PI))).toBeLessThan(1e-15);
    expect(logNormalPdf(40)).toBeCloseTo(-800 - 0.5 * Math.log(2 * Math.PI), 10);
  });
});

describe("h(u) = φ(u) + uΦ(u) and its log against 60-digit mpmath", () => {
  it("logStandardEi matches to 1e-12 relative on u ∈ [−40, 10]", () => {
    for (const r of fixtures.logH) {
      expect(relErr(logStandardEi(r.u), r.logH), `u = ${r.u}`).toBeLessThan(1e-12);
    }
  });

  it("standardEi = exp(log h) where h is a normal number, and underflows gracefully below", () => {
    for (const r of fixtures.logH) {
      const h = standardEi(r.u);
      if (r.logH > -700) expect(relErr(h, Math.exp(r.logH)), `u = ${r.u}`).toBeLessThan(1e-11);
      else expect(h).toBeLessThan(1e-300);
    }
  });

  it("is continuous across the u = −1 and u = −10 branch switches", () => {
    for (const u0 of [-1, -10]) {
      const a = logStandardEi(u0 - 1e-12);
      const b = logStandardEi(u0 + 1e-12);
      expect(Math.abs(a - b)).toBeLessThan(1e-10);
    }
  });

  it("is increasing (h′ = Φ > 0) on a fine grid reaching u = −60", () => {
    let prev = Number.NEGATIVE_INFINITY;
    for (let u = -60; u <= 20; u += 0.01) {
      const v = logStandardEi(u);
      expect(v).toBeGreaterThan(prev);
      prev = v;
    }
  });
});

describe("log1mexp, log1pexp, softplus, sigmoid, logit, clippedExp, safeLog", () => {
  it("log1mexp keeps digits on both sides of −ln 2", () => {
    expect(relErr(log1mexp(-1e-20), Math.log(1e-20))).toBeLessThan(1e-15);
    expect(relErr(log1mexp(-50), -Math.exp(-50))).toBeLessThan(1e-15);
    expect(relErr(log1mexp(-1), Math.log(1 - Math.exp(-1)))).toBeLessThan(1e-15);
    expect(log1mexp(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(log1mexp(0.1)).toBeNaN();
    expect(Math.abs(log1mexp(Number.NEGATIVE_INFINITY))).toBe(0);
  });

  it("log1pexp / softplus never overflow and keep tiny values", () => {
    expect(log1pexp(1000)).toBe(1000);
    expect(relErr(softplus(-50), Math.exp(-50))).toBeLessThan(1e-15);
    expect(relErr(softplus(0), Math.LN2)).toBeLessThan(1e-15);
    expect(relErr(softplus(20), 20 + Math.exp(-20))).toBeLessThan(1e-15);
  });

  it("softplusInverse inverts softplus (property, 1e-12 relative)", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-8, max: 500, noNaN: true }), (y) => {
        expect(relErr(softplus(softplusInverse(y)), y)).toBeLessThan(1e-12);
      }),
    );
    expect(softplusInverse(0)).toBeNaN();
  });

  it("sigmoid and logit are inverse and saturate without NaN", () => {
    fc.assert(
      fc.property(fc.double({ min: -15, max: 15, noNaN: true }), (x) => {
        // conditioning: 1 − σ(x) ≈ e^{−|x|} carries ε/e^{−15} ≈ 4e-10 round-off
        expect(Math.abs(logit(sigmoid(x)) - x)).toBeLessThan(1e-8);
      }),
    );
    expect(sigmoid(-1000)).toBe(0);
    expect(sigmoid(1000)).toBe(1);
    expect(logit(0)).toBeCloseTo(Math.log(1e-9), 6);
    expect(logit(1)).toBeCloseTo(-Math.log(1e-9), 6);
    expect(logit(0.5)).toBe(0);
  });

  it("clippedExp stays finite and positive; safeLog stays finite", () => {
    expect(clippedExp(1e6)).toBe(Math.exp(709.782712893384));
    expect(Number.isFinite(clippedExp(1e6))).toBe(true);
    expect(clippedExp(-1e6)).toBeGreaterThan(0);
    expect(clippedExp(1)).toBe(Math.E);
    expect(clippedExp(5, -1, 2)).toBe(Math.exp(2));
    expect(clippedExp(Number.NaN)).toBeNaN();
    expect(safeLog(0)).toBe(Math.log(Number.MIN_VALUE));
    expect(safeLog(-3, 1e-10)).toBe(Math.log(1e-10));
    expect(safeLog(2)).toBe(Math.LN2);
    expect(safeLog(Number.NaN)).toBeNaN();
  });
});
