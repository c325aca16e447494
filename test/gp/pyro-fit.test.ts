/**
 * The "pyro" fit against pyro itself: test/fixtures/pyro-fit.json holds pyro 1.8.6's GPRegression with the Python
 * Protein's kernel, trained by gp.util.train (torch Adam, float64) on seeded data, twice in a row with more rows the
 * second time (tools/make-pyro-fit-fixtures.py; the command is in the fixture). The same two fits here must land
 * on the same parameters and loss.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GaussianProcess } from "../../src/gp";

interface PyroParams {
  linearVariance: number;
  bias: number;
  maternVariance: number;
  lengthscales: number[];
  noise: number;
}
interface PyroCase {
  name: string;
  d: number;
  X: number[][];
  f: number[];
  jitter: number;
  learningRate: number;
  steps: number;
  initialNoise: number;
  noisePrior: boolean;
  fits: Array<{ n: number; params: PyroParams; loss: number }>;
}

const fixture = JSON.parse(readFileSync(new URL("../fixtures/pyro-fit.json", import.meta.url), "utf8")) as { cases: PyroCase[] };
const NOISE_PRIOR = { mu: Math.log(1e-2), sigma: 0.5 };

/** pyro's parameters read back from our hyperparameters (σ_f = σ_m, c = σ_p/σ_m, b = σ_p·b_p/σ_m, σ_n² = v + jitter). */
function asPyro(gp: GaussianProcess, jitter: number): PyroParams {
  const h = gp.hyperparameters;
  const linearVariance = (h.linearScale as number) * h.outputScale;
  return { linearVariance, bias: (h.offset as number) * (h.outputScale / linearVariance), maternVariance: h.outputScale, lengthscales: h.lengthscales, noise: h.noise - jitter };
}

function standardized(f: number[]): Float64Array {
  const n = f.length;
  const mean = f.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(f.reduce((a, b) => a + (b - mean) ** 2, 0) / n) + 1e-12;
  return Float64Array.from(f, (v) => (v - mean) / sd);
}

function expectClose(actual: number, expected: number, rel: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-9);
}

describe('GaussianProcess.fit({ method: "pyro" }) reproduces pyro\'s GPRegression + gp.util.train', () => {
  for (const c of fixture.cases) {
    it(`${c.name}: parameters and loss after each of two warm fits`, () => {
      const gp = new GaussianProcess({ dim: c.d, kernel: "matern32", linear: true, normalizeY: "none", priors: false, fitMean: false });
      for (const fit of c.fits) {
        gp.setData(Float64Array.from(c.X.slice(0, fit.n).flat()), standardized(c.f.slice(0, fit.n)));
        const result = gp.fit({
          method: "pyro",
          steps: c.steps,
          pyro: { learningRate: c.learningRate, jitter: c.jitter, initialNoise: c.initialNoise, noisePrior: c.noisePrior ? NOISE_PRIOR : null },
        });
        expect(result.fellBack).toBe(false);
        expect(result.iterations).toBe(c.steps);
        const got = asPyro(gp, c.jitter);
        const want = fit.params;
        expectClose(got.linearVariance, want.linearVariance, 1e-5);
        expectClose(got.bias, want.bias, 1e-5);
        expectClose(got.maternVariance, want.maternVariance, 1e-5);
        got.lengthscales.forEach((l, j) => expectClose(l, want.lengthscales[j], 1e-5));
        expectClose(got.noise, want.noise, 1e-5);
        let loss = -gp.logMarginalLikelihood();
        if (c.noisePrior) {
          // −log LogNormal(v; μ, σ): the density of v, as pyro's MAP noise site scores it.
          const z = (Math.log(got.noise) - NOISE_PRIOR.mu) / NOISE_PRIOR.sigma;
          loss += 0.5 * z * z + Math.log(got.noise) + Math.log(NOISE_PRIOR.sigma) + 0.5 * Math.log(2 * Math.PI);
        }
        expectClose(loss, fit.loss, 1e-6);
      }
    });
  }

  it("keeps its parameters and Adam moments in the fit state, so a restored GP continues identically", () => {
    const c = fixture.cases[0];
    const options = { method: "pyro" as const, steps: 30, pyro: { learningRate: c.learningRate, jitter: c.jitter } };
    const make = (): GaussianProcess => new GaussianProcess({ dim: c.d, kernel: "matern32", linear: true, normalizeY: "none", priors: false, fitMean: false });
    const a = make();
    a.setData(Float64Array.from(c.X.slice(0, 12).flat()), standardized(c.f.slice(0, 12)));
    a.fit(options);
    const b = make();
    b.setFitState(JSON.parse(JSON.stringify(a.getFitState())));
    for (const gp of [a, b]) {
      gp.setData(Float64Array.from(c.X.slice(0, 20).flat()), standardized(c.f.slice(0, 20)));
      gp.fit(options);
    }
    expect(Array.from(b.getLogParams())).toEqual(Array.from(a.getLogParams()));
    expect(b.getFitState().pyro).toEqual(a.getFitState().pyro);
  });

  it("refuses a GP without the linear term, naming the fix", () => {
    const gp = new GaussianProcess({ dim: 2, kernel: "matern32" });
    gp.setData(Float64Array.of(0, 0, 1, 1), Float64Array.of(0, 1));
    expect(() => gp.fit({ method: "pyro" })).toThrow(/linear: true/);
  });
});
