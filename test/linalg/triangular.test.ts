import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CholeskyDecomposition, EigenvalueDecomposition, determinant, solve } from "ml-matrix";
import { ProteinError } from "../../src/errors";
import {
  cholesky,
  choleskySolve,
  inverseFromCholesky,
  logDetFromCholesky,
  solveLower,
  solveLowerMany,
  solveLowerTranspose,
  solveLowerTransposeMany,
} from "../../src/linalg";
import { fromMatrix, gram, matmul, randomMatrix, randomSpd, rbfMatrix, relDiff, toMatrix } from "./helpers";

const SIZES = [1, 2, 7, 64, 65, 130];

function setup(n: number, seed: number) {
  const a = randomSpd(n, seed);
  const L = cholesky(a, n).L;
  return { a, L };
}

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

describe("single right-hand side", () => {
  it.each(SIZES)("solveLower, solveLowerTranspose, choleskySolve agree with ml-matrix, n = %i (1e-12 relative)", (n) => {
    const { a, L } = setup(n, 100 + n);
    const b = randomMatrix(n, 1, 200 + n);
    const lower = toMatrix(L, n, n);
    const col = toMatrix(b, n, 1);
    expect(relDiff(solveLower(L, n, b), fromMatrix(solve(lower, col)))).toBeLessThan(1e-12);
    expect(relDiff(solveLowerTranspose(L, n, b), fromMatrix(solve(lower.transpose(), col)))).toBeLessThan(1e-12);
    const ref = fromMatrix(new CholeskyDecomposition(toMatrix(a, n, n)).solve(col));
    expect(relDiff(choleskySolve(L, n, b), ref)).toBeLessThan(1e-12);
  });

  it("residual of A·x = b is at round-off level for an ill-conditioned RBF matrix", () => {
    const n = 120;
    const a = rbfMatrix(n, 3, 1e-4);
    const { L } = cholesky(a, n);
    const b = randomMatrix(n, 1, 4);
    const x = choleskySolve(L, n, b);
    // backward error ‖A x − b‖ / (‖A‖‖x‖) ≈ n·ε
    const r = matmul(a, x, n, n, 1);
    let num = 0;
    let xn = 0;
    for (let i = 0; i < n; i++) {
      num = Math.max(num, Math.abs(r[i] - b[i]));
      xn = Math.max(xn, Math.abs(x[i]));
    }
    expect(num / (n * xn)).toBeLessThan(1e-13);
  });

  it("works in place (out = b) and into a separate out, leaving b intact", () => {
    const n = 33;
    const { L } = setup(n, 1);
    const b = randomMatrix(n, 1, 2);
    for (const f of [solveLower, solveLowerTranspose, choleskySolve]) {
      const expected = f(L, n, b);
      const bCopy = b.slice();
      const out = new Float64Array(n).fill(NaN);
      expect(f(L, n, b, out)).toBe(out);
      expect(out).toEqual(expected);
      expect(b).toEqual(bCopy);
      const inPlace = b.slice();
      expect(f(L, n, inPlace, inPlace)).toBe(inPlace);
      expect(inPlace).toEqual(expected);
    }
  });

  it("solves a hand-computed 2×2 system", () => {
    const L = Float64Array.of(2, 0, 1, 2); // A = [[4, 2], [2, 5]]
    expect(Array.from(solveLower(L, 2, Float64Array.of(2, 5)))).toEqual([1, 2]);
    expect(Array.from(solveLowerTranspose(L, 2, Float64Array.of(4, 4)))).toEqual([1, 2]); // [[2, 1], [0, 2]]·[1, 2] = [4, 4];
    expect(Array.from(choleskySolve(L, 2, Float64Array.of(6, 7)))).toEqual([1, 1]);
  });
});

