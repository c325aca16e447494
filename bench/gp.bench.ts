/**
 * GP benchmarks: kernel matrix, one LML+gradient evaluation, a full fit (cold, from the defaults) and a
 * warm-started refit after one new point, at n = 100, 300, 750 (d = 10); predict of 10,000 candidates at n = 750
 * with and without variance; and a "suggest-like" step (warm refit + predict 3000 candidates with variance) at
 * n = 100 and 300, the budget Protein's suggest has (≤ 150 ms at n = 100, ≤ 1 s at n = 300).
 *
 * Run: npx vitest bench --run bench/gp.bench.ts
 * Inputs come from a seeded generator outside the timed bodies; results feed `sink`. Results: docs/benchmarks.md.
 */
import { afterAll, bench, describe } from "vitest";
import { GaussianProcess, ScaledKernel, StationaryKernel, kernelMatrix } from "../src/gp/index";
import { createRng } from "../src/random/index";
import { smoothProblem, uniformRows } from "./gp-problem";

const D = 10;
let sink = 0;
afterAll(() => {
  if (sink === 42.4242) console.log(sink); // keep the work observable
});

/** Protein-like scores: 4 important and 6 weak dimensions, plus noise. */
const problem = (n: number, seed: number) => smoothProblem(n, D, 4, createRng(seed));
const candidates = (q: number, seed: number) => uniformRows(q, D, createRng(seed));

const SLOW = { time: 0, iterations: 3, warmupIterations: 1, warmupTime: 0 };
const MEDIUM = { time: 500, iterations: 5, warmupIterations: 1 };

describe("gp:kernel", () => {
  const n = 750;
  const { X } = problem(n, 1);
  const K = new Float64Array(n * n);
  for (const type of ["matern52", "matern32", "rbf"] as const) {
    const k = new ScaledKernel(new StationaryKernel(type, D));
    bench(`gp:kernelMatrix:${type}:n=${n},d=${D}`, () => {
      kernelMatrix(k, X, n, K);
      sink += K[n + 1];
    }, MEDIUM);
  }
});

describe("gp:lml+gradient", () => {
  for (const n of [100, 300, 750]) {
    const { X, y } = problem(n, 2);
    const gp = new GaussianProcess({ dim: D, kernel: "matern32", linear: true });
    gp.setData(X, y);
    const theta = gp.getLogParams();
    bench(`gp:lml+grad:n=${n},d=${D}`, () => {
      gp.setLogParams(theta); // invalidates the factor: a full evaluation each time
      sink += gp.logMarginalLikelihoodGradient()[0];
    }, n === 750 ? SLOW : MEDIUM);
  }
});

describe("gp:fit", () => {
  for (const n of [100, 300, 750]) {
    const { X, y } = problem(n, 3);
    const gp = new GaussianProcess({ dim: D, kernel: "matern32", linear: true, normalizeY: "minmax" });
    bench(`gp:fit:cold:n=${n},d=${D}`, () => {
      gp.setData(X, y);
      const r = gp.fit({ warmStart: false });
      sink += r.lml;
    }, SLOW);
    // Warm: fitted on n − 1 points, then one point arrives (what Protein's suggest does every time).
    const warm = new GaussianProcess({ dim: D, kernel: "matern32", linear: true, normalizeY: "minmax" });
    warm.setData(X.subarray(0, (n - 1) * D), y.subarray(0, n - 1));
    warm.fit({ maxIterations: 200 });
    const start = warm.getLogParams();
    bench(`gp:fit:warm:n=${n},d=${D}`, () => {
      warm.setLogParams(start);
      warm.setData(X, y);
      sink += warm.fit().lml;
    }, SLOW);
  }
});

describe("gp:predict", () => {
  const n = 750;
  const { X, y } = problem(n, 4);
  const gp = new GaussianProcess({ dim: D, kernel: "matern32", linear: true });
  gp.setData(X, y);
  gp.logMarginalLikelihood(); // factor once, outside the timed body
  const Xs = candidates(10_000, 5);
  bench(`gp:predict:mean:q=10000,n=${n},d=${D}`, () => {
    sink += gp.predict(Xs).mean[0];
  }, SLOW);
  bench(`gp:predict:mean+variance:q=10000,n=${n},d=${D}`, () => {
    sink += gp.predict(Xs, { variance: true }).variance![0];
  }, SLOW);
});

describe("gp:suggest-like (warm refit + predict 3000 with variance)", () => {
  for (const n of [100, 300]) {
    const { X, y } = problem(n, 6);
    const gp = new GaussianProcess({ dim: D, kernel: "matern32", linear: true, normalizeY: "minmax" });
    gp.setData(X.subarray(0, (n - 1) * D), y.subarray(0, n - 1));
    gp.fit({ maxIterations: 200 });
    const start = gp.getLogParams();
    const Xs = candidates(3000, 7);
    bench(`gp:suggest-like:n=${n},d=${D},q=3000`, () => {
      gp.setLogParams(start);
      gp.setData(X, y);
      gp.fit();
      sink += gp.predict(Xs, { variance: true }).mean[0];
    }, SLOW);
  }
});
