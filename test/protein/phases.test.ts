import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadSweepConfig } from "../../src/config";
import { appendObservation, createObservationsHeader, loadObservations, saveObservations } from "../../src/observations";
import { Protein, type ProteinSnapshot } from "../../src/protein";
import { REFERENCE_SETTINGS } from "../../src/settings";

const fixtures = join(__dirname, "..", "fixtures", "configs");
const dir = mkdtempSync(join(tmpdir(), "protein-phases-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const costConfig = {
  sweep: {
    metric: "score",
    goal: "maximize",
    parameters: {
      train: {
        total_timesteps: { distribution: "log_normal", min: 1e5, max: 1e8, mean: 1e6, scale: "auto" },
        learning_rate: { distribution: "log_normal", min: 1e-5, max: 1e-1, mean: 1e-3, scale: "auto" },
        optimizer: { values: ["adam", "sgd"] },
      },
    },
  },
};
type P = { train: { total_timesteps: number; learning_rate: number; optimizer: string } };
const run = (p: P) => ({
  score: 2 * (1 - Math.exp(-p.train.total_timesteps / 1e7)) - (Math.log10(p.train.learning_rate) + 2.5) ** 2 - (p.train.optimizer === "sgd" ? 0.3 : 0),
  cost: p.train.total_timesteps / 1e4,
});

describe("exact resume", () => {
  it.each([
    ["default", {}],
    ["reference (Adam fit)", REFERENCE_SETTINGS],
  ])("a sweep stopped after k trials and restored from a JSON snapshot makes the same suggestions as one that never stopped (30 trials, %s)", (_name, mode) => {
    const settings = { seed: 21, numRandomSamples: 6, resampleFrequency: 7, ...mode };
    const straight = new Protein(costConfig, settings);
    const expected: unknown[] = [];
    for (let i = 0; i < 30; i++) {
      const s = straight.suggest();
      expected.push(s.params);
      const r = run(s.params as unknown as P);
      straight.observe(s.params, r.score, r.cost, { timestamp: `2026-01-01T00:00:${String(i).padStart(2, "0")}Z` });
    }
    for (const k of [1, 6, 13, 22]) {
      let protein = new Protein(costConfig, settings);
      const got: unknown[] = [];
      for (let i = 0; i < 30; i++) {
        if (i === k) protein = Protein.restore(JSON.parse(JSON.stringify(protein.snapshot())) as ProteinSnapshot);
        const s = protein.suggest();
        got.push(s.params);
        const r = run(s.params as unknown as P);
        protein.observe(s.params, r.score, r.cost, { timestamp: `2026-01-01T00:00:${String(i).padStart(2, "0")}Z` });
      }
      expect(got).toEqual(expected);
    }
  });

  it("pending suggestions survive a snapshot", () => {
    const protein = new Protein(costConfig, { seed: 22 });
    const a = protein.suggest();
    const restored = Protein.restore(protein.snapshot());
    expect(restored.pendingSuggestions).toEqual([{ id: a.id, params: a.params }]);
    expect(restored.observe(a.params, 1, 10).completedSuggestion).toBe(a.id);
    expect(restored.suggest().id).not.toBe(a.id);
  });

  it("refuses something that is not a snapshot", () => {
    expect(() => Protein.restore({ format: "nope" } as never)).toThrow(/snapshot/);
  });
});

describe("saving observations and loading them as a prior", () => {
  it("save → load → loadPrior feeds the earlier phase into a new sweep", () => {
    const phase1 = new Protein(costConfig, { seed: 23, numRandomSamples: 4 });
    for (let i = 0; i < 10; i++) {
      const s = phase1.suggest();
      const r = run(s.params as unknown as P);
      phase1.observe(s.params, r.score, r.cost, { metadata: { phase: 1, run: `r${i}` } });
    }
    const path = join(dir, "phase1.jsonl");
    const header = createObservationsHeader({ config: phase1.config.source, spaceFingerprint: phase1.space.fingerprint });
    saveObservations(path, phase1.observations.slice(0, 9), header);
    appendObservation(path, phase1.observations[9]);
    const loaded = loadObservations(path);
    expect(loaded.observations).toEqual(phase1.observations);

    const phase2 = new Protein(costConfig, { seed: 24, numRandomSamples: 4 });
    const report = phase2.loadPrior(loaded);
    expect(report).toMatchObject({ given: 10, loaded: 10, dropped: [], filled: [], ignoredKeys: [] });
    expect(report.rangeChanges).toEqual([]);
    // With 10 successes already known, the random phase is skipped.
    expect(phase2.suggest().info.phase).toBe("model");
  });

  it("maxObservations keeps the Pareto front first, then the most recent", () => {
    const phase1 = new Protein(costConfig, { seed: 25, numRandomSamples: 4 });
    for (let i = 0; i < 12; i++) {
      const s = phase1.suggest();
      const r = run(s.params as unknown as P);
      phase1.observe(s.params, r.score, r.cost);
    }
    const best = phase1.observations.reduce((a, b) => (a.score! > b.score! ? a : b));
    const phase2 = new Protein(costConfig, { seed: 26 });
    const report = phase2.loadPrior([...phase1.observations], { maxObservations: 3 });
    expect(report.loaded).toBe(3);
    expect(report.overLimit).toBe(9);
    expect(phase2.priorObservations).toContainEqual(best);
  });

  it("new parameters are filled with their centre, removed ones ignored, disallowed categories dropped", () => {
    const phase1 = new Protein(costConfig, { seed: 27 });
    phase1.observe({ train: { total_timesteps: 1e6, learning_rate: 1e-3, optimizer: "adam" } }, 1, 100);
    phase1.observe({ train: { total_timesteps: 2e6, learning_rate: 1e-3, optimizer: "sgd" } }, 2, 200);
    const next = structuredClone(costConfig) as Record<string, any>;
    next.sweep.parameters.train.optimizer = { values: ["adam", "lion"] };
    delete next.sweep.parameters.train.learning_rate;
    next.sweep.parameters.train.gamma = { distribution: "logit_normal", min: 0.9, max: 0.999, mean: 0.99 };
    const phase2 = new Protein(next, { seed: 28 });
    const report = phase2.loadPrior({ header: { config: costConfig }, observations: phase1.observations });
    expect(report.loaded).toBe(1);
    expect(report.dropped).toEqual([{ index: 1, reason: expect.stringContaining("train.optimizer") }]);
    expect(report.filled).toEqual([{ key: "train.gamma", value: 0.99, count: 1 }]); // the dropped run is not counted
    expect(report.ignoredKeys).toEqual(["train.learning_rate"]);
    expect(phase2.priorObservations[0].params).toEqual({ train: { total_timesteps: 1e6, optimizer: "adam", gamma: 0.99 } });
    expect(report.rangeChanges.map((c) => `${c.key}:${c.kind}`).sort()).toEqual(["train.gamma:added", "train.learning_rate:removed", "train.optimizer:values"]);
  });
});

describe("the reference's clamping bug, fixed", () => {
  // Phase 1 explored total_timesteps in 100M..500M; phase 2 narrows it to 500M..1.5B.
  const phase1Config = loadSweepConfig(join(fixtures, "phase1-timesteps-100m-500m.yaml"));
  const phase2Config = loadSweepConfig(join(fixtures, "phase2-narrowed-range.yaml"));
  const steps = [1e8, 2e8, 3e8, 4e8, 5e8];
  const scores = [1, 2, 5, 2, 1]; // the 300M run was the best
  const phase1 = new Protein(phase1Config, { seed: 29 });
  steps.forEach((t, i) => phase1.observe({ trainer: { total_timesteps: t, optimizer: { learning_rate: 5e-4 } } }, scores[i], t / 1e5));

  function phase2(policy: "keep" | "clamp" | "drop") {
    const protein = new Protein(phase2Config, { seed: 30 });
    const report = protein.loadPrior({ header: { config: phase1Config.source }, observations: phase1.observations }, { outOfRange: policy });
    return { protein, report };
  }
  const at300M = [{ "trainer.total_timesteps": 3e8, "trainer.optimizer.learning_rate": 5e-4 }];

  it("keep: the 300M run stays at 300M (coordinate below −1) and the model predicts its score there", () => {
    const { protein, report } = phase2("keep");
    expect(report.loaded).toBe(5);
    expect(report.outOfRange.filter((o) => o.action === "kept").map((o) => o.value)).toEqual([1e8, 2e8, 3e8, 4e8]);
    const kept = protein.priorObservations.find((o) => o.score === 5)!;
    expect((kept.params as Record<string, number>)["trainer.total_timesteps"]).toBe(3e8);
    expect(protein.space.toVector(kept.params)[0]).toBeLessThan(-1);
    expect(report.rangeChanges).toEqual([
      expect.objectContaining({ key: "trainer.total_timesteps", kind: "range", before: [1e8, 5e8], after: [5e8, 1.5e9] }),
      expect.objectContaining({ key: "trainer.total_timesteps", kind: "mean" }),
    ]);
    const [p] = protein.predict(at300M);
    expect(Math.abs(p.score - 5)).toBeLessThan(0.5);
  });

  it("clamp (the reference): the 300M run is moved to 500M, and the model no longer knows the peak at 300M", () => {
    const { protein, report } = phase2("clamp");
    expect(report.outOfRange.filter((o) => o.action === "clamped").length).toBe(4);
    const moved = protein.priorObservations.find((o) => o.score === 5)!;
    expect((moved.params as Record<string, number>)["trainer.total_timesteps"]).toBe(5e8);
    const [clamped] = protein.predict(at300M);
    const [kept] = phase2("keep").protein.predict(at300M);
    expect(Math.abs(clamped.score - 5)).toBeGreaterThan(1.5);
    expect(kept.score - clamped.score).toBeGreaterThan(1.5);
  });

  it("drop: out-of-range runs are left out and reported", () => {
    const { protein, report } = phase2("drop");
    expect(report.loaded).toBe(1);
    expect(report.dropped.length).toBe(4);
    expect(protein.priorObservations.map((o) => o.score)).toEqual([1]);
  });
});
