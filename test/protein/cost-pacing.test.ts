import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors";
import { Protein } from "../../src/protein";

const lr = { distribution: "log_normal", min: 1e-5, max: 1e-1, mean: 1e-3, scale: "auto" };
const gamma = { distribution: "uniform", min: 0, max: 1, mean: 0.5, scale: "auto" };
const timesteps = { distribution: "log_normal", min: 1e5, max: 1e8, mean: 1e6, scale: "auto" };
const config = { metric: "score", goal: "maximize", parameters: { lr, gamma, total_timesteps: timesteps } };

type Q = { lr: number; gamma: number; total_timesteps: number };
/** Quality in (lr, gamma) times a gain that saturates in log timesteps; cost ∝ timesteps (1e8 steps = 1e4 s). */
const quality = (q: Q) => Math.exp(-((Math.log10(q.lr) + 3.3) ** 2) / 0.5 - (q.gamma - 0.8) ** 2 / 0.05);
const score = (q: Q) => quality(q) * (1 - Math.exp(-(Math.log10(q.total_timesteps) - 4) / 1.2));
const cost = (q: Q) => q.total_timesteps / 1e4;
const small = { numRandomSamples: 6, fitIterations: 10, globalCandidates: 64, suggestionsPerPareto: 32 };

function sweep(seed: number, options: Record<string, unknown>, steps: number) {
  const p = new Protein(config, { seed, ...small, ...options });
  const runs = [];
  let spent = 0;
  for (let i = 0; i < steps; i++) {
    const s = p.suggest();
    const q = s.params as Q;
    runs.push({ params: s.params, info: s.info, spentBefore: spent, cost: cost(q), score: score(q) });
    spent += cost(q);
    p.observe(s.params, score(q), cost(q));
  }
  return runs;
}

describe("spend pacing (costPacing)", () => {
  it("holds every model step's predicted cost to costPacing × the cost spent before it, and reports the cap", () => {
    const runs = sweep(5, { costPacing: 0.25 }, 30);
    const model = runs.filter((r) => r.info.phase === "model");
    expect(model.length).toBeGreaterThan(15);
    for (const r of model) {
      expect(r.info.costCap).toBeCloseTo(0.25 * r.spentBefore, 6);
      expect(r.info.predictedCost).toBeLessThanOrEqual(0.25 * r.spentBefore * (1 + 1e-9));
    }
    // Not vacuous: the same sweep without pacing suggests runs predicted to cost more than that.
    const free = sweep(5, { costPacing: 0 }, 30).filter((r) => r.info.phase === "model");
    expect(free.some((r) => (r.info.predictedCost as number) > 0.25 * r.spentBefore)).toBe(true);
    for (const r of free) expect(r.info.costCap).toBeUndefined();
  });

  it("leaves a suggestion at a fixed cost as asked, with no cap", () => {
    const p = new Protein(config, { seed: 2, ...small, costPacing: 0.25 });
    for (let i = 0; i < 8; i++) {
      const s = p.suggest();
      p.observe(s.params, score(s.params as Q), cost(s.params as Q));
    }
    const fixed = p.suggest({ fixedCost: 1e8 });
    expect((fixed.params as Q).total_timesteps).toBe(1e8);
    expect(fixed.info.costCap).toBeUndefined();
  });

  it("counts observations loaded from an earlier phase as spent, so a later phase's long runs are not held back", () => {
    const earlier = sweep(4, { costPacing: 0 }, 12);
    const prior = earlier.map((r, i) => ({ params: r.params, score: r.score, cost: r.cost, isFailure: false, timestamp: "2026-01-01T00:00:00Z", suggestionId: `old${i}` }));
    const loadedSpend = earlier.reduce((t, r) => t + r.cost, 0);
    const p = new Protein(config, { seed: 9, ...small, costPacing: 0.25 });
    p.loadPrior(prior);
    const s = p.suggest();
    expect(s.info.phase).toBe("model");
    expect(s.info.costCap).toBeCloseTo(0.25 * loadedSpend, 6);
  });

  it("spends a cost budget better early: the best score after a quarter of 40 000 s is higher over 6 seeds", () => {
    const bestWithin = (runs: ReturnType<typeof sweep>, budget: number) => {
      let spent = 0;
      let best = -Infinity;
      for (const r of runs) {
        spent += r.cost;
        if (spent > budget) break;
        best = Math.max(best, r.score);
      }
      return best;
    };
    const median = (v: number[]) => {
      const s = [...v].sort((a, b) => a - b);
      return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
    };
    const seeds = [1, 2, 3, 4, 5, 6];
    const paced = seeds.map((seed) => bestWithin(sweep(seed, { costPacing: 0.25 }, 40), 10000));
    const unpaced = seeds.map((seed) => bestWithin(sweep(seed, { costPacing: 0 }, 40), 10000));
    expect(median(paced)).toBeGreaterThan(median(unpaced));
  });

  it("refuses a negative costPacing, naming the setting", () => {
    expect(() => new Protein(config, { seed: 1, costPacing: -0.5 })).toThrow(ConfigError);
    expect(() => new Protein(config, { seed: 1, costPacing: -0.5 })).toThrow(/costPacing/);
  });
});
