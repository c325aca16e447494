/**
 * Smoke test of bench/large-n-quality.ts (the capped training set against every observation beyond gpMaxObs):
 * the priors it loads, that its arms really differ in the rows the GPs see, and the verdict its table gives.
 */
import { describe, expect, it } from "vitest";
import { priorRows, runOne, summarize, type LargeNRun } from "../bench/large-n-quality";
import { getProblem } from "../bench/quality/problems/index";
import { parseSweepConfig } from "../src/config";
import { SearchSpace } from "../src/space/search-space";

function spaceOf(name: string): SearchSpace {
  return SearchSpace.fromConfig(parseSweepConfig(structuredClone(getProblem(name).config)));
}

describe("large-n quality bench", () => {
  it("draws the same prior for the same seed, inside the box and on the parameters' grids", () => {
    const problem = getProblem("mixed-training");
    const space = spaceOf("mixed-training");
    for (const kind of ["sobol", "converged"] as const) {
      const a = priorRows(problem, space, 200, kind, 3);
      expect(priorRows(problem, space, 200, kind, 3)).toEqual(a);
      expect(priorRows(problem, space, 200, kind, 4)).not.toEqual(a);
      for (const v of a) expect(Math.abs(v)).toBeLessThanOrEqual(1);
      for (let i = 0; i < 200; i++) {
        const params = space.fromVector(a.subarray(i * space.dim, (i + 1) * space.dim)) as { trainer: { batch_size: number } };
        expect(Math.log2(params.trainer.batch_size) % 1).toBe(0);
      }
    }
  });

  it("a converged prior tightens around a point near the optimum over the phase", () => {
    const problem = getProblem("hartmann6");
    const space = spaceOf("hartmann6");
    const n = 400;
    const X = priorRows(problem, space, n, "converged", 1);
    const opt = space.toVector(problem.optimumLocations[0] as Record<string, unknown>);
    const dist = (i: number): number => Math.hypot(...Array.from({ length: space.dim }, (_, j) => X[i * space.dim + j] - opt[j]));
    const meanDist = (from: number, to: number): number => {
      let s = 0;
      for (let i = from; i < to; i++) s += dist(i);
      return s / (to - from);
    };
    // The centre is 0.2 from the optimum; the last tenth's spread is 0.05–0.07 per coordinate.
    expect(meanDist(n - 40, n)).toBeLessThan(0.45);
    expect(meanDist(0, 40)).toBeGreaterThan(2 * meanDist(n - 40, n));
  });

  it("the capped arm fits its GPs on about gpMaxObs rows, the exact arm on every observation", () => {
    const capped = runOne("hartmann3", 800, "sobol", "capped-subset", 0, 2);
    const exact = runOne("hartmann3", 800, "sobol", "exact-subset", 0, 2);
    expect(capped.rows.every((r) => r !== null && r >= 750 && r <= 797)).toBe(true);
    expect(exact.rows).toEqual([800, 801]);
    for (const run of [capped, exact]) {
      expect(run.priorBestRegret).toBe(capped.priorBestRegret); // the same prior in both arms
      expect(run.finalRegret).toBe(Math.min(run.priorBestRegret, ...run.newRegrets));
      expect(run.bestNewRegret).toBe(Math.min(...run.newRegrets));
    }
  });

  it("says when the capped arm's median regret lies above the other arm's IQR", () => {
    const run = (arm: string, seed: number, finalRegret: number): LargeNRun => ({
      problem: "hartmann6", n: 1500, prior: "sobol", arm, seed, steps: 1, priorBestRegret: 1, finalRegret, bestNewRegret: finalRegret, newRegrets: [finalRegret], cpuMs: [1], wallMs: [1], rows: [750],
    });
    const seeds = [0, 1, 2, 3, 4];
    const worse = summarize([...seeds.map((s) => run("capped", s, 0.5 + s)), ...seeds.map((s) => run("exact", s, 0.1 + 0.01 * s))]);
    expect(worse).toContain("| hartmann6 | 1500 | sobol | exact | 5 | 0 / 0 / 5 |");
    expect(worse).toContain("**no**");
    const same = summarize([...seeds.map((s) => run("capped", s, 0.1 + 0.01 * s)), ...seeds.map((s) => run("exact", s, 0.1 + 0.01 * s))]);
    expect(same).toContain("| 0 / 5 / 0 | 0 | yes |");
  });
});
