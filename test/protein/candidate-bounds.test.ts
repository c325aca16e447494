import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors";
import { Protein } from "../../src/protein";
import { createRng } from "../../src/random";
import { SearchSpace, reflectInto } from "../../src/space/search-space";
import { DEFAULT_SETTINGS, REFERENCE_SETTINGS } from "../../src/settings";

const space = new SearchSpace([
  { key: "x", spec: { distribution: "uniform" as const, min: 0, max: 1, mean: 0.5, scale: 0.5 } },
  { key: "y", spec: { distribution: "log_normal" as const, min: 1e-4, max: 1, mean: 1e-2, scale: 0.5 } },
]);

describe("candidate bounds", () => {
  it("reflectInto folds values back into [-1, 1]", () => {
    expect(reflectInto(0.3)).toBe(0.3);
    expect(reflectInto(1.2)).toBeCloseTo(0.8, 12);
    expect(reflectInto(-1.25)).toBeCloseTo(-0.75, 12);
    expect(reflectInto(3.5)).toBeCloseTo(-0.5, 12);
    expect(reflectInto(-5.5)).toBeCloseTo(-0.5, 12);
    expect(reflectInto(Infinity)).toBe(1);
  });

  it("clipping piles candidates onto the bound near it; reflection puts none there and keeps them in range", () => {
    const centers = Float64Array.of(0.9, -0.95);
    const n = 4000;
    const onBound = (X: Float64Array) => X.filter((u) => Math.abs(u) === 1).length / X.length;
    const clipped = space.sample(n, createRng(1), { centers, scale: Float64Array.of(0.5, 0.5) });
    const reflected = space.sample(n, createRng(1), { centers, scale: Float64Array.of(0.5, 0.5), bounds: "reflect" });
    expect(onBound(clipped)).toBeGreaterThan(0.1);
    expect(onBound(reflected)).toBe(0);
    for (const u of reflected) expect(Math.abs(u)).toBeLessThanOrEqual(1);
  });

  it("clipDims keeps clipping in the named coordinates only (candidateBounds: reflect-except-cost)", () => {
    const X = space.sample(4000, createRng(3), { centers: Float64Array.of(0.9, -0.95), scale: Float64Array.of(0.5, 0.5), bounds: "reflect", clipDims: [1] });
    const col = (j: number) => X.filter((_, i) => i % 2 === j);
    expect(col(0).filter((u) => Math.abs(u) === 1).length).toBe(0);
    expect(col(1).filter((u) => u === -1).length / 4000).toBeGreaterThan(0.3);
  });

  it("reflect (but the cost parameter) is the default, the reference keeps Protein's clipping, and a bad value is refused naming the key", () => {
    expect(DEFAULT_SETTINGS.candidateBounds).toBe("reflect-except-cost");
    expect(REFERENCE_SETTINGS.candidateBounds).toBe("clip");
    const config = { metric: "s", goal: "minimize", parameters: { x: { distribution: "uniform", min: 0, max: 1, mean: 0.5, scale: "auto" } } };
    expect(() => new Protein(config, { candidateBounds: "wrap" as never })).toThrow(ConfigError);
    try {
      new Protein(config, { candidateBounds: "wrap" as never });
    } catch (e) {
      expect(JSON.stringify((e as ConfigError).issues)).toContain('\\"reflect\\" (a draw past a bound is folded back inside), \\"clip\\"');
    }
  });

  it("on a problem whose optimum is inside the box near a bound, reflecting puts fewer suggestions on the bound than clipping", () => {
    // Under a constant prior mean, so that the candidates' bounds are what is compared. The default's trend toward
    // the faces (scoreMean "edges") keeps all 45 counted suggestions off the bound, even with clipping.
    // f(x, z) = (x − 0.93)² + (z − 0.5)²: the optimum sits 0.07 inside the upper bound of x.
    const config = {
      metric: "s",
      goal: "minimize",
      parameters: { x: { distribution: "uniform", min: 0, max: 1, mean: 0.5, scale: "auto" }, z: { distribution: "uniform", min: 0, max: 1, mean: 0.5, scale: "auto" } },
    };
    const share = (candidateBounds: "reflect" | "clip", scoreMean: "constant" | "edges" = "constant") => {
      let hits = 0;
      for (const seed of [1, 2, 3]) {
        const p = new Protein(config, { seed, candidateBounds, scoreMean, numRandomSamples: 4, fitIterations: 10, globalCandidates: 128, suggestionsPerPareto: 64 });
        for (let i = 0; i < 20; i++) {
          const s = p.suggest();
          const { x, z } = s.params as { x: number; z: number };
          if (i >= 5 && [x, z].some((v) => v === 0 || v === 1)) hits++;
          p.observe(s.params, (x - 0.93) ** 2 + (z - 0.5) ** 2);
        }
      }
      return hits;
    };
    expect(share("reflect")).toBeLessThan(share("clip"));
    expect(share("clip", "edges")).toBe(0);
  });

  it("refineMargin stops the local refinement short of the faces in continuous coordinates, and a bad value is refused naming the key", () => {
    // A score that rises toward a corner: the refinement's perturbations walk to the faces unless stopped.
    const config = {
      metric: "s",
      goal: "maximize",
      parameters: {
        a: { distribution: "uniform", min: 0, max: 1, mean: 0.5, scale: "auto" },
        b: { distribution: "log_normal", min: 1e-4, max: 1, mean: 1e-2, scale: "auto" },
        n: { distribution: "int_uniform", min: 1, max: 8, mean: 4, scale: "auto" },
      },
    };
    // Every batch the refinement draws (half-widths 0.1 / 0.03 / 0.01 in every coordinate), as the search left it.
    const refineDraws = (refineMargin: number): Float64Array[] => {
      const seen: Float64Array[] = [];
      const orig = SearchSpace.prototype.sample;
      SearchSpace.prototype.sample = function (this: SearchSpace, n, rng, options = {}) {
        const out = orig.call(this, n, rng, options);
        const sc = options.scale;
        if (typeof sc === "object" && sc.length === this.dim && sc.every((v) => v === sc[0] && v < 1)) seen.push(out);
        return out;
      };
      try {
        const p = new Protein(config, { seed: 5, refineMargin, numRandomSamples: 5, fitIterations: 10, globalCandidates: 64, suggestionsPerPareto: 32, exploitEvery: 0 });
        for (let i = 0; i < 12; i++) {
          const s = p.suggest();
          const { a, b, n } = s.params as { a: number; b: number; n: number };
          p.observe(s.params, a + Math.log10(b) / 4 + n / 8);
        }
      } finally {
        SearchSpace.prototype.sample = orig;
      }
      return seen;
    };
    const outside = (batches: Float64Array[], limit: number) => batches.reduce((k, X) => k + X.filter((u, i) => i % 3 !== 2 && Math.abs(u) > limit).length, 0);
    const free = refineDraws(0);
    const held = refineDraws(0.05);
    expect(free.length).toBeGreaterThan(0);
    expect(held.length).toBeGreaterThan(0);
    expect(outside(free, 0.9)).toBeGreaterThan(0); // without the margin the refinement does reach the outer 5 %
    expect(outside(held, 0.9 + 1e-12)).toBe(0);
    // The integer coordinate is not held back.
    expect(held.some((X) => X.some((u, i) => i % 3 === 2 && Math.abs(u) === 1))).toBe(true);
    for (const bad of [0.5, -0.01, Number.NaN]) expect(() => new Protein(config, { refineMargin: bad })).toThrow(/refineMargin/);
    expect(DEFAULT_SETTINGS.refineMargin).toBe(0); // opt-in: docs/benchmarks.md "Issue 14, round 3"
  });
});
