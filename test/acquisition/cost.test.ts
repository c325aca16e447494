import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  CostTargetDeck,
  PUFFERLIB_COST_TARGETS,
  costWeights,
  maxCostMask,
  proteinRating,
  uniformCostTarget,
} from "../../src/acquisition/cost";
import { argmax } from "../../src/acquisition/select";
import { ProteinError } from "../../src/errors";
import { createRng } from "../../src/random/rng";

const f64 = (xs: number[]) => Float64Array.from(xs);

describe("CostTargetDeck (PufferLib's shuffled target deck)", () => {
  it("uses each base card exactly once per 6 draws, in a seed-dependent order", () => {
    const deck = new CostTargetDeck();
    const rng = createRng(7);
    const orders: string[] = [];
    for (let round = 0; round < 5; round++) {
      const cards = Array.from({ length: 6 }, () => deck.drawCard(rng));
      expect(cards.slice().sort((a, b) => a - b)).toEqual([...PUFFERLIB_COST_TARGETS]);
      orders.push(cards.join(","));
    }
    expect(new Set(orders).size).toBeGreaterThan(1); // reshuffled on refill
  });

  it("draw = (1 + rate)·clip(card + N(0, 0.1), 0, 1), within [0, 1 + rate]", () => {
    const deck = new CostTargetDeck({ expansionRate: 0.1 });
    const rng = createRng(11);
    for (let i = 0; i < 600; i++) {
      const t = deck.draw(rng);
      expect(t).toBeGreaterThanOrEqual(0);
      expect(t).toBeLessThanOrEqual(1.1 + 1e-15);
    }
    // zero noise: exactly the cards times 1.1
    const exact = new CostTargetDeck({ noiseSd: 0, expansionRate: 0.1 });
    const drawn = Array.from({ length: 6 }, () => exact.draw(rng)).sort((a, b) => a - b);
    expect(drawn).toEqual(PUFFERLIB_COST_TARGETS.map((c) => 1.1 * c));
  });

  it("the noisy draw stays near its card (|noise| ≤ 0.6 in 600 draws) and is mean-unbiased", () => {
    const deck = new CostTargetDeck({ expansionRate: 0 });
    const rng = createRng(3);
    let sum = 0;
    for (let i = 0; i < 600; i++) {
      const state = deck.getState().remaining;
      // the card that will be drawn is the last one (or unknown if the deck is empty)
      const t = deck.draw(rng);
      if (state.length > 0) expect(Math.abs(t - state[state.length - 1])).toBeLessThan(0.6);
      sum += t;
    }
    // mean of the cards is 0.5667; clipping at 1 pulls it down slightly
    expect(sum / 600).toBeGreaterThan(0.5);
    expect(sum / 600).toBeLessThan(0.6);
  });

  it("same seed ⇒ same targets; state round-trips through JSON and resumes exactly", () => {
    const a = new CostTargetDeck();
    const b = new CostTargetDeck();
    const ra = createRng(42);
    const rb = createRng(42);
    const seqA = Array.from({ length: 20 }, () => a.draw(ra));
    const seqB = Array.from({ length: 20 }, () => b.draw(rb));
    expect(seqA).toEqual(seqB);

    const saved = JSON.parse(JSON.stringify(a.getState()));
    const rngState = ra.getState();
    const next = Array.from({ length: 9 }, () => a.draw(ra));
    const resumed = new CostTargetDeck({ state: saved });
    const rr = createRng(rngState);
    expect(Array.from({ length: 9 }, () => resumed.draw(rr))).toEqual(next);
  });

  it("rejects bad options and bad states", () => {
    expect(() => new CostTargetDeck({ expansionRate: -1 })).toThrow(ProteinError);
    expect(() => new CostTargetDeck({ cards: [] })).toThrow(/non-empty/);
    expect(() => new CostTargetDeck({ state: { remaining: [Number.NaN] } })).toThrow(/invalid saved state/);
  });
});

describe("uniformCostTarget (Metta)", () => {
  it("is (1 + 0.25)·U(0, 1) by default and deterministic per seed", () => {
    const r1 = createRng(5);
    const r2 = createRng(5);
    const u = r2.random();
    expect(uniformCostTarget(r1)).toBe(1.25 * u);
    const r3 = createRng(9);
    for (let i = 0; i < 200; i++) {
      const t = uniformCostTarget(r3, 0.1);
      expect(t).toBeGreaterThanOrEqual(0);
      expect(t).toBeLessThan(1.1);
    }
  });
});

describe("costWeights", () => {
  it("is 1 − |t − ĉ|, clamped at 0 only on request", () => {
    const c = f64([0, 0.5, 1, 2.5, Number.NaN]);
    expect(Array.from(costWeights(c, 0.5))).toEqual([0.5, 1, 0.5, -1, Number.NaN]);
    expect(Array.from(costWeights(c, 0.5, { clampAtZero: true }))).toEqual([0.5, 1, 0.5, 0, Number.NaN]);
  });
});

