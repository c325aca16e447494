/**
 * Issue 9, the Protein side: no bad input gets past observe/suggest/restore/loadPrior, no
 * state can be poisoned, every object handed out is a copy, observations can be forgotten
 * or amended (recorded), and the shared-study state API.
 */
import { describe, expect, it } from "vitest";
import { ObservationError, ProteinError } from "../../src/errors";
import { Protein, type ProteinSnapshot } from "../../src/protein";
import type { Observation } from "../../src/observations/record";

/** One parameter of every distribution kind, and a cost parameter. */
const allKinds = {
  sweep: {
    metric: "score",
    goal: "maximize",
    parameters: {
      train: {
        total_timesteps: { distribution: "log_normal", min: 1e6, max: 1e8, mean: 1e7, scale: "auto" },
        learning_rate: { distribution: "log_normal", min: 1e-5, max: 1e-1, mean: 1e-3, scale: "auto" },
        gamma: { distribution: "logit_normal", min: 0.8, max: 0.999, mean: 0.98, scale: "auto" },
        batch_size: { distribution: "uniform_pow2", min: 16, max: 1024, mean: 128, scale: "auto" },
        epochs: { distribution: "int_uniform", min: 1, max: 10, mean: 3, scale: "auto" },
        clip: { distribution: "uniform", min: 0, max: 1, mean: 0.2, scale: "auto" },
        optimizer: { values: ["adam", "sgd"] },
      },
    },
  },
};
type Params = { train: { total_timesteps: number; learning_rate: number; gamma: number; batch_size: number; epochs: number; clip: number; optimizer: string } };
const cheap = { numRandomSamples: 3, suggestionsPerPareto: 16, globalCandidates: 32, gpMaxObs: 40, fitIterations: 10, localSearch: false };

function score(p: Params): number {
  const t = p.train;
  return -((Math.log10(t.learning_rate) + 3) ** 2) - (t.clip - 0.3) ** 2 - (t.optimizer === "sgd" ? 0.2 : 0) + 0.1 * Math.log10(t.total_timesteps);
}
function warm(protein: Protein<Params>, n: number): void {
  for (let i = 0; i < n; i++) {
    const s = protein.suggest();
    protein.observe(s.params, score(s.params), s.params.train.total_timesteps / 1e5, { timestamp: `2026-03-01T00:00:${String(i).padStart(2, "0")}Z` });
  }
}
const good = (): Params => ({ train: { total_timesteps: 1e7, learning_rate: 1e-3, gamma: 0.98, batch_size: 128, epochs: 3, clip: 0.2, optimizer: "adam" } });
const withTrain = (patch: Partial<Params["train"]>): Params => ({ train: { ...good().train, ...patch } });

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
}

describe("observe refuses values outside their distribution's domain", () => {
  it.each([
    ["log_normal ≤ 0", "learning_rate", -1, /> 0 \(log scale\)/],
    ["log_normal = 0", "learning_rate", 0, /> 0 \(log scale\)/],
    ["logit_normal = 1", "gamma", 1, /strictly between 0 and 1/],
    ["logit_normal ≤ 0", "gamma", -0.5, /strictly between 0 and 1/],
    ["int_uniform non-integer", "epochs", 2.5, /an integer/],
    ["uniform_pow2 not a power of two", "batch_size", 48, /a power of two/],
    ["uniform NaN", "clip", Number.NaN, /allowed: a number in \[0, 1\]/],
    ["uniform ∞", "clip", Number.POSITIVE_INFINITY, /a finite number/],
    ["log_normal ∞", "total_timesteps", Number.POSITIVE_INFINITY, /a finite number/],
  ])("%s: a typed error naming key, value, allowed and fix; nothing recorded; suggest() still works", (_name, key, value, allowed) => {
    const protein = new Protein<Params>(allKinds, { seed: 1, ...cheap });
    warm(protein, 4);
    const error = thrown(() => protein.observe(withTrain({ [key]: value }), 0.5, 1));
    expect(error).toBeInstanceOf(ObservationError);
    expect(error.message).toContain(`key: train.${key}`);
    expect(error.message).toContain(`got: ${Number.isNaN(value) ? "NaN" : String(value)}`);
    expect(error.message).toMatch(allowed);
    expect(error.message).toMatch(/fix: /);
    expect(protein.observationCount).toBe(4);
    for (let i = 0; i < 3; i++) expect(protein.space.check(protein.suggest().params)).toEqual([]);
    expect(protein.predict([good()])[0].score).toEqual(expect.any(Number));
  });

  it("an in-domain value outside the range is still accepted and reported", () => {
    const protein = new Protein<Params>(allKinds, { seed: 2, ...cheap });
    const result = protein.observe(withTrain({ learning_rate: 0.5, epochs: 40 }), 0.1, 1);
    expect(result.outOfRange.map((p) => p.key).sort()).toEqual(["train.epochs", "train.learning_rate"]);
    warm(protein, 5);
    expect(protein.observationCount).toBe(6);
  });
});

