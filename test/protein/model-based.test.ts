/**
 * Model-based property test (issue 9): random sequences of public calls — suggest (with and
 * without a fixed cost), observe with valid and invalid params/scores/costs/options, abandon,
 * forget, loadPrior, snapshot + restore, exportState + importState, predict, shouldStop — on
 * small spaces of every distribution kind. After any call, accepted or refused:
 * - a refused call threw a ProteinError (or subclass) and changed nothing recorded;
 * - a value outside its distribution's domain was never accepted;
 * - suggest() does not throw, and every suggestion lies inside its declared domain, type and range.
 *
 * Seeded; PROTEIN_MBT_RUNS sets the number of sequences (default 1,000), PROTEIN_MBT_SEED the seed.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProteinError } from "../../src/errors";
import { Protein, type ProteinSnapshot } from "../../src/protein";
import type { Observation } from "../../src/observations/record";
import { flattenParams } from "../../src/space/search-space";

const RUNS = Number(process.env.PROTEIN_MBT_RUNS ?? 1000);
const SEED = Number(process.env.PROTEIN_MBT_SEED ?? 20261129);

type Spec = { distribution: string; min?: number; max?: number; mean?: number; values?: unknown[]; scale?: string };

/** Small spaces covering every distribution kind; some with a cost parameter. */
const SPACES: Array<{ parameters: Record<string, Spec>; costParam: string | null }> = [
  { parameters: { lr: { distribution: "log_normal", min: 1e-4, max: 1e-1, mean: 1e-2, scale: "auto" } }, costParam: null },
  { parameters: { gamma: { distribution: "logit_normal", min: 0.8, max: 0.999, mean: 0.95, scale: "auto" }, n: { distribution: "int_uniform", min: 1, max: 6, mean: 3, scale: "auto" } }, costParam: null },
  { parameters: { bs: { distribution: "uniform_pow2", min: 8, max: 256, mean: 32, scale: "auto" }, x: { distribution: "uniform", min: -1, max: 2, mean: 0, scale: "auto" }, opt: { distribution: "categorical", values: ["a", "b", "c"] } }, costParam: null },
  { parameters: { steps: { distribution: "log_normal", min: 1e3, max: 1e6, mean: 1e4, scale: "auto" }, lr: { distribution: "log_normal", min: 1e-4, max: 1e-1, mean: 1e-2, scale: "auto" }, flag: { distribution: "categorical", values: [true, false] } }, costParam: "steps" },
  { parameters: { steps: { distribution: "int_uniform", min: 10, max: 1000, mean: 100, scale: "auto" }, gamma: { distribution: "logit_normal", min: 0.5, max: 0.99, mean: 0.9, scale: "auto" }, bs: { distribution: "uniform_pow2", min: 4, max: 64, mean: 16, scale: "auto" } }, costParam: "steps" },
];

/** The domain of each distribution, written out independently of src/. */
function inDomain(spec: Spec, v: unknown): boolean {
  if (spec.distribution === "categorical") return (spec.values ?? []).includes(v);
  if (typeof v !== "number" || !Number.isFinite(v)) return false;
  if (spec.distribution === "log_normal") return v > 0;
  if (spec.distribution === "logit_normal") return v > 0 && v < 1;
  if (spec.distribution === "int_uniform") return Number.isInteger(v);
  if (spec.distribution === "uniform_pow2") return v > 0 && Number.isInteger(Math.log2(v));
  // uniform: the affine map onto [-1, 1] must not overflow.
  return Number.isFinite((2 * (v - spec.min!)) / (spec.max! - spec.min!));
}
function inRange(spec: Spec, v: unknown): boolean {
  if (spec.distribution === "categorical") return (spec.values ?? []).includes(v);
  return typeof v === "number" && v >= spec.min! && v <= spec.max!;
}

/** Raw values to try per parameter: in range, out of range but in the domain, out of the domain. */
function candidates(spec: Spec): unknown[] {
  if (spec.distribution === "categorical") return [...(spec.values ?? []), "zzz", 1.5, null];
  const { min, max } = spec as { min: number; max: number };
  const common = [min, max, Number.NaN, Number.POSITIVE_INFINITY, "1", -1, 0];
  switch (spec.distribution) {
    case "log_normal":
      return [...common, Math.sqrt(min * max), max * 10, min / 10];
    case "logit_normal":
      return [...common, (min + max) / 2, 1, 0.1, 0.9999];
    case "int_uniform":
      return [...common, Math.round((min + max) / 2), max + 5, 2.5];
    case "uniform_pow2":
      return [...common, min * 2, max * 4, 48, 3];
    default:
      return [...common, (min + max) / 2, max + 3, -1e308];
  }
}

