import { describe, expect, it } from "vitest";
import { ProteinError } from "../../src/errors";
import { Protein } from "../../src/protein";
import { detectCostParam } from "../../src/settings";

const lr = { distribution: "log_normal", min: 1e-5, max: 1e-1, mean: 1e-3, scale: "auto" };
const steps = (min: number, max: number) => ({ distribution: "log_normal", min, max, mean: Math.sqrt(min * max), scale: "auto" });

function sweep(parameters: Record<string, unknown>, protein?: Record<string, unknown>) {
  return { metric: "score", goal: "maximize", parameters, ...(protein ? { protein } : {}) };
}

describe("cost parameter detection", () => {
  it("finds a top-level total_timesteps (the harness's trainrun layout), says so in warnings and in every suggestion's info", () => {
    const p = new Protein(sweep({ learning_rate: lr, total_timesteps: steps(1e6, 1e9) }), { seed: 1 });
    expect(p.settings.costParam).toBe("total_timesteps");
    expect(p.costParamChoice).toEqual({ key: "total_timesteps", source: "detected", message: expect.stringContaining("cost parameter total_timesteps detected by its name") });
    expect(p.warnings).toEqual([p.costParamChoice.message]);
    const s = p.suggest();
    expect(s.info.costParam).toEqual({ key: "total_timesteps", source: "detected", message: p.costParamChoice.message });
  });

  it("finds epochs at any depth, and prefers timesteps over epochs whatever the order", () => {
    const nested = new Protein(sweep({ model: { optim: { lr } }, trainer: { schedule: { num_epochs: { distribution: "int_uniform", min: 1, max: 50, mean: 10, scale: "auto" } } } }), { seed: 1 });
    expect(nested.settings.costParam).toBe("trainer.schedule.num_epochs");
    const both = new Protein(sweep({ epochs: { distribution: "int_uniform", min: 1, max: 50, mean: 10, scale: "auto" }, env: { timesteps: steps(1e4, 1e7) } }), { seed: 1 });
    expect(both.settings.costParam).toBe("env.timesteps");
  });

  it("matches the last segment only, case-insensitively, and never a categorical", () => {
    expect(detectCostParam(["a.Total-Timesteps", "b.lr"])).toBe("a.Total-Timesteps");
    expect(detectCostParam(["timesteps_per_batch", "stepsize", "warmup_steps_fraction"])).toBeNull();
    expect(detectCostParam(["deep.x.steps", "steps"])).toBe("steps");
    const cat = new Protein(sweep({ lr, steps: { distribution: "categorical", values: [100, 1000] } }), { seed: 1 });
    expect(cat.settings.costParam).toBeNull();
  });

  it("says when there is none", () => {
    const p = new Protein(sweep({ lr, width: { distribution: "int_uniform", min: 1, max: 8, mean: 4, scale: "auto" } }), { seed: 2 });
    expect(p.settings.costParam).toBeNull();
    expect(p.costParamChoice.source).toBe("none");
    expect(p.warnings).toEqual([expect.stringContaining("no cost parameter: none is named by costParam and no numeric parameter is named like total_timesteps")]);
    expect(p.suggest().info.costParam?.key).toBeNull();
  });

  it("a named cost_param (config) or costParam (options) wins over detection, null turns it off, and neither warns", () => {
    const params = { lr, total_timesteps: steps(1e6, 1e9), budget_units: steps(1, 100) };
    const fromConfig = new Protein(sweep(params, { cost_param: "budget_units" }), { seed: 3 });
    expect(fromConfig.costParamChoice).toMatchObject({ key: "budget_units", source: "setting" });
    expect(fromConfig.warnings).toEqual([]);
    const fromOptions = new Protein(sweep(params), { seed: 3, costParam: "budget_units" });
    expect(fromOptions.settings.costParam).toBe("budget_units");
    const off = new Protein(sweep(params), { seed: 3, costParam: null });
    expect(off.settings.costParam).toBeNull();
    expect(off.costParamChoice.source).toBe("none");
    expect(off.warnings).toEqual([]);
    expect(() => new Protein(sweep(params), { seed: 3, costParam: "total_timestep" })).toThrow(ProteinError);
  });

  it("a detected cost parameter drives the cheaper search centres: suggestions spend less than without it", () => {
    // Score saturates in timesteps; cost is proportional to them. With the cost parameter known, the top
    // observations' cheaper copies become search centres, so the sweep buys shorter runs.
    const params = { lr, total_timesteps: steps(1e5, 1e8) };
    const spent = (opts: Record<string, unknown>) => {
      const p = new Protein(sweep(params), { seed: 5, numRandomSamples: 5, fitIterations: 10, globalCandidates: 64, suggestionsPerPareto: 32, ...opts });
      let total = 0;
      for (let i = 0; i < 25; i++) {
        const s = p.suggest();
        const q = s.params as { lr: number; total_timesteps: number };
        const score = (1 - Math.exp(-q.total_timesteps / 1e6)) - 0.2 * (Math.log10(q.lr) + 3) ** 2;
        const cost = q.total_timesteps / 1e4;
        total += cost;
        p.observe(s.params, score, cost);
      }
      return total;
    };
    expect(spent({})).toBeLessThan(spent({ costParam: null }));
  });
});
