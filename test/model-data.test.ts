import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dedupRows, excludeNear, gatherRows, minMaxScale, quantile, rowDistanceSquared, subsampleRecent } from "../src/model-data";
import { createRng } from "../src/random";

/** The O(n²) rule dedupRows implements: keep a row unless a later one lies within 1e-6 of it. */
function bruteDedup(X: Float64Array, n: number, d: number): number[] {
  const kept: number[] = [];
  for (let i = 0; i < n; i++) {
    let newer = false;
    for (let j = i + 1; j < n; j++) if (rowDistanceSquared(X, i, X, j, d) < 1e-12) newer = true;
    if (!newer) kept.push(i);
  }
  return kept;
}

describe("dedupRows", () => {
  it("drops a row when a later row lies within the radius (the newest wins)", () => {
    const X = Float64Array.of(0, 0, 1, 1, 1e-8, 0, 0.5, 0.5, 1, 1 + 5e-7);
    expect(dedupRows(X, 5, 2, 1e-6)).toEqual([2, 3, 4]);
  });
  it("agrees with the O(n²) rule on random data with planted duplicates", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 1000 }), (n, d, seed) => {
        const rng = createRng(seed);
        const X = new Float64Array(n * d);
        for (let i = 0; i < n; i++) {
          if (i > 0 && rng.random() < 0.3) {
            const j = rng.int(0, i - 1);
            for (let k = 0; k < d; k++) X[i * d + k] = X[j * d + k] + (rng.random() - 0.5) * 1e-7;
          } else for (let k = 0; k < d; k++) X[i * d + k] = rng.uniform(-1, 1);
        }
        expect(dedupRows(X, n, d, 1e-6)).toEqual(bruteDedup(X, n, d));
      }),
    );
  });
  it("agrees with the O(n²) rule when coordinates take a few levels (categorical, integer, a fixed cost, a bound)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1000 }), (n, d, seed) => {
        const rng = createRng(seed);
        const X = new Float64Array(n * d);
        for (let i = 0; i < n; i++) {
          for (let k = 0; k < d; k++) X[i * d + k] = k === 0 ? 0.25 : rng.random() < 0.7 ? rng.int(0, 2) / 2 : rng.uniform(0, 1);
          if (rng.random() < 0.2) X[i * d + d - 1] += (rng.random() - 0.5) * 1e-6;
        }
        expect(dedupRows(X, n, d, 1e-6)).toEqual(bruteDedup(X, n, d));
      }),
    );
  });
});

describe("subsampleRecent", () => {
  it("keeps the most recent half and evenly spaced older rows, in order", () => {
    const order = Array.from({ length: 20 }, (_, i) => i);
    // 20 rows, cap 8: the base moves every ⌈8/16⌉ = 1 row, so every row is "before the base".
    const kept = subsampleRecent(order, 8, 20);
    expect(kept).toEqual([0, 4, 8, 12, 16, 17, 18, 19]);
    expect(subsampleRecent(order.slice(0, 5), 8, 5)).toEqual([0, 1, 2, 3, 4]);
  });

  it("between moves of its base only grows at the end, so a GP keeps its factor", () => {
    // cap 32: the base moves every 2 rows (32, 34, 36, …); rows from the base on are appended.
    const at = (total: number) => subsampleRecent(Array.from({ length: total }, (_, i) => i), 32, total);
    const a = at(40);
    const b = at(41);
    expect(b.slice(0, a.length)).toEqual(a);
    expect(b).toEqual([...a, 40]);
    expect(a.length).toBe(32);
    // The next move redraws the older part (and the set shrinks back to the cap).
    const c = at(42);
    expect(c.length).toBe(32);
    expect(c.slice(-16)).toEqual(Array.from({ length: 16 }, (_, i) => 26 + i));
    // Never more than cap + step rows.
    for (let t = 33; t < 200; t++) expect(at(t).length).toBeLessThanOrEqual(34);
  });

  it("counts the base on the source rows, so dropped duplicates do not move it", () => {
    const order = Array.from({ length: 41 }, (_, i) => i).filter((i) => i !== 5 && i !== 39);
    const kept = subsampleRecent(order, 32, 41);
    expect(kept[kept.length - 1]).toBe(40);
    expect(kept).not.toContain(5);
    expect(kept).not.toContain(39);
    expect([...kept].sort((x, y) => x - y)).toEqual(kept);
  });
});

