/**
 * Keeping the rows of the Cholesky factor that still hold when the data grows or shrinks at the end
 * with the hyperparameters kept (one observe → suggest step of a sweep): the factor, and so every
 * prediction, is bit for bit the from-scratch one, at far less work.
 */
import { describe, expect, it } from "vitest";
import { GaussianProcess } from "../../src/gp/index";
import { choleskyExtendInPlace, choleskyInPlace, reusableCholeskyRows } from "../../src/linalg/index";
import { createRng } from "../../src/random/index";

function spd(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const d = 6;
  const X = Float64Array.from({ length: n * d }, () => rng.uniform(-1, 1));
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let r2 = 0;
      for (let k = 0; k < d; k++) r2 += (X[i * d + k] - X[j * d + k]) ** 2;
      A[i * n + j] = A[j * n + i] = Math.exp(-r2) + (i === j ? 1e-3 : 0);
    }
  }
  return A;
}

describe("choleskyExtendInPlace", () => {
  it("completes a factor from the reusable rows of a smaller or larger one, bit for bit the full factorization", () => {
    const big = spd(140, 1);
    const sub = (n: number): Float64Array => {
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) a.set(big.subarray(i * 140, i * 140 + n), i * n);
      return a;
    };
    // Across the 64-row tile edge and every n mod 4, growing and shrinking.
    for (const [oldN, newN] of [[61, 62], [62, 66], [63, 64], [64, 65], [65, 70], [127, 129], [130, 131], [70, 66], [129, 127], [100, 100]]) {
      const oldL = sub(oldN);
      expect(choleskyInPlace(oldL, oldN)).toBe(-1);
      const full = sub(newN);
      expect(choleskyInPlace(full, newN)).toBe(-1);
      const from = reusableCholeskyRows(oldN, newN, Math.min(oldN, newN));
      expect(from).toBe(Math.min(oldN, newN) & ~3);
      const ext = sub(newN);
      for (let i = 0; i < from; i++) ext.set(oldL.subarray(i * oldN, i * oldN + i + 1), i * newN);
      expect(choleskyExtendInPlace(ext, newN, from)).toBe(-1);
      expect(ext).toEqual(full);
      expect(Array.from(ext).every((v, k) => Object.is(v, full[k]))).toBe(true);
    }
  });

  it("reports the first failing pivot among the new rows", () => {
    const a = spd(20, 2);
    const L = a.slice();
    expect(choleskyInPlace(L, 20)).toBe(-1);
    const b = a.slice();
    b[17 * 20 + 17] = -1; // row 17's diagonal: not positive definite any more
    for (let i = 0; i < 16; i++) b.set(L.subarray(i * 20, i * 20 + i + 1), i * 20);
    expect(choleskyExtendInPlace(b, 20, 16)).toBe(17);
  });
});

describe("GaussianProcess keeps the factor's rows across setData with the same hyperparameters", () => {
  const d = 5;
  const rng = createRng(3);
  const X = Float64Array.from({ length: 260 * d }, () => rng.uniform(-1, 1));
  const y = Float64Array.from({ length: 260 }, (_, i) => Math.sin(3 * X[i * d]) + X[i * d + 1] ** 2);
  const Q = Float64Array.from({ length: 37 * d }, () => rng.uniform(-1, 1));
  const rows = (n: number): Float64Array => X.subarray(0, n * d);

  function fresh(theta: Float64Array, n: number): GaussianProcess {
    const gp = new GaussianProcess({ dim: d, kernel: "matern32", linear: true, normalizeY: "none" });
    gp.setLogParams(theta);
    gp.setData(rows(n), y.subarray(0, n));
    return gp;
  }

  it("a sweep's steps (rows appended one by one, fantasies added and removed) predict exactly what a fresh GP predicts", () => {
    const gp = new GaussianProcess({ dim: d, kernel: "matern32", linear: true, normalizeY: "none" });
    gp.setData(rows(150), y.subarray(0, 150));
    gp.fit({ maxIterations: 5 });
    const theta = gp.getLogParams();
    let reused = 0;
    for (const n of [151, 152, 153, 154, 155, 158, 157, 190, 255, 256, 200]) {
      gp.setData(rows(n), y.subarray(0, n));
      const got = gp.predict(Q, { variance: true });
      reused += gp.lastFactorReusedRows;
      expect(gp.lastFactorReusedRows).toBeGreaterThan(0);
      const want = fresh(theta, n).predict(Q, { variance: true });
      expect(got.mean).toEqual(want.mean);
      expect(got.variance).toEqual(want.variance);
      expect(gp.logMarginalLikelihood()).toBe(fresh(theta, n).logMarginalLikelihood());
    }
    expect(reused).toBeGreaterThan(1500);
  });

  it("factors from scratch when the hyperparameters or the leading rows changed", () => {
    const gp = fresh(new GaussianProcess({ dim: d, kernel: "matern32", linear: true }).getLogParams(), 100);
    gp.logMarginalLikelihood();
    const theta = gp.getLogParams();
    theta[0] += 0.1;
    gp.setLogParams(theta);
    gp.setData(rows(101), y.subarray(0, 101));
    gp.logMarginalLikelihood();
    expect(gp.lastFactorReusedRows).toBe(0);
    const moved = rows(102).slice();
    moved[50 * d] += 0.01; // row 50 changed: rows 0–47 are kept (a multiple of 4 before it)
    gp.setData(moved, y.subarray(0, 102));
    const got = gp.predict(Q, { variance: true });
    expect(gp.lastFactorReusedRows).toBe(48);
    const want = new GaussianProcess({ dim: d, kernel: "matern32", linear: true, normalizeY: "none" });
    want.setLogParams(theta);
    want.setData(moved, y.subarray(0, 102));
    expect(got).toEqual(want.predict(Q, { variance: true }));
  });
});
