import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { ProteinError } from "../../src/errors";
import { createRng, deriveRng, type Rng, type RngState } from "../../src/random";

/** One draw of every kind, returned as numbers so sequences can be compared bit for bit. */
function drawAll(rng: Rng, count: number): number[] {
  const out: number[] = [];
  const items = ["a", "b", "c", "d", "e"];
  for (let t = 0; t < count; t++) {
    out.push(rng.random());
    out.push(rng.uniform(-3, 7));
    out.push(rng.normal());
    out.push(rng.normal(2, 0.5));
    out.push(rng.int(0, 9));
    out.push(rng.int(-(2 ** 40), 2 ** 41)); // 53-bit path
    out.push(items.indexOf(rng.choice(items)));
    out.push(...rng.shuffle([0, 1, 2, 3, 4, 5]));
    out.push(rng.uint32());
  }
  return out;
}

/** Bitwise equality of two number arrays (Object.is also separates -0 and 0). */
function expectBitIdentical(a: number[], b: number[]): void {
  expect(a.length).toBe(b.length);
  const firstDiff = a.findIndex((x, i) => !Object.is(x, b[i]));
  expect(firstDiff).toBe(-1);
}

function thrown(fn: () => unknown): ProteinError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProteinError);
    return e as ProteinError;
  }
  throw new Error("expected a ProteinError");
}

describe("createRng: seeding", () => {
  it("is seedrandom's ARC4 underneath (values published in seedrandom's README)", () => {
    const rng = createRng("hello.");
    expect(rng.random()).toBe(0.9282578795792454);
    expect(rng.random()).toBe(0.3752569768646784);
  });

  it("same seed gives identical sequences of every kind", () => {
    expectBitIdentical(drawAll(createRng(12345), 300), drawAll(createRng(12345), 300));
    expectBitIdentical(drawAll(createRng("sweep-7"), 300), drawAll(createRng("sweep-7"), 300));
  });

  it("a number seed n equals the string seed String(n)", () => {
    expectBitIdentical(drawAll(createRng(42), 50), drawAll(createRng("42"), 50));
  });

  it("different seeds give different sequences", () => {
    const a = drawAll(createRng(1), 50);
    const b = drawAll(createRng(2), 50);
    const same = a.filter((x, i) => Object.is(x, b[i])).length;
    // Small ints/shuffles collide by chance; continuous draws never should. Bound the overlap well below 50%.
    expect(same / a.length).toBeLessThan(0.3);
    expect(createRng(1).random()).not.toBe(createRng(2).random());
  });

  it("seeds whose text repeats a shorter seed's (1 and 11, 12 and 1212, 100 and 100100) give different sequences", () => {
    // ARC4 repeats its key to fill its schedule, so these pairs once gave one stream: seeds 1 and 11 ran one sweep.
    for (const [a, b] of [[1, 11], [1, 111], [11, 1111], [2, 22], [12, 1212], [100, 100100], [7, 77777]] as const) {
      expect(createRng(b).random(), `${a} / ${b}`).not.toBe(createRng(a).random());
      expect(createRng(String(b)).random()).toBe(createRng(b).random());
    }
    // Every seed whose text is not such a repetition keeps the stream it always had (seedrandom's own keying).
    expect(createRng(3).random()).toBe(0.8486474710186808);
    // Over the seeds people use (0–9 999) no two first draws agree.
    const first = new Map<number, number>();
    for (let seed = 0; seed < 10_000; seed++) {
      const u = createRng(seed).random();
      expect(first.get(u), `seed ${seed}`).toBeUndefined();
      first.set(u, seed);
    }
  });

  it("rejects bad seeds, naming the argument", () => {
    expect(thrown(() => createRng(Number.NaN)).key).toBe("seed");
    expect(thrown(() => createRng(Number.POSITIVE_INFINITY)).key).toBe("seed");
    expect(thrown(() => createRng(undefined as unknown as number)).key).toBe("seed");
    expect(thrown(() => createRng({} as RngState)).key).toBe("seed");
  });
});

