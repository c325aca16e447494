/**
 * importance(): on problems where the answer is known, the parameters that move the score
 * rank above those that do not — including a log and a categorical parameter, where ARD
 * lengthscales mislead.
 */
import { describe, expect, it } from "vitest";
import { createRng } from "../../src/random/rng";
import { SearchSpace } from "../../src/space/search-space";
import type { NestedParams } from "../../src/space/search-space";
import type { Trial } from "../../src/study/types";
import { importance, inferSpace } from "../../src/report";
import { ReportError } from "../../src/report/errors";

/** Two parameters matter (a log learning rate and a categorical optimizer); four do not (uniform, int, pow2, logit). */
const SPACE = new SearchSpace([
  { key: "noise.a", spec: { distribution: "uniform", min: -3, max: 3, scale: 0.5 } },
  { key: "lr", spec: { distribution: "log_normal", min: 1e-5, max: 1e-1, scale: 0.5 } },
  { key: "noise.width", spec: { distribution: "int_uniform", min: 8, max: 512, scale: 0.5 } },
  { key: "optimizer", spec: { distribution: "categorical", values: ["adam", "sgd", "lion", "rmsprop"], scale: 0.5 } },
  { key: "noise.batch", spec: { distribution: "uniform_pow2", min: 16, max: 1024, scale: 0.5 } },
  { key: "noise.gamma", spec: { distribution: "logit_normal", min: 0.9, max: 0.9999, scale: 0.5 } },
]);
const MATTER = ["lr", "optimizer"];
const OPT_EFFECT: Record<string, number> = { adam: 1.2, sgd: -0.8, lion: 0.6, rmsprop: 0 };

function runs(seed: number, n: number): Trial[] {
  const rng = createRng(`importance-test:${seed}`);
  const out: Trial[] = [];
  for (let i = 0; i < n; i++) {
    const u = new Float64Array(SPACE.dim);
    for (let j = 0; j < SPACE.dim; j++) u[j] = rng.uniform(-1, 1);
    const params = SPACE.fromVector(SPACE.snap(u)) as NestedParams;
    const lr = params.lr as number;
    const score = 2 * Math.exp(-((Math.log10(lr) + 3) ** 2) / 1.5) + OPT_EFFECT[params.optimizer as string] + rng.normal(0, 0.1);
    out.push({ id: `s${i + 1}`, number: i + 1, state: "finished", params, score, cost: 1, metrics: {}, attempts: 1, createdAt: "2026-01-01T00:00:00Z" });
  }
  return out;
}

describe("importance", () => {
  it("ranks the 2 parameters that matter above the 4 that do not, over 10 seeds", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const result = importance(runs(seed, 60), { space: SPACE }, { seed, samples: 512 });
      expect(result.reason).toBeUndefined();
      const ranked = result.parameters.map((p) => p.key);
      expect(ranked.slice(0, 2).sort(), `seed ${seed}: ${JSON.stringify(result.parameters)}`).toEqual(MATTER);
      // The two that matter carry most of the variance; the shares sum to 1.
      const share = result.parameters.filter((p) => MATTER.includes(p.key)).reduce((s, p) => s + p.importance, 0);
      expect(share).toBeGreaterThan(0.8);
      expect(result.parameters.reduce((s, p) => s + p.importance, 0)).toBeCloseTo(1, 9);
      for (const p of result.parameters) {
        expect(p.firstOrder).toBeGreaterThanOrEqual(0);
        expect(p.total).toBeLessThanOrEqual(1);
      }
    }
  });

  it("is the same for the same seed, and ignores runs that did not finish", () => {
    const trials = runs(3, 40);
    trials.push({ ...trials[0], id: "f1", number: 41, state: "failed", score: null });
    const a = importance(trials, { space: SPACE }, { seed: 5, samples: 256 });
    const b = importance(trials.slice(0, 40), { space: SPACE }, { seed: 5, samples: 256 });
    expect(a).toEqual(b);
    expect(a.runs).toBe(40);
  });

  it("says why when it cannot measure: too few runs, equal scores", () => {
    const few = importance(runs(1, 4), { space: SPACE });
    expect(few.parameters).toEqual([]);
    expect(few.reason).toBe("needs at least 5 finished runs whose params fit the space, has 4");
    const flat = importance(runs(1, 10).map((t) => ({ ...t, score: 7 })), { space: SPACE });
    expect(flat.reason).toBe("every run has the same score");
  });

  it("skips runs whose params do not fit the space and counts them", () => {
    const trials = runs(2, 30);
    trials[0] = { ...trials[0], params: { ...trials[0].params, extra: 1 } };
    const result = importance(trials, { space: SPACE }, { samples: 128 });
    expect(result.skipped).toBe(1);
    expect(result.runs).toBe(29);
  });

  it("infers a space from the runs when none is given (log for two decades or more, categorical for strings)", () => {
    const space = inferSpace(runs(1, 50));
    expect(space.get("lr")?.distribution).toBe("log_normal");
    expect(space.get("optimizer")?.distribution).toBe("categorical");
    expect(space.get("noise.width")?.distribution).toBe("int_uniform");
    expect(space.get("noise.a")?.distribution).toBe("uniform");
    const result = importance(runs(4, 60), {}, { samples: 256 });
    expect(result.parameters.slice(0, 2).map((p) => p.key).sort()).toEqual(MATTER);
  });

  it("rejects a bad option with the key, the value and the fix", () => {
    expect(() => importance(runs(1, 10), { space: SPACE }, { samples: 0 })).toThrow(ReportError);
    expect(() => importance(runs(1, 10), { space: SPACE }, { samples: 2.5 })).toThrow(
      "importance option samples must be a positive integer\n  key: samples\n  got: 2.5\n  allowed: an integer ≥ 1\n  fix: omit samples for the default (1024)",
    );
  });
});
