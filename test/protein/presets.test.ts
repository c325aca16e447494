/**
 * Presets that reproduce a Python Protein (src/presets.ts, src/protein/reference.ts): their settings are the
 * ones the Python code uses (each value with the source line in a comment), and suggest() behaves as that code
 * does where users would notice — phases, candidate clipping, the Pareto front, resampling, exact resume.
 * Line numbers refer to Metta-AI/metta at a8d1ecee19 (metta/sweep/protein.py, metta/sweep/protein_config.py,
 * packages/pufferlib-core/src/pufferlib/sweep.py) and pyro 1.8.6.
 */
import { describe, expect, it } from "vitest";
import { parseSweepConfig } from "../../src/config/parse";
import { ConfigError } from "../../src/errors";
import { PRESET_ENGINES, PRESETS } from "../../src/presets";
import { Protein } from "../../src/protein";
import { referenceObservations, referenceParetoFront, sampleAroundCenters } from "../../src/protein/reference";
import { createRng } from "../../src/random";
import { DEFAULT_SETTINGS } from "../../src/settings";
import { SearchSpace } from "../../src/space/search-space";
import { braninValue } from "../../bench/quality/problems/synthetic";

const branin = braninValue;
/** A learning rate and a cost parameter (total_timesteps): the presets' varying-cost cases. */
const costConfig = {
  metric: "score",
  goal: "maximize",
  parameters: {
    lr: { distribution: "log_normal", min: 1e-4, max: 1e-1, mean: 1e-2, scale: "auto" },
    total_timesteps: { distribution: "log_normal", min: 1e5, max: 1e7, mean: 1e6, scale: "auto" },
  },
};
const braninConfig = {
  metric: "f",
  goal: "minimize",
  parameters: {
    x1: { distribution: "uniform", min: -5, max: 10, mean: 2.5, scale: "auto" },
    x2: { distribution: "uniform", min: 0, max: 15, mean: 7.5, scale: "auto" },
  },
};

function runBranin(settings: Record<string, unknown>, evaluations: number, goal: "minimize" | "maximize" = "minimize") {
  const p = new Protein<{ x1: number; x2: number }>({ ...braninConfig, goal }, settings);
  const out: Array<{ params: { x1: number; x2: number }; phase: string; f: number }> = [];
  for (let i = 0; i < evaluations; i++) {
    const s = p.suggest();
    const f = branin(s.params.x1, s.params.x2);
    out.push({ params: s.params, phase: s.info.phase, f });
    p.observe(s.params, goal === "minimize" ? f : -f, 1);
  }
  return { protein: p, out };
}

