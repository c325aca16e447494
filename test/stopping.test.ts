import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  type LogCostQuantileModel,
  earlyStopDecision,
  earlyStopMinCost,
  fitQuantileLogCost,
  nextUpperCostThreshold,
  pinballLoss,
  quantileLineFit,
  shouldStopRun,
} from "../src/stopping";
import { ProteinError } from "../src/errors";
import { createRng } from "../src/random/rng";

const f64 = (xs: number[]) => Float64Array.from(xs);

/** Brute force over every LP vertex: lines through two points with slope ≥ 0, and b = 0 through one point. */
function bruteMinLoss(x: Float64Array, y: Float64Array, q: number): number {
  let best = Number.POSITIVE_INFINITY;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    best = Math.min(best, pinballLoss(x, y, q, y[i], 0));
    for (let j = 0; j < n; j++) {
      if (x[j] <= x[i]) continue;
      const b = (y[j] - y[i]) / (x[j] - x[i]);
      if (b < 0) continue;
      best = Math.min(best, pinballLoss(x, y, q, y[i] - b * x[i], b));
    }
  }
  return best;
}

describe("quantileLineFit (pinball loss, slope ≥ 0)", () => {
  it("hand-computed: points on a line are fitted exactly", () => {
    const x = f64([0, 1, 2, 3, 4]);
    const y = f64([1, 3, 5, 7, 9]);
    const fit = quantileLineFit(x, y, 0.3);
    expect(fit.b).toBeCloseTo(2, 12);
    expect(fit.a).toBeCloseTo(1, 12);
    expect(fit.loss).toBeCloseTo(0, 12);
  });

  it("hand-computed: decreasing data hits the constraint b = 0 with a = the q-quantile of y", () => {
    const x = f64([0, 1, 2, 3, 4]);
    const y = f64([9, 7, 5, 3, 1]);
    const fit = quantileLineFit(x, y, 0.5);
    expect(fit.b).toBe(0);
    expect(fit.a).toBe(5); // the median
    expect(fit.loss).toBeCloseTo(0.5 * (4 + 2 + 0 + 2 + 4), 12);
  });

  it("hand-computed: a low quantile puts the line under most points", () => {
    // y = x plus +1 on three of four points: the q = 0.25 line is y = x (one point on it, three above)
    const x = f64([1, 2, 3, 4]);
    const y = f64([1, 3, 4, 5]);
    const fit = quantileLineFit(x, y, 0.25);
    expect(fit.loss).toBeCloseTo(bruteMinLoss(x, y, 0.25), 12);
    let above = 0;
    for (let i = 0; i < 4; i++) if (y[i] - fit.a - fit.b * x[i] > 1e-9) above++;
    expect(above).toBeGreaterThanOrEqual(2);
  });

  it("reaches the brute-force minimum over all LP vertices (property, 1e-9 relative)", () => {
    const xs = fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: -3000, max: 8000 }).map((v) => v / 1000));
    const ys = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ min: -10, max: 10, noNaN: true }));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(xs, ys), { minLength: 1, maxLength: 25 }),
        fc.constantFrom(0.1, 0.3, 0.5, 0.7, 0.9),
        (pts, q) => {
          const x = f64(pts.map((p) => p[0]));
          const y = f64(pts.map((p) => p[1]));
          const fit = quantileLineFit(x, y, q);
          const brute = bruteMinLoss(x, y, q);
          expect(fit.b).toBeGreaterThanOrEqual(0);
          expect(Math.abs(fit.loss - pinballLoss(x, y, q, fit.a, fit.b))).toBeLessThanOrEqual(1e-9 * (1 + brute));
          expect(fit.loss).toBeLessThanOrEqual(brute + 1e-9 * (1 + brute));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("rejects empty, mismatched or non-finite input", () => {
    expect(() => quantileLineFit(new Float64Array(0), new Float64Array(0), 0.5)).toThrow(ProteinError);
    expect(() => quantileLineFit(f64([1, 2]), f64([1, Number.NaN]), 0.5)).toThrow(/finite/);
  });

  it("on noisy log-cost data recovers the generating slope and the quantile coverage", () => {
    const rng = createRng(123);
    const n = 400;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = Math.log(rng.uniform(10, 10000));
      y[i] = 0.5 + 0.2 * x[i] + rng.normal(0, 0.1);
    }
    const fit = quantileLineFit(x, y, 0.3);
    expect(fit.b).toBeGreaterThan(0.17);
    expect(fit.b).toBeLessThan(0.23);
    let below = 0;
    for (let i = 0; i < n; i++) if (y[i] < fit.a + fit.b * x[i] - 1e-12) below++;
    // the q-quantile line has at most ⌈q·n⌉ − 1 points strictly below (an optimality condition)
    expect(below).toBeLessThanOrEqual(Math.ceil(0.3 * n));
    expect(below).toBeGreaterThanOrEqual(Math.floor(0.3 * n) - 2);
  });
});

