import { describe, expect, it } from "vitest";
import { mannWhitneyP, medianInterval, quantileOf } from "../bench/quality/summary";

// Reference p-values: tools/make-mannwhitney-values.py (scipy 1.10.1, method="asymptotic").
describe("statistics of the benchmark tables", () => {
  it("mannWhitneyP matches scipy's two-sided asymptotic Mann–Whitney test, with ties and without", () => {
    expect(mannWhitneyP([0.1, 0.5, 0.5, 2.0, 3.0, 0.7, 0.05, 1.2], [0.3, 0.5, 2.5, 4.0, 3.5, 0.9, 1.1])).toBeCloseTo(0.26987129492173556, 12);
    const low = Array.from({ length: 10 }, (_, i) => i + 1);
    const high = Array.from({ length: 12 }, (_, i) => i + 11);
    expect(mannWhitneyP(low, high)).toBeCloseTo(8.733926588357827e-5, 14);
    expect(mannWhitneyP(high, low)).toBeCloseTo(8.733926588357827e-5, 14);
    expect(mannWhitneyP([1, 1, 1], [1, 1])).toBe(1);
    expect(mannWhitneyP([], [1])).toBeNaN();
  });

  it("medianInterval brackets the sample median, is reproducible by seed, and narrows with more seeds", () => {
    const few = [0.3, 0.1, 0.25, 0.05, 0.5, 0.2, 0.15, 0.4];
    const [lo, hi] = medianInterval(few);
    expect(lo).toBeLessThanOrEqual(quantileOf(few, 0.5));
    expect(hi).toBeGreaterThanOrEqual(quantileOf(few, 0.5));
    expect(medianInterval(few)).toEqual([lo, hi]);
    const many = Array.from({ length: 8 * 16 }, (_, i) => few[i % 8] * (1 + ((i * 7) % 5) * 0.01));
    const [lo2, hi2] = medianInterval(many);
    expect(hi2 - lo2).toBeLessThan(hi - lo);
  });
});
