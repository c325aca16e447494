/**
 * The public surface: what a user imports from "protein-sweep" (src/index.ts) works on its own,
 * including the GP core without Protein (issue 3's public names).
 */
import { describe, expect, it } from "vitest";
import * as root from "../src/index";

describe("package root", () => {
  it("exports the nouns users reach for", () => {
    for (const name of [
      "Protein",
      "parseSweepConfig",
      "loadSweepConfig",
      "SearchSpace",
      "saveObservations",
      "loadObservations",
      "GaussianProcess",
      "cholesky",
      "choleskySolve",
      "solveLower",
      "solveLowerTranspose",
      "logDetFromCholesky",
      "inverseFromCholesky",
      "createRng",
      "ConfigError",
      "ObservationError",
      "NumericalError",
    ]) {
      expect(typeof (root as Record<string, unknown>)[name], name).toBe("function");
    }
  });

  it("a GaussianProcess from the root interpolates noise-free data and is uncertain far from it", () => {
    const gp = new root.GaussianProcess({ kernel: "matern52", dim: 1 });
    const X = Float64Array.of(-0.8, -0.2, 0.3, 0.9);
    const y = Float64Array.of(1, -0.5, 0.25, 2);
    gp.setData(X, y);
    gp.hyperparameters = { lengthscales: [0.5], outputScale: 1, noise: 1e-8, mean: 0 };
    const near = gp.predict(X, { variance: true });
    for (let i = 0; i < 4; i++) expect(near.mean[i]).toBeCloseTo(y[i], 5);
    const far = gp.predict(Float64Array.of(5), { variance: true });
    expect(far.variance![0]).toBeGreaterThan(100 * Math.max(...near.variance!));
  });

  it("cholesky and choleskySolve from the root solve an SPD system", () => {
    const A = Float64Array.of(4, 2, 2, 3);
    const { L } = root.cholesky(A, 2);
    const x = root.choleskySolve(L, 2, Float64Array.of(2, 1));
    expect(4 * x[0] + 2 * x[1]).toBeCloseTo(2, 12);
    expect(2 * x[0] + 3 * x[1]).toBeCloseTo(1, 12);
  });
});
