import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseSweepConfig } from "../../src/config";
import { ObservationError } from "../../src/errors";
import { createRng } from "../../src/random";
import { SearchSpace } from "../../src/space";

const mixed = parseSweepConfig({
  sweep: {
    metric: "score",
    goal: "maximize",
    parameters: {
      "trainer.learning_rate": { distribution: "log_normal", min: 1e-5, max: 1e-1, mean: 1e-3, scale: "auto" },
      "trainer.batch_size": { distribution: "uniform_pow2", min: 16, max: 1024, mean: 128, scale: "auto" },
      "model.layers": { distribution: "int_uniform", min: 1, max: 8, mean: 3, scale: "auto" },
      "trainer.gamma": { distribution: "logit_normal", min: 0.8, max: 0.9999, mean: 0.99, scale: "auto" },
      "trainer.optimizer": { values: ["adam", "sgd", "lion"], mean: "sgd" },
      "model.dropout": { distribution: "uniform", min: 0, max: 0.5, mean: 0.1, scale: 0.25 },
    },
  },
});
const space = SearchSpace.fromConfig(mixed);

describe("SearchSpace vectors", () => {
  it("keys, dim, bounds, categorical and integer dims", () => {
    expect(space.keys).toEqual(["trainer.learning_rate", "trainer.batch_size", "model.layers", "trainer.gamma", "trainer.optimizer", "model.dropout"]);
    expect(space.dim).toBe(6);
    expect(Array.from(space.lower)).toEqual(new Array(6).fill(-1));
    expect(Array.from(space.upper)).toEqual(new Array(6).fill(1));
    expect(space.categoricalDims).toEqual([4]);
    expect(space.integerDims).toEqual([1, 2]);
    expect(space.scales[5]).toBe(0.25);
  });

  it("toVector accepts nested, dotted and mixed params alike", () => {
    const dotted = { "trainer.learning_rate": 1e-3, "trainer.batch_size": 128, "model.layers": 3, "trainer.gamma": 0.99, "trainer.optimizer": "sgd", "model.dropout": 0.1 };
    const nested = { trainer: { learning_rate: 1e-3, batch_size: 128, gamma: 0.99, optimizer: "sgd" }, model: { layers: 3, dropout: 0.1 } };
    const mixedForm = { trainer: { learning_rate: 1e-3, batch_size: 128, gamma: 0.99, optimizer: "sgd" }, "model.layers": 3, "model.dropout": 0.1 };
    const a = space.toVector(dotted);
    expect(Array.from(space.toVector(nested))).toEqual(Array.from(a));
    expect(Array.from(space.toVector(mixedForm))).toEqual(Array.from(a));
    expect(Array.from(a)).toEqual(Array.from(space.centers));
  });

  it("fromVector lays params out as written, nested, or dotted", () => {
    expect(space.fromVector(space.centers)).toEqual({ "trainer.learning_rate": 0.001, "trainer.batch_size": 128, "model.layers": 3, "trainer.gamma": 0.99, "trainer.optimizer": "sgd", "model.dropout": 0.1 });
    expect(space.fromVector(space.centers, "nested")).toEqual({ trainer: { learning_rate: 0.001, batch_size: 128, gamma: 0.99, optimizer: "sgd" }, model: { layers: 3, dropout: 0.1 } });
  });

  it("fromVector → toVector → fromVector is stable for any row", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 6, maxLength: 6 }), (row) => {
        const p = space.fromVector(row);
        const again = space.fromVector(space.toVector(p));
        for (const k of space.keys) {
          const a = p[k] as number;
          const b = again[k] as number;
          if (typeof a === "number") expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * Math.abs(a));
          else expect(b).toBe(a);
        }
      }),
    );
  });

  it("a missing, unknown or mistyped key is an ObservationError naming the dotted key", () => {
    const good = space.fromVector(space.centers) as Record<string, unknown>;
    const { ["model.layers"]: _drop, ...missing } = good;
    expect(() => space.toVector(missing)).toThrow(ObservationError);
    expect(() => space.toVector(missing)).toThrow(/key: model\.layers/);
    expect(() => space.toVector({ ...good, "model.width": 3 })).toThrow(/key: model\.width[\s\S]*fix: remove the key/);
    expect(() => space.toVector({ ...good, "trainer.optimizer": "rmsprop" })).toThrow(/key: trainer\.optimizer[\s\S]*one of \["adam","sgd","lion"\]/);
    expect(() => space.toVector({ ...good, "trainer.learning_rate": "fast" })).toThrow(/key: trainer\.learning_rate/);
  });

  it("out-of-range values are reported by check() but still mapped, beyond ±1", () => {
    const p = { ...(space.fromVector(space.centers) as Record<string, unknown>), "trainer.learning_rate": 1 };
    expect(space.check(p)).toEqual([{ key: "trainer.learning_rate", kind: "out-of-range", value: 1, expected: expect.stringContaining("[0.00001, 0.1]") }]);
    expect(space.toVector(p)[0]).toBeCloseTo(1.5, 12);
  });

  it("fingerprint changes with a range and not otherwise", () => {
    const again = SearchSpace.fromConfig(mixed);
    expect(again.fingerprint).toBe(space.fingerprint);
    const narrowed = SearchSpace.fromConfig(parseSweepConfig({ sweep: { metric: "s", goal: "maximize", parameters: { x: { distribution: "uniform", min: 0, max: 2 } } } }));
    const wide = SearchSpace.fromConfig(parseSweepConfig({ sweep: { metric: "s", goal: "maximize", parameters: { x: { distribution: "uniform", min: 0, max: 3 } } } }));
    expect(narrowed.fingerprint).not.toBe(wide.fingerprint);
  });
});

