import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CategoricalSpace, IntUniformSpace, LogSpace, LogitSpace, Pow2Space, UniformSpace, createParameterSpace } from "../../src/space";

const relClose = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b), Number.MIN_VALUE);

/** Hand-computed rows of PROTEIN.md §1. */
describe("normalize / unnormalize, hand-computed rows", () => {
  it("uniform", () => {
    const s = new UniformSpace(0.05, 0.5, 0.5, 0.2);
    expect(s.normalize(0.05)).toBe(-1);
    expect(s.normalize(0.5)).toBe(1);
    expect(s.normalize(0.275)).toBeCloseTo(0, 15);
    expect(s.unnormalize(0)).toBeCloseTo(0.275, 15);
    expect(s.center).toBeCloseTo(2 * (0.15 / 0.45) - 1, 15);
  });
  it("int_uniform rounds to the nearest integer", () => {
    const s = new IntUniformSpace(1, 10, 0.5);
    expect(s.unnormalize(-1)).toBe(1);
    expect(s.unnormalize(1)).toBe(10);
    expect(s.unnormalize(0)).toBe(6); // 5.5 rounds half up
    expect(s.unnormalize(-0.01)).toBe(5);
  });
  it("uniform_pow2 is uniform in log2 and returns 2^round(log2)", () => {
    const s = new Pow2Space(16, 1024, 0.5);
    expect(s.normalize(16)).toBe(-1);
    expect(s.normalize(1024)).toBe(1);
    expect(s.normalize(128)).toBeCloseTo(0, 15); // log2: 4..10, 7 is the middle
    expect(s.unnormalize(0)).toBe(128);
    expect(s.unnormalize(0.1)).toBe(128); // 7.3 → 7
    expect(s.unnormalize(0.2)).toBe(256); // 7.6 → 8
  });
  it("uniform_pow2 with bounds that are not powers of two stays inside them", () => {
    const s = new Pow2Space(20, 100, 0.5);
    expect(s.unnormalize(-1)).toBe(32);
    expect(s.unnormalize(1)).toBe(64);
  });
  it("log_normal is uniform in log10", () => {
    const s = new LogSpace(1e-5, 1e-1, 0.5, 1e-3);
    expect(s.normalize(1e-3)).toBeCloseTo(0, 15);
    expect(s.center).toBeCloseTo(0, 15);
    expect(s.unnormalize(0.5)).toBeCloseTo(1e-2, 17);
    expect(s.unnormalize(0)).toBe(1e-3);
  });
  it("logit_normal is uniform in log10(1 − v)", () => {
    const s = new LogitSpace(0.9, 0.9999, 0.5, 0.99);
    expect(s.normalize(0.9)).toBe(-1);
    expect(s.normalize(0.9999)).toBe(1);
    expect(s.normalize(0.99)).toBeCloseTo(-1 / 3, 12);
    expect(s.unnormalize(1 / 3)).toBeCloseTo(0.999, 12);
  });
  it("unnormalize clamps coordinates beyond ±1 into the range", () => {
    expect(new UniformSpace(0, 1, 0.5).unnormalize(3)).toBe(1);
    expect(new LogSpace(1e-4, 1, 0.5).unnormalize(-7)).toBe(1e-4);
    expect(new Pow2Space(8, 64, 0.5).unnormalize(9)).toBe(64);
  });
  it("normalize does not clamp: values outside an (older, wider) range map beyond ±1", () => {
    const s = new LogSpace(5e8, 1.5e9, 0.5);
    expect(s.normalize(3e8)).toBeLessThan(-1);
  });
  it("categorical: bins of [-1, 1], value i at the middle of bin i", () => {
    const s = new CategoricalSpace(["adam", "sgd", "lion", true], 0.5);
    expect(s.normalize("adam")).toBe(-0.75);
    expect(s.normalize("sgd")).toBe(-0.25);
    expect(s.normalize(true)).toBe(0.75);
    expect(s.unnormalize(-1)).toBe("adam");
    expect(s.unnormalize(-0.5)).toBe("sgd");
    expect(s.unnormalize(1)).toBe(true);
    expect(s.center).toBe(-0.75); // first value when no mean is given
    expect(new CategoricalSpace(["a", "b", "c"], 0.5, "c").center).toBeCloseTo(2 / 3, 15);
    expect(s.accepts("rmsprop")).toBe(false);
    expect(s.accepts("true")).toBe(false);
  });
});

const finite = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

/** Arbitrary valid continuous range [lo, hi] with lo < hi, of a given family. */
const range = (family: "linear" | "log" | "logit") =>
  fc
    .tuple(family === "linear" ? finite(-1e6, 1e6) : family === "log" ? finite(-12, 9) : finite(0.001, 0.999), family === "linear" ? finite(1e-6, 1e6) : family === "log" ? finite(0.01, 10) : finite(0.001, 0.999))
    .map(([a, b]) => {
      if (family === "linear") return [a, a + b] as const;
      if (family === "log") return [10 ** a, 10 ** (a + b)] as const;
      return [Math.min(a, b), Math.max(a, b)] as const;
    })
    .filter(([lo, hi]) => lo < hi && (hi - lo) / Math.max(Math.abs(lo), Math.abs(hi)) > 1e-6);

