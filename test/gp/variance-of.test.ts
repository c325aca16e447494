/**
 * Variances of chosen rows only (`predictVarianceOf`) and the prior-variance bound (`priorVariance`): the
 * candidate search solves variances only for the candidates whose rating can still reach the top, and is exact
 * only if these give, bit for bit, what a full `predict` gives each row wherever it sits in the query array.
 */
import { describe, expect, it } from "vitest";
import { GaussianProcess } from "../../src/gp/index";
import { ObservationError } from "../../src/errors";
import { createRng } from "../../src/random/index";

const d = 5;

function fitted(n: number, seed: number, options: { linear: boolean; categoricalDims?: number[] }): GaussianProcess {
  const rng = createRng(seed);
  const X = Float64Array.from({ length: n * d }, () => rng.uniform(-1, 1));
  if (options.categoricalDims) for (let i = 0; i < n; i++) X[i * d + 4] = Math.floor(rng.random() * 3);
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(3 * X[i * d]) + X[i * d + 1] ** 2 + 0.01 * rng.normal());
  const gp = new GaussianProcess({ dim: d, kernel: "matern32", linear: options.linear, normalizeY: "standardize", ...(options.categoricalDims ? { categoricalDims: options.categoricalDims } : {}) });
  gp.setData(X, y);
  gp.fit({ method: "lbfgs", maxIterations: 15, rng });
  return gp;
}

function queries(q: number, seed: number, categorical: boolean): Float64Array {
  const rng = createRng(seed);
  const Xs = Float64Array.from({ length: q * d }, () => rng.uniform(-1.2, 1.2));
  if (categorical) for (let i = 0; i < q; i++) Xs[i * d + 4] = Math.floor(rng.random() * 3);
  return Xs;
}

describe("GaussianProcess.predictVarianceOf", () => {
  // q across the 256-row predict block, every q mod 4 (the last q mod 4 rows take another kernel), and q < 4.
  const cases: Array<[number, number, boolean]> = [
    [1, 70, true],
    [3, 70, false],
    [258, 70, true],
    [517, 131, true],
    [600, 131, false],
    [299, 64, true],
  ];
  for (const [q, n, linear] of cases) {
    it(`gives each chosen row the bits of a full predict (q = ${q}, n = ${n}, linear ${linear})`, () => {
      const gp = fitted(n, q + n, { linear });
      const Xs = queries(q, q, false);
      for (const includeNoise of [false, true]) {
        const full = gp.predict(Xs, { variance: true, includeNoise }).variance!;
        const rng = createRng(q);
        // Every row, in a shuffled order, and a few random subsets of odd sizes.
        const subsets = [rng.shuffle([...full.keys()])];
        for (const size of [1, 2, 5, 13, 77]) subsets.push(rng.shuffle([...full.keys()]).slice(0, Math.min(size, q)));
        subsets.push([...full.keys()].slice(Math.max(0, q - 3))); // the tail rows
        for (const rows of subsets) {
          const got = gp.predictVarianceOf(Xs, rows, { includeNoise });
          for (let t = 0; t < rows.length; t++) expect(Object.is(got[t], full[rows[t]])).toBe(true);
        }
      }
    });
  }

  it("works with categorical dimensions", () => {
    const gp = fitted(40, 5, { linear: false, categoricalDims: [4] });
    const Xs = queries(10, 6, true);
    const full = gp.predict(Xs, { variance: true }).variance!;
    const rows = [9, 0, 4, 8, 1];
    const got = gp.predictVarianceOf(Xs, rows);
    expect(Array.from(got)).toEqual(rows.map((r) => full[r]));
  });

  it("rejects a row index outside the query rows, naming it", () => {
    const gp = fitted(20, 1, { linear: false });
    const Xs = queries(4, 2, false);
    expect(() => gp.predictVarianceOf(Xs, [4])).toThrow(ObservationError);
    expect(() => gp.predictVarianceOf(Xs, [1.5])).toThrow(/rows/);
  });
});

