/**
 * GaussianProcess behaviour: analytic LML gradients vs finite differences (every kernel, linear term,
 * categorical dims, priors, mean), output normalization, the n = 0 / n = 1 / degenerate cases, no NaN or
 * infinity out of fit/predict, warm start, fallback, Adam mode, and block-size independence of predict.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError, ObservationError } from "../../src/errors";
import { GaussianProcess, PREDICT_BLOCK, type GaussianProcessOptions } from "../../src/gp/index";
import { createRng } from "../../src/random/index";

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function makeData(n: number, d: number, rnd: () => number, cats: number[] = [], spread = 1) {
  const X = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = cats.includes(j) ? Math.floor(rnd() * 3) : spread * (2 * rnd() - 1);
      X[i * d + j] = v;
      s += Math.sin(1.3 * v + j);
    }
    y[i] = s + 0.1 * (rnd() - 0.5);
  }
  return { X, y };
}

function allFinite(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

const KERNELS = ["matern52", "matern32", "rbf"] as const;

describe("LML gradient vs central finite differences", () => {
  for (const kernel of KERNELS) {
    for (const linear of [false, true]) {
      for (const categorical of [false, true]) {
        for (const priors of [false, true]) {
          const name = `${kernel}${linear ? " +linear" : ""}${categorical ? " +categorical" : ""}${priors ? " +priors" : ""}`;
          it(name, () => {
            fc.assert(
              fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 2, max: 10 }), fc.integer({ min: 1, max: 4 }), (seed, n, d) => {
                const rnd = lcg(seed);
                const cats = categorical ? [d - 1] : [];
                const gp = new GaussianProcess({ dim: d, kernel, linear, categoricalDims: cats, priors, normalizeY: "standardize" });
                const { X, y } = makeData(n, d, rnd, cats);
                gp.setData(X, y);
                const P = gp.paramNames.length;
                const theta = new Float64Array(P);
                for (let p = 0; p < P; p++) theta[p] = rnd() * 2 - 1;
                theta[gp.paramNames.indexOf("log noise")] = -3 + 2 * rnd(); // noise in [e⁻³, e⁻¹]
                gp.setLogParams(theta);
                const g = gp.logMarginalLikelihoodGradient({ includePriors: priors });
                const h = 1e-5;
                for (let p = 0; p < P; p++) {
                  const tp = theta.slice();
                  const tm = theta.slice();
                  tp[p] += h;
                  tm[p] -= h;
                  gp.setLogParams(tp);
                  const fp = gp.logMarginalLikelihood({ includePriors: priors });
                  gp.setLogParams(tm);
                  const fm = gp.logMarginalLikelihood({ includePriors: priors });
                  const fd = (fp - fm) / (2 * h);
                  if (!(Math.abs(g[p] - fd) <= 1e-5 * (1 + Math.abs(fd)))) {
                    throw new Error(`${gp.paramNames[p]}: analytic ${g[p]}, finite difference ${fd}`);
                  }
                }
              }),
              { numRuns: 12 },
            );
          });
        }
      }
    }
  }
});

describe("output normalization", () => {
  for (const normalizeY of ["standardize", "minmax", "none"] as const) {
    it(`${normalizeY}: predictions are in the caller's units (affine equivariance)`, () => {
      const rnd = lcg(11);
      const { X, y } = makeData(15, 2, rnd);
      const a = new GaussianProcess({ dim: 2, normalizeY, hyperparameters: { noise: 0.05 } });
      a.setData(X, y);
      const b = new GaussianProcess({ dim: 2, normalizeY, hyperparameters: { noise: 0.05 } });
      b.setData(X, y.map((v) => 1000 + 7 * v));
      const Xs = makeData(5, 2, rnd).X;
      const pa = a.predict(Xs, { variance: true });
      const pb = b.predict(Xs, { variance: true });
      if (normalizeY === "none") return; // the mean 0 prior is not equivariant without normalization
      for (let i = 0; i < 5; i++) {
        expect(pb.mean[i]).toBeCloseTo(1000 + 7 * pa.mean[i], 8);
        expect(pb.variance![i]).toBeCloseTo(49 * pa.variance![i], 8);
      }
    });
  }

  it("minmax maps y to [0, 1] and standardize to mean 0, sd 1", () => {
    const X = Float64Array.of(0, 1, 2, 3);
    const y = Float64Array.of(2, 4, 6, 10);
    const mm = new GaussianProcess({ dim: 1, normalizeY: "minmax" });
    mm.setData(X, y);
    expect(mm.outputTransform).toEqual({ shift: 2, scale: 8 });
    const st = new GaussianProcess({ dim: 1, normalizeY: "standardize" });
    st.setData(X, y);
    expect(st.outputTransform.shift).toBeCloseTo(5.5, 14);
    expect(st.outputTransform.scale).toBeCloseTo(Math.sqrt((3.5 ** 2 + 1.5 ** 2 + 0.5 ** 2 + 4.5 ** 2) / 4), 14);
  });
});

describe("degenerate data never produce NaN or infinity", () => {
  it("n = 0: predict returns the prior, LML 0, fit is a no-op", () => {
    const gp = new GaussianProcess({ dim: 3, hyperparameters: { outputScale: 2, noise: 0.1, mean: 0 } });
    gp.setData(new Float64Array(0), new Float64Array(0));
    const p = gp.predict(Float64Array.of(0, 0, 0, 5, 5, 5), { variance: true });
    expect(Array.from(p.mean)).toEqual([0, 0]);
    expect(p.variance![0]).toBeCloseTo(2.1, 14);
    expect(p.variance![1]).toBeCloseTo(2.1, 14);
    expect(gp.logMarginalLikelihood()).toBe(0);
    const r = gp.fit();
    expect(r.fellBack).toBe(false);
    expect(r.iterations).toBe(0);
  });

  it("n = 0 with the linear term: prior variance σ_f(c·x·x + b + 1) + σ_n²", () => {
    const gp = new GaussianProcess({ dim: 2, linear: true, hyperparameters: { outputScale: 1, noise: 0.01, linearScale: 1, offset: 1 } });
    const p = gp.predict(Float64Array.of(1, 2), { variance: true });
    expect(p.variance![0]).toBeCloseTo(5 + 1 + 1 + 0.01, 12);
  });

  it("n = 1, constant outputs, all duplicates, for every normalization", () => {
    for (const normalizeY of ["standardize", "minmax", "none"] as const) {
      for (const [X, y] of [
        [Float64Array.of(0.3, -0.2), Float64Array.of(5)],
        [Float64Array.of(0, 0, 1, 1, 0.5, -1, 0, 0), Float64Array.of(3, 3, 3, 3)],
        [Float64Array.of(0.1, 0.1, 0.1, 0.1, 0.1, 0.1), Float64Array.of(1, 2, 3)],
      ] as const) {
        const gp = new GaussianProcess({ dim: 2, normalizeY });
        gp.setData(X, y);
        const r = gp.fit({ maxIterations: 30 });
        expect(Number.isFinite(r.lml)).toBe(true);
        const p = gp.predict(Float64Array.of(0, 0, 0.1, 0.1, 10, -10), { variance: true });
        expect(allFinite(p.mean)).toBe(true);
        expect(allFinite(p.variance!)).toBe(true);
        for (const v of p.variance!) expect(v).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it("property: random degenerate designs (duplicates, huge coordinates, d up to 50, near-singular) stay finite", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 1, max: 25 }),
        fc.integer({ min: 1, max: 50 }),
        fc.constantFrom(1, 1e3, 1e5),
        fc.boolean(),
        fc.constantFrom(...KERNELS),
        fc.constantFrom("standardize", "minmax", "none"),
        (seed, n, d, spread, linear, kernel, normalizeY) => {
          const rnd = lcg(seed);
          const { X, y } = makeData(n, d, rnd, [], spread);
          // Duplicate about half the rows and make some outputs equal.
          for (let i = 1; i < n; i += 2) {
            X.copyWithin(i * d, (i - 1) * d, i * d);
            if (rnd() < 0.5) y[i] = y[i - 1];
          }
          const gp = new GaussianProcess({ dim: d, kernel, linear, normalizeY: normalizeY as GaussianProcessOptions["normalizeY"], hyperparameters: { noise: 1e-6 } });
          gp.setData(X, y);
          const r = gp.fit({ maxIterations: 8 });
          expect(Number.isFinite(r.lml)).toBe(true);
          expect(allFinite(gp.logMarginalLikelihoodGradient())).toBe(true);
          const q = makeData(3, d, rnd, [], spread * 2).X;
          const p = gp.predict(q, { variance: true });
          expect(allFinite(p.mean)).toBe(true);
          expect(allFinite(p.variance!)).toBe(true);
          const h = gp.hyperparameters;
          expect(allFinite([...h.lengthscales, h.outputScale, h.noise, h.mean])).toBe(true);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("fit falls back (and says so) when no start can be factored, and predictions stay finite", () => {
    const gp = new GaussianProcess({ dim: 1, normalizeY: "none", priors: false });
    // Nearly identical rows and a noise far below the bounds: the strict factorization fails everywhere the
    // fit starts, because the noise bound is set to that tiny value.
    const tiny = new GaussianProcess({ dim: 1, normalizeY: "none", priors: false, bounds: { noise: [1e-300, 1e-300], outputScale: [1e10, 1e10], lengthscale: [1e6, 1e6] }, hyperparameters: { noise: 1e-300, outputScale: 1e10, lengthscales: [1e6] } });
    const X = Float64Array.of(0, 1e-9, 2e-9, 3e-9);
    const y = Float64Array.of(0, 1, 0, 1);
    tiny.setData(X, y);
    const r = tiny.fit();
    expect(r.fellBack).toBe(true);
    expect(r.reason).toBeTypeOf("string");
    const p = tiny.predict(Float64Array.of(0.5), { variance: true });
    expect(allFinite(p.mean) && allFinite(p.variance!)).toBe(true);
    gp.setData(X, y);
    expect(gp.fit().fellBack).toBe(false);
  });
});

describe("fit", () => {
  it("raises the objective, and a warm-started refit after adding one point needs few iterations", () => {
    const rnd = lcg(5);
    const { X, y } = makeData(60, 4, rnd);
    const gp = new GaussianProcess({ dim: 4, kernel: "matern32", linear: true });
    gp.setData(X.subarray(0, 59 * 4), y.subarray(0, 59));
    const before = gp.logMarginalLikelihood({ includePriors: true });
    const cold = gp.fit();
    expect(cold.objective).toBeGreaterThan(before);
    expect(cold.objective).toBeCloseTo(gp.logMarginalLikelihood({ includePriors: true }), 8);
    gp.setData(X, y);
    const warm = gp.fit();
    expect(warm.fellBack).toBe(false);
    expect(warm.iterations).toBeLessThan(cold.iterations);
  });

  it("restarts need an rng and are reproducible with one", () => {
    const rnd = lcg(9);
    const { X, y } = makeData(20, 2, rnd);
    const gp = new GaussianProcess({ dim: 2 });
    gp.setData(X, y);
    expect(() => gp.fit({ restarts: 2 })).toThrow(ConfigError);
    const a = new GaussianProcess({ dim: 2 });
    a.setData(X, y);
    const b = new GaussianProcess({ dim: 2 });
    b.setData(X, y);
    const ra = a.fit({ restarts: 3, rng: createRng(1) });
    const rb = b.fit({ restarts: 3, rng: createRng(1) });
    expect(ra.lml).toBe(rb.lml);
    expect(a.hyperparameters).toEqual(b.hyperparameters);
  });

  it("priors pull the noise toward 1e-2 compared with maximum likelihood on noiseless data", () => {
    const rnd = lcg(21);
    const X = new Float64Array(30);
    for (let i = 0; i < 30; i++) X[i] = 2 * rnd() - 1;
    const y = X.map((x) => Math.sin(3 * x));
    const ml = new GaussianProcess({ dim: 1, priors: false });
    ml.setData(X, y);
    ml.fit();
    const map = new GaussianProcess({ dim: 1, priors: true });
    map.setData(X, y);
    map.fit();
    expect(Math.abs(Math.log(map.hyperparameters.noise / 1e-2))).toBeLessThan(Math.abs(Math.log(ml.hyperparameters.noise / 1e-2)));
  });

  it("Adam mode: 50 AMSGrad steps of lr 1e-3 move each log-parameter by at most ~0.05 and raise the LML", () => {
    const rnd = lcg(4);
    const { X, y } = makeData(30, 3, rnd);
    const gp = new GaussianProcess({ dim: 3, kernel: "matern32", linear: true, normalizeY: "minmax", fitMean: false });
    gp.setData(X, y);
    const t0 = gp.getLogParams();
    const l0 = gp.logMarginalLikelihood();
    const r = gp.fit({ method: "adam" });
    expect(r.iterations).toBe(50);
    expect(r.fellBack).toBe(false);
    expect(r.lml).toBeGreaterThan(l0);
    const t1 = gp.getLogParams();
    // softplus steps of ≤ lr each: |Δv| ≤ 50·1e-3 per parameter in natural units.
    const h0 = Array.from(t0, Math.exp);
    const h1 = Array.from(t1, Math.exp);
    for (let p = 0; p < t0.length - 1; p++) expect(Math.abs(h1[p] - h0[p])).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(t1[t1.length - 1]).toBe(0); // mean fixed
  });
});

describe("predict", () => {
  it("results do not depend on the block size: q > PREDICT_BLOCK equals row-by-row", () => {
    const rnd = lcg(8);
    const { X, y } = makeData(25, 3, rnd);
    const gp = new GaussianProcess({ dim: 3, linear: true, categoricalDims: [2] });
    gp.setData(X, y);
    const q = PREDICT_BLOCK + 37;
    const Xs = makeData(q, 3, rnd).X;
    const all = gp.predict(Xs, { variance: true });
    for (const i of [0, 1, PREDICT_BLOCK - 1, PREDICT_BLOCK, q - 1]) {
      const one = gp.predict(Xs.slice(i * 3, i * 3 + 3), { variance: true });
      expect(all.mean[i]).toBeCloseTo(one.mean[0], 12);
      expect(all.variance![i]).toBeCloseTo(one.variance![0], 12);
    }
    expect(gp.predict(Xs).variance).toBeUndefined();
  });

  it("interpolates noiseless data and the latent variance vanishes at training points", () => {
    const X = Float64Array.of(-0.5, 0, 0.5);
    const y = Float64Array.of(1, -1, 2);
    const gp = new GaussianProcess({ dim: 1, normalizeY: "none", hyperparameters: { noise: 1e-6, mean: 0 } });
    gp.setData(X, y);
    const p = gp.predict(X, { variance: true, includeNoise: false });
    for (let i = 0; i < 3; i++) {
      expect(p.mean[i]).toBeCloseTo(y[i], 4);
      expect(p.variance![i]).toBeLessThan(1e-5);
    }
  });

  it("rejects malformed input with typed errors", () => {
    const gp = new GaussianProcess({ dim: 2 });
    expect(() => gp.setData(Float64Array.of(1, 2, 3), Float64Array.of(1, 2))).toThrow(ObservationError);
    expect(() => gp.setData(Float64Array.of(1, NaN), Float64Array.of(1))).toThrow(/GP inputs must be finite/);
    expect(() => gp.predict(Float64Array.of(1, 2, 3))).toThrow(ObservationError);
    expect(() => new GaussianProcess({ dim: 2, categoricalDims: [2] })).toThrow(ConfigError);
    expect(() => (gp.hyperparameters = { ...gp.hyperparameters, noise: -1 })).toThrow(/positive finite/);
  });
});
