/**
 * A prior from an earlier phase must help: on a synthetic problem, a 20-trial phase 2
 * that loads phase 1's observations reaches a better median best value (10 seeds) than
 * the same phase 2 started from nothing. Phase 2 narrows the timestep range, so part of
 * the prior lies outside it (kept, not clamped).
 */
import { describe, expect, it } from "vitest";
import { Protein } from "../../src/protein";

const config = (stepsMin: number, stepsMax: number) => ({
  sweep: {
    metric: "score",
    goal: "maximize",
    parameters: {
      lr: { distribution: "log_normal", min: 1e-5, max: 1e-1 },
      wd: { distribution: "log_normal", min: 1e-6, max: 1e-1 },
      dropout: { distribution: "uniform", min: 0, max: 0.6 },
      warmup: { distribution: "uniform", min: 0, max: 1 },
      beta2: { distribution: "logit_normal", min: 0.9, max: 0.9999 },
      width: { distribution: "uniform_pow2", min: 32, max: 4096 },
      steps: { distribution: "log_normal", min: stepsMin, max: stepsMax },
    },
  },
});
type P = { lr: number; wd: number; dropout: number; warmup: number; beta2: number; width: number; steps: number };
/** A smooth 7-parameter score with an lr × width interaction; maximum 0.3·log10(steps) at the best point. */
const f = (p: P) =>
  -((Math.log10(p.lr) + 2.7 + 0.15 * (Math.log2(p.width) - 9)) ** 2) -
  0.5 * (Math.log10(p.wd) + 3.4) ** 2 -
  4 * (p.dropout - 0.17) ** 2 -
  2 * (p.warmup - 0.62) ** 2 -
  0.5 * (Math.log10(1 - p.beta2) + 2.5) ** 2 -
  0.05 * (Math.log2(p.width) - 9) ** 2 +
  0.3 * Math.log10(p.steps);

function sweep(protein: Protein, n: number): number {
  let best = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const { params } = protein.suggest();
    const score = f(params as unknown as P);
    protein.observe(params, score, (params as unknown as P).steps / 1e6);
    best = Math.max(best, score);
  }
  return best;
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];

describe("loading a prior phase", () => {
  it("improves the median best value after 20 phase-2 trials (10 seeds)", () => {
    const withPrior: number[] = [];
    const without: number[] = [];
    for (let seed = 0; seed < 10; seed++) {
      const phase1 = new Protein(config(1e6, 1e8), { seed: 100 + seed });
      sweep(phase1, 30);
      const a = new Protein(config(1e7, 3e8), { seed: 200 + seed });
      const report = a.loadPrior([...phase1.observations]);
      expect(report.loaded).toBe(30);
      withPrior.push(sweep(a, 20));
      without.push(sweep(new Protein(config(1e7, 3e8), { seed: 200 + seed }), 20));
    }
    // Stated margin: the prior's median best is higher by at least 0.2 (the score's
    // range over the box is about 20).
    console.log(`median best after 20 trials: with prior ${median(withPrior).toFixed(4)}, without ${median(without).toFixed(4)} (optimum ${(0.3 * Math.log10(3e8)).toFixed(4)})`);
    expect(median(withPrior) - median(without)).toBeGreaterThan(0.2);
  });
});