describe("getState / setState", () => {
  it.each([0, 1, 3, 7, 20])("resumes bit-identically after %i mixed draws and a JSON round trip", (k) => {
    const rng = createRng("resume");
    drawAll(rng, k);
    rng.normal(); // odd number of normals so far in some cases: exercises the cached spare
    const snapshot = JSON.parse(JSON.stringify(rng.getState())) as RngState;
    const expected = drawAll(rng, 1000);

    expectBitIdentical(drawAll(createRng(snapshot), 1000), expected);

    const other = createRng("something else");
    drawAll(other, 5);
    other.setState(snapshot);
    expectBitIdentical(drawAll(other, 1000), expected);
  });

  it("keeps the spare normal deviate in the state", () => {
    const rng = createRng(9);
    expect(rng.getState().spareNormal).toBeNull();
    rng.normal();
    const state = rng.getState();
    expect(typeof state.spareNormal).toBe("number");
    const resumed = createRng(state);
    expect(resumed.normal()).toBe(rng.normal()); // the spare itself
    expect(resumed.normal()).toBe(rng.normal()); // then a fresh pair
  });

  it("a snapshot is a copy: drawing afterwards does not change it", () => {
    const rng = createRng(3);
    const state = rng.getState();
    const before = JSON.stringify(state);
    drawAll(rng, 10);
    expect(JSON.stringify(state)).toBe(before);
    const restored = createRng(state);
    drawAll(restored, 10);
    expect(JSON.stringify(state)).toBe(before);
  });

  it("property: any seed, any number of draws, snapshot-resume is exact", () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 40 }), (seed, k) => {
        const rng = createRng(seed);
        drawAll(rng, k);
        const resumed = createRng(JSON.parse(JSON.stringify(rng.getState())) as RngState);
        expectBitIdentical(drawAll(resumed, 20), drawAll(rng, 20));
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  it("rejects malformed states", () => {
    const good = createRng(1).getState();
    const S = good.arc4.S.slice();
    S[0] = S[1]; // not a permutation any more
    expect(thrown(() => createRng(1).setState({ ...good, arc4: { ...good.arc4, S } })).key).toBe("state");
    expect(thrown(() => createRng(1).setState({ ...good, version: 2 as 1 })).key).toBe("state");
    expect(thrown(() => createRng(1).setState({ ...good, arc4: { ...good.arc4, i: 256 } })).key).toBe("state");
    expect(thrown(() => createRng(1).setState({ ...good, spareNormal: Number.NaN })).key).toBe("state");
    expect(thrown(() => createRng({ ...good, arc4: { ...good.arc4, S: S.slice(0, 10) } })).key).toBe("seed");
  });
});

