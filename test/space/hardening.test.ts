/**
 * Issue 9, space side: every value a space returns lies inside it, whatever the range.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors";
import { LogSpace, UniformSpace, createParameterSpace } from "../../src/space";
import type { ParameterSpec } from "../../src/space";

describe("quantized values stay inside [min, max]", () => {
  it("q_uniform 0.05..0.07 with q 0.1 is refused (it gave 0.1)", () => {
    expect(() => new UniformSpace(0.05, 0.07, 0.5, undefined, 0.1)).toThrow(/the range \[0.05, 0.07\] holds no multiple of 0.1/);
  });

  it("a range holding multiples snaps onto the ones inside", () => {
    const space = new UniformSpace(0.05, 0.27, 0.5, undefined, 0.1);
    const seen = new Set<number>();
    for (let u = -1; u <= 1; u += 0.01) seen.add(space.unnormalize(u));
    expect([...seen].sort()).toEqual([0.1, 0.2]);
  });

  it("q_log_uniform_values 3..40 with q 16 gives 16 or 32, never 0 or 48", () => {
    const space = new LogSpace(3, 40, 0.5, undefined, 16, true);
    expect(space.kind).toBe("integer");
    const seen = new Set<number>();
    for (let u = -1; u <= 1; u += 0.01) seen.add(space.unnormalize(u));
    expect([...seen].sort((a, b) => a - b)).toEqual([16, 32]);
  });

  it("a fractional q far above 1e15 stays inside the range (found by the config fuzz test)", () => {
    const space = new LogSpace(8886110.520507872, 4311231547115195, 0.5, undefined, 0.001);
    for (const u of [-1, 0, 0.999999, 1]) {
      const v = space.unnormalize(u);
      expect(v).toBeGreaterThanOrEqual(8886110.520507872);
      expect(v).toBeLessThanOrEqual(4311231547115195);
    }
  });

  it("integer log spaces round to integers inside the range", () => {
    const space = new LogSpace(1000, 1e9, 0.5, undefined, undefined, true);
    expect(space.unnormalize(-1)).toBe(1000);
    expect(space.unnormalize(1)).toBe(1e9);
    expect(space.unnormalize(0)).toBe(1_000_000);
    expect(space.contains(1234.5)).toBe(false);
    expect(space.toSpec()).toMatchObject({ integer: true });
  });
});

describe("ranges that cannot be searched are refused", () => {
  it("uniform -1e308..1e308 (width overflows) is a ConfigError", () => {
    expect(() => new UniformSpace(-1e308, 1e308, 0.5)).toThrow(ConfigError);
    expect(() => new UniformSpace(-1e308, 1e308, 0.5)).toThrow(/too wide to search/);
  });

  it("non-finite or reversed bounds are ConfigErrors", () => {
    expect(() => createParameterSpec({ distribution: "log_normal", min: 1, max: Infinity, scale: 0.5 })).toThrow(ConfigError);
    expect(() => createParameterSpec({ distribution: "uniform", min: 2, max: 1, scale: 0.5 })).toThrow(ConfigError);
  });
});

function createParameterSpec(spec: ParameterSpec) {
  return createParameterSpace(spec);
}

describe("every unnormalize returns a value the same space accepts and contains", () => {
  const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });
  const specArb = fc.oneof(
    fc.tuple(finite, finite, fc.option(fc.constantFrom(0.1, 0.25, 1, 3, 16), { nil: undefined })).map(([a, b, q]): ParameterSpec => ({ distribution: "uniform", min: Math.min(a, b), max: Math.max(a, b) + 1, scale: 0.5, ...(q !== undefined ? { q } : {}) })),
    fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 1000 })).map(([a, w]): ParameterSpec => ({ distribution: "int_uniform", min: a, max: a + w, scale: 0.5 })),
    fc.tuple(fc.double({ min: 1e-12, max: 1e6, noNaN: true }), fc.double({ min: 1.001, max: 1e6, noNaN: true }), fc.option(fc.constantFrom(1, 2, 16, 0.001), { nil: undefined }), fc.boolean()).map(([lo, ratio, q, integer]): ParameterSpec => {
      const min = integer ? Math.max(1, Math.ceil(lo)) : lo;
      const max = integer ? Math.max(min + 1, Math.floor(min * ratio)) : lo * ratio;
      return { distribution: "log_normal", min, max, scale: 0.5, ...(q !== undefined && !integer ? { q } : {}), ...(integer ? { integer: true } : {}) };
    }),
    fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 })).map(([a, b]): ParameterSpec => ({ distribution: "uniform_pow2", min: 2 ** Math.min(a, b), max: 2 ** (Math.max(a, b) + 1), scale: 0.5 })),
    fc.tuple(fc.double({ min: 1e-6, max: 0.5, noNaN: true }), fc.double({ min: 0.5001, max: 0.999999, noNaN: true })).map(([min, max]): ParameterSpec => ({ distribution: "logit_normal", min, max, scale: 0.5 })),
  );

  it("for random specs and coordinates (seeded, 2,000 specs)", () => {
    fc.assert(
      fc.property(specArb, fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 1, maxLength: 8 }), (spec, us) => {
        let space;
        try {
          space = createParameterSpace(spec);
        } catch (error) {
          // Only a range holding no multiple of q may be refused here.
          expect(error).toBeInstanceOf(ConfigError);
          expect(String(error)).toMatch(/holds no multiple/);
          return;
        }
        for (const u of [-1, 0, 1, ...us]) {
          const v = space.unnormalize(u);
          expect(space.accepts(v)).toBe(true);
          expect(space.contains(v), `${JSON.stringify(spec)} u=${u} → ${String(v)}`).toBe(true);
        }
      }),
      { seed: 9, numRuns: 2000 },
    );
  });
});