describe("many right-hand sides", () => {
  it.each([
    [1, 1],
    [7, 3],
    [64, 5],
    [65, 64],
    [130, 17],
    [5, 0],
  ])("n = %i, m = %i: agree with ml-matrix (1e-12 relative)", (n, m) => {
    const { L } = setup(n, 300 + n);
    const B = randomMatrix(n, m, 400 + m);
    const lower = toMatrix(L, n, n);
    const Bm = toMatrix(B, n, m);
    const x1 = solveLowerMany(L, n, B, m);
    const x2 = solveLowerTransposeMany(L, n, B, m);
    if (m > 0) {
      expect(relDiff(x1, fromMatrix(solve(lower, Bm)))).toBeLessThan(1e-12);
      expect(relDiff(x2, fromMatrix(solve(lower.transpose(), Bm)))).toBeLessThan(1e-12);
    } else {
      expect(x1.length).toBe(0);
      expect(x2.length).toBe(0);
    }
  });

  it("column c of the many-RHS solve equals the single-RHS solve of column c (1e-13 relative)", () => {
    const n = 67;
    const m = 6;
    const { L } = setup(n, 9);
    const B = randomMatrix(n, m, 10);
    const X = solveLowerMany(L, n, B, m);
    const Y = solveLowerTransposeMany(L, n, B, m);
    const Bt = transpose(B, n, m);
    const Xt = transpose(X, n, m);
    const Yt = transpose(Y, n, m);
    for (let c = 0; c < m; c++) {
      const b = Bt.subarray(c * n, c * n + n);
      expect(relDiff(Xt.subarray(c * n, c * n + n), solveLower(L, n, b))).toBeLessThan(1e-13);
      expect(relDiff(Yt.subarray(c * n, c * n + n), solveLowerTranspose(L, n, b))).toBeLessThan(1e-13);
    }
  });

  it("works in place (out = B)", () => {
    const n = 20;
    const m = 4;
    const { L } = setup(n, 12);
    const B = randomMatrix(n, m, 13);
    for (const f of [solveLowerMany, solveLowerTransposeMany]) {
      const expected = f(L, n, B, m);
      const inPlace = B.slice();
      expect(f(L, n, inPlace, m, inPlace)).toBe(inPlace);
      expect(inPlace).toEqual(expected);
    }
  });

  it("rejects a B that is too short", () => {
    const { L } = setup(3, 1);
    expect(() => solveLowerMany(L, 3, new Float64Array(5), 2)).toThrow(/B.length/);
    expect(() => solveLowerTransposeMany(L, 3, new Float64Array(6), -2)).toThrow(ProteinError);
  });
});

describe("logDetFromCholesky", () => {
  it.each([1, 2, 5, 9])("agrees with ml-matrix's determinant, n = %i (1e-12 relative)", (n) => {
    const { a, L } = setup(n, 500 + n);
    const det = determinant(toMatrix(a, n, n));
    expect(Math.abs(logDetFromCholesky(L, n) - Math.log(det))).toBeLessThan(1e-12 * Math.max(1, Math.abs(Math.log(det))));
  });

  it("agrees with the sum of log eigenvalues, n = 80 (1e-10 absolute)", () => {
    const n = 80;
    const a = rbfMatrix(n, 21, 1e-2);
    const { L } = cholesky(a, n);
    const eig = new EigenvalueDecomposition(toMatrix(a, n, n), { assumeSymmetric: true }).realEigenvalues;
    const ref = eig.reduce((s, v) => s + Math.log(v), 0);
    expect(Math.abs(logDetFromCholesky(L, n) - ref)).toBeLessThan(1e-10);
  });

  it("is 0 for n = 0 and 2·log 2 + 2·log 2 for diag(4, 4)", () => {
    expect(logDetFromCholesky(new Float64Array(0), 0)).toBe(0);
    expect(logDetFromCholesky(Float64Array.of(2, 0, 0, 2), 2)).toBeCloseTo(Math.log(16), 15);
  });
});