interface Model {
  space: (typeof SPACES)[number];
  keys: string[];
}
interface Real {
  protein: Protein<Record<string, unknown>>;
  /** Ids of suggestions handed out and not yet observed or abandoned. */
  pending: string[];
  lastParams: Record<string, unknown> | null;
}

/** Every accepted state must still suggest, inside the declared domain, type and range. */
function checkSuggestion(m: Model, r: Real, params: Record<string, unknown>): void {
  expect(r.protein.space.check(params)).toEqual([]);
  const flat = flattenParams(params);
  for (const key of m.keys) {
    const spec = m.space.parameters[key];
    expect(inDomain(spec, flat.get(key)), `${key} = ${String(flat.get(key))}`).toBe(true);
    expect(inRange(spec, flat.get(key)), `${key} = ${String(flat.get(key))}`).toBe(true);
  }
}

/** Runs a call that may be refused: a refusal must be typed and leave the records unchanged. */
function guarded<T>(r: Real, call: () => T): { ok: true; value: T } | { ok: false } {
  const before = JSON.stringify(r.protein.snapshot());
  try {
    return { ok: true, value: call() };
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(ProteinError);
    expect(JSON.stringify(r.protein.snapshot())).toBe(before);
    return { ok: false };
  }
}

class Suggest implements fc.Command<Model, Real> {
  constructor(readonly fixedCost: number | "none" | "bad") {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    const costSpec = m.space.costParam ? m.space.parameters[m.space.costParam] : undefined;
    if (this.fixedCost === "none" || costSpec === undefined) {
      const s = r.protein.suggest();
      checkSuggestion(m, r, s.params);
      r.pending.push(s.id);
      r.lastParams = s.params;
      return;
    }
    const value = this.fixedCost === "bad" ? -5 : costSpec.distribution === "int_uniform" ? Math.round(costSpec.min! + this.fixedCost * (costSpec.max! - costSpec.min!)) : costSpec.min! * (costSpec.max! / costSpec.min!) ** this.fixedCost;
    const valid = inDomain(costSpec, value) && inRange(costSpec, value);
    const result = guarded(r, () => r.protein.suggest({ fixedCost: value }));
    expect(result.ok).toBe(valid);
    if (result.ok) {
      checkSuggestion(m, r, result.value.params);
      expect(flattenParams(result.value.params).get(m.space.costParam!)).toBe(value);
      r.pending.push(result.value.id);
      r.lastParams = result.value.params;
    }
  }
  toString(): string {
    return `suggest(${this.fixedCost})`;
  }
}

class Observe implements fc.Command<Model, Real> {
  constructor(
    readonly useLast: boolean,
    readonly picks: number[],
    readonly score: number | string,
    readonly cost: number | undefined,
    readonly extra: "none" | "unknown-key" | "missing-key" | "bad-timestamp" | "bad-metadata" | "id",
  ) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    const params: Record<string, unknown> = {};
    m.keys.forEach((key, i) => {
      const options = candidates(m.space.parameters[key]);
      params[key] = this.useLast && r.lastParams ? flattenParams(r.lastParams).get(key) : options[this.picks[i % this.picks.length] % options.length];
    });
    if (this.extra === "unknown-key") params.bogus = 1;
    if (this.extra === "missing-key") delete params[m.keys[0]];
    const options: Record<string, unknown> = {};
    if (this.extra === "bad-timestamp") options.timestamp = "yesterday";
    if (this.extra === "bad-metadata") options.metadata = { at: new Date(0) };
    if (this.extra === "id" && r.pending.length > 0) options.suggestionId = r.pending[0];
    const valid =
      this.extra !== "unknown-key" &&
      this.extra !== "missing-key" &&
      this.extra !== "bad-timestamp" &&
      this.extra !== "bad-metadata" &&
      typeof this.score === "number" &&
      (this.cost === undefined || (Number.isFinite(this.cost) && this.cost >= 0)) &&
      m.keys.every((key) => inDomain(m.space.parameters[key], params[key]));
    const count = r.protein.observationCount;
    const result = guarded(r, () => r.protein.observe(params, this.score as number, this.cost, options));
    expect(result.ok).toBe(valid);
    expect(r.protein.observationCount).toBe(count + (valid ? 1 : 0));
    if (result.ok && result.value.completedSuggestion) r.pending = r.pending.filter((id) => id !== result.value.completedSuggestion);
  }
  toString(): string {
    return `observe(${this.useLast ? "last" : this.picks.join("/")}, ${String(this.score)}, ${String(this.cost)}, ${this.extra})`;
  }
}