describe("observe accepts exactly what the observations file can store", () => {
  it.each([
    ["a timestamp that is not ISO 8601", { timestamp: "yesterday" }, /timestamp/],
    ["BigInt metadata", { metadata: { n: 10n } }, /metadata\.n/],
    ["a Date in metadata", { metadata: { at: new Date(0) } }, /metadata\.at/],
    ["NaN in metadata", { metadata: { loss: Number.NaN } }, /metadata\.loss/],
    ["a function in metadata", { metadata: { cb: () => 1 } }, /metadata\.cb/],
    ["a numeric suggestionId", { suggestionId: 7 }, /suggestionId/],
    ["a cyclic metadata object", { metadata: (() => { const m: Record<string, unknown> = {}; m.self = m; return m; })() }, /cycle/],
    ["an unknown option (typo)", { sugestionId: "s1" }, /unknown option "sugestionId"/],
  ])("%s is refused (ObservationError), and nothing is recorded", (_name, options, message) => {
    const protein = new Protein<Params>(allKinds, { seed: 3, ...cheap });
    const error = thrown(() => protein.observe(good(), 1, 1, options as never));
    expect(error).toBeInstanceOf(ObservationError);
    expect(error.message).toMatch(message);
    expect(protein.observationCount).toBe(0);
    expect(() => Protein.restore(JSON.parse(JSON.stringify(protein.snapshot())) as ProteinSnapshot)).not.toThrow();
  });

  it("observe(null), options = null, and params that are not objects are typed errors", () => {
    const protein = new Protein<Params>(allKinds, { seed: 4, ...cheap });
    expect(thrown(() => protein.observe(null as never, 1, 1))).toBeInstanceOf(ObservationError);
    expect(thrown(() => protein.observe(null as never, 1, 1)).message).toMatch(/params must be an object/);
    expect(thrown(() => protein.observe(good(), 1, 1, null as never))).toBeInstanceOf(ObservationError);
    expect(thrown(() => protein.observe(good(), 1, 1, null as never)).message).toMatch(/options must be an object/);
    expect(thrown(() => protein.observe([1, 2] as never, 1, 1))).toBeInstanceOf(ObservationError);
    expect(thrown(() => protein.suggest(null as never))).toBeInstanceOf(ProteinError);
    expect(thrown(() => new Protein(allKinds, null as never))).toBeInstanceOf(ProteinError);
  });

  it.each(["__proto__", "constructor", "prototype"])("params or metadata holding a %s key are refused; Object.prototype untouched", (key) => {
    const protein = new Protein<Params>(allKinds, { seed: 5, ...cheap });
    const params = JSON.parse(`{"train": ${JSON.stringify(good().train).replace("{", `{"${key}": {"isAdmin": true},`)}}`);
    const error = thrown(() => protein.observe(params, 1, 1));
    expect(error).toBeInstanceOf(ObservationError);
    expect(error.message).toContain(`key: params.train.${key}`);
    const metadata = JSON.parse(`{"${key}": {"isAdmin": true}}`);
    expect(thrown(() => protein.observe(good(), 1, 1, { metadata }))).toBeInstanceOf(ObservationError);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, "isAdmin")).toBe(false);
    expect(protein.observationCount).toBe(0);
  });
});

