/**
 * Choosing the winning candidate from a vector of ratings.
 *
 * Glossary: values: n ratings, larger is better.
 */

/**
 * Index of the largest value, skipping NaN; ties go to the lowest index (like numpy's
 * `argmax`, which however returns the first NaN when there is one). −Infinity counts as a
 * value, so an array of −∞ returns 0.
 *
 * @param values ratings, length n (any numeric array-like)
 * @returns the index, or −1 when n = 0 or every value is NaN
 * @example argmax(new Float64Array([1, NaN, 3, 3])) // 2
 */
export function argmax(values: ArrayLike<number>): number {
  let best = -1;
  let bestValue = Number.NEGATIVE_INFINITY;
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v > bestValue || (best === -1 && v === Number.NEGATIVE_INFINITY)) {
      best = i;
      bestValue = v;
    }
  }
  return best;
}
