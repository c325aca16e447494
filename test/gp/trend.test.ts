/**
 * The GP's quadratic trend of the prior mean (`setTrend`): its coefficient is the one that maximizes the
 * marginal likelihood at the current hyperparameters (profiled, floored at 0), the LML gradient stays exact
 * with it, and it lowers the predictions toward the faces only where the data say the function falls there.
 */
import { describe, expect, it } from "vitest";
import { GaussianProcess } from "../../src/gp/index";

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** n rows in [−1, 1]^d and y = f(x) + small noise. */
function data(n: number, d: number, f: (x: number[]) => number, seed: number) {
  const rnd = lcg(seed);
  const X = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: d }, () => 2 * rnd() - 1);
    X.set(x, i * d);
    y[i] = f(x) + 0.02 * (rnd() - 0.5);
  }
  return { X, y };
}

const bowl = (x: number[]) => 1 - x.reduce((s, v) => s + v * v, 0) / x.length + 0.2 * Math.sin(3 * x[0]);
/** −mean_j h(x_j) of the trend (h as setTrend documents it). */
function basis(X: Float64Array, d: number, dims: number[], t: number): Float64Array {
  const n = X.length / d;
  return Float64Array.from({ length: n }, (_, i) => -dims.reduce((s, j) => s + Math.max(0, Math.abs(X[i * d + j]) - t) ** 2 / (1 - t) ** 2, 0) / dims.length);
}

function gpWith(d: number, trend: { dims: number[]; start?: number } | null) {
  const gp = new GaussianProcess({ dim: d, kernel: "matern32", linear: true, normalizeY: "none" });
  if (trend) gp.setTrend(trend);
  return gp;
}

describe("GP trend of the prior mean", () => {
  for (const start of [0, 0.5]) {
    it(`start ${start}: the coefficient is the likelihood's maximum over a at the hyperparameters`, () => {
      const d = 3;
      const dims = [0, 2];
      const { X, y } = data(30, d, bowl, 7);
      const gp = gpWith(d, { dims, start });
      gp.setData(X, y);
      gp.fit({ method: "lbfgs" });
      const a = gp.trendValue;
      expect(a).toBeGreaterThan(0);
      // The same model without the trend on y + a'·(mean h) (i.e. y − a'·g) at the same θ: its LML is the trend
      // model's at a = a', so it must peak at the profiled a.
      const g = basis(X, d, dims, start);
      const lmlAt = (aa: number): number => {
        const plain = gpWith(d, null);
        plain.setData(X, Float64Array.from(y, (v, i) => v - aa * g[i]));
        plain.setLogParams(gp.getLogParams());
        return plain.logMarginalLikelihood();
      };
      expect(lmlAt(a)).toBeCloseTo(gp.logMarginalLikelihood(), 8);
      for (const delta of [-0.05, 0.05, -0.3, 0.3]) if (a + delta >= 0) expect(lmlAt(a + delta)).toBeLessThan(lmlAt(a));
    });
  }

  it("the LML gradient with a profiled trend matches central finite differences", () => {
    const d = 3;
    const { X, y } = data(25, d, bowl, 3);
    const gp = gpWith(d, { dims: [0, 1, 2] });
    gp.setData(X, y);
    const rnd = lcg(5);
    const theta = Float64Array.from(gp.getLogParams(), () => rnd() - 0.5);
    theta[gp.paramNames.indexOf("log noise")] = -4;
    gp.setLogParams(theta);
    expect(gp.trendValue).toBeGreaterThan(0);
    const grad = gp.logMarginalLikelihoodGradient();
    const h = 1e-5;
    for (let p = 0; p < theta.length; p++) {
      const tp = theta.slice();
      const tm = theta.slice();
      tp[p] += h;
      tm[p] -= h;
      gp.setLogParams(tp);
      const fp = gp.logMarginalLikelihood();
      gp.setLogParams(tm);
      const fm = gp.logMarginalLikelihood();
      const fd = (fp - fm) / (2 * h);
      expect(Math.abs(grad[p] - fd), gp.paramNames[p]).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(fd)));
    }
  });

  it("data that rise toward the faces leave the coefficient at 0 and the predictions as without the trend", () => {
    const d = 2;
    const { X, y } = data(20, d, (x) => x[0] * x[0] + x[1] * x[1], 11);
    const withTrend = gpWith(d, { dims: [0, 1] });
    const plain = gpWith(d, null);
    for (const gp of [withTrend, plain]) gp.setData(X, y);
    plain.fit({ method: "lbfgs" });
    withTrend.setLogParams(plain.getLogParams());
    expect(withTrend.trendValue).toBe(0);
    const Q = Float64Array.of(1, 1, -1, 0.2, 0, 0);
    expect(Array.from(withTrend.predict(Q).mean)).toEqual(Array.from(plain.predict(Q).mean));
  });

  it("where the data fall toward the faces, the trend lowers the faces far from the data more than the interior", () => {
    const d = 2;
    // Data only in the inner half of the box; the function falls off from the centre.
    const rnd = lcg(2);
    const n = 24;
    const X = Float64Array.from({ length: n * d }, () => rnd() - 0.5);
    const y = Float64Array.from({ length: n }, (_, i) => bowl([X[2 * i], X[2 * i + 1]]));
    const withTrend = gpWith(d, { dims: [0, 1] });
    const plain = gpWith(d, null);
    for (const gp of [withTrend, plain]) {
      gp.setData(X, y);
      gp.fit({ method: "lbfgs" });
    }
    const Q = Float64Array.of(0, 0, 1, 1, -1, 0.1);
    const a = withTrend.predict(Q).mean;
    const b = plain.predict(Q).mean;
    expect(Math.abs(a[0] - b[0])).toBeLessThan(0.05);
    expect(a[1]).toBeLessThan(b[1] - 0.1);
    expect(a[2]).toBeLessThan(b[2] - 0.05);
  });
});