describe("finite scores near ±1.7e308", () => {
  it("the output transform does not overflow: suggest and predict keep working", () => {
    const protein = new Protein<Params>(allKinds, { seed: 6, ...cheap });
    const scores = [1.7e308, -1.7e308, 1e308, -1.5e308, 0, 1.79e308];
    for (let i = 0; i < 10; i++) {
      const s = protein.suggest();
      protein.observe(s.params, scores[i % scores.length], 100 + i);
    }
    for (let i = 0; i < 3; i++) {
      const s = protein.suggest();
      expect(s.info.phase).toBe("model");
      expect(Number.isFinite(s.info.predictedScore)).toBe(true);
      protein.observe(s.params, -1.6e308, 10);
    }
    const [p] = protein.predict([good()]);
    expect(Number.isFinite(p.score)).toBe(true);
    expect(Number.isFinite(p.scoreStd)).toBe(true);
  });
});

describe("suggest({ fixedCost })", () => {
  it.each([
    ["negative", -1],
    ["zero on a log scale", 0],
    ["NaN", Number.NaN],
    ["a string", "1e7"],
  ])("a %s fixedCost is refused", (_name, value) => {
    const protein = new Protein<Params>(allKinds, { seed: 7, ...cheap });
    const error = thrown(() => protein.suggest({ fixedCost: value as number }));
    expect(error).toBeInstanceOf(ProteinError);
    expect(error.message).toContain("key: fixedCost");
    expect(protein.suggestionCount).toBe(0);
    expect(protein.space.check(protein.suggest().params)).toEqual([]);
  });

  it("a fixedCost outside the cost parameter's range is refused with the range in the message", () => {
    const protein = new Protein<Params>(allKinds, { seed: 8, ...cheap });
    warm(protein, 4);
    const error = thrown(() => protein.suggest({ fixedCost: 1e12 }));
    expect(error).toBeInstanceOf(ProteinError);
    expect(error.message).toMatch(/within its range/);
    expect(error.message).toContain("[1000000, 100000000]");
    expect(error.message).toContain("got: 1000000000000");
    expect(protein.suggest({ fixedCost: 1e8 }).params.train.total_timesteps).toBe(1e8);
  });

  it("a resample step asked for a fixed cost runs the front member at that cost (found by the model-based test)", () => {
    const protein = new Protein<Params>(allKinds, { seed: 18, ...cheap, resampleFrequency: 1 });
    warm(protein, 3);
    const s = protein.suggest({ fixedCost: 5e6 });
    expect(s.info.phase).toBe("resample");
    expect(s.params.train.total_timesteps).toBe(5e6);
  });

  it("with resampleFrequency 1, a prior point kept outside the range is never re-suggested", () => {
    const protein = new Protein<Params>(allKinds, { seed: 9, ...cheap, numRandomSamples: 0, resampleFrequency: 1 });
    const prior: Observation[] = [
      { params: withTrain({ learning_rate: 0.9 }), score: 100, cost: 1, isFailure: false, timestamp: "2026-01-01T00:00:00Z" },
      { params: withTrain({ clip: 0.5 }), score: 1, cost: 2, isFailure: false, timestamp: "2026-01-01T00:00:01Z" },
    ];
    expect(protein.loadPrior(prior).outOfRange.length).toBe(1);
    for (let i = 0; i < 6; i++) {
      const s = protein.suggest();
      expect(protein.space.check(s.params)).toEqual([]);
      protein.observe(s.params, score(s.params), 1);
    }
  });
});