class Abandon implements fc.Command<Model, Real> {
  check(): boolean {
    return true;
  }
  run(_m: Model, r: Real): void {
    const id = r.pending.shift();
    expect(r.protein.abandon(id ?? "none")).toBe(id !== undefined && r.protein.pendingSuggestions.length >= 0);
  }
  toString(): string {
    return "abandon";
  }
}

class Forget implements fc.Command<Model, Real> {
  constructor(readonly index: number, readonly byId: boolean) {}
  check(): boolean {
    return true;
  }
  run(_m: Model, r: Real): void {
    const n = r.protein.observationCount;
    const observations = r.protein.observations;
    const target = n === 0 ? undefined : observations[this.index % n];
    const ref = this.byId ? (target?.suggestionId ?? "missing") : this.index % Math.max(1, n + 1);
    const unique = this.byId ? target?.suggestionId !== undefined && observations.filter((o) => o.suggestionId === target.suggestionId).length === 1 : (ref as number) < n;
    const result = guarded(r, () => r.protein.forget(ref, { reason: "model-based test" }));
    expect(result.ok).toBe(unique);
    expect(r.protein.observationCount).toBe(n - (unique ? 1 : 0));
  }
  toString(): string {
    return `forget(${this.byId ? "id of " : ""}${this.index})`;
  }
}

class LoadPrior implements fc.Command<Model, Real> {
  constructor(readonly rows: Array<{ picks: number[]; score: number }>, readonly policy: "keep" | "drop" | "clamp") {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    const prior: Observation[] = this.rows.map((row, i) => {
      const params: Record<string, unknown> = {};
      m.keys.forEach((key, j) => {
        const options = candidates(m.space.parameters[key]).filter((v) => (typeof v === "number" && Number.isFinite(v)) || typeof v === "string" || typeof v === "boolean");
        params[key] = options[row.picks[j % row.picks.length] % options.length];
      });
      return { params: params as Observation["params"], score: row.score, cost: 1 + i, isFailure: false, timestamp: "2026-01-01T00:00:00Z" };
    });
    const before = r.protein.priorObservations.length;
    const result = guarded(r, () => r.protein.loadPrior(prior, { outOfRange: this.policy }));
    if (result.ok) {
      const loaded = r.protein.priorObservations.slice(before);
      expect(loaded.length).toBe(result.value.loaded);
      for (const o of loaded) {
        const flat = flattenParams(o.params);
        for (const key of m.keys) expect(inDomain(m.space.parameters[key], flat.get(key)), `prior ${key} = ${String(flat.get(key))}`).toBe(true);
      }
    }
  }
  toString(): string {
    return `loadPrior(${this.rows.length} rows, ${this.policy})`;
  }
}

class SnapshotRestore implements fc.Command<Model, Real> {
  constructor(readonly viaState: boolean) {}
  check(): boolean {
    return true;
  }
  run(_m: Model, r: Real): void {
    const snapshot = JSON.parse(JSON.stringify(r.protein.snapshot())) as ProteinSnapshot;
    const restored = Protein.restore<Record<string, unknown>>(snapshot);
    if (this.viaState) {
      // A second copy continues from the exported state (what a shared study does).
      restored.importState(JSON.parse(JSON.stringify(r.protein.exportState())));
    }
    expect(JSON.stringify(restored.snapshot())).toBe(JSON.stringify(snapshot));
    r.protein = restored;
  }
  toString(): string {
    return this.viaState ? "snapshot+restore+importState" : "snapshot+restore";
  }
}

class Predict implements fc.Command<Model, Real> {
  constructor(readonly picks: number[]) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    const params: Record<string, unknown> = {};
    m.keys.forEach((key, i) => {
      const options = candidates(m.space.parameters[key]);
      params[key] = options[this.picks[i % this.picks.length] % options.length];
    });
    const result = guarded(r, () => r.protein.predict([params]));
    if (result.ok) {
      expect(m.keys.every((key) => inDomain(m.space.parameters[key], params[key]))).toBe(true);
      expect(Number.isNaN(result.value[0].score)).toBe(false);
    }
  }
  toString(): string {
    return `predict(${this.picks.join("/")})`;
  }
}

