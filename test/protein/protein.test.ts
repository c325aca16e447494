import { describe, expect, it } from "vitest";
import { ObservationError, ProteinError } from "../../src/errors";
import { Protein } from "../../src/protein";
import { flattenParams } from "../../src/space";
import { paretoFront } from "../../src/pareto";

/** A 3-parameter sweep with a cost parameter: score and cost both depend on the params. */
const costConfig = {
  sweep: {
    metric: "score",
    goal: "maximize",
    parameters: {
      train: {
        total_timesteps: { distribution: "log_normal", min: 1e5, max: 1e8, mean: 1e6, scale: "auto" },
        learning_rate: { distribution: "log_normal", min: 1e-5, max: 1e-1, mean: 1e-3, scale: "auto" },
        batch_size: { distribution: "uniform_pow2", min: 16, max: 1024, mean: 128, scale: "auto" },
      },
    },
  },
};
type P = { train: { total_timesteps: number; learning_rate: number; batch_size: number } };
function run(p: P): { score: number; cost: number } {
  const t = p.train;
  const score = 2 * (1 - Math.exp(-t.total_timesteps / 1e7)) - (Math.log10(t.learning_rate) + 2.5) ** 2 - 0.1 * (Math.log2(t.batch_size) - 7) ** 2;
  return { score, cost: t.total_timesteps / 1e4 };
}

function sweep(protein: Protein, n: number, f = run): Array<ReturnType<Protein["suggest"]>> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const s = protein.suggest();
    const { score, cost } = f(s.params as unknown as P);
    protein.observe(s.params, score, cost);
    out.push(s);
  }
  return out;
}

const flat = (p: object) => Object.fromEntries(flattenParams(p as Record<string, unknown>));

describe("random phase and centre", () => {
  it("the first suggestion is the search centre, then Sobol points, for exactly numRandomSamples suggestions", () => {
    const protein = new Protein(costConfig, { seed: 1, numRandomSamples: 6 });
    const phases = sweep(protein, 9).map((s) => s.info.phase);
    expect(phases).toEqual(["center", "random", "random", "random", "random", "random", "model", "model", "model"]);
    expect(protein.observations[0].params).toEqual({ train: { total_timesteps: 1e6, learning_rate: 1e-3, batch_size: 128 } });
  });

  it("random-phase suggestions keep the cost coordinate cheap (near −0.8)", () => {
    const protein = new Protein(costConfig, { seed: 2, numRandomSamples: 30, seedWithSearchCenter: false });
    const costs = sweep(protein, 30).map((s) => protein.space.toVector(s.params)[0]);
    for (const u of costs) expect(u).toBeLessThan(-0.3);
    const mean = costs.reduce((a, b) => a + b, 0) / costs.length;
    expect(Math.abs(mean - -0.8)).toBeLessThan(0.06);
  });
});

describe("resampling", () => {
  it("every resampleFrequency-th model-phase suggestion is a Pareto-front member, exactly as observed", () => {
    const protein = new Protein(costConfig, { seed: 3, numRandomSamples: 5, resampleFrequency: 4 });
    const made = sweep(protein, 16);
    for (const s of made) {
      const idx = s.info.index;
      if (idx > 5 && idx % 4 === 0) {
        expect(s.info.phase).toBe("resample");
        const earlier = protein.observations.slice(0, idx - 1);
        const front = paretoFront(Float64Array.from(earlier, (o) => o.score!), Float64Array.from(earlier, (o) => o.cost), "maximize", { scoreTolerance: 1e-6 });
        expect(front.map((i) => earlier[i].params)).toContainEqual(s.params);
      } else {
        expect(s.info.phase).not.toBe("resample");
      }
    }
  });
});

