/**
 * The API a shared study builds on: exportState / importState / addPending, and typed params
 * with the `layout` setting.
 */
import { describe, expect, it } from "vitest";
import { ProteinError, ObservationError } from "../../src/errors";
import { Protein, type ProteinState } from "../../src/protein";
import type { NestedParams } from "../../src/space/search-space";

const config = {
  sweep: {
    metric: "score",
    goal: "maximize",
    parameters: {
      train: {
        total_timesteps: { distribution: "log_normal", min: 1e5, max: 1e8, mean: 1e6, scale: "auto" },
        learning_rate: { distribution: "log_normal", min: 1e-5, max: 1e-1, mean: 1e-3, scale: "auto" },
        batch_size: { distribution: "uniform_pow2", min: 16, max: 1024, mean: 128, scale: "auto" },
      },
      "env.frameskip": { distribution: "int_uniform", min: 1, max: 8, mean: 4, scale: "auto" },
    },
  },
};
interface MyParams {
  train: { total_timesteps: number; learning_rate: number; batch_size: number };
  "env.frameskip": number;
}
const f = (p: MyParams) => ({ score: -((Math.log10(p.train.learning_rate) + 3) ** 2) + 0.1 * Math.log10(p.train.total_timesteps) - 0.01 * p["env.frameskip"], cost: p.train.total_timesteps / 1e4 });
const settings = { seed: 31, numRandomSamples: 4, suggestionsPerPareto: 32, globalCandidates: 64 };

describe("exportState / importState / addPending", () => {
  it("B, given A's observations, state and pending suggestion, makes A's next suggestion bit for bit", () => {
    const a = new Protein<MyParams>(config, settings);
    const b = new Protein<MyParams>(config, settings);
    for (let i = 0; i < 8; i++) {
      const s = a.suggest();
      const r = f(s.params);
      const ts = `2026-04-01T00:00:0${i}Z`;
      a.observe(s.params, r.score, r.cost, { timestamp: ts, suggestionId: s.id });
      b.observe(s.params, r.score, r.cost, { timestamp: ts, suggestionId: s.id });
    }
    const inFlight = a.suggest();
    b.importState(JSON.parse(JSON.stringify(a.exportState())) as ProteinState);
    b.addPending(inFlight.id, inFlight.params);
    expect(b.pendingSuggestions).toEqual(a.pendingSuggestions);
    const fromA = a.suggest();
    const fromB = b.suggest();
    expect(fromB.info.phase).toBe("model");
    expect(fromB.id).toBe(fromA.id);
    expect(fromB.params).toEqual(fromA.params);
    expect(fromB.info).toEqual(fromA.info);
    expect(b.exportState()).toEqual(a.exportState());
    // The registered suggestion is completed by its id, or dropped with abandon.
    const r = f(inFlight.params);
    expect(b.observe(inFlight.params, r.score, r.cost, { suggestionId: inFlight.id }).completedSuggestion).toBe(inFlight.id);
    expect(b.abandon(fromB.id)).toBe(true);
    expect(b.pendingSuggestions).toEqual([]);
  });

  it("a snapshot taken while a suggestion is pending restores bit for bit (the pending row is the issued params' row)", () => {
    const a = new Protein<MyParams>(config, settings);
    for (let i = 0; i < 7; i++) {
      const s = a.suggest();
      a.observe(s.params, f(s.params).score, f(s.params).cost, { timestamp: "2026-04-01T00:00:00Z" });
    }
    a.suggest();
    const b = Protein.restore<MyParams>(JSON.parse(JSON.stringify(a.snapshot())));
    const fromA = a.suggest();
    const fromB = b.suggest();
    expect(fromB.info.phase).toBe("model");
    expect(fromB).toEqual(fromA);
  });

  it("exportState holds exactly the counters, generator, deck, threshold and model states", () => {
    const a = new Protein<MyParams>(config, settings);
    for (let i = 0; i < 6; i++) {
      const s = a.suggest();
      a.observe(s.params, f(s.params).score, f(s.params).cost);
    }
    const state = a.exportState();
    expect(Object.keys(state).sort()).toEqual(["deck", "format", "gp", "idCounter", "rng", "sobol", "suggestionIndex", "upperCostThreshold", "version"]);
    const snap = a.snapshot();
    expect(state).toMatchObject({ suggestionIndex: snap.suggestionIndex, idCounter: snap.idCounter, rng: snap.rng, sobol: snap.sobol, deck: snap.deck, gp: snap.gp });
  });

  it("importState refuses a tampered state with a typed error and changes nothing", () => {
    const a = new Protein<MyParams>(config, settings);
    a.suggest();
    const before = JSON.stringify(a.exportState());
    const bad = JSON.parse(before);
    bad.sobol.index = -1;
    expect(() => a.importState(bad)).toThrow(/state: .*sobol\.index/);
    expect(() => a.importState({ format: "protein-sweep/state" } as never)).toThrow(ProteinError);
    expect(() => a.importState(null as never)).toThrow(ProteinError);
    const wrongGp = JSON.parse(before);
    wrongGp.gp.score = { logParams: [1], fitted: true, lastGood: [1], lbfgs: null, adam: null };
    expect(() => a.importState(wrongGp)).toThrow(/model state/);
    expect(JSON.stringify(a.exportState())).toBe(before);
  });

  it("addPending refuses a duplicate id and invalid params", () => {
    const a = new Protein<MyParams>(config, settings);
    const s = a.suggest();
    expect(() => a.addPending(s.id, s.params)).toThrow(/already pending/);
    expect(() => a.addPending("", s.params)).toThrow(ProteinError);
    expect(() => a.addPending("x1", { ...s.params, train: { ...s.params.train, learning_rate: -1 } })).toThrow(ObservationError);
    expect(() => a.addPending("x2", { train: s.params.train })).toThrow(/missing/);
    expect(a.pendingSuggestions.map((p) => p.id)).toEqual([s.id]);
  });
});