describe("subsampleRecent around the best row", () => {
  // 1-d rows at x_i = i / 100 (i = 0 … 199), score −|x − 0.5|: the best older row is the one nearest x = 0.5.
  const d = 1;
  const total = 200;
  const X = Float64Array.from({ length: total }, (_, i) => i / 100);
  const s = Float64Array.from(X, (x) => -Math.abs(x - 0.5));
  const all = Array.from({ length: total }, (_, i) => i);

  it("keeps half the cap nearest the best older row, the other half recent and spread, in order", () => {
    const cap = 32;
    const kept = subsampleRecent(all, cap, total, { X, s, d });
    // The base: 32 + ⌊(200 − 32)/2⌋·2 = 200, so every row is older and the best is row 50.
    expect(kept.length).toBe(cap);
    for (let i = 34; i <= 65; i++) if (Math.abs(i - 50) <= 7) expect(kept).toContain(i);
    const nearBest = kept.filter((i) => Math.abs(i - 50) <= 8);
    expect(nearBest.length).toBeGreaterThanOrEqual(16);
    // The other half: the 8 most recent rows and 8 spread over the rest.
    expect(kept.slice(-8)).toEqual([192, 193, 194, 195, 196, 197, 198, 199]);
    expect(kept.filter((i) => i < 40).length).toBeGreaterThanOrEqual(2);
    expect([...kept].sort((a, b) => a - b)).toEqual(kept);
    // Without the rows it is the plain rule.
    expect(subsampleRecent(all, cap, total)).not.toEqual(kept);
  });

  it("between moves of its base only grows at the end, even when a newer row is the best", () => {
    const at = (n: number, scores: Float64Array) => subsampleRecent(all.slice(0, n), 32, n, { X, s: scores, d });
    // Cap 32: the base moves every 2 rows, to 40 at 40 rows and to 42 at 42.
    const better = Float64Array.from(s);
    better[40] = 10; // row 40 arrives at the base and is the best of all: the older part does not move
    const a = at(40, better);
    const b = at(41, better);
    expect(b).toEqual([...a, 40]);
    // At the next move row 40 is an older row, and the rows kept move around it.
    const c = at(42, better);
    expect(c).toContain(40);
    expect(c.filter((i) => Math.abs(i - 40) <= 10).length).toBeGreaterThan(a.filter((i) => Math.abs(i - 40) <= 10).length);
  });
});

describe("small helpers", () => {
  it("quantile interpolates like numpy's default", () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([5, 1, 3], 0.97)).toBeCloseTo(3 + 0.94 * 2, 12);
    expect(quantile([7], 0.3)).toBe(7);
  });
  it("minMaxScale maps [lo, hi] onto [0, 1) with the epsilon", () => {
    expect(Array.from(minMaxScale([1, 3], 1, 3, 0))).toEqual([0, 1]);
    expect(Array.from(minMaxScale([2, 2], 2, 2, 1e-6))).toEqual([0, 0]);
  });
  it("excludeNear removes candidates close to pending rows, keeping order", () => {
    const C = Float64Array.of(0, 0, 0.05, 0, 0.5, 0.5, 1, 1);
    const P = Float64Array.of(0, 0);
    const kept = excludeNear(C, 4, P, 1, 2, 0.1);
    expect(kept).toBe(2);
    expect(Array.from(C.subarray(0, 4))).toEqual([0.5, 0.5, 1, 1]);
    expect(Array.from(gatherRows(Float64Array.of(1, 2, 3, 4, 5, 6), [2, 0], 2))).toEqual([5, 6, 1, 2]);
  });
});