describe("Protein.restore validates the whole snapshot", () => {
  const base = (): Record<string, unknown> => {
    const protein = new Protein<Params>(allKinds, { seed: 10, ...cheap });
    warm(protein, 5);
    protein.suggest();
    return JSON.parse(JSON.stringify(protein.snapshot()));
  };
  it.each([
    ["a missing field", (s: Record<string, unknown>) => delete s.rng, /key: rng/],
    ["a score of \"abc\"", (s: Record<string, unknown>) => ((s.observations as Array<Record<string, unknown>>)[2].score = "abc"), /key: observations\[2\]\.score/],
    ["a bad rng state", (s: Record<string, unknown>) => ((s.rng as { arc4: { S: number[] } }).arc4.S = [1, 2, 3]), /key: rng\.arc4\.S/],
    ["a log parameter at -1", (s: Record<string, unknown>) => ((s.observations as Array<{ params: Params }>)[1].params.train.learning_rate = -1), /observations\[1\]\.params\.train\.learning_rate/],
    ["GP states of another dimension", (s: Record<string, unknown>) => ((s.gp as { score: { logParams: number[] } }).score.logParams = [0, 1]), /model state/],
    ["a pending suggestion with an unknown key", (s: Record<string, unknown>) => ((s.pending as Array<{ params: Record<string, unknown> }>)[0].params.extra = 1), /pending\[0\]/],
    ["a negative suggestionIndex", (s: Record<string, unknown>) => (s.suggestionIndex = -3), /key: suggestionIndex/],
    ["observations that are not an array", (s: Record<string, unknown>) => (s.observations = "none"), /key: observations/],
  ])("%s → ProteinError naming the field, not a raw TypeError later", (_name, tamper, message) => {
    const snapshot = base();
    tamper(snapshot);
    const error = thrown(() => Protein.restore(snapshot as unknown as ProteinSnapshot));
    expect(error).toBeInstanceOf(ProteinError);
    expect(error.message).toMatch(message);
  });

  it("an untampered JSON snapshot still restores and suggests", () => {
    expect(Protein.restore(base() as unknown as ProteinSnapshot).suggest().info.phase).toBe("model");
  });
});

describe("copies, never internal objects", () => {
  it("mutating the suggested params, the observation, observations, pendingSuggestions or a snapshot changes nothing inside", () => {
    const protein = new Protein<Params>(allKinds, { seed: 11, ...cheap });
    warm(protein, 4);
    const before = JSON.stringify(protein.snapshot());
    const s = protein.suggest();
    const pendingBefore = JSON.stringify(protein.pendingSuggestions);
    (s.params as unknown as Record<string, unknown>).run_name = "r1";
    s.params.train.clip = 99;
    (protein.pendingSuggestions[0].params as Params).train.clip = 42;
    expect(JSON.stringify(protein.pendingSuggestions)).toBe(pendingBefore);
    const snapshot = protein.snapshot();
    snapshot.observations[0].score = 1e9;
    (protein.observations as Observation[])[0].score = 1e9;
    const observed = protein.observe(withTrain({ clip: 0.25 }), 0.4, 7);
    (observed.observation.params as unknown as Record<string, unknown>).run_name = "r2";
    observed.observation.score = -5;
    expect(protein.observations[4].params).toEqual(withTrain({ clip: 0.25 }));
    expect(protein.observations[4].score).toBe(0.4);
    expect(protein.observations[0].score).toBe(JSON.parse(before).observations[0].score);
    const restored = Protein.restore(JSON.parse(JSON.stringify(protein.snapshot())) as ProteinSnapshot);
    expect(restored.pendingSuggestions[0].params).not.toHaveProperty("run_name");
    expect(restored.suggest().params).toEqual(protein.suggest().params);
  });
});