describe("preset settings are the Python Protein's", () => {
  it("metta: Metta's ProteinSettings defaults, which Metta's adapter always passes", () => {
    const s = new Protein(braninConfig, { preset: "metta", seed: 1 }).settings;
    expect(s.preset).toBe("metta");
    expect(s.maxSuggestionCost).toBe(10800); // protein_config.py:20
    expect(s.globalSearchScale).toBe(1); // :21
    expect(s.suggestionsPerPareto).toBe(256); // :23
    expect(s.resampleFrequency).toBe(10); // :26
    expect(s.numRandomSamples).toBe(0); // :27
    expect(s.seedWithSearchCenter).toBe(true); // :28
    expect(s.expansionRate).toBe(0.25); // :29
    expect(s.acquisition).toBe("protein"); // :30 acquisition_fn="naive"
    expect(s.ucbBeta).toBe(2); // :33
    expect(s.costTarget).toBe("uniform"); // protein.py:528
    expect(s.candidateBounds).toBe("clip"); // protein.py:176
    expect(s.fitMethod).toBe("pyro"); // protein.py:413
    expect(s.fitIterations).toBe(1000); // pyro/contrib/gp/util.py:161 num_steps=1000
  });

  it("metta: the GP and rating constants of metta/sweep/protein.py", () => {
    const e = PRESET_ENGINES.metta;
    expect(e.learningRate).toBe(1e-2); // protein.py:237 Adam(lr=1e-2)
    expect(e.jitter).toBe(1e-3); // protein.py:234 jitter=1.0e-3
    expect(e.initialNoise).toBe(1e-2); // protein.py:236
    expect(e.noisePrior).toBeNull(); // a plain PyroParam: no prior
    expect(e.scoreScaling).toBe("zscore"); // protein.py:403–405
    expect(e.minModelObservations).toBe(10); // protein.py:383
    expect(e.skipConstantCost).toBe(true); // protein.py:476
    expect(e.costGpMean).toBe(0);
    expect(e.costSharesScoreHyperparameters).toBe(true); // protein.py:272–273, :486 with pyro/nn/module.py:470–505
    expect(e.clampWeight).toBe(true); // protein.py:529
    expect(e.relaxCostMask).toBe(true); // protein.py:498–500
    expect(e.candidatesUseGlobalScale).toBe(true); // protein.py:447
    expect(e.duplicateDistance).toBe(1e-6); // protein.py:591
    expect(e.paretoEps).toBe(1e-6); // protein.py:211
  });

  it("pufferlib: PufferLib 2.0's Protein.__init__ defaults and GP constants", () => {
    const s = new Protein(braninConfig, { preset: "pufferlib", seed: 1 }).settings;
    expect(s.maxSuggestionCost).toBe(3600); // sweep.py:345
    expect(s.resampleFrequency).toBe(0); // :346
    expect(s.numRandomSamples).toBe(50); // :347
    expect(s.suggestionsPerPareto).toBe(256); // :350
    expect(s.seedWithSearchCenter).toBe(true); // :351
    expect(s.expansionRate).toBe(0.25); // :352
    expect(s.candidateBounds).toBe("clip"); // :197
    const e = PRESET_ENGINES.pufferlib;
    expect(e.learningRate).toBe(1e-4); // sweep.py:336 lr=0.0001
    expect(e.jitter).toBe(1e-4); // sweep.py:334
    expect(e.initialNoise).toBe("prior"); // sweep.py:335 PyroSample, Delta guide from a prior draw
    expect(e.noisePrior).toEqual({ mu: Math.log(1e-2), sigma: 0.5 }); // sweep.py:335
    expect(e.scoreScaling).toBe("minmax"); // sweep.py:398
    expect(e.scaleEps).toBe(1e-6); // sweep.py:398, :413
    expect(e.costGpMean).toBe(1); // sweep.py:415
    expect(e.costSharesScoreHyperparameters).toBe(true); // sweep.py:368–369, :418 with pyro/nn/module.py:470–505
    expect(e.clampWeight).toBe(false); // sweep.py:457
    expect(e.relaxCostMask).toBe(false); // sweep.py:454
    expect(e.candidatesUseGlobalScale).toBe(false); // sweep.py:426
  });

  it("settings given beside a preset win over it; no preset leaves the defaults untouched", () => {
    const s = new Protein(braninConfig, { preset: "metta", maxSuggestionCost: 500, candidateBounds: "reflect", seed: 1 }).settings;
    expect(s.maxSuggestionCost).toBe(500);
    expect(s.candidateBounds).toBe("reflect");
    expect(s.resampleFrequency).toBe(PRESETS.metta.resampleFrequency);
    const d = new Protein(braninConfig, { seed: 1 }).settings;
    expect(d.preset).toBeNull();
    expect({ ...d, seed: undefined, costParam: undefined }).toEqual({ ...DEFAULT_SETTINGS, seed: undefined, costParam: undefined });
  });

  it("a config selects a preset in its protein: block; the options' preset (or null) overrides it", () => {
    const config = { ...braninConfig, protein: { preset: "pufferlib", max_suggestion_cost: 100 } };
    expect(parseSweepConfig(config).settings).toMatchObject({ preset: "pufferlib", maxSuggestionCost: 100 });
    const fromConfig = new Protein(config, { seed: 1 }).settings;
    expect(fromConfig).toMatchObject({ preset: "pufferlib", maxSuggestionCost: 100, numRandomSamples: 50 });
    expect(new Protein(config, { seed: 1, preset: "metta" }).settings).toMatchObject({ preset: "metta", maxSuggestionCost: 100, numRandomSamples: 0 });
    expect(new Protein(config, { seed: 1, preset: null }).settings).toMatchObject({ preset: null, numRandomSamples: DEFAULT_SETTINGS.numRandomSamples });
  });

  it("refuses an unknown preset, and settings the preset's steps cannot follow, naming key, value and fix", () => {
    expect(() => new Protein(braninConfig, { preset: "carbs" as never })).toThrow(ConfigError);
    try {
      new Protein(braninConfig, { preset: "carbs" as never });
    } catch (e) {
      expect(JSON.stringify((e as ConfigError).issues)).toContain('\\"metta\\" or \\"pufferlib\\"');
    }
    expect(() => new Protein(braninConfig, { preset: "metta", acquisition: "logei" })).toThrow(/acquisition "logei" is not part of the metta Protein/);
    expect(() => new Protein(braninConfig, { preset: "pufferlib", acquisition: "ei" })).toThrow(/leave acquisition out under preset "pufferlib"/);
    expect(() => new Protein(braninConfig, { preset: "metta", kernel: "rbf" })).toThrow(ConfigError);
    expect(() => new Protein(braninConfig, { preset: "pufferlib", scoreMean: "edges" })).toThrow(/scoreMean "edges" is not part of the pufferlib Protein/);
    expect(() => new Protein(braninConfig, { preset: "metta", costPacing: 0.25 })).toThrow(/costPacing 0.25 is not part of the metta Protein/);
    expect(new Protein(braninConfig, { seed: 1, preset: "metta" }).settings.costPacing).toBe(0);
    expect(() => new Protein(braninConfig, { fitMethod: "pyro", kernel: "matern52" })).toThrow(/fitMethod "pyro" needs the Protein kernel/);
  });
});