describe("round trip and bounds, properties", () => {
  it("uniform: unnormalize(normalize(v)) = v to 1e-12 relative; endpoints ↦ ±1", () => {
    fc.assert(
      fc.property(range("linear"), fc.double({ min: 0, max: 1, noNaN: true }), ([lo, hi], t) => {
        const s = new UniformSpace(lo, hi, 0.5);
        const v = lo + t * (hi - lo);
        expect(s.normalize(lo)).toBe(-1);
        expect(s.normalize(hi)).toBe(1);
        const back = s.unnormalize(s.normalize(v)) as number;
        expect(Math.abs(back - v)).toBeLessThanOrEqual(1e-12 * Math.max(Math.abs(v), Math.abs(hi), Math.abs(lo)));
      }),
    );
  });
  it("log_normal: round trip to 1e-12 relative, endpoints ↦ ±1, monotone", () => {
    fc.assert(
      fc.property(range("log"), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), ([lo, hi], t1, t2) => {
        const s = new LogSpace(lo, hi, 0.5);
        const v = lo * (hi / lo) ** t1;
        expect(s.normalize(lo)).toBe(-1);
        expect(s.normalize(hi)).toBe(1);
        expect(relClose(s.unnormalize(s.normalize(v)) as number, v, 1e-12)).toBe(true);
        if (t1 < t2) expect(s.unnormalize(2 * t1 - 1) as number).toBeLessThanOrEqual(s.unnormalize(2 * t2 - 1) as number);
      }),
    );
  });
  it("logit_normal: round trip to 1e-12 relative, endpoints ↦ ±1", () => {
    fc.assert(
      fc.property(range("logit"), fc.double({ min: 0, max: 1, noNaN: true }), ([lo, hi], t) => {
        const s = new LogitSpace(lo, hi, 0.5);
        const v = lo + t * (hi - lo);
        expect(s.normalize(lo)).toBe(-1);
        expect(s.normalize(hi)).toBe(1);
        expect(relClose(s.unnormalize(s.normalize(v)) as number, v, 1e-12)).toBe(true);
      }),
    );
  });
  it("int_uniform: exact round trip, only integers within [min, max]", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 1, noNaN: true }), finite(-3, 3), (lo, width, t, u) => {
        const hi = lo + width;
        const s = new IntUniformSpace(lo, hi, 0.5);
        const v = lo + Math.round(t * width);
        expect(s.normalize(lo)).toBe(-1);
        expect(s.normalize(hi)).toBe(1);
        expect(s.unnormalize(s.normalize(v))).toBe(v);
        const w = s.unnormalize(u) as number;
        expect(Number.isInteger(w)).toBe(true);
        expect(w).toBeGreaterThanOrEqual(lo);
        expect(w).toBeLessThanOrEqual(hi);
      }),
    );
  });
  it("uniform_pow2: exact round trip of powers of two; only powers of two within [min, max]", () => {
    fc.assert(
      fc.property(fc.integer({ min: -10, max: 30 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 20 }), finite(-3, 3), (k, span, j, u) => {
        const lo = 2 ** k;
        const hi = 2 ** (k + span);
        const s = new Pow2Space(lo, hi, 0.5);
        const v = 2 ** (k + Math.min(j, span));
        expect(s.normalize(lo)).toBe(-1);
        expect(s.normalize(hi)).toBe(1);
        expect(s.unnormalize(s.normalize(v))).toBe(v);
        const w = s.unnormalize(u) as number;
        expect(Number.isInteger(Math.log2(w))).toBe(true);
        expect(w).toBeGreaterThanOrEqual(lo);
        expect(w).toBeLessThanOrEqual(hi);
      }),
    );
  });
  it("categorical: exact round trip for strings, numbers and booleans", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.oneof(fc.string(), fc.integer(), fc.boolean(), finite(-1e9, 1e9)), { minLength: 1, maxLength: 12, comparator: "SameValueZero" }), (values) => {
        const s = new CategoricalSpace(values, 0.5);
        for (const v of values) {
          expect(s.unnormalize(s.normalize(v))).toBe(v);
          const u = s.normalize(v);
          expect(u).toBeGreaterThan(-1);
          expect(u).toBeLessThan(1);
        }
      }),
    );
  });
  it("createParameterSpace builds each distribution from its spec", () => {
    expect(createParameterSpace({ distribution: "logit_normal", min: 0.8, max: 0.99, scale: 0.5 })).toBeInstanceOf(LogitSpace);
    expect(createParameterSpace({ distribution: "categorical", values: [1, 2], scale: 0.5 })).toBeInstanceOf(CategoricalSpace);
  });
});
