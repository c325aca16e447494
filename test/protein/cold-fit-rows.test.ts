/**
 * coldFitRows: a cold GP fit on more rows than the setting fits to convergence on a seeded subset, then refits once
 * (warm, capped) on all rows. Below the threshold nothing changes; above it the fit reaches nearly the likelihood of
 * a full cold fit.
 */
import { describe, expect, it } from "vitest";
import { Protein } from "../../src/protein";
import { parseSweepConfig } from "../../src/config";
import { config, observeRandom } from "../../bench/suggest-setup";

function firstSuggest(n: number, coldFitRows: number | undefined, steps = 1) {
  const p = new Protein(config, { seed: 1, numRandomSamples: 10, ...(coldFitRows === undefined ? {} : { coldFitRows }) });
  observeRandom(p, n);
  const out = [];
  for (let i = 0; i < steps; i++) {
    const s = p.suggest();
    out.push(s);
    p.abandon(s.id);
  }
  return out;
}

describe("coldFitRows", () => {
  it("changes nothing while the training set has at most coldFitRows rows (the default 200 against 0 = all rows cold)", () => {
    const a = firstSuggest(40, undefined, 2);
    const b = firstSuggest(40, 0, 2);
    expect(a.map((s) => s.params)).toEqual(b.map((s) => s.params));
    expect(a.map((s) => s.info)).toEqual(b.map((s) => s.info));
  });

  it("above it, fits a subset cold and all rows warm: the likelihood on all rows is within 0.1 nats of a full cold fit", () => {
    const [full] = firstSuggest(60, 0);
    const [subset] = firstSuggest(60, 20);
    expect(subset.info.scoreModel?.observations).toBe(full.info.scoreModel?.observations);
    expect(subset.info.scoreModel?.refitted).toBe(true);
    // The subset fit draws from the sweep's generator, so the two sweeps are different runs.
    expect(subset.params).not.toEqual(full.params);
    expect(Math.abs(subset.info.scoreModel!.logMarginalLikelihood - full.info.scoreModel!.logMarginalLikelihood)).toBeLessThan(0.1);
    expect(Math.abs(subset.info.costModel!.logMarginalLikelihood - full.info.costModel!.logMarginalLikelihood)).toBeLessThan(0.1);
  });

  it("a negative cold_fit_rows is a config error naming the key, the value and what is allowed", () => {
    expect(() => parseSweepConfig({ sweep: { ...config.sweep, protein: { cold_fit_rows: -1 } } })).toThrow(
      /setting cold_fit_rows is invalid[\s\S]*key: sweep\.protein\.cold_fit_rows[\s\S]*got: -1[\s\S]*allowed: an integer ≥ 0/,
    );
  });
});
