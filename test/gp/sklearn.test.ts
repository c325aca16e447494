/**
 * Agreement with scikit-learn (fixtures from tools/make-gp-fixtures.py): with fixed hyperparameters the log
 * marginal likelihood, its gradient, and the posterior mean / standard deviation agree to 1e-8 relative
 * (1e-10 absolute near zero). The fit comparison is in sklearn-fit.test.ts.
 */
import { describe, expect, it } from "vitest";
import { GaussianProcess } from "../../src/gp/index";
import { fixture, type Case, type Dataset } from "./fixture";

const REL = 1e-8;
const ABS = 1e-10;
function close(actual: number, expected: number, what: string): void {
  const err = Math.abs(actual - expected);
  if (!(err <= REL * Math.abs(expected) + ABS)) {
    throw new Error(`${what}: got ${actual}, expected ${expected} (|diff| ${err.toExponential(2)})`);
  }
}

function makeGp(ds: Dataset, c: Case, priors = false): GaussianProcess {
  const gp = new GaussianProcess({
    dim: ds.d,
    kernel: c.kernel,
    linear: c.linear,
    normalizeY: "none",
    priors,
    fitMean: false,
    hyperparameters: { ...c.hyperparameters, mean: 0 },
  });
  gp.setData(Float64Array.from(ds.X), Float64Array.from(ds.y));
  return gp;
}

describe("GP vs scikit-learn, fixed hyperparameters", () => {
  it("fixture has a generator and datasets", () => {
    expect(fixture.generator).toContain("make-gp-fixtures.py");
    expect(fixture.datasets.length).toBeGreaterThanOrEqual(8);
  });
  for (const ds of fixture.datasets) {
    for (const c of ds.cases) {
      it(`${ds.name} ${c.kernel}${c.linear ? "+linear" : ""}: LML, gradient, mean, std`, () => {
        const gp = makeGp(ds, c);
        close(gp.logMarginalLikelihood(), c.lml, "LML");
        const g = gp.logMarginalLikelihoodGradient();
        // Ours: [log σ_f, log ℓ…, (log c, log b,) log σ_n², m]; sklearn's (mapped): [log σ_f, log ℓ…, (log b,) log σ_n²].
        const ours = Array.from(g.subarray(0, g.length - 1));
        if (c.linear) ours.splice(1 + ds.d, 1); // drop log c (sklearn's DotProduct has no scale)
        expect(ours.length).toBe(c.gradient.length);
        ours.forEach((v, i) => close(v, c.gradient[i], `gradient[${i}] (${gp.paramNames[i]})`));
        const { mean, variance } = gp.predict(Float64Array.from(ds.Xtest), { variance: true });
        c.mean.forEach((m, i) => close(mean[i], m, `mean[${i}]`));
        c.std.forEach((s, i) => close(Math.sqrt(variance![i]), s, `std[${i}]`));
      });
    }
  }
});