describe("forget and amend", () => {
  it("forget by suggestionId or index removes the observation, is recorded, and survives a snapshot", () => {
    const protein = new Protein<Params>(allKinds, { seed: 12, ...cheap });
    warm(protein, 6);
    const target = protein.observations[2];
    const correction = protein.forget(target.suggestionId!, { reason: "logged from the wrong run" });
    expect(correction).toMatchObject({ action: "forgotten", index: 2, from: "observations", reason: "logged from the wrong run", observation: target });
    expect(correction.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(protein.observationCount).toBe(5);
    expect(protein.observations.map((o) => o.suggestionId)).not.toContain(target.suggestionId);
    protein.forget(0, { reason: "duplicate" });
    expect(protein.correctionLog.map((c) => c.reason)).toEqual(["logged from the wrong run", "duplicate"]);
    const restored = Protein.restore(JSON.parse(JSON.stringify(protein.snapshot())) as ProteinSnapshot);
    expect(restored.correctionLog).toEqual(protein.correctionLog);
    expect(restored.observations).toEqual(protein.observations);
    expect(restored.suggest().params).toEqual(protein.suggest().params);
  });

  it("forget repairs a sweep whose observation should not be used", () => {
    const protein = new Protein<Params>(allKinds, { seed: 13, ...cheap });
    warm(protein, 5);
    protein.observe(withTrain({ clip: 0.9 }), 1e6, 1, { suggestionId: "bogus" });
    protein.forget("bogus", { reason: "score was a logging bug" });
    const clean = new Protein<Params>(allKinds, { seed: 13, ...cheap });
    warm(clean, 5);
    expect(protein.predict([good()])).toEqual(clean.predict([good()]));
  });

  it("amend replaces score/cost/params, keeps timestamp and id, and records old and new", () => {
    const protein = new Protein<Params>(allKinds, { seed: 14, ...cheap });
    warm(protein, 4);
    const old = protein.observations[1];
    const c = protein.amend(1, { score: 0.123, cost: 5 }, { reason: "final eval score" });
    expect(c.action).toBe("amended");
    expect(c.observation).toEqual(old);
    expect(protein.observations[1]).toEqual({ ...old, score: 0.123, cost: 5 });
    protein.amend(old.suggestionId!, { score: Number.NaN }, { reason: "the run diverged" });
    expect(protein.observations[1]).toMatchObject({ score: null, isFailure: true });
    expect(thrown(() => protein.amend(1, { params: withTrain({ learning_rate: -2 }) }, { reason: "x" }))).toBeInstanceOf(ObservationError);
    expect(protein.observations[1].params).toEqual(old.params);
    // The models use the repaired record: a restored copy (rows built afresh) suggests the same.
    protein.amend(2, { score: 3 }, { reason: "rescored" });
    const restored = Protein.restore<Params>(JSON.parse(JSON.stringify(protein.snapshot())));
    expect(restored.suggest()).toEqual(protein.suggest());
  });

  it("a reference to no observation, to several, or without a reason is a typed error naming what is allowed", () => {
    const protein = new Protein<Params>(allKinds, { seed: 15, ...cheap });
    warm(protein, 3);
    protein.observe(good(), 1, 1, { suggestionId: "dup" });
    protein.observe(good(), 2, 1, { suggestionId: "dup" });
    expect(thrown(() => protein.forget("nope", { reason: "r" })).message).toMatch(/no observation has suggestionId "nope"/);
    expect(thrown(() => protein.forget("dup", { reason: "r" })).message).toMatch(/2 observations have suggestionId "dup"[\s\S]*one of the indices 3, 4/);
    expect(thrown(() => protein.forget(9, { reason: "r" })).message).toMatch(/an integer index in \[0, 4\]/);
    expect(thrown(() => protein.forget(0, {} as never))).toBeInstanceOf(ProteinError);
    expect(thrown(() => protein.forget(0, {} as never)).message).toMatch(/needs a reason/);
    expect(protein.observationCount).toBe(5);
  });

  it("forget from the prior list", () => {
    const protein = new Protein<Params>(allKinds, { seed: 16, ...cheap });
    protein.loadPrior([{ params: good(), score: 1, cost: 1, isFailure: false, timestamp: "2026-01-01T00:00:00Z", suggestionId: "old1" }]);
    protein.forget("old1", { reason: "stale phase", from: "prior" });
    expect(protein.priorObservations).toEqual([]);
  });
});

describe("no spreading of unbounded arrays into calls", () => {
  it("200,000 prior observations: loadPrior, suggest and shouldStop complete", () => {
    const config = { sweep: { metric: "m", goal: "maximize", parameters: { x: { distribution: "uniform", min: 0, max: 1 }, c: { distribution: "log_normal", min: 1, max: 1000 } } } };
    const protein = new Protein(config, { seed: 17, costParam: "c", numRandomSamples: 0, gpMaxObs: 32, suggestionsPerPareto: 4, globalCandidates: 8, localSearch: false, fitIterations: 5 });
    const n = 200_000;
    const prior: Observation[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const x = (i * 0.6180339887) % 1;
      const c = 1 + ((i * 7) % 999);
      prior[i] = { params: { x, c }, score: -((x - 0.3) ** 2) - 0.001 * Math.log(c), cost: c, isFailure: false, timestamp: "2026-01-01T00:00:00Z" };
    }
    const report = protein.loadPrior(prior);
    expect(report.loaded).toBe(n);
    const s = protein.suggest();
    expect(protein.space.check(s.params)).toEqual([]);
    expect(typeof protein.shouldStop(-1, 500)).toBe("boolean");
  }, 120_000);
});
