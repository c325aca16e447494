/**
 * The fit-vs-scikit-learn cases, shared by sklearn-fit.test.ts (n < 200) and sklearn-fit-large.test.ts (n ≥ 200),
 * which are separate files so that vitest runs them in parallel, each under ~10 s.
 */
import { describe, expect, it } from "vitest";
import { GaussianProcess } from "../../src/gp/index";
import { createRng } from "../../src/random/index";
import { fixture, type Dataset } from "./fixture";

/**
 * For every fixture dataset `select` keeps and every kernel case sklearn fitted: our LML at sklearn's optimum equals
 * sklearn's, and a fit without priors from sklearn's starting point reaches at least sklearn's fitted LML − 1e-4.
 */
export function describeSklearnFit(title: string, select: (ds: Dataset) => boolean): void {
  describe(title, () => {
    for (const ds of fixture.datasets.filter(select)) {
      for (const c of ds.cases) {
        if (!c.fitted) continue;
        const target = c.fitted;
        it(`${ds.name} ${c.kernel}: our LML at sklearn's optimum matches, fit reaches ≥ sklearn − 1e-4`, () => {
          const gp = new GaussianProcess({ dim: ds.d, kernel: c.kernel, normalizeY: "none", priors: false, fitMean: false });
          gp.setData(Float64Array.from(ds.X), Float64Array.from(ds.y));
          gp.hyperparameters = { ...gp.hyperparameters, ...target, mean: 0 };
          expect(Math.abs(gp.logMarginalLikelihood() - target.lml)).toBeLessThanOrEqual(1e-6 * Math.abs(target.lml) + 1e-8);
          // From sklearn's starting point (scale 1, ℓ 1, noise 1e-2), with SciPy's tolerances (as sklearn runs
          // L-BFGS-B), then restarts only if needed.
          gp.hyperparameters = { lengthscales: new Array(ds.d).fill(1), outputScale: 1, noise: 1e-2, mean: 0 };
          const tol = { maxIterations: 200, ftol: 2.2e-9, gtol: 1e-5 };
          let res = gp.fit(tol);
          if (res.lml < target.lml - 1e-4) {
            res = gp.fit({ ...tol, restarts: 6, rng: createRng(7) });
          }
          expect(res.fellBack).toBe(false);
          expect(res.lml).toBeGreaterThanOrEqual(target.lml - 1e-4);
          expect(gp.logMarginalLikelihood()).toBeCloseTo(res.lml, 8);
        });
      }
    }
  });
}