describe("inverseFromCholesky", () => {
  it.each([1, 2, 5, 64, 65, 130])("inverse·A = I (1e-9), symmetric, agrees with ml-matrix inverse, n = %i", (n) => {
    const { a, L } = setup(n, 600 + n);
    const inv = inverseFromCholesky(L, n);
    const prod = matmul(inv, a, n, n, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        expect(Math.abs(prod[i * n + j] - (i === j ? 1 : 0))).toBeLessThan(1e-9);
        expect(inv[i * n + j]).toBe(inv[j * n + i]);
      }
    }
    if (n <= 65) {
      const ref = fromMatrix(new CholeskyDecomposition(toMatrix(a, n, n)).solve(toMatrix(identity(n), n, n)));
      expect(relDiff(inv, ref)).toBeLessThan(1e-11);
    }
  });

  it("writes into out and rejects out = L", () => {
    const n = 6;
    const { L } = setup(n, 1);
    const out = new Float64Array(n * n).fill(NaN);
    expect(inverseFromCholesky(L, n, out)).toBe(out);
    expect(out).toEqual(inverseFromCholesky(L, n));
    expect(() => inverseFromCholesky(L, n, L)).toThrow(/cannot write over its factor/);
  });

  it("handles n = 0 everywhere", () => {
    const e = new Float64Array(0);
    expect(inverseFromCholesky(e, 0).length).toBe(0);
    expect(solveLower(e, 0, e).length).toBe(0);
    expect(solveLowerTranspose(e, 0, e).length).toBe(0);
    expect(choleskySolve(e, 0, e).length).toBe(0);
    expect(solveLowerMany(e, 0, e, 3).length).toBe(0);
    expect(solveLowerTransposeMany(e, 0, e, 3).length).toBe(0);
  });
});

describe("properties over random SPD matrices", () => {
  it("A·choleskySolve(b) = b, inverse·A = I, solves consistent with many-RHS", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 5 }), fc.integer(), (n, m, seed) => {
        const a = gram(n, n + 3, seed, 0.05);
        const { L } = cholesky(a, n);
        const b = randomMatrix(n, 1, seed ^ 1);
        const x = choleskySolve(L, n, b);
        if (relDiff(matmul(a, x, n, n, 1), b) > 1e-11) return false;
        const inv = inverseFromCholesky(L, n);
        const prod = matmul(a, inv, n, n, n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (Math.abs(prod[i * n + j] - (i === j ? 1 : 0)) > 1e-9) return false;
        const B = randomMatrix(n, m, seed ^ 2);
        const Y = solveLowerTransposeMany(L, n, solveLowerMany(L, n, B, m), m);
        return m === 0 || relDiff(matmul(a, Y, n, n, m), B) < 1e-11;
      }),
      { numRuns: 80, seed: 3 },
    );
  });
});

function identity(n: number): Float64Array {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return I;
}

/** Naive references for the blocked kernels: plain column-by-column substitutions and the textbook product. */
function naiveSolveLowerMany(L: Float64Array, n: number, B: Float64Array, m: number): Float64Array {
  const X = B.slice(0, n * m);
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < n; i++) {
      let s = X[i * m + c];
      for (let k = 0; k < i; k++) s -= L[i * n + k] * X[k * m + c];
      X[i * m + c] = s / L[i * n + i];
    }
  }
  return X;
}

function naiveSolveLowerTransposeMany(L: Float64Array, n: number, B: Float64Array, m: number): Float64Array {
  const X = B.slice(0, n * m);
  for (let c = 0; c < m; c++) {
    for (let i = n - 1; i >= 0; i--) {
      let s = X[i * m + c];
      for (let k = i + 1; k < n; k++) s -= L[k * n + i] * X[k * m + c];
      X[i * m + c] = s / L[i * n + i];
    }
  }
  return X;
}

/** (L⁻¹)ᵀ·L⁻¹ with L⁻¹ from the naive many-RHS solve of L·W = I. */
function naiveInverse(L: Float64Array, n: number): Float64Array {
  const W = naiveSolveLowerMany(L, n, identity(n), n);
  const R = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += W[k * n + i] * W[k * n + j];
    R[i * n + j] = s;
  }
  return R;
}

/** L with NaN in its strict upper triangle: a kernel that reads there produces NaN. */
function poisonUpper(L: Float64Array, n: number): Float64Array {
  const P = L.slice();
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) P[i * n + j] = NaN;
  return P;
}

const BLOCK_SIZES = [1, 2, 3, 5, 63, 64, 65, 130, 257];

