import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { type Goal, paretoFront, prunePareto } from "../src/pareto";
import { ProteinError } from "../src/errors";

const f64 = (xs: number[]) => Float64Array.from(xs);

/** O(n²) reference: i is on the front iff nothing dominates it and no lower index is identical. */
function bruteFront(scores: number[], costs: number[], goal: Goal): number[] {
  const dir = goal === "maximize" ? 1 : -1;
  const out: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i]) || Number.isNaN(costs[i])) continue;
    let dominated = false;
    for (let j = 0; j < scores.length && !dominated; j++) {
      if (j === i || Number.isNaN(scores[j]) || Number.isNaN(costs[j])) continue;
      const sj = dir * scores[j];
      const si = dir * scores[i];
      const noWorse = costs[j] <= costs[i] && sj >= si;
      const better = costs[j] < costs[i] || sj > si;
      if (noWorse && better) dominated = true;
      if (j < i && costs[j] === costs[i] && scores[j] === scores[i]) dominated = true;
    }
    if (!dominated) out.push(i);
  }
  return out.sort((a, b) => costs[a] - costs[b] || a - b);
}

const value = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -5, max: 5 }) },
  { weight: 3, arbitrary: fc.double({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.constant(Number.NaN) },
);
const points = fc.array(fc.tuple(value, value), { maxLength: 60 });
const goalArb = fc.constantFrom<Goal>("maximize", "minimize");

describe("paretoFront", () => {
  it("hand-computed: maximize keeps the cheapest and each strictly better, pricier point", () => {
    //            0  1  2  3  4   5
    const s = f64([1, 3, 2, 3, 5, Number.NaN]);
    const c = f64([1, 2, 3, 4, 9, 0]);
    expect(paretoFront(s, c, "maximize")).toEqual([0, 1, 4]);
    // minimize: lower score is better; only the cheapest (cost 1, score 1) survives
    expect(paretoFront(s, c, "minimize")).toEqual([0]);
  });

  it("hand-computed: equal costs keep the better score; identical points keep the lowest index", () => {
    const s = f64([2, 5, 5, 1]);
    const c = f64([3, 3, 3, 1]);
    expect(paretoFront(s, c, "maximize")).toEqual([3, 1]);
    expect(paretoFront(s, c, "minimize")).toEqual([3]);
  });

  it("returns [] for no observations or only NaN ones", () => {
    expect(paretoFront(new Float64Array(0), new Float64Array(0), "maximize")).toEqual([]);
    expect(paretoFront(f64([Number.NaN, 1]), f64([1, Number.NaN]), "minimize")).toEqual([]);
  });

  it("equals the O(n²) dominance check for both goals (property)", () => {
    fc.assert(
      fc.property(points, goalArb, (pts, goal) => {
        const s = pts.map((p) => p[0]);
        const c = pts.map((p) => p[1]);
        expect(paretoFront(f64(s), f64(c), goal)).toEqual(bruteFront(s, c, goal));
      }),
      { numRuns: 300 },
    );
  });

  it("is cost-ascending with strictly improving adjusted scores (property)", () => {
    fc.assert(
      fc.property(points, goalArb, (pts, goal) => {
        const dir = goal === "maximize" ? 1 : -1;
        const s = f64(pts.map((p) => p[0]));
        const c = f64(pts.map((p) => p[1]));
        const front = paretoFront(s, c, goal);
        for (let k = 1; k < front.length; k++) {
          expect(c[front[k]]).toBeGreaterThan(c[front[k - 1]]);
          expect(dir * s[front[k]]).toBeGreaterThan(dir * s[front[k - 1]]);
        }
      }),
    );
  });

  it("mirrors: front of (s, c) maximized = front of (−s, c) minimized (property)", () => {
    fc.assert(
      fc.property(points, (pts) => {
        const s = f64(pts.map((p) => p[0]));
        const neg = f64(pts.map((p) => -p[0]));
        const c = f64(pts.map((p) => p[1]));
        expect(paretoFront(s, c, "maximize")).toEqual(paretoFront(neg, c, "minimize"));
      }),
    );
  });

  it("scoreTolerance reproduces PufferLib's greedy chain (gain must exceed 1e-6)", () => {
    const s = f64([1, 1 + 5e-7, 1 + 2e-6]);
    const c = f64([1, 2, 3]);
    expect(paretoFront(s, c, "maximize")).toEqual([0, 1, 2]);
    expect(paretoFront(s, c, "maximize", { scoreTolerance: 1e-6 })).toEqual([0, 2]);
  });

  it("rejects bad input", () => {
    expect(() => paretoFront(f64([1]), f64([1, 2]), "maximize")).toThrow(ProteinError);
    expect(() => paretoFront(f64([1]), f64([1]), "up" as Goal)).toThrow(/goal must be/);
  });
});

describe("prunePareto", () => {
  // A front with a long flat expensive tail: scores 0.5, 0.9, 0.99, 0.991, 0.992 at costs 1, 2, 3, 50, 100.
  const s = f64([0.5, 0.9, 0.99, 0.991, 0.992]);
  const c = f64([1, 2, 3, 50, 100]);
  const front = [0, 1, 2, 3, 4];

  it("drops the inefficient expensive tail (hand-computed, both stop rules)", () => {
    // Δs = 0.492, Δc = 99. i=4: gain .001/.492=.00203, cost 50/99=.505 → eff .004 < .5, drop;
    // i=3: gain .001/.492, cost 47/99 → drop; i=2: neighbour 0.9 is (0.9−0.5)/0.492 = 0.81 < 0.98 → stop.
    expect(prunePareto(front, s, c, "maximize")).toEqual([0, 1, 2]);
    // ratio rule: 0.9 < 0.98·0.992 → stop at i=2 as well
    expect(prunePareto(front, s, c, "maximize", { stopRule: "ratio" })).toEqual([0, 1, 2]);
  });

  it("keeps an efficient last point", () => {
    const s2 = f64([0.1, 0.2, 0.3, 1.0]);
    const c2 = f64([1, 2, 3, 4]);
    expect(prunePareto([0, 1, 2, 3], s2, c2, "maximize")).toEqual([0, 1, 2, 3]);
  });

  it("never prunes a front of two points, and sorts its input by cost", () => {
    expect(prunePareto([1, 0], f64([1, 1.0000001]), f64([1, 1000]), "maximize")).toEqual([0, 1]);
    expect(prunePareto([4, 2, 0, 3, 1], s, c, "maximize")).toEqual([0, 1, 2]);
  });

  it("is sign-safe: shifting scores by a constant or flipping goal and sign does not change the result", () => {
    const shifted = f64(Array.from(s, (v) => v - 100));
    expect(prunePareto(front, shifted, c, "maximize")).toEqual([0, 1, 2]);
    const flipped = f64(Array.from(s, (v) => -v));
    expect(prunePareto(front, flipped, c, "minimize")).toEqual([0, 1, 2]);
    // the ratio rule is NOT sign-safe: with negative scores it stops at once
    expect(prunePareto(front, shifted, c, "maximize", { stopRule: "ratio" })).toEqual(front);
  });

  it("the normalized rule stops earlier than the ratio rule when scores are far from 0", () => {
    // scores 10.0, 10.5, 10.9, 10.91: ratio 0.98·10.91 = 10.69 → 10.9 qualifies, 10.5 does not.
    // normalized: (10.9 − 10)/0.91 = 0.989 qualifies too. Tail point 3: gain .011, cost 0.9 → drop.
    const s3 = f64([10, 10.5, 10.9, 10.91]);
    const c3 = f64([1, 2, 3, 12]);
    expect(prunePareto([0, 1, 2, 3], s3, c3, "maximize")).toEqual([0, 1, 2]);
    expect(prunePareto([0, 1, 2, 3], s3, c3, "maximize", { stopRule: "ratio" })).toEqual([0, 1, 2]);
    // with 10.8 at cost 3: normalized (10.8−10)/0.91 = 0.879 < 0.98 → keep all; ratio 10.8 ≥ 10.69 → drop
    const s4 = f64([10, 10.5, 10.8, 10.91]);
    expect(prunePareto([0, 1, 2, 3], s4, c3, "maximize")).toEqual([0, 1, 2, 3]);
    expect(prunePareto([0, 1, 2, 3], s4, c3, "maximize", { stopRule: "ratio" })).toEqual([0, 1, 2]);
  });

  it("returns a cost-ascending prefix of the front (property)", () => {
    fc.assert(
      fc.property(points, goalArb, (pts, goal) => {
        const sc = f64(pts.map((p) => p[0]));
        const co = f64(pts.map((p) => p[1]));
        const fr = paretoFront(sc, co, goal);
        const pruned = prunePareto(fr, sc, co, goal);
        expect(pruned.length).toBeGreaterThanOrEqual(Math.min(2, fr.length));
        expect(pruned).toEqual(fr.slice(0, pruned.length));
      }),
    );
  });

  it("rejects out-of-range indices", () => {
    expect(() => prunePareto([0, 5], s, c, "maximize")).toThrow(/out of range/);
  });
});