describe("SearchSpace.sample", () => {
  it("rows lie in [-1, 1], discrete coordinates sit on their grid, categories are legal", () => {
    const X = space.sample(2000, createRng(1));
    expect(X.length).toBe(2000 * 6);
    for (let i = 0; i < 2000; i++) {
      const row = X.subarray(i * 6, i * 6 + 6);
      for (const u of row) {
        expect(u).toBeGreaterThanOrEqual(-1);
        expect(u).toBeLessThanOrEqual(1);
      }
      const p = space.fromVector(row) as Record<string, number | string>;
      expect(Array.from(space.toVector(p))).toEqual(Array.from(row).map((u, j) => (j === 0 || j === 3 || j === 5 ? expect.closeTo(u, 12) : u)));
      expect(["adam", "sgd", "lion"]).toContain(p["trainer.optimizer"]);
    }
  });

  it("samples a uniform box of half-width scale around a chosen center", () => {
    const centers = Float64Array.from([0.5, 0, 0, 0, 0, -0.5, -0.5, 0, 0, 0, 0, 0.5]);
    const X = space.sample(4000, createRng(2), { centers });
    let nearFirst = 0;
    for (let i = 0; i < 4000; i++) {
      const dropout = X[i * 6 + 5];
      const lr = X[i * 6 + 0];
      // dropout has scale 0.25: each sample is within 0.25 of one center's value, lr within 0.5
      const fromFirst = Math.abs(dropout - -0.5) <= 0.25 + 1e-12 && Math.abs(lr - 0.5) <= 0.5 + 1e-12;
      const fromSecond = Math.abs(dropout - 0.5) <= 0.25 + 1e-12 && Math.abs(lr - -0.5) <= 0.5 + 1e-12;
      expect(fromFirst || fromSecond).toBe(true);
      if (fromFirst) nearFirst++;
    }
    expect(nearFirst / 4000).toBeGreaterThan(0.45);
    expect(nearFirst / 4000).toBeLessThan(0.55);
  });

  it("a categorical coordinate keeps the center's category or redraws with probability min(1, scale)", () => {
    const X = space.sample(6000, createRng(3));
    const sgd = space.toVector(space.fromVector(space.centers))[4];
    let kept = 0;
    for (let i = 0; i < 6000; i++) if (X[i * 6 + 4] === sgd) kept++;
    // keep with 0.5 + redraw to the same category 0.5·(1/3) = 2/3
    expect(kept / 6000).toBeGreaterThan(0.64);
    expect(kept / 6000).toBeLessThan(0.69);
  });

  it("same seed ⇒ identical samples; different seed ⇒ different", () => {
    const a = space.sample(50, createRng(42));
    const b = space.sample(50, createRng(42));
    const c = space.sample(50, createRng(43));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });
});