class ShouldStop implements fc.Command<Model, Real> {
  constructor(readonly score: number, readonly cost: number) {}
  check(): boolean {
    return true;
  }
  run(_m: Model, r: Real): void {
    const result = guarded(r, () => r.protein.shouldStop(this.score, this.cost));
    expect(result.ok).toBe(Number.isFinite(this.cost) && this.cost >= 0);
    if (result.ok) expect(typeof result.value).toBe("boolean");
  }
  toString(): string {
    return `shouldStop(${this.score}, ${this.cost})`;
  }
}

const picks = fc.array(fc.nat(20), { minLength: 1, maxLength: 3 });
const commands = [
  fc.oneof(fc.constant("none" as const), fc.constant("bad" as const), fc.double({ min: 0, max: 1, noNaN: true })).map((c) => new Suggest(c)),
  fc.constant(null).map(() => new Suggest("none")),
  fc
    .tuple(
      fc.boolean(),
      picks,
      fc.oneof(fc.double({ min: -10, max: 10, noNaN: true }), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 1.7e308, -1.7e308, "abc")),
      fc.oneof(fc.constant(undefined), fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constantFrom(-1, Number.NaN, Number.POSITIVE_INFINITY)),
      fc.constantFrom("none", "none", "none", "unknown-key", "missing-key", "bad-timestamp", "bad-metadata", "id") as fc.Arbitrary<Observe["extra"]>,
    )
    .map(([useLast, p, score, cost, extra]) => new Observe(useLast, p, score, cost, extra)),
  fc.constant(null).map(() => new Abandon()),
  fc.tuple(fc.nat(30), fc.boolean()).map(([i, byId]) => new Forget(i, byId)),
  fc.tuple(fc.array(fc.record({ picks, score: fc.double({ min: -5, max: 5, noNaN: true }) }), { maxLength: 4 }), fc.constantFrom("keep", "drop", "clamp") as fc.Arbitrary<"keep" | "drop" | "clamp">).map(([rows, policy]) => new LoadPrior(rows, policy)),
  fc.boolean().map((viaState) => new SnapshotRestore(viaState)),
  picks.map((p) => new Predict(p)),
  fc.tuple(fc.double({ min: -10, max: 10, noNaN: true }), fc.oneof(fc.double({ min: 0, max: 1e4, noNaN: true }), fc.constant(-1))).map(([s, c]) => new ShouldStop(s, c)),
];

const settingsArb = fc.record({
  seed: fc.nat(1000),
  acquisition: fc.constantFrom("logei", "ei", "ucb", "protein") as fc.Arbitrary<"logei" | "ei" | "ucb" | "protein">,
  resampleFrequency: fc.constantFrom(0, 0, 1, 3),
  pendingStrategy: fc.constantFrom("liar", "believer", "none") as fc.Arbitrary<"liar" | "believer" | "none">,
  localSearch: fc.boolean(),
  layout: fc.constantFrom("as-written", "nested", "dotted") as fc.Arbitrary<"as-written" | "nested" | "dotted">,
});

describe("model-based: no sequence of public calls poisons a sweep", () => {
  it(`${RUNS} seeded random call sequences: refusals are typed and change nothing; suggest() never throws and stays in the domain`, () => {
    fc.assert(
      fc.property(fc.nat(SPACES.length - 1), settingsArb, fc.commands(commands, { maxCommands: 14 }), (spaceIndex, settings, cmds) => {
        const space = SPACES[spaceIndex];
        const protein = new Protein<Record<string, unknown>>(
          { sweep: { metric: "m", goal: "maximize", parameters: space.parameters } },
          { ...settings, costParam: space.costParam, numRandomSamples: 2, suggestionsPerPareto: 4, globalCandidates: 8, gpMaxObs: 12, fitIterations: 3 },
        );
        const model: Model = { space, keys: Object.keys(space.parameters) };
        const real: Real = { protein, pending: [], lastParams: null };
        fc.modelRun(() => ({ model, real }), cmds);
        // Whatever happened, the sweep still suggests inside its space.
        checkSuggestion(model, real, real.protein.suggest().params);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  }, 600_000);
});