describe("maxCostMask", () => {
  it("allows predicted costs strictly below the cap; NaN is not allowed", () => {
    const { mask, relaxed } = maxCostMask(f64([100, 3600, 5000, Number.NaN, 3599.9]), 3600);
    expect(Array.from(mask)).toEqual([1, 0, 0, 0, 1]);
    expect(relaxed).toBe(false);
  });

  it("relaxes (allows all) when nothing passes, and says so", () => {
    const out = new Uint8Array(3);
    const { mask, relaxed } = maxCostMask(f64([4000, 5000, Number.NaN]), 3600, out);
    expect(mask).toBe(out);
    expect(Array.from(mask)).toEqual([1, 1, 1]);
    expect(relaxed).toBe(true);
    expect(maxCostMask(new Float64Array(0), 1).relaxed).toBe(false);
    expect(() => maxCostMask(f64([1]), Number.NaN)).toThrow(/max_suggestion_cost/);
  });
});

describe("proteinRating", () => {
  it("is ŷ·w·mask with w = 1 − |t − ĉ| (hand-computed)", () => {
    const y = f64([1, 0.5, 0.8, 0.9]);
    const c = f64([0.2, 0.6, 1.5, 0.6]);
    const mask = Uint8Array.from([1, 1, 1, 0]);
    const r = proteinRating(y, c, 0.6, mask);
    expect(r[0]).toBeCloseTo(0.6, 15); // 1·(1 − 0.4)
    expect(r[1]).toBe(0.5); // 0.5·1
    expect(r[2]).toBeCloseTo(0.8 * 0.1, 15); // 0.8·(1 − 0.9)
    expect(r[3]).toBe(0); // masked
    expect(argmax(r)).toBe(0);
  });

  it("clampAtZero and maskedValue = −∞ keep an over-budget candidate from winning", () => {
    const y = f64([0.9, 0.5]);
    const c = f64([3, 0.1]); // candidate 1 is far from the target: w = 1 − 2.9 < 0
    const mask = Uint8Array.from([0, 1]);
    const ref = proteinRating(y, c, 3, mask);
    expect(argmax(ref)).toBe(0); // reference behaviour: masked 0 beats a negative rating
    const safe = proteinRating(y, c, 3, mask, undefined, { maskedValue: Number.NEGATIVE_INFINITY });
    expect(argmax(safe)).toBe(1);
    const clamped = proteinRating(y, c, 3, null, new Float64Array(2), { clampAtZero: true });
    expect(Array.from(clamped)).toEqual([0.9, 0]);
  });

  it("equals ŷ ⊙ costWeights ⊙ mask elementwise (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -1, max: 2, noNaN: true }), fc.double({ min: -1, max: 2, noNaN: true }), fc.boolean()), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.double({ min: 0, max: 1.25, noNaN: true }),
        (rows, t) => {
          const y = f64(rows.map((r) => r[0]));
          const c = f64(rows.map((r) => r[1]));
          const m = Uint8Array.from(rows.map((r) => (r[2] ? 1 : 0)));
          const w = costWeights(c, t);
          const r = proteinRating(y, c, t, m);
          for (let i = 0; i < rows.length; i++) expect(r[i]).toBe(m[i] ? y[i] * w[i] : 0);
        },
      ),
    );
  });

  it("rejects mismatched lengths", () => {
    expect(() => proteinRating(f64([1]), f64([1, 2]), 0.5, null)).toThrow(ProteinError);
  });
});

describe("argmax", () => {
  it("skips NaN, breaks ties by the lowest index, returns −1 when nothing is comparable", () => {
    expect(argmax(f64([1, Number.NaN, 3, 3]))).toBe(2);
    expect(argmax(f64([Number.NaN, 2]))).toBe(1);
    expect(argmax(f64([Number.NaN, Number.NaN]))).toBe(-1);
    expect(argmax(new Float64Array(0))).toBe(-1);
    expect(argmax(f64([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]))).toBe(0);
    expect(argmax(f64([Number.NEGATIVE_INFINITY, -5]))).toBe(1);
    expect(argmax([0, -0, Number.POSITIVE_INFINITY])).toBe(2);
  });

  it("agrees with a brute-force scan (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double(), fc.constantFrom(Number.NaN, 1, 1)), { maxLength: 40 }), (xs) => {
        const i = argmax(xs);
        const finite = xs.map((v, k) => [v, k] as const).filter(([v]) => !Number.isNaN(v));
        if (finite.length === 0) {
          expect(i).toBe(-1);
          return;
        }
        const max = Math.max(...finite.map(([v]) => v));
        expect(i).toBe(finite.find(([v]) => v === max)![1]);
      }),
    );
  });
});
