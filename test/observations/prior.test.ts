import { describe, expect, it } from "vitest";
import { parseSweepConfig } from "../../src/config";
import { type NestedParams, type Observation } from "../../src/observations";
import { type OutOfRangePolicy, preparePrior } from "../../src/observations/prior";
import { SearchSpace } from "../../src/space";

const TS = "2025-01-31T12:00:00.000Z";
const space = SearchSpace.fromConfig(
  parseSweepConfig({
    sweep: {
      metric: "score",
      goal: "maximize",
      parameters: {
        gamma: { distribution: "logit_normal", min: 0.9, max: 0.999, mean: 0.99, scale: "auto" },
        lr: { distribution: "log_normal", min: 1e-4, max: 1e-2, mean: 1e-3, scale: "auto" },
        layers: { distribution: "int_uniform", min: 1, max: 8, mean: 4, scale: "auto" },
        batch: { distribution: "uniform_pow2", min: 16, max: 256, mean: 64, scale: "auto" },
        clip: { distribution: "uniform", min: 0, max: 1, mean: 0.5, scale: "auto" },
      },
    },
  }),
);

const center: NestedParams = { gamma: 0.99, lr: 1e-3, layers: 4, batch: 64, clip: 0.5 };
function obs(patch: NestedParams, score = 1): Observation {
  return { params: { ...center, ...patch }, score, cost: 1, isFailure: false, timestamp: TS };
}

/** Every coordinate the model would receive for the loaded observations. */
function coordinates(observations: Observation[]): number[] {
  const out: number[] = [];
  for (const o of observations) for (const u of space.toVector(o.params)) out.push(u);
  return out;
}

// Values outside the domain of their distribution (and, except the in-range ones, outside the range).
const OFF_DOMAIN: Array<[string, NestedParams, RegExp]> = [
  ["logit at exactly 1", { gamma: 1 }, /^gamma = 1 is not < 1, so it has no logit coordinate/],
  ["logit above 1", { gamma: 1.5 }, /^gamma = 1\.5 is not < 1/],
  ["logit at 0", { gamma: 0 }, /^gamma = 0 is not > 0 \(logit_normal values lie strictly between 0 and 1\)/],
  ["logit negative", { gamma: -1 }, /^gamma = -1 is not > 0 \(logit_normal/],
  ["log at 0", { lr: 0 }, /^lr = 0 is not > 0, so it has no logarithm/],
  ["log negative", { lr: -1 }, /^lr = -1 is not > 0/],
  ["int non-integer beyond the range", { layers: 9.5 }, /^layers = 9\.5 is not an integer \(int_uniform\)/],
  ["pow2 not a power of two beyond the range", { batch: 300 }, /^batch = 300 is not a power of two \(uniform_pow2\)/],
  ["uniform so far out its coordinate overflows", { clip: 1.7e308 }, /^clip = 1\.7e\+308 lies so far outside the range that its coordinate is not a finite number/],
];

describe("preparePrior: values outside their distribution's domain", () => {
  it.each(OFF_DOMAIN)("keep drops %s with the reason; the model never sees a non-finite coordinate", (_name, patch, reason) => {
    const { observations, report } = preparePrior([obs({}), obs(patch)], space, "maximize", { outOfRange: "keep" });
    expect(observations).toHaveLength(1);
    expect(report.loaded).toBe(1);
    expect(report.dropped).toHaveLength(1);
    expect(report.dropped[0].index).toBe(1);
    expect(report.dropped[0].reason).toMatch(reason);
    expect(report.dropped[0].reason).toContain("outOfRange: keep");
    expect(coordinates(observations).every(Number.isFinite)).toBe(true);
  });

  it.each(OFF_DOMAIN)("clamp never stores NaN: %s becomes the nearest bound, a legal value", (_name, patch) => {
    const { observations, report } = preparePrior([obs(patch)], space, "maximize", { outOfRange: "clamp" });
    expect(observations).toHaveLength(1);
    const [key] = Object.keys(patch);
    const stored = observations[0].params[key] as number;
    expect(Number.isFinite(stored)).toBe(true);
    const p = space.entries.find((e) => e.key === key)!.space;
    expect(p.contains(stored)).toBe(true);
    expect(report.outOfRange).toEqual([expect.objectContaining({ key, action: "clamped", index: 0 })]);
    expect(coordinates(observations).every(Number.isFinite)).toBe(true);
  });

  it.each<OutOfRangePolicy>(["keep", "clamp", "drop"])("a value inside the range but off the domain is dropped with the reason (policy %s)", (policy) => {
    const { observations, report } = preparePrior([obs({ layers: 2.5 }), obs({ batch: 48 }), obs({})], space, "maximize", { outOfRange: policy });
    expect(observations).toHaveLength(1);
    expect(report.dropped.map((d) => d.reason)).toEqual(["layers = 2.5 is not an integer (int_uniform)", "batch = 48 is not a power of two (uniform_pow2)"]);
  });

  it("NaN and Infinity are dropped under every policy except that clamp moves Infinity to the bound", () => {
    for (const policy of ["keep", "drop"] as const) {
      const { observations, report } = preparePrior([obs({ lr: Number.NaN }), obs({ clip: Number.POSITIVE_INFINITY })], space, "maximize", { outOfRange: policy });
      expect(observations).toEqual([]);
      expect(report.dropped.map((d) => d.index)).toEqual([0, 1]);
      expect(report.dropped[0].reason).toMatch(/^lr = NaN is not a number in \[0\.0001, 0\.01\]/);
    }
    const clamped = preparePrior([obs({ lr: Number.NaN }), obs({ clip: Number.POSITIVE_INFINITY })], space, "maximize", { outOfRange: "clamp" });
    expect(clamped.report.dropped.map((d) => d.index)).toEqual([0]);
    expect(clamped.observations.map((o) => o.params.clip)).toEqual([1]);
  });

  it("values in the domain beyond the range are still kept raw under keep (a wider earlier range)", () => {
    const { observations, report } = preparePrior([obs({ lr: 0.05, gamma: 0.8, layers: 12, batch: 512 })], space, "maximize");
    expect(report.dropped).toEqual([]);
    expect(observations[0].params).toMatchObject({ lr: 0.05, gamma: 0.8, layers: 12, batch: 512 });
    expect(report.outOfRange.map((n) => [n.key, n.action])).toEqual([
      ["gamma", "kept"],
      ["lr", "kept"],
      ["layers", "kept"],
      ["batch", "kept"],
    ]);
    expect(coordinates(observations).every(Number.isFinite)).toBe(true);
  });
});

describe("preparePrior: many observations", () => {
  it("re-expresses 200,000 observations without spreading them into a call (stack overflow beyond ~125k)", () => {
    const n = Number(process.env.PROTEIN_SWEEP_PRIOR_N ?? 200_000);
    const many: Observation[] = [];
    for (let i = 0; i < n; i++) many.push(obs({ lr: 1e-5 * (1 + (i % 97)), layers: 1 + (i % 8) }, (i % 1000) / 1000));
    const { observations, report } = preparePrior(many, space, "maximize", { outOfRange: "keep" });
    expect(report.loaded).toBe(n);
    expect(observations).toHaveLength(n);
    // lr = 1e-5 … 9.7e-4: the ones below 1e-4 are outside the range and kept.
    expect(report.outOfRange.length).toBe(many.filter((o) => (o.params.lr as number) < 1e-4).length);
    const limited = preparePrior(many, space, "maximize", { maxObservations: 500 });
    expect(limited.report.loaded).toBe(500);
    expect(limited.report.overLimit).toBe(n - 500);
  });
});
