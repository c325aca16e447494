/**
 * Smoke quality test: an optimizer that is broken (wrong direction, ignores its model,
 * mis-normalizes) fails this. 10 seeds × 50 evaluations on Branin (2-d) and Hartmann-6,
 * maximizing −f; Protein's median best value must beat random search's median.
 */
import { describe, expect, it } from "vitest";
import { getProblem } from "../../bench/quality/problems";
import { Protein } from "../../src/protein";
import { createRng } from "../../src/random";
import { SearchSpace } from "../../src/space";
import { parseSweepConfig } from "../../src/config";

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
};

function bestOfProtein(name: string, seed: number, budget: number): number {
  const problem = getProblem(name);
  const protein = new Protein(problem.config, { seed });
  let best = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < budget; i++) {
    const { params } = protein.suggest();
    const score = problem.objective(params);
    protein.observe(params, score);
    best = Math.max(best, score);
  }
  return best;
}

function bestOfRandom(name: string, seed: number, budget: number): number {
  const problem = getProblem(name);
  const space = SearchSpace.fromConfig(parseSweepConfig(problem.config));
  const rng = createRng(seed);
  let best = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < budget; i++) {
    const x = Float64Array.from({ length: space.dim }, () => rng.uniform(-1, 1));
    best = Math.max(best, problem.objective(space.fromVector(x)));
  }
  return best;
}

describe("Protein beats random search (10 seeds, 50 evaluations)", () => {
  it.each(["branin", "hartmann6"])("%s", (name) => {
    const seeds = Array.from({ length: 10 }, (_, i) => 1000 + i);
    const protein = median(seeds.map((s) => bestOfProtein(name, s, 50)));
    const random = median(seeds.map((s) => bestOfRandom(name, s, 50)));
    const optimum = getProblem(name).optimum;
    // Both goals are "maximize −f": larger is better.
    expect(protein).toBeGreaterThan(random);
    expect(optimum - protein).toBeLessThan(optimum - random);
  });
});