describe("cost handling", () => {
  it("no suggestion's predicted cost reaches maxSuggestionCost unless the relaxation is reported", () => {
    const protein = new Protein(costConfig, { seed: 4, numRandomSamples: 6, maxSuggestionCost: 400 });
    for (const s of sweep(protein, 20)) {
      if (s.info.phase !== "model") continue;
      expect(s.info.predictedCost).toBeDefined();
      if (!s.info.costThresholdRelaxed) expect(s.info.predictedCost!).toBeLessThan(400);
    }
  });

  it("reports the relaxation when every candidate is predicted over the cap", () => {
    const protein = new Protein(costConfig, { seed: 5, numRandomSamples: 6, maxSuggestionCost: 1e-3 });
    const model = sweep(protein, 10).filter((s) => s.info.phase === "model");
    expect(model.length).toBeGreaterThan(0);
    for (const s of model) expect(s.info.costThresholdRelaxed).toBe(true);
  });

  it("fixedCost is honoured exactly, in the random phase and the model phase", () => {
    const protein = new Protein(costConfig, { seed: 6, numRandomSamples: 4 });
    sweep(protein, 8);
    for (let i = 0; i < 4; i++) {
      const s = protein.suggest({ fixedCost: 3_333_333 });
      expect((s.params as unknown as P).train.total_timesteps).toBe(3_333_333);
      protein.observe(s.params, run(s.params as unknown as P).score, 333);
    }
    const fresh = new Protein(costConfig, { seed: 6 });
    expect((fresh.suggest({ fixedCost: 2e7 }).params as unknown as P).train.total_timesteps).toBe(2e7);
  });

  it("a sweep without costs (cost omitted) skips the cost model", () => {
    const protein = new Protein({ sweep: { metric: "m", goal: "maximize", parameters: { x: { distribution: "uniform", min: -2, max: 2 } } } }, { seed: 7, numRandomSamples: 3 });
    for (let i = 0; i < 8; i++) {
      const s = protein.suggest();
      const x = (s.params as { x: number }).x;
      protein.observe(s.params, -((x - 0.7) ** 2));
      if (s.info.phase === "model") {
        expect(s.info.costModel).toBeUndefined();
        expect(s.info.predictedCost).toBeUndefined();
      }
    }
    expect(protein.observations.every((o) => o.cost === 1)).toBe(true);
  });
});

describe("failures and bad input", () => {
  it("a NaN or infinite score is a failure observation and nothing crashes", () => {
    const protein = new Protein(costConfig, { seed: 8, numRandomSamples: 4 });
    for (let i = 0; i < 12; i++) {
      const s = protein.suggest();
      const r = run(s.params as unknown as P);
      const res = protein.observe(s.params, i % 3 === 0 ? Number.NaN : i % 5 === 0 ? Number.POSITIVE_INFINITY : r.score, r.cost);
      if (i % 3 === 0) expect(res.observation).toMatchObject({ isFailure: true, score: null });
    }
    expect(protein.observations.filter((o) => o.isFailure).length).toBe(6); // i = 0, 3, 6, 9 (NaN) and 5, 10 (∞)
  });

  it("only failures so far: suggestions stay valid and say why", () => {
    const protein = new Protein(costConfig, { seed: 9, numRandomSamples: 2 });
    for (let i = 0; i < 5; i++) {
      const s = protein.suggest();
      expect(protein.space.check(s.params)).toEqual([]);
      protein.observe(s.params, Number.NaN, 10, { isFailure: true });
      if (i >= 2) expect(s.info.reason).toMatch(/no successful observation/);
    }
  });

  it("missing, unknown and mistyped keys throw ObservationError naming the dotted key; nothing is recorded", () => {
    const protein = new Protein(costConfig, { seed: 10 });
    const { params } = protein.suggest();
    const p = params as unknown as P;
    expect(() => protein.observe({ train: { total_timesteps: 1e6, learning_rate: 1e-3 } }, 1, 1)).toThrow(/key: train\.batch_size/);
    expect(() => protein.observe({ train: { ...p.train, momentum: 0.9 } }, 1, 1)).toThrow(/key: train\.momentum/);
    expect(() => protein.observe({ train: { ...p.train, learning_rate: "0.001" } }, 1, 1)).toThrow(ObservationError);
    expect(() => protein.observe(params, "1" as unknown as number, 1)).toThrow(/key: score/);
    expect(() => protein.observe(params, 1, -5)).toThrow(/key: cost[\s\S]*fix:/);
    expect(() => protein.observe(params, 1, Number.NaN)).toThrow(/key: cost/);
    expect(protein.observations.length).toBe(0);
    expect(protein.pendingSuggestions.length).toBe(1);
  });

  it("out-of-range values are recorded as given and reported", () => {
    const protein = new Protein(costConfig, { seed: 11 });
    const res = protein.observe({ train: { total_timesteps: 5e8, learning_rate: 1e-3, batch_size: 128 } }, 1, 5e4);
    expect(res.outOfRange.map((p) => p.key)).toEqual(["train.total_timesteps"]);
    expect((protein.observations[0].params as unknown as P).train.total_timesteps).toBe(5e8);
  });

  it("unknown settings are refused with the key", () => {
    expect(() => new Protein(costConfig, { maxSugestionCost: 3 } as never)).toThrow(ProteinError);
    expect(() => new Protein(costConfig, { maxSugestionCost: 3 } as never)).toThrow(/key: maxSugestionCost/);
  });
});

