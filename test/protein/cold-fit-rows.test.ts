/**
 * coldFitRows: a cold GP fit on more rows than the setting fits to convergence on a seeded subset, then refits once
 * (warm, capped) on all rows. Below the threshold nothing changes; above it the fit reaches nearly the likelihood of
 * a full cold fit.
 */
import { describe, expect, it } from "vitest";
import { Protein } from "../../src/protein";
import { parseSweepConfig } from "../../src/config";
import { config, observeRandom, suggestionsAfterRandom } from "../../bench/suggest-setup";
import type { ProteinOptions } from "../../src/settings";

function firstSuggest(n: number, coldFitRows: number | undefined, steps = 1, more: ProteinOptions = {}) {
  return suggestionsAfterRandom(n, { seed: 1, ...(coldFitRows === undefined ? {} : { coldFitRows }), ...more }, steps);
}

describe("coldFitRows", () => {
  it("changes nothing while the training set has at most coldFitRows rows (the default 200 against 0 = all rows cold)", () => {
    const a = firstSuggest(40, undefined, 2);
    const b = firstSuggest(40, 0, 2);
    expect(a.map((s) => s.params)).toEqual(b.map((s) => s.params));
    expect(a.map((s) => s.info)).toEqual(b.map((s) => s.info));
  });

  it("above it, with coldRefitSlice 0, fits a subset cold and all rows warm at once: the likelihood on all rows is within 0.1 nats of a full cold fit", () => {
    // Under a constant prior mean. With the default's trend toward the faces a 20-row subset pins the trend poorly
    // and the capped refit ends short on this toy (1.4 nats at 60 rows; 13 nats with a 30-row subset, 0.01 at 80
    // rows), while at the setting's own scale it does as well as under the constant mean: 0.06 nats above the full
    // cold fit at 260 rows, 1.1 nats below it at 400 (constant: 0.06 above, 0.9 below; docs/benchmarks.md, "Issue
    // 14, stop 23").
    const [full] = firstSuggest(60, 0, 1, { scoreMean: "constant" });
    const [subset] = firstSuggest(60, 20, 1, { coldRefitSlice: 0, scoreMean: "constant" });
    expect(subset.info.scoreModel?.observations).toBe(full.info.scoreModel?.observations);
    expect(subset.info.scoreModel?.refitted).toBe(true);
    // The subset fit draws from the sweep's generator, so the two sweeps are different runs.
    expect(subset.params).not.toEqual(full.params);
    expect(Math.abs(subset.info.scoreModel!.logMarginalLikelihood - full.info.scoreModel!.logMarginalLikelihood)).toBeLessThan(0.1);
    expect(Math.abs(subset.info.costModel!.logMarginalLikelihood - full.info.costModel!.logMarginalLikelihood)).toBeLessThan(0.1);
  });

  it("with coldRefitSlice k, the first suggestion uses the subset's fit and the refit on all rows follows k iterations a call", () => {
    // Without output warping: under "auto" the transform is chosen on the subset's fit, so the spread refit may climb
    // towards another transform's optimum than the one-call refit's (the mechanism is the same for each GP).
    const [once] = firstSuggest(130, 40, 1, { coldRefitSlice: 0, outputWarping: "none" });
    const spread = firstSuggest(130, 40, 12, { coldRefitSlice: 5, outputWarping: "none" });
    const lml = spread.map((s) => s.info.scoreModel!.logMarginalLikelihood);
    const target = once.info.scoreModel!.logMarginalLikelihood;
    // The subset's hyperparameters first, well below the refitted likelihood; the slices climb to it and stop.
    expect(lml[0]).toBeLessThan(target - 1);
    expect(lml[1]).toBeGreaterThan(lml[0]);
    expect(Math.abs(lml[lml.length - 1] - target)).toBeLessThan(0.1);
    expect(Math.abs(spread[11].info.costModel!.logMarginalLikelihood - once.info.costModel!.logMarginalLikelihood)).toBeLessThan(0.1);
    expect(spread.slice(0, 3).every((s) => s.info.scoreModel?.refitted)).toBe(true);
    expect(spread[11].info.scoreModel?.refitted).toBe(false);
  });

  it("a snapshot in the middle of a spread refit resumes it: the same suggestions as without the snapshot", () => {
    const options = { seed: 1, numRandomSamples: 10, coldFitRows: 40, coldRefitSlice: 5 };
    const run = (restoreAt: number): unknown[] => {
      let p = new Protein(config, options);
      observeRandom(p, 130);
      const out: unknown[] = [];
      for (let i = 0; i < 5; i++) {
        if (i === restoreAt) {
          const snap = p.snapshot();
          expect(snap.gp.refitLeft).toBeDefined();
          p = Protein.restore(JSON.parse(JSON.stringify(snap)));
        }
        const s = p.suggest();
        out.push({ params: s.params, info: s.info });
        p.abandon(s.id);
      }
      return out;
    };
    expect(run(2)).toEqual(run(-1));
  });

  it("a negative cold_refit_slice is a config error naming the key", () => {
    expect(() => parseSweepConfig({ sweep: { ...config.sweep, protein: { cold_refit_slice: -1 } } })).toThrow(/cold_refit_slice[\s\S]*allowed: an integer ≥ 0/);
  });

  it("a negative cold_fit_rows is a config error naming the key, the value and what is allowed", () => {
    expect(() => parseSweepConfig({ sweep: { ...config.sweep, protein: { cold_fit_rows: -1 } } })).toThrow(
      /setting cold_fit_rows is invalid[\s\S]*key: sweep\.protein\.cold_fit_rows[\s\S]*got: -1[\s\S]*allowed: an integer ≥ 0/,
    );
  });
});
