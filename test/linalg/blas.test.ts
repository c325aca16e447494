import { describe, expect, it } from "vitest";
import { axpy, dot, gemv, gemvTranspose, scal, sumSquares, symmetrizeFromLower, symvLower } from "../../src/linalg";
import { matmul, randomMatrix, randomSpd, relDiff } from "./helpers";

describe("blas helpers", () => {
  it("dot handles every remainder of the 4-way unroll and offsets", () => {
    for (let n = 0; n < 9; n++) {
      const x = randomMatrix(n + 2, 1, n);
      const y = randomMatrix(n + 3, 1, 100 + n);
      let ref = 0;
      for (let k = 0; k < n; k++) ref += x[2 + k] * y[3 + k];
      expect(Math.abs(dot(n, x, 2, y, 3) - ref)).toBeLessThan(1e-14);
    }
    expect(sumSquares(3, Float64Array.of(9, 1, 2, 2), 1)).toBe(9);
  });

  it("axpy and scal", () => {
    const y = Float64Array.of(1, 1, 1, 1);
    axpy(2, 3, Float64Array.of(1, 2), 0, y, 1);
    expect(Array.from(y)).toEqual([1, 4, 7, 1]);
    scal(2, -1, y, 2);
    expect(Array.from(y)).toEqual([1, 4, -7, -1]);
  });

  it("gemv, gemvTranspose and symvLower agree with a plain product (1e-14 relative)", () => {
    const m = 7;
    const n = 5;
    const A = randomMatrix(m, n, 1);
    const x = randomMatrix(n, 1, 2);
    const y0 = randomMatrix(m, 1, 3);
    const ref = matmul(A, x, m, n, 1).map((v, i) => 2 * v - 0.5 * y0[i]);
    expect(relDiff(gemv(m, n, 2, A, x, -0.5, y0.slice()), ref)).toBeLessThan(1e-14);
    expect(relDiff(gemv(m, n, 1, A, x, 0, new Float64Array(m).fill(NaN)), matmul(A, x, m, n, 1))).toBeLessThan(1e-14);

    const At = new Float64Array(n * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) At[j * m + i] = A[i * n + j];
    const z = randomMatrix(m, 1, 4);
    const w0 = randomMatrix(n, 1, 5);
    const refT = matmul(At, z, n, m, 1).map((v, i) => 3 * v + 2 * w0[i]);
    expect(relDiff(gemvTranspose(m, n, 3, A, z, 2, w0.slice()), refT)).toBeLessThan(1e-14);

    const S = randomSpd(6, 6);
    const v = randomMatrix(6, 1, 7);
    const lowerOnly = S.slice();
    for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) lowerOnly[i * 6 + j] = NaN;
    const u0 = randomMatrix(6, 1, 8);
    const refS = matmul(S, v, 6, 6, 1).map((q, i) => 1.5 * q + u0[i]);
    expect(relDiff(symvLower(6, 1.5, lowerOnly, v, 1, u0.slice()), refS)).toBeLessThan(1e-14);
    expect(symmetrizeFromLower(lowerOnly, 6)).toEqual(S);
  });
});