describe("reproducibility and goals", () => {
  it("same seed, same observations, same calls ⇒ identical suggestions, bit for bit", () => {
    const a = sweep(new Protein(costConfig, { seed: 12, numRandomSamples: 5 }), 14).map((s) => s.params);
    const b = sweep(new Protein(costConfig, { seed: 12, numRandomSamples: 5 }), 14).map((s) => s.params);
    const c = sweep(new Protein(costConfig, { seed: 13, numRandomSamples: 5 }), 14).map((s) => s.params);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it.each(["protein", "ei", "logei", "ucb"] as const)("maximize f and minimize −f give identical suggestions (%s)", (acquisition) => {
    const minimizeConfig = structuredClone(costConfig);
    minimizeConfig.sweep.goal = "minimize";
    const max = sweep(new Protein(costConfig, { seed: 14, numRandomSamples: 5, acquisition }), 14).map((s) => s.params);
    const min = sweep(new Protein(minimizeConfig, { seed: 14, numRandomSamples: 5, acquisition }), 14, (p) => {
      const r = run(p);
      return { score: -r.score, cost: r.cost };
    }).map((s) => s.params);
    expect(min).toEqual(max);
  });

  it("minimize really minimizes: the model phase improves on the random phase", () => {
    const cfg = { sweep: { metric: "loss", goal: "minimize", parameters: { x: { distribution: "uniform", min: -3, max: 3 }, y: { distribution: "uniform", min: -3, max: 3 } } } };
    const protein = new Protein(cfg, { seed: 15, numRandomSamples: 6, acquisition: "ei" });
    const losses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const s = protein.suggest();
      const { x, y } = s.params as { x: number; y: number };
      const loss = (x - 1.2) ** 2 + (y + 0.7) ** 2;
      losses.push(loss);
      protein.observe(s.params, loss);
    }
    expect(Math.min(...losses.slice(6))).toBeLessThan(Math.min(...losses.slice(0, 6)));
    expect(Math.min(...losses)).toBeLessThan(0.05);
  });
});

describe("parallel workers", () => {
  it("with 8 pending suggestions the 9th lies at least pendingRadius from each of them", () => {
    for (const acquisition of ["protein", "ei"] as const) {
      const protein = new Protein(costConfig, { seed: 16, numRandomSamples: 5, acquisition, pendingRadius: 0.1 });
      sweep(protein, 12);
      const pending = Array.from({ length: 8 }, () => protein.suggest());
      const ninth = protein.suggest();
      expect(ninth.info.pending).toBe(8);
      const x9 = protein.space.toVector(ninth.params);
      for (const p of pending) {
        const xp = protein.space.toVector(p.params);
        const dist = Math.hypot(...Array.from(x9, (v, j) => v - xp[j]));
        expect(dist).toBeGreaterThanOrEqual(0.1);
      }
    }
  });

  it("a sequential run is unaffected by the pending-point treatment", () => {
    const a = sweep(new Protein(costConfig, { seed: 17, numRandomSamples: 5, pendingStrategy: "liar" }), 14).map((s) => s.params);
    const b = sweep(new Protein(costConfig, { seed: 17, numRandomSamples: 5, pendingStrategy: "none" }), 14).map((s) => s.params);
    expect(b).toEqual(a);
  });

  it("observe clears the matching pending suggestion (by params or by id); abandon drops one", () => {
    const protein = new Protein(costConfig, { seed: 18 });
    const s1 = protein.suggest();
    const s2 = protein.suggest();
    const s3 = protein.suggest();
    expect(protein.pendingSuggestions.map((p) => p.id)).toEqual([s1.id, s2.id, s3.id]);
    const r = protein.observe(s2.params, 1, 5);
    expect(r.completedSuggestion).toBe(s2.id);
    protein.observe(s1.params, 1, 5, { suggestionId: s1.id });
    expect(protein.abandon(s3.id)).toBe(true);
    expect(protein.abandon(s3.id)).toBe(false);
    expect(protein.pendingSuggestions).toEqual([]);
    expect(protein.observations.map((o) => o.suggestionId)).toEqual([s2.id, s1.id]);
  });
});

describe("percentile metric and early stopping", () => {
  it("percentile scores go through clip(logit(score), −5, 100) in the model, raw in the record", () => {
    const cfg = { sweep: { metric: "win_rate", goal: "maximize", protein: { metric_distribution: "percentile" }, parameters: { x: { distribution: "uniform", min: 0, max: 1 } } } };
    const protein = new Protein(cfg, { seed: 19, numRandomSamples: 3 });
    for (let i = 0; i < 6; i++) {
      const s = protein.suggest();
      protein.observe(s.params, Math.min(0.999, (s.params as { x: number }).x));
    }
    expect(protein.observations.every((o) => o.score! >= 0 && o.score! < 1)).toBe(true);
  });

  it("shouldStop needs 30 observations, then stops runs under the quantile line, for both goals", () => {
    for (const goal of ["maximize", "minimize"] as const) {
      const sign = goal === "maximize" ? 1 : -1;
      const cfg = { sweep: { metric: "m", goal, parameters: { x: { distribution: "uniform", min: 0, max: 1 } } } };
      const protein = new Protein(cfg, { seed: 20 });
      const cost = (i: number) => 100 * 1.1 ** i;
      for (let i = 0; i < 29; i++) protein.observe({ x: i / 40 }, sign * (1 + Math.log(cost(i))), cost(i));
      expect(protein.shouldStop(sign * -100, 1000)).toBe(false); // too few observations
      protein.observe({ x: 0.99 }, sign * (1 + Math.log(cost(29))), cost(29));
      expect(protein.shouldStop(sign * -100, 1000)).toBe(true);
      expect(protein.shouldStop(sign * (2 + Math.log(1000)), 1000)).toBe(false);
      expect(protein.shouldStop(sign * -100, 5)).toBe(false); // below the minimum cost
    }
  });
});

describe("model refits and exploitation steps", () => {
  it("exploitEvery: k rates every k-th suggestion by Protein's posterior mean, the others by the acquisition", () => {
    const protein = new Protein(costConfig, { seed: 4, numRandomSamples: 5, exploitEvery: 3 });
    const made = sweep(protein, 14).filter((s) => s.info.phase === "model");
    expect(made.length).toBeGreaterThan(6);
    for (const s of made) expect(s.info.acquisition).toBe(s.info.index % 3 === 0 ? "protein" : "logei");
    // 0 turns it off; the default is 2; a config's protein block sets it too (snake_case).
    const plain = sweep(new Protein(costConfig, { seed: 4, numRandomSamples: 5, exploitEvery: 0 }), 14).filter((s) => s.info.phase === "model");
    expect(plain.every((s) => s.info.acquisition === "logei")).toBe(true);
    expect(new Protein(costConfig, { seed: 1 }).settings.exploitEvery).toBe(2);
    const fromConfig = new Protein({ ...costConfig, sweep: { ...costConfig.sweep, protein: { exploit_every: 5 } } }, { seed: 1 });
    expect(fromConfig.settings.exploitEvery).toBe(5);
  });

  /** A sweep with gpMaxObs 40 that has observed 110 runs. */
  function beyondCap(): Protein {
    const protein = new Protein(costConfig, { seed: 8, numRandomSamples: 5, gpMaxObs: 40 });
    const lr = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2];
    for (let i = 0; i < 110; i++) {
      const params = { train: { total_timesteps: 1e5 * (1 + (i % 97)), learning_rate: lr[i % 5] * (1 + i / 1000), batch_size: 2 ** (4 + (i % 7)) } };
      const { score, cost } = run(params);
      protein.observe(params, score, cost);
    }
    return protein;
  }

  it("beyond gpMaxObs the hyperparameters are still refitted as observations accumulate", () => {
    const protein = beyondCap();
    const refits = sweep(protein, 12).map((s) => s.info.scoreModel?.refitted === true);
    expect(refits[0]).toBe(true); // first fit of this GP
    expect(refits.slice(1).some(Boolean)).toBe(true); // 110 → 122 observations: one refit per ~5 % growth
    expect(refits.slice(1).every(Boolean)).toBe(false); // and not on every call
  });

  it("beyond gpMaxObs the training set grows only at its end between redraws, so the GPs keep their factor", () => {
    const protein = beyondCap();
    const gp = () => (protein as unknown as { surrogate: { scoreGp: { lastFactorReusedRows: number } } }).surrogate.scoreGp;
    const steps = Array.from({ length: 12 }, () => {
      const s = sweep(protein, 1)[0];
      return { rows: s.info.scoreModel?.observations ?? 0, refitted: s.info.scoreModel?.refitted === true, reused: gp().lastFactorReusedRows };
    });
    // The cap's base moves every ⌈40/16⌉ = 3 observations: at most 40 + 3 rows, and on the calls in between that
    // neither refit nor redraw, the factor's rows are kept (all but the last few, in 4-row blocks).
    for (const s of steps) expect(s.rows).toBeLessThanOrEqual(43);
    const kept = steps.filter((s, i) => i > 0 && !s.refitted && s.rows > steps[i - 1].rows);
    expect(kept.length).toBeGreaterThan(2);
    for (const s of kept) expect(s.reused).toBeGreaterThanOrEqual(36);
  });
});
