import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors";
import { Protein } from "../../src/protein";
import { subspaceDraws } from "../../src/protein/candidate-search";
import { createRng } from "../../src/random";
import { SearchSpace } from "../../src/space/search-space";

const space = new SearchSpace([
  { key: "lr", spec: { distribution: "log_normal" as const, min: 1e-5, max: 1e-1, mean: 1e-3, scale: 0.5 } },
  { key: "x", spec: { distribution: "uniform" as const, min: 0, max: 1, mean: 0.5, scale: 0.5 } },
  { key: "layers", spec: { distribution: "int_uniform" as const, min: 1, max: 8, mean: 4, scale: 0.5 } },
  { key: "opt", spec: { distribution: "categorical" as const, values: ["adam", "sgd", "lion"], scale: 0.5 } },
  { key: "gamma", spec: { distribution: "logit_normal" as const, min: 0.8, max: 0.999, mean: 0.95, scale: 0.5 } },
]);

describe("subspace candidates (a centre with one or two coordinates redrawn over their range)", () => {
  const d = space.dim;
  const centers = new Float64Array(2 * d);
  centers.set(space.snap(Float64Array.from({ length: d }, (_, j) => (j % 2 ? 0.6 : -0.7))), 0);
  centers.set(space.snap(Float64Array.from({ length: d }, (_, j) => (j % 2 ? -0.2 : 0.3))), d);
  const n = 4000;
  const X = subspaceDraws(space, createRng(11), n, centers);
  const changed = (i: number, c: number) => {
    const out: number[] = [];
    for (let j = 0; j < d; j++) if (X[i * d + j] !== centers[c * d + j]) out.push(j);
    return out;
  };

  it("every draw is one of the centres with at most two coordinates changed, on the parameters' grid", () => {
    const counts = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      const k = Math.min(changed(i, 0).length, changed(i, 1).length);
      expect(k).toBeLessThanOrEqual(2);
      counts[k]++;
      const row = X.slice(i * d, i * d + d);
      expect(Array.from(space.snap(Float64Array.from(row)))).toEqual(Array.from(row));
      for (const u of row) expect(Math.abs(u)).toBeLessThanOrEqual(1);
    }
    // A redrawn coordinate may land on the centre's own value (an integer or a category), hence the few zeros.
    expect(counts[0] / n).toBeLessThan(0.1);
    expect(counts[1] / n).toBeGreaterThan(0.3);
    expect(counts[2] / n).toBeGreaterThan(0.3);
  });

  it("the redrawn coordinates cover each parameter's whole range, not a box around the centre", () => {
    for (let j = 0; j < d; j++) {
      const moved: number[] = [];
      for (let i = 0; i < n; i++) {
        const c = changed(i, 0).length <= changed(i, 1).length ? 0 : 1;
        if (X[i * d + j] !== centers[c * d + j]) moved.push(X[i * d + j]);
      }
      expect(moved.length).toBeGreaterThan(n / d / 3);
      expect(Math.min(...moved)).toBeLessThan(-0.6);
      expect(Math.max(...moved)).toBeGreaterThan(0.6);
    }
  });

  it("the coordinate it is told to keep (the cost parameter's) is never redrawn", () => {
    const kept = subspaceDraws(space, createRng(5), 2000, centers, 1);
    for (let i = 0; i < 2000; i++) expect([centers[1], centers[d + 1]]).toContain(kept[i * d + 1]);
    const moved = new Set<number>();
    for (let i = 0; i < 2000; i++) for (let j = 0; j < d; j++) if (kept[i * d + j] !== centers[j] && kept[i * d + j] !== centers[d + j]) moved.add(j);
    expect([...moved].sort()).toEqual([0, 2, 3, 4]);
  });

  it("draws are reproducible from the seed; none are made without centres", () => {
    expect(Array.from(subspaceDraws(space, createRng(11), n, centers))).toEqual(Array.from(X));
    expect(Array.from(subspaceDraws(space, createRng(12), n, centers))).not.toEqual(Array.from(X));
    expect(subspaceDraws(space, createRng(1), 10, new Float64Array(0))).toEqual(new Float64Array(10 * d));
  });

  it("the setting is read from a config's protein block and checked", () => {
    const parameters = { x: { distribution: "uniform", min: 0, max: 1, mean: 0.5, scale: "auto" } };
    const sweep = { metric: "score", goal: "maximize", parameters };
    const p = new Protein({ sweep: { ...sweep, protein: { subspace_candidates: 64 } } } as never, { seed: 1 });
    expect(p.settings.subspaceCandidates).toBe(64);
    expect(() => new Protein({ sweep } as never, { seed: 1, subspaceCandidates: -3 })).toThrow(ConfigError);
    expect(() => new Protein({ sweep } as never, { seed: 1, subspaceCandidates: 2.5 })).toThrow(/key: subspaceCandidates[\s\S]*got: 2\.5[\s\S]*an integer from 0 to 100000/);
    expect(() => new Protein({ sweep: { ...sweep, protein: { subspace_candidates: -1 } } } as never)).toThrow(/key: sweep\.protein\.subspace_candidates[\s\S]*got: -1/);
  });

  it("the setting reaches the candidate search: the same seeded sweep suggests otherwise with it, always inside the box", () => {
    const parameters = {
      a: { distribution: "uniform", min: -5, max: 5, mean: 0, scale: "auto" },
      b: { distribution: "uniform", min: -5, max: 5, mean: 0, scale: "auto" },
      c: { distribution: "uniform", min: -5, max: 5, mean: 0, scale: "auto" },
    };
    const run = (subspaceCandidates: number) => {
      const p = new Protein({ sweep: { metric: "score", goal: "minimize", parameters } } as never, { seed: 3, numRandomSamples: 4, fitIterations: 10, globalCandidates: 64, suggestionsPerPareto: 32, subspaceCandidates });
      const seen: number[][] = [];
      for (let i = 0; i < 10; i++) {
        const { params } = p.suggest();
        const v = [params.a, params.b, params.c] as number[];
        for (const u of v) expect(Math.abs(u)).toBeLessThanOrEqual(5);
        p.observe(params, v.reduce((s, u) => s + (u * u - 2) * (u * u - 2) + u, 0), 1);
        seen.push(v);
      }
      return seen;
    };
    expect(run(256)).not.toEqual(run(0));
  });
});
