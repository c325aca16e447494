import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors";
import { Protein } from "../../src/protein";

const lr = { distribution: "log_normal", min: 1e-5, max: 1e-1, mean: 1e-3, scale: "auto" };
const timesteps = { distribution: "log_normal", min: 1e5, max: 1e8, mean: 1e6, scale: "auto" };
const config = { metric: "score", goal: "maximize", parameters: { lr, total_timesteps: timesteps } };

type Q = { lr: number; total_timesteps: number };
/** Score saturates in timesteps and peaks at lr = 1e-3; cost is proportional to timesteps (1e8 steps = 1e4 s). */
const score = (q: Q) => 1 - Math.exp(-q.total_timesteps / 3e6) - 0.2 * (Math.log10(q.lr) + 3) ** 2;
const cost = (q: Q) => q.total_timesteps / 1e4;
const small = { numRandomSamples: 5, fitIterations: 10, globalCandidates: 64, suggestionsPerPareto: 32, exploitEvery: 0 };

function sweep(options: Record<string, unknown>, steps: number) {
  const p = new Protein(config, { seed: 11, ...small, ...options });
  const infos = [];
  let spent = 0;
  for (let i = 0; i < steps; i++) {
    const s = p.suggest();
    const q = s.params as Q;
    infos.push({ ...s.info, spentBefore: spent, cost: cost(q) });
    spent += cost(q);
    p.observe(s.params, score(q), cost(q));
  }
  return { infos, spent };
}

describe("cost cooling (EI per unit cost, costCooling / costCoolingRuns)", () => {
  it("reports α on every log-EI model step, within [0, costCooling], falling to 0 once costCoolingRuns runs of the costliest candidate are spent", () => {
    const { infos } = sweep({ costCooling: 1, costCoolingRuns: 2 }, 30);
    const model = infos.filter((i) => i.phase === "model");
    expect(model.length).toBeGreaterThan(10);
    for (const i of model) {
      expect(i.costCoolingAlpha).toBeGreaterThanOrEqual(0);
      expect(i.costCoolingAlpha).toBeLessThanOrEqual(1);
    }
    expect(model[0].costCoolingAlpha).toBeGreaterThan(0);
    // The costliest allowed candidate is predicted under maxSuggestionCost (3 600 s), so α ≤ 1 − spent / 7 200.
    for (const i of model) expect(i.costCoolingAlpha).toBeLessThanOrEqual(Math.max(0, 1 - i.spentBefore / 7200) + 1e-12);
    const spentOut = model.filter((i) => i.spentBefore >= 7200);
    expect(spentOut.length).toBeGreaterThan(0);
  });

  it("does not apply to the exploitation steps nor when costs do not vary (no α reported)", () => {
    const withExploit = new Protein(config, { seed: 3, ...small, exploitEvery: 2, costCooling: 1 });
    const infos = [];
    for (let i = 0; i < 12; i++) {
      const s = withExploit.suggest();
      infos.push(s.info);
      withExploit.observe(s.params, score(s.params as Q), cost(s.params as Q));
    }
    for (const i of infos.filter((x) => x.acquisition === "protein")) expect(i.costCoolingAlpha).toBeUndefined();
    const flat = new Protein(config, { seed: 3, ...small, costParam: null, costCooling: 1 });
    for (let i = 0; i < 8; i++) {
      const s = flat.suggest();
      expect(s.info.costCoolingAlpha).toBeUndefined();
      flat.observe(s.params, score(s.params as Q), 1);
    }
  });

  it("buys cheaper runs early in a sweep than EI without the cooling (median spend of 20 suggestions over 6 seeds)", () => {
    // Score = quality(lr, gamma) × a saturating gain in log timesteps; cost ∝ timesteps.
    const cfg = { metric: "score", goal: "maximize", parameters: { lr, gamma: { distribution: "uniform", min: 0, max: 1, mean: 0.5, scale: "auto" }, total_timesteps: timesteps } };
    type R = Q & { gamma: number };
    const f = (q: R) => Math.exp(-((Math.log10(q.lr) + 3.3) ** 2) / 0.5 - (q.gamma - 0.8) ** 2 / 0.05) * (1 - Math.exp(-(Math.log10(q.total_timesteps) - 4) / 1.2));
    const medianSpend = (costCooling: number) => {
      const totals = [1, 2, 3, 4, 5, 6].map((seed) => {
        const p = new Protein(cfg, { seed, ...small, costCooling, costWeightPower: 0 });
        let total = 0;
        for (let i = 0; i < 20; i++) {
          const s = p.suggest();
          const q = s.params as R;
          total += cost(q);
          p.observe(s.params, f(q), cost(q));
        }
        return total;
      });
      totals.sort((a, b) => a - b);
      return (totals[2] + totals[3]) / 2;
    };
    expect(medianSpend(1)).toBeLessThan(0.5 * medianSpend(0));
  });

  it("refuses a negative costCooling and a costCoolingRuns that is not positive, naming the setting", () => {
    expect(() => new Protein(config, { seed: 1, costCooling: -1 })).toThrow(ConfigError);
    expect(() => new Protein(config, { seed: 1, costCoolingRuns: 0 })).toThrow(/costCoolingRuns/);
  });
});