describe("typed params and the layout setting", () => {
  it("new Protein<MyParams> types suggest().params; as-written keeps the config's nesting", () => {
    const protein = new Protein<MyParams>(config, { seed: 1 });
    const { params } = protein.suggest();
    const lr: number = params.train.learning_rate;
    const skip: number = params["env.frameskip"];
    expect(lr).toBe(1e-3);
    expect(skip).toBe(4);
  });

  it('layout "nested" splits every dot, "dotted" gives flat keys; both observe and resume', () => {
    const nested = new Protein<{ train: Record<string, number>; env: { frameskip: number } }>(config, { seed: 2, layout: "nested" });
    const n = nested.suggest();
    expect(n.params.env.frameskip).toBe(4);
    expect(Object.keys(n.params).sort()).toEqual(["env", "train"]);
    const dotted = new Protein<Record<string, number>>(config, { seed: 2, layout: "dotted" });
    const d = dotted.suggest();
    expect(Object.keys(d.params).sort()).toEqual(["env.frameskip", "train.batch_size", "train.learning_rate", "train.total_timesteps"]);
    expect(d.params["train.learning_rate"]).toBe(n.params.train.learning_rate);
    expect(dotted.observe(d.params, 1, 10).completedSuggestion).toBe(d.id);
    for (let i = 0; i < 6; i++) {
      const s = dotted.suggest();
      expect(Object.keys(s.params)).toContain("env.frameskip");
      dotted.observe(s.params, -i, 10 + i);
    }
    const restored = Protein.restore<Record<string, number>>(JSON.parse(JSON.stringify(dotted.snapshot())));
    expect(restored.settings.layout).toBe("dotted");
    expect(restored.suggest().params).toEqual(dotted.suggest().params);
  });

  it("an unknown layout is a typed error", () => {
    expect(() => new Protein(config, { layout: "flat" as never })).toThrow(/layout/);
  });
});

const _typecheck = (p: Protein<MyParams>): NestedParams[] => {
  // @ts-expect-error — the typed params have no "train.lr" key: a typo fails to compile.
  void p.suggest().params.train.lr;
  return [];
};
void _typecheck;
