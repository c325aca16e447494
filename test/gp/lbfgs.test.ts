import { describe, expect, it } from "vitest";
import { Adam } from "../../src/gp/adam";
import { createLbfgsMemory, minimizeLbfgs, type Objective } from "../../src/gp/lbfgs";

/** Rosenbrock in p dimensions: Σ 100(x_{i+1} − x_i²)² + (1 − x_i)², minimum 0 at (1, …, 1). */
function rosenbrock(p: number): Objective {
  return (x, g) => {
    g.fill(0);
    let f = 0;
    for (let i = 0; i < p - 1; i++) {
      const a = x[i + 1] - x[i] * x[i];
      const b = 1 - x[i];
      f += 100 * a * a + b * b;
      g[i] += -400 * x[i] * a - 2 * b;
      g[i + 1] += 200 * a;
    }
    return f;
  };
}

describe("minimizeLbfgs", () => {
  it("minimizes the 2-D Rosenbrock function from (−1.2, 1) to 1e-6", () => {
    const r = minimizeLbfgs(rosenbrock(2), [-1.2, 1], { maxIterations: 200, gtol: 1e-8, ftol: 0 });
    expect(r.converged).toBe(true);
    expect(Math.abs(r.x[0] - 1)).toBeLessThan(1e-6);
    expect(Math.abs(r.x[1] - 1)).toBeLessThan(1e-6);
    expect(r.iterations).toBeLessThan(100);
  });

  it("minimizes a 10-D Rosenbrock function", () => {
    const x0 = new Array(10).fill(0);
    const r = minimizeLbfgs(rosenbrock(10), x0, { maxIterations: 500, gtol: 1e-7, ftol: 0 });
    expect(r.f).toBeLessThan(1e-10);
    for (const v of r.x) expect(Math.abs(v - 1)).toBeLessThan(1e-5);
  });

  it("solves an ill-conditioned quadratic exactly (condition number 1e4)", () => {
    const p = 8;
    const diag = Array.from({ length: p }, (_, i) => 10 ** ((4 * i) / (p - 1)));
    const c = Array.from({ length: p }, (_, i) => i - 3);
    const f: Objective = (x, g) => {
      let s = 0;
      for (let i = 0; i < p; i++) {
        const e = x[i] - c[i];
        s += 0.5 * diag[i] * e * e;
        g[i] = diag[i] * e;
      }
      return s;
    };
    const r = minimizeLbfgs(f, new Array(p).fill(0), { maxIterations: 200, gtol: 1e-9, ftol: 0 });
    expect(r.converged).toBe(true);
    for (let i = 0; i < p; i++) expect(Math.abs(r.x[i] - c[i])).toBeLessThan(1e-8);
  });

  it("respects box bounds: the constrained minimum lies on the bound with an outward gradient", () => {
    // f = (x0 − 3)² + (x1 + 2)², box [−1, 1]²: minimum at (1, −1).
    const f: Objective = (x, g) => {
      g[0] = 2 * (x[0] - 3);
      g[1] = 2 * (x[1] + 2);
      return (x[0] - 3) ** 2 + (x[1] + 2) ** 2;
    };
    const r = minimizeLbfgs(f, [0, 0], { lower: [-1, -1], upper: [1, 1] });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBe(1);
    expect(r.x[1]).toBe(-1);
  });

  it("keeps a variable with equal bounds fixed", () => {
    const f: Objective = (x, g) => {
      g[0] = 2 * (x[0] - 3);
      g[1] = 2 * (x[1] - 5);
      return (x[0] - 3) ** 2 + (x[1] - 5) ** 2;
    };
    const r = minimizeLbfgs(f, [0, 0.5], { lower: [-Infinity, 0.5], upper: [Infinity, 0.5] });
    expect(r.x[1]).toBe(0.5);
    expect(Math.abs(r.x[0] - 3)).toBeLessThan(1e-6);
  });

  it("backtracks from non-finite values (a failed factorization) instead of stepping into them", () => {
    // f = (x − 2)², but undefined (NaN) for x > 1.5: the best feasible point is near 1.5.
    const f: Objective = (x, g) => {
      if (x[0] > 1.5) return NaN;
      g[0] = 2 * (x[0] - 2);
      return (x[0] - 2) ** 2;
    };
    const r = minimizeLbfgs(f, [0], { maxIterations: 50 });
    expect(Number.isFinite(r.f)).toBe(true);
    expect(r.x[0]).toBeLessThanOrEqual(1.5);
    expect(r.x[0]).toBeGreaterThan(1.3);
  });

  it("a kept curvature memory makes a re-solve of a shifted problem cheaper", () => {
    const p = 6;
    const diag = Array.from({ length: p }, (_, i) => 10 ** (i / 2));
    const quad = (shift: number): Objective => (x, g) => {
      let s = 0;
      for (let i = 0; i < p; i++) {
        const e = x[i] - shift;
        s += 0.5 * diag[i] * e * e;
        g[i] = diag[i] * e;
      }
      return s;
    };
    const mem = createLbfgsMemory(p);
    const first = minimizeLbfgs(quad(1), new Array(p).fill(0), { memoryState: mem, gtol: 1e-9, ftol: 0 });
    expect(mem.stored).toBeGreaterThan(0);
    const cold = minimizeLbfgs(quad(1.1), first.x, { gtol: 1e-9, ftol: 0 });
    const warm = minimizeLbfgs(quad(1.1), first.x, { memoryState: mem, gtol: 1e-9, ftol: 0 });
    expect(warm.converged && cold.converged).toBe(true);
    expect(warm.evaluations).toBeLessThan(cold.evaluations);
  });

  it("reports a rejected start without moving", () => {
    const r = minimizeLbfgs(() => Infinity, [1, 2]);
    expect(r.reason).toBe("nonFiniteStart");
    expect(Array.from(r.x)).toEqual([1, 2]);
  });
});

describe("Adam (AMSGrad)", () => {
  it("first step moves each coordinate by lr against the gradient sign (bias-corrected)", () => {
    const opt = new Adam(2, { lr: 1e-3 });
    const theta = Float64Array.of(1, -1);
    opt.step(theta, [0.5, -3]);
    expect(theta[0]).toBeCloseTo(1 - 1e-3, 9);
    expect(theta[1]).toBeCloseTo(-1 + 1e-3, 9);
  });

  it("minimizes a quadratic with lr 0.1", () => {
    const opt = new Adam(1, { lr: 0.1 });
    const theta = Float64Array.of(5);
    for (let i = 0; i < 2000; i++) opt.step(theta, [2 * (theta[0] - 1)]);
    expect(Math.abs(theta[0] - 1)).toBeLessThan(1e-2);
  });

  it("AMSGrad keeps the largest second moment: a gradient drop shrinks steps less than plain Adam", () => {
    const a = new Adam(1, { lr: 1e-2, amsgrad: true });
    const b = new Adam(1, { lr: 1e-2, amsgrad: false });
    const ta = Float64Array.of(0);
    const tb = Float64Array.of(0);
    for (let i = 0; i < 10; i++) {
      a.step(ta, [10]);
      b.step(tb, [10]);
    }
    const a0 = ta[0];
    const b0 = tb[0];
    for (let i = 0; i < 2000; i++) {
      a.step(ta, [0.01]);
      b.step(tb, [0.01]);
    }
    expect(Math.abs(ta[0] - a0)).toBeLessThan(Math.abs(tb[0] - b0));
  });
});