describe("preset behaviour", () => {
  it("metta: centre first, random draws around the centre until 10 observations, every 10th suggestion re-runs the best, then the model", () => {
    const { out } = runBranin({ preset: "metta", seed: 3, fitIterations: 100 }, 21);
    expect(out[0].phase).toBe("center");
    expect(out[0].params).toEqual({ x1: 2.5, x2: 7.5 });
    for (const r of out.slice(1, 9)) {
      expect(r.phase).toBe("fallback");
      // ±0.5 in normalized units around the centre: the inner half of each range (protein.py:431, scale "auto").
      expect(Math.abs(r.params.x1 - 2.5)).toBeLessThanOrEqual(3.75 + 1e-9);
      expect(Math.abs(r.params.x2 - 7.5)).toBeLessThanOrEqual(3.75 + 1e-9);
    }
    expect(out[9].phase).toBe("resample");
    const best = out.slice(0, 9).reduce((a, b) => (b.f < a.f ? b : a));
    expect(out[9].params).toEqual(best.params);
    // The re-run replaces the observation it repeats, so there are still 9 after 10 suggestions: the 11th is
    // one more random draw, and the model starts at the 12th (as in the Python Protein, whose observe de-duplicates).
    expect(out[10].phase).toBe("fallback");
    expect(out[11].phase).toBe("model");
    expect(out[19].phase).toBe("resample");
    expect(out[20].phase).toBe("model");
  });

  it("pufferlib: centre first, then the model from the second suggestion on (no random phase with the centre seed, no resampling)", () => {
    const { out } = runBranin({ preset: "pufferlib", seed: 3, fitIterations: 50 }, 6);
    expect(out.map((r) => r.phase)).toEqual(["center", "model", "model", "model", "model", "model"]);
  });

  it("clips candidates as Metta does: a centre 0.1 inside a bound with half-width 0.5 puts 40 % of that coordinate on the bound", () => {
    const space = new SearchSpace([
      { key: "a", spec: { distribution: "uniform", min: 0, max: 1, mean: 0.5, scale: 0.5 } },
      { key: "b", spec: { distribution: "uniform", min: 0, max: 1, mean: 0.5, scale: 0.5 } },
    ]);
    const n = 8000;
    const centers = Float64Array.of(0.9, 0);
    const clipped = sampleAroundCenters(space, centers, n, Float64Array.of(0.5, 0.5), false, createRng(5));
    const col = (X: Float64Array, j: number) => X.filter((_, i) => i % 2 === j);
    const share = col(clipped, 0).filter((u) => u === 1).length / n;
    expect(share).toBeGreaterThan(0.37);
    expect(share).toBeLessThan(0.43);
    for (const u of clipped) expect(Math.abs(u)).toBeLessThanOrEqual(1);
    expect(col(clipped, 1).filter((u) => Math.abs(u) === 1).length).toBe(0);
    // Not rounded: the Python Protein rates continuous rows and rounds only the winner.
    expect(new Set(col(clipped, 1)).size).toBeGreaterThan(n * 0.99);
    const reflected = sampleAroundCenters(space, centers, n, Float64Array.of(0.5, 0.5), true, createRng(5));
    expect(col(reflected, 0).filter((u) => Math.abs(u) === 1).length).toBe(0);
  });

  it("the Pareto front is Metta's: constant costs leave only the best, and equal (score, cost) pairs knock each other out", () => {
    const ones = new Float64Array(4).fill(1);
    expect(referenceParetoFront(Float64Array.of(0.1, 0.7, 0.3, 0.2), ones, 1e-6)).toEqual([1]);
    expect(referenceParetoFront(Float64Array.of(0.1, 0.5, 0.9), Float64Array.of(1, 2, 3), 1e-6)).toEqual([0, 1, 2]);
    expect(referenceParetoFront(Float64Array.of(0.9, 0.9, 0.1), Float64Array.of(1, 1, 0.5), 1e-6)).toEqual([2]);
  });

  it("an observation at the params of an earlier one replaces it in place (Metta's observe)", () => {
    const X = Float64Array.of(0, 0, 0.5, 0.5, 0, 0, 0.2, 0.2);
    const obs = referenceObservations({ n: 4, X, s: Float64Array.of(1, 2, 3, 4), cost: Float64Array.of(1, 1, 1, 1) }, 2, 1e-6);
    expect(obs.source).toEqual([2, 1, 3]);
    expect(Array.from(obs.s)).toEqual([3, 2, 4]);
  });

  it("metta with constant costs: minimizing f and maximizing −f suggest the same points", () => {
    const a = runBranin({ preset: "metta", seed: 11, fitIterations: 200 }, 16, "minimize").out.map((r) => r.params);
    const b = runBranin({ preset: "metta", seed: 11, fitIterations: 200 }, 16, "maximize").out.map((r) => r.params);
    expect(b).toEqual(a);
  });

  it("a sweep under a preset restored from a JSON snapshot continues exactly (pyro fit state and Adam moments included)", () => {
    for (const preset of ["metta", "pufferlib"] as const) {
      const settings = { preset, seed: 8, fitIterations: 100 };
      const { protein } = runBranin(settings, 12);
      const restored = Protein.restore(JSON.parse(JSON.stringify(protein.snapshot())));
      for (let i = 0; i < 3; i++) {
        const a = protein.suggest();
        const b = restored.suggest();
        expect(b.params).toEqual(a.params);
        const f = branin((a.params as { x1: number }).x1, (a.params as { x2: number }).x2);
        protein.observe(a.params, f, 1);
        restored.observe(b.params, f, 1);
      }
    }
  });

  it("metta with varying costs lifts the cost mask when every candidate is predicted over maxSuggestionCost", () => {
    const p = new Protein<{ lr: number; total_timesteps: number }>(costConfig, { preset: "metta", seed: 2, fitIterations: 100, maxSuggestionCost: 1e-3 });
    let last;
    for (let i = 0; i < 12; i++) {
      last = p.suggest();
      const { lr, total_timesteps: t } = last.params;
      p.observe(last.params, -((Math.log10(lr) + 2) ** 2) + Math.log10(t), t / 1e4);
    }
    expect(last!.info.phase).toBe("model");
    expect(last!.info.costThresholdRelaxed).toBe(true);
    expect(last!.info.predictedCost).toBeGreaterThan(1e-3);
  });

  it("with varying costs the cost GP is not fitted, it predicts with the score GP's hyperparameters (pyro's shared parameter store); a restored sweep continues exactly", () => {
    // Metta's and PufferLib 2.0's two GPRegression modules share their parameters through pyro's global
    // parameter store (the same names), so the cost GP runs on the score GP's fitted hyperparameters (src/presets.ts).
    const f = (q: { lr: number; total_timesteps: number }): number => -((Math.log10(q.lr) + 2) ** 2) + 0.3 * Math.log10(q.total_timesteps);
    for (const preset of ["metta", "pufferlib"] as const) {
      const p = new Protein<{ lr: number; total_timesteps: number }>(costConfig, { preset, seed: 5, fitIterations: 100 });
      let last;
      for (let i = 0; i < 13; i++) {
        last = p.suggest();
        p.observe(last.params, f(last.params), last.params.total_timesteps / 1e4);
      }
      const info = last!.info;
      expect(info.phase).toBe("model");
      expect(info.costModel?.refitted).toBe(false);
      expect(info.costModel?.lengthscaleRange).toEqual(info.scoreModel?.lengthscaleRange);
      expect(info.costModel?.noise).toBe(info.scoreModel?.noise);
      const restored = Protein.restore(JSON.parse(JSON.stringify(p.snapshot())));
      for (let i = 0; i < 2; i++) {
        const a = p.suggest();
        const b = restored.suggest();
        expect(b.params).toEqual(a.params);
        expect(b.info.predictedCost).toBe(a.info.predictedCost);
        p.observe(a.params, f(a.params), a.params.total_timesteps / 1e4);
        const q = b.params as unknown as { lr: number; total_timesteps: number };
        restored.observe(q, f(q), q.total_timesteps / 1e4);
      }
    }
  });
});
