/**
 * Centred L2 discrepancy (Hickernell 1998), a uniformity measure of a point set in [0, 1]^d.
 *
 * Glossary: X is n × d row-major, x_ik its entries; a_ik = |x_ik − ½|.
 *
 *   CD² = (13/12)^d
 *         − (2/n)  Σ_i Π_k (1 + ½ a_ik − ½ a_ik²)
 *         + (1/n²) Σ_i Σ_j Π_k (1 + ½ a_ik + ½ a_jk − ½ |x_ik − x_jk|)
 *
 * Returns CD² (the same quantity scipy.stats.qmc.discrepancy(method="CD") reports).
 * Lower is more uniform. Cost O(n² d).
 */
import { ProteinError } from "../errors";

/**
 * Squared centred L2 discrepancy of `n` points in `d` dimensions.
 *
 * @param points - Row-major n × d array, entries in [0, 1].
 * @param n - Number of points (>= 1).
 * @param d - Number of dimensions (>= 1).
 * @returns CD² (see the module header).
 * @throws ProteinError if the sizes do not match or an entry is outside [0, 1].
 */
export function centeredL2Discrepancy(points: Float64Array, n: number, d: number): number {
  if (!Number.isInteger(n) || n < 1) {
    throw new ProteinError("Discrepancy needs at least one point", { key: "n", value: n, allowed: "an integer >= 1" });
  }
  if (!Number.isInteger(d) || d < 1) {
    throw new ProteinError("Discrepancy needs at least one dimension", { key: "d", value: d, allowed: "an integer >= 1" });
  }
  if (points.length !== n * d) {
    throw new ProteinError("Point array size does not match n × d", {
      key: "points",
      value: `Float64Array(${points.length})`,
      allowed: `length n·d = ${n * d}`,
    });
  }
  for (let t = 0; t < points.length; t++) {
    const x = points[t];
    if (!(x >= 0 && x <= 1)) {
      throw new ProteinError("Discrepancy needs points in [0, 1]", {
        key: `points[${Math.floor(t / d)}][${t % d}]`,
        value: x,
        allowed: "[0, 1]",
      });
    }
  }
  let single = 0;
  for (let i = 0; i < n; i++) {
    let prod = 1;
    for (let k = 0; k < d; k++) {
      const a = Math.abs(points[i * d + k] - 0.5);
      prod *= 1 + 0.5 * a - 0.5 * a * a;
    }
    single += prod;
  }
  let pair = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let prod = 1;
      for (let k = 0; k < d; k++) {
        const xi = points[i * d + k];
        const xj = points[j * d + k];
        prod *= 1 + 0.5 * Math.abs(xi - 0.5) + 0.5 * Math.abs(xj - 0.5) - 0.5 * Math.abs(xi - xj);
      }
      pair += prod;
    }
  }
  return Math.pow(13 / 12, d) - (2 / n) * single + pair / (n * n);
}
