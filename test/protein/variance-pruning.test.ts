/**
 * The candidate search solves posterior variances only for the candidates whose rating bound can still reach
 * the top the local refinement keeps. That must not change a single suggestion: the same seed gives the same
 * params and info, bit for bit, with the pruning on and off, for every acquisition that uses a variance.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Protein } from "../../src/protein";
import { exactTopRatings, setVariancePruning, variancePruningCount } from "../../src/protein/candidate-search";
import { createRng } from "../../src/random";
import type { ProteinOptions } from "../../src/settings";

const d = 6;
const parameters: Record<string, unknown> = {};
for (let j = 0; j < d; j++) parameters[`x${j}`] = { distribution: "uniform", min: 0, max: 1 };
parameters.steps = { distribution: "log_normal", min: 1e4, max: 1e7, scale: "auto" };
const config = { sweep: { metric: "score", goal: "maximize", parameters } };

function evaluate(p: Record<string, number>): { score: number; cost: number } {
  let s = 0;
  for (let j = 0; j < d; j++) s -= (p[`x${j}`] - 0.3 - 0.07 * j) ** 2;
  return { score: s + 0.1 * Math.log10(p.steps) + 0.05 * Math.sin(12 * p.x0), cost: p.steps / 1e3 };
}

/** n random observations, then `steps` suggest → observe steps (two in flight from the third on). */
function run(options: ProteinOptions, n: number, steps: number): unknown[] {
  const protein = new Protein(config, { seed: 5, numRandomSamples: 5, ...options });
  const rng = createRng(11);
  for (let i = 0; i < n; i++) {
    const params = protein.space.fromVector(Float64Array.from({ length: protein.space.dim }, () => rng.uniform(-1, 1))) as Record<string, number>;
    const { score, cost } = evaluate(params);
    protein.observe(params, score, cost);
  }
  const out: unknown[] = [];
  let held: { id: string; params: Record<string, number> } | undefined;
  for (let s = 0; s < steps; s++) {
    const sug = protein.suggest();
    out.push({ params: sug.params, info: sug.info });
    const params = sug.params as Record<string, number>;
    if (s === 2) {
      held = { id: sug.id, params };
      continue;
    }
    protein.observe(params, evaluate(params).score, evaluate(params).cost, { suggestionId: sug.id });
    if (s === 4 && held) protein.observe(held.params, evaluate(held.params).score, evaluate(held.params).cost, { suggestionId: held.id });
  }
  return out;
}

describe("variance pruning in the candidate search", () => {
  afterEach(() => setVariancePruning(true));

  const variants: Array<[string, ProteinOptions]> = [
    ["default (logei, exploit every 2nd)", {}],
    ["logei every step", { exploitEvery: 0 }],
    ["ei", { acquisition: "ei", exploitEvery: 0 }],
    ["ucb", { acquisition: "ucb", exploitEvery: 0 }],
    ["logei, cost cap, uniform cost target", { exploitEvery: 0, maxSuggestionCost: 1000, costTarget: "uniform" }],
  ];
  for (const [name, options] of variants) {
    it(`gives the same suggestions bit for bit: ${name}`, () => {
      // The bound pays only beyond 256 training rows; here it is forced on at 110.
      setVariancePruning(true, 0);
      variancePruningCount(true);
      const pruned = run(options, 110, 5);
      const count = variancePruningCount(true);
      expect(count.solved).toBeLessThan(count.rated / 2); // the pruning did skip most solves
      setVariancePruning(false);
      const full = run(options, 110, 5);
      expect(variancePruningCount(true).solved).toBe(count.rated);
      expect(pruned).toEqual(full);
      expect(JSON.stringify(pruned)).toBe(JSON.stringify(full));
    });
  }
});

describe("exactTopRatings", () => {
  it("solves in bound order, stops once no bound can reach the keep-th best, and leaves the rest at −∞", () => {
    const rng = createRng(3);
    const m = 1000;
    const exact = Float64Array.from({ length: m }, () => rng.normal());
    const bound = Float64Array.from(exact, (v, i) => v + (i % 7) * 0.1 + rng.random());
    const solved: number[] = [];
    const { rating, solved: count } = exactTopRatings(m, bound, [], 8, (rows) => {
      solved.push(...rows);
      return Float64Array.from(rows, (i) => exact[i]);
    });
    expect(count).toBe(solved.length);
    expect(count).toBeLessThan(m);
    const top = (a: Float64Array): number[] => [...a.keys()].sort((x, y) => a[y] - a[x] || x - y).slice(0, 8);
    expect(top(rating)).toEqual(top(exact));
    for (let i = 0; i < m; i++) expect(rating[i] === exact[i] || rating[i] === Number.NEGATIVE_INFINITY).toBe(true);
  });

  it("counts ratings held elsewhere and solves everything when the bound is useless", () => {
    const exact = Float64Array.of(1, 2, 3, 4);
    const solve = (rows: Int32Array): Float64Array => Float64Array.from(rows, (i) => exact[i]);
    // Known ratings above every bound: nothing can enter the top 2.
    expect(exactTopRatings(4, Float64Array.of(1, 2, 3, 4), [10, 11], 2, solve).solved).toBe(0);
    // NaN bounds bound nothing.
    expect(exactTopRatings(4, Float64Array.of(Number.NaN, Number.NaN, Number.NaN, Number.NaN), [10, 11], 2, solve).solved).toBe(4);
  });
});