describe("fitQuantileLogCost", () => {
  const rng = createRng(9);
  const costs = f64(Array.from({ length: 40 }, () => rng.uniform(10, 1000)));
  const scores = f64(Array.from(costs, (c) => 0.1 * Math.log(c) + rng.normal(0, 0.05)));

  it("returns null below 30 usable observations (NaN scores and tiny costs do not count)", () => {
    expect(fitQuantileLogCost(scores.subarray(0, 29), costs.subarray(0, 29), 0.3)).toBeNull();
    const s = scores.slice();
    s[0] = Number.NaN;
    const c = costs.slice();
    c[1] = 0;
    c[2] = 1e-7;
    expect(fitQuantileLogCost(s.subarray(0, 32), c.subarray(0, 32), 0.3)).toBeNull();
    expect(fitQuantileLogCost(s.subarray(0, 33), c.subarray(0, 33), 0.3)?.n).toBe(30);
  });

  it("fits log(cost), in direction-adjusted units: minimize on −s equals maximize on s", () => {
    const max = fitQuantileLogCost(scores, costs, 0.3)!;
    const min = fitQuantileLogCost(f64(Array.from(scores, (v) => -v)), costs, 0.3, { goal: "minimize" })!;
    expect(max.goal).toBe("maximize");
    expect(min.goal).toBe("minimize");
    expect(min.a).toBe(max.a);
    expect(min.b).toBe(max.b);
    expect(max.b).toBeGreaterThan(0.05);
    const x = f64(Array.from(costs, Math.log));
    expect(max.loss).toBeLessThanOrEqual(bruteMinLoss(x, scores, 0.3) * (1 + 1e-12));
  });

  it("rejects a quantile outside (0, 1) naming the setting", () => {
    expect(() => fitQuantileLogCost(scores, costs, 1)).toThrow(/early_stop_quantile/);
    expect(() => fitQuantileLogCost(scores, costs, 0)).toThrow(ProteinError);
    expect(() => fitQuantileLogCost(scores, costs.subarray(1), 0.3)).toThrow(/one entry per observation/);
  });
});

describe("shouldStopRun / earlyStopDecision", () => {
  // s′ ≈ 0 + 0.1·log(cost); U = 1000, so minCost = 0.3·1000 + 10 = 310 and "late" means cost > 1200
  const model: LogCostQuantileModel = { a: 0, b: 0.1, quantile: 0.3, goal: "maximize", n: 30, loss: 0 };
  const opts = { minCost: earlyStopMinCost(1000), maxCostThreshold: 1000, bestScore: 1, goal: "maximize" as const };

  it("minimum cost is 0.3·U + 10 (PufferLib)", () => {
    expect(earlyStopMinCost(1000)).toBe(310);
    expect(earlyStopMinCost(100, 0.5, 0)).toBe(50);
  });

  it("never stops without a model or below the minimum cost", () => {
    expect(earlyStopDecision(-100, 500, null, opts)).toEqual({ stop: false, threshold: Number.NEGATIVE_INFINITY, rule: "no-model" });
    expect(earlyStopDecision(-100, 300, model, opts).rule).toBe("below-min-cost");
    expect(shouldStopRun(-100, 300, model, opts)).toBe(false);
  });

  it("stops below the quantile line, not above it (hand-computed threshold 0.1·ln 500)", () => {
    const line = 0.1 * Math.log(500);
    const d = earlyStopDecision(line - 0.01, 500, model, opts);
    expect(d.rule).toBe("quantile");
    expect(d.threshold).toBeCloseTo(line, 14);
    expect(d.stop).toBe(true);
    expect(shouldStopRun(line + 0.01, 500, model, opts)).toBe(false);
  });

  it("late runs (cost > 1.2·U) must reach 0.9 of a positive best", () => {
    expect(earlyStopDecision(0.89, 1300, model, opts)).toEqual({ stop: true, threshold: 0.9, rule: "late" });
    expect(shouldStopRun(0.91, 1300, model, opts)).toBe(false);
    expect(shouldStopRun(0.89, 1200, model, opts)).toBe(false); // 1200 is not > 1.2·U; line is 0.709
  });

  it("is sign-safe: a negative best needs best − 10%·|best|, and minimize mirrors maximize", () => {
    const neg = { ...opts, bestScore: -10 };
    expect(earlyStopDecision(-10.5, 1300, model, neg)).toMatchObject({ stop: false, threshold: -11 });
    expect(shouldStopRun(-11.5, 1300, model, neg)).toBe(true);

    const minModel: LogCostQuantileModel = { ...model, goal: "minimize" };
    const minOpts = { ...opts, goal: "minimize" as const, bestScore: 2 };
    // loss must stay ≤ 2 + 0.2 = 2.2 on a late run
    expect(earlyStopDecision(2.1, 1300, minModel, minOpts)).toMatchObject({ stop: false, threshold: 2.2 });
    expect(shouldStopRun(2.3, 1300, minModel, minOpts)).toBe(true);
    // quantile rule: raw threshold is −(0.1·ln 500); a loss above it stops
    const d = earlyStopDecision(0, 500, minModel, minOpts);
    expect(d.threshold).toBeCloseTo(-0.1 * Math.log(500), 14);
    expect(d.stop).toBe(true);
    expect(shouldStopRun(-1, 500, minModel, minOpts)).toBe(false);
  });

  it("mirror property: (s, maximize) decides like (−s, minimize)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.double({ min: 1, max: 5000, noNaN: true }),
        fc.double({ min: -5, max: 5, noNaN: true }),
        (s, cost, best) => {
          const a = shouldStopRun(s, cost, model, { ...opts, bestScore: best });
          const b = shouldStopRun(-s, cost, { ...model, goal: "minimize" }, { ...opts, bestScore: -best, goal: "minimize" });
          expect(a).toBe(b);
        },
      ),
    );
  });

  it("NaN score or non-positive cost never stops; a goal mismatch throws", () => {
    expect(earlyStopDecision(Number.NaN, 500, model, opts).rule).toBe("invalid");
    expect(shouldStopRun(0, 0, model, { ...opts, minCost: -1 })).toBe(false);
    expect(() => shouldStopRun(0, 500, model, { ...opts, goal: "minimize" })).toThrow(/other goal/);
  });
});

describe("nextUpperCostThreshold", () => {
  it("takes the pruned front's max cost first, then grows by 1% while below it", () => {
    expect(nextUpperCostThreshold(null, 500)).toBe(500);
    expect(nextUpperCostThreshold(500, 800)).toBe(505);
    expect(nextUpperCostThreshold(500, 400)).toBe(500);
  });
});