describe("draws", () => {
  it("random and uniform stay in their half-open ranges", () => {
    const rng = createRng(5);
    for (let t = 0; t < 20000; t++) {
      const u = rng.random();
      expect(u >= 0 && u < 1).toBe(true);
      const x = rng.uniform(-2, 3);
      expect(x >= -2 && x < 3).toBe(true);
    }
    expect(rng.uniform(4, 4)).toBe(4);
  });

  it("int is inclusive and uniform (chi-square, 5 dof, p = 0.001 critical value 20.52)", () => {
    const rng = createRng(11);
    const n = 60000;
    const counts = new Array<number>(6).fill(0);
    for (let t = 0; t < n; t++) counts[rng.int(0, 5)]++;
    const expected = n / 6;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(20.52);
    expect(rng.int(-3, -3)).toBe(-3);
  });

  it("int has no modulo bias: span 3·2^30 puts 1/3 (not 1/2) of draws below 2^30", () => {
    // With x mod span on 32-bit x, values below 2^30 would be hit twice as often (probability 1/2).
    const rng = createRng(12);
    const span = 3 * 2 ** 30;
    const n = 30000;
    let low = 0;
    for (let t = 0; t < n; t++) if (rng.int(0, span - 1) < 2 ** 30) low++;
    // sd of the fraction is sqrt(2/9/n) ≈ 0.0027; allow about 4 sd.
    expect(Math.abs(low / n - 1 / 3)).toBeLessThan(0.011);
  });

  it("int over a span wider than 2^32 covers the range evenly", () => {
    const rng = createRng(13);
    const hi = 2 ** 45;
    const n = 20000;
    let sum = 0;
    for (let t = 0; t < n; t++) {
      const x = rng.int(0, hi);
      expect(Number.isInteger(x) && x >= 0 && x <= hi).toBe(true);
      sum += x / hi;
    }
    // Mean of U(0,1) is 1/2 with sd 1/sqrt(12 n) ≈ 0.002; allow about 5 sd.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01);
  });

  it("normal has the right distribution (moments, and Kolmogorov–Smirnov at p = 0.01)", () => {
    const rng = createRng(14);
    const n = 20000;
    const z = new Float64Array(n);
    for (let t = 0; t < n; t++) z[t] = rng.normal();
    const mean = z.reduce((s, x) => s + x, 0) / n;
    const variance = z.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
    expect(Math.abs(mean)).toBeLessThan(0.03); // sd of the mean ≈ 0.007
    expect(Math.abs(variance - 1)).toBeLessThan(0.05); // sd of the variance ≈ 0.01
    const sorted = Array.from(z).sort((a, b) => a - b);
    let d = 0;
    for (let i = 0; i < n; i++) {
      const f = normalCdf(sorted[i], 0, 1);
      d = Math.max(d, Math.abs(f - i / n), Math.abs(f - (i + 1) / n));
    }
    expect(d).toBeLessThan(1.63 / Math.sqrt(n));
  });

  it("normal(mu, sigma) shifts and scales", () => {
    const a = createRng(15);
    const b = createRng(15);
    expect(a.normal(3, 2)).toBe(3 + 2 * b.normal());
    expect(a.normal(5, 0)).toBe(5);
  });

  it("shuffle returns the same array as a permutation, and all 6 orders of 3 items are equally likely", () => {
    const rng = createRng(16);
    const arr = [1, 2, 3, 4, 5, 6, 7, 8];
    const same = rng.shuffle(arr);
    expect(same).toBe(arr);
    expect([...arr].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    const counts = new Map<string, number>();
    const n = 12000;
    for (let t = 0; t < n; t++) {
      const key = rng.shuffle(["a", "b", "c"]).join("");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    const expected = n / 6;
    const chi2 = [...counts.values()].reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(20.52); // 5 dof, p = 0.001
    expect(rng.shuffle([])).toEqual([]);
  });

  it("choice picks every element", () => {
    const rng = createRng(17);
    const seen = new Set<string>();
    for (let t = 0; t < 200; t++) seen.add(rng.choice(["x", "y", "z"]));
    expect(seen).toEqual(new Set(["x", "y", "z"]));
    expect(rng.choice([42])).toBe(42);
  });

  it("uint32 is an unsigned 32-bit integer and reaches the top half", () => {
    const rng = createRng(18);
    let top = 0;
    for (let t = 0; t < 1000; t++) {
      const x = rng.uint32();
      expect(Number.isInteger(x) && x >= 0 && x < 2 ** 32).toBe(true);
      if (x >= 2 ** 31) top++;
    }
    expect(top).toBeGreaterThan(400);
    expect(top).toBeLessThan(600);
  });
});

describe("argument validation at the public edge", () => {
  const rng = createRng(0);
  it.each([
    ["int(3, 1)", "hi", () => rng.int(3, 1)],
    ["int(1.5, 3)", "lo", () => rng.int(1.5, 3)],
    ["int(0, NaN)", "hi", () => rng.int(0, Number.NaN)],
    ["int over 2^53 values", "hi", () => rng.int(-(2 ** 52), 2 ** 52)],
    ["choice([])", "items", () => rng.choice([])],
    ["normal(0, -1)", "sigma", () => rng.normal(0, -1)],
    ["normal(NaN)", "mu", () => rng.normal(Number.NaN)],
    ["uniform(2, 1)", "a", () => rng.uniform(2, 1)],
    ["uniform(0, Infinity)", "b", () => rng.uniform(0, Number.POSITIVE_INFINITY)],
  ] as const)("%s throws a ProteinError naming %s", (_label, key, fn) => {
    const err = thrown(fn);
    expect(err.key).toBe(key);
    expect(err.message).toContain(key);
  });
});

describe("deriveRng", () => {
  it("makes a reproducible child that differs from the parent and advances the parent by one uint32", () => {
    const parent = createRng(21);
    const twin = createRng(21);
    const child = deriveRng(parent);
    const seed = twin.uint32();
    expectBitIdentical(drawAll(child, 20), drawAll(createRng(seed), 20));
    expect(parent.random()).toBe(twin.random());
    expect(deriveRng(createRng(21)).random()).not.toBe(createRng(21).random());
  });
});