describe("GaussianProcess.predictMeanAndVarianceBound", () => {
  it("gives predict's means bit for bit and bounds every posterior variance from above", () => {
    for (const [linear, cats] of [[false, false], [true, false], [true, true]] as const) {
      const gp = fitted(130, 9, { linear, ...(cats ? { categoricalDims: [4] } : {}) });
      const Xs = queries(300, 10, cats);
      // Some queries on top of training rows, where the posterior variance is smallest.
      const train = queries(130, 9, cats);
      Xs.set(train.subarray(0, 20 * d), 0);
      for (const includeNoise of [false, true]) {
        const full = gp.predict(Xs, { variance: true, includeNoise });
        for (const neighbours of [1, 8, 200]) {
          const { mean, varianceBound } = gp.predictMeanAndVarianceBound(Xs, { includeNoise, neighbours });
          for (let i = 0; i < 300; i++) {
            expect(Object.is(mean[i], full.mean[i])).toBe(true);
            expect(varianceBound[i]).toBeGreaterThanOrEqual(full.variance![i]);
          }
        }
      }
    }
  });

  it("is tighter with more neighbours, and close to the posterior variance with all rows", () => {
    const gp = fitted(200, 4, { linear: true });
    const Xs = queries(100, 5, false);
    const post = gp.predict(Xs, { variance: true, includeNoise: false }).variance!;
    const gap = (k: number): number => {
      const b = gp.predictMeanAndVarianceBound(Xs, { includeNoise: false, neighbours: k }).varianceBound;
      let s = 0;
      for (let i = 0; i < 100; i++) s += b[i] - post[i];
      return s;
    };
    expect(gap(16)).toBeLessThan(gap(1));
    expect(gap(200)).toBeLessThan(gap(16));
    // All rows as neighbours: the posterior variance itself up to the slack (1e-6 of the prior variance).
    let mean = 0;
    for (let i = 0; i < 100; i++) mean += post[i] / 100;
    expect(gap(200) / 100).toBeLessThan(0.05 * mean);
  });

  it("stays valid when the data grows and shrinks at the end with the hyperparameters kept (the kept factor's path)", () => {
    const rng = createRng(21);
    const X = Float64Array.from({ length: 200 * d }, () => rng.uniform(-1, 1));
    const y = Float64Array.from({ length: 200 }, (_, i) => Math.cos(2 * X[i * d + 2]) + X[i * d]);
    const gp = new GaussianProcess({ dim: d, kernel: "matern52", linear: true, normalizeY: "none" });
    gp.setData(X.subarray(0, 90 * d), y.subarray(0, 90));
    gp.fit({ method: "lbfgs", maxIterations: 10 });
    const Xs = queries(64, 22, false);
    // 90 → 91 → 95 → 93 → 150 (outgrows the buffers) → 149: every step keeps rows of the previous factor.
    for (const n of [91, 95, 93, 150, 149]) {
      gp.setData(X.subarray(0, n * d), y.subarray(0, n));
      const post = gp.predict(Xs, { variance: true, includeNoise: false }).variance!;
      expect(gp.lastFactorReusedRows).toBeGreaterThan(0);
      const { varianceBound } = gp.predictMeanAndVarianceBound(Xs, { includeNoise: false, neighbours: n });
      const empty = new GaussianProcess({ dim: d, kernel: "matern52", linear: true, normalizeY: "none" });
      empty.setLogParams(gp.getLogParams());
      const prior = empty.predict(Xs, { variance: true, includeNoise: false }).variance!;
      for (let i = 0; i < 64; i++) {
        expect(varianceBound[i]).toBeGreaterThanOrEqual(post[i]);
        // All rows as neighbours: the posterior variance plus the slack (1e-6 of the prior variance); from a
        // stale K it would be far off (or fall back to the prior).
        expect(varianceBound[i] - post[i]).toBeLessThan(1.5e-6 * prior[i]);
      }
    }
  });
});