describe("blocked kernels against naive formulas (odd sizes, tile and chunk edges)", () => {
  it.each(BLOCK_SIZES)("inverseFromCholesky, n = %i: equals (L⁻¹)ᵀL⁻¹ to 1e-10 relative, exactly symmetric", (n) => {
    const { L } = setup(n, 700 + n);
    const ref = naiveInverse(L, n);
    const out = new Float64Array(n * n).fill(NaN); // garbage in out must not leak into the result
    const inv = inverseFromCholesky(poisonUpper(L, n), n, out);
    expect(inv).toBe(out);
    expect(relDiff(inv, ref)).toBeLessThan(1e-10);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(inv[j * n + i]).toBe(inv[i * n + j]);
  });

  it("inverseFromCholesky of an ill-conditioned RBF kernel matrix (n = 150) agrees with ml-matrix to 1e-8 relative", () => {
    const n = 150;
    const a = rbfMatrix(n, 31, 1e-3);
    const { L } = cholesky(a, n);
    const ref = fromMatrix(new CholeskyDecomposition(toMatrix(a, n, n)).solve(toMatrix(identity(n), n, n)));
    expect(relDiff(inverseFromCholesky(L, n), ref)).toBeLessThan(1e-8);
  });

  for (const n of BLOCK_SIZES) {
    it.each([1, 3, 256])(`solveLowerMany and solveLowerTransposeMany, n = ${n}, m = %i: naive substitution to 1e-10 relative`, (m) => {
      const { L } = setup(n, 800 + n);
      const P = poisonUpper(L, n);
      const B = randomMatrix(n, m, 900 + n + m);
      const B0 = B.slice();
      expect(relDiff(solveLowerMany(P, n, B, m), naiveSolveLowerMany(L, n, B, m))).toBeLessThan(1e-10);
      expect(relDiff(solveLowerTransposeMany(P, n, B, m), naiveSolveLowerTransposeMany(L, n, B, m))).toBeLessThan(1e-10);
      expect(B).toEqual(B0); // without out, B is left intact
    });
  }

  it("in place (out = B) and into a separate, garbage-filled out across several RHS chunks (n = 65, m = 130)", () => {
    const n = 65;
    const m = 130;
    const { L } = setup(n, 41);
    const B = randomMatrix(n, m, 42);
    for (const [f, naive] of [
      [solveLowerMany, naiveSolveLowerMany],
      [solveLowerTransposeMany, naiveSolveLowerTransposeMany],
    ] as const) {
      const ref = naive(L, n, B, m);
      const inPlace = B.slice();
      expect(f(L, n, inPlace, m, inPlace)).toBe(inPlace);
      expect(relDiff(inPlace, ref)).toBeLessThan(1e-10);
      const out = new Float64Array(n * m + 3).fill(NaN);
      expect(f(L, n, B, m, out)).toBe(out);
      expect(relDiff(out.subarray(0, n * m), ref)).toBeLessThan(1e-10);
      expect(Number.isNaN(out[n * m])).toBe(true); // entries past n·m are not touched
    }
  });

  it("gives the same result after calls of other sizes (the shared scratch is reused)", () => {
    const first = setup(9, 51);
    const B = randomMatrix(9, 7, 52);
    const x1 = solveLowerMany(first.L, 9, B, 7);
    const big = setup(130, 53);
    solveLowerTransposeMany(big.L, 130, randomMatrix(130, 70, 54), 70);
    expect(solveLowerMany(first.L, 9, B, 7)).toEqual(x1);
  });

  it("reproduces the documented examples", () => {
    const L = Float64Array.of(2, 0, 1, 2);
    expect(Array.from(solveLowerMany(L, 2, Float64Array.of(2, 4, 5, 6), 2))).toEqual([1, 2, 2, 2]);
    expect(Array.from(solveLowerTransposeMany(L, 2, Float64Array.of(4, 3, 4, 2), 2))).toEqual([1, 1, 2, 1]);
    expect(Array.from(inverseFromCholesky(L, 2))).toEqual([5 / 16, -2 / 16, -2 / 16, 4 / 16]);
  });
});
