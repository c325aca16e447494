/**
 * Numeric helpers that turn observations into GP training sets and candidate sets
 * (PROTEIN.md §2 steps 4 and 6). Knows nothing of configs or files.
 *
 * Symbols: X: n×d row-major rows, s: n direction-adjusted scores (larger is better),
 * c: n costs, C: m×d candidate rows.
 */

/** Default distance under which two normalized rows are the same point (PufferLib's EPSILON). */
export const DUPLICATE_DISTANCE = 1e-6;

/** Squared Euclidean distance between row i of A and row j of B (both with d columns). */
export function rowDistanceSquared(A: Float64Array, i: number, B: Float64Array, j: number, d: number): number {
  let sum = 0;
  const a = i * d;
  const b = j * d;
  for (let k = 0; k < d; k++) {
    const t = A[a + k] - B[b + k];
    sum += t * t;
  }
  return sum;
}

/**
 * Indices of rows to keep: a row is dropped when a LATER row lies within `radius` of it
 * (the newest observation wins, as in PufferLib). The rows are sorted by their projection on a
 * fixed unit direction w with no zero component; two rows within `radius` of each other have
 * projections within `radius` (|w·(x − y)| ≤ |w|·|x − y|), so a sweep over the sorted rows compares
 * only rows whose projections are that close: O(n log n) plus the number of such pairs. (Sorting by
 * the first coordinate instead made this quadratic whenever many rows share it: a categorical or
 * integer first parameter, a fixed cost coordinate, candidates reflected onto a bound.)
 *
 * @param X n×d row-major rows.
 * @returns kept indices in increasing order.
 */
export function dedupRows(X: Float64Array, n: number, d: number, radius = DUPLICATE_DISTANCE): number[] {
  if (n < 2 || d === 0) return n === 0 ? [] : d === 0 ? [n - 1] : [0];
  const r2 = radius * radius;
  const w = projectionDirection(d);
  const key = new Float64Array(n);
  let largest = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += w[k] * X[i * d + k];
    if (Number.isNaN(s)) s = Number.POSITIVE_INFINITY;
    key[i] = s;
    const a = Number.isFinite(s) ? Math.abs(s) : 0;
    if (a > largest) largest = a;
  }
  // The projections carry rounding errors of about d·ε·max|x|; widen the window far beyond them, so no pair
  // within `radius` is ever skipped (a wider window only costs comparisons). A row with a NaN sorts last and is
  // compared with nothing (it lies within no radius of anything).
  const window = radius + 1e-9 * (1 + largest);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => key[a] - key[b] || a - b);
  const dropped = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const i = order[k];
    for (let l = k + 1; l < n; l++) {
      const j = order[l];
      if (!(key[j] - key[i] < window)) break;
      if (rowDistanceSquared(X, i, X, j, d) < r2) dropped[i < j ? i : j] = 1;
    }
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (!dropped[i]) out.push(i);
  return out;
}

const directions = new Map<number, Float64Array>();

/** A fixed unit vector of d components in [1, 2) before normalization (the fractional parts of k·φ). */
function projectionDirection(d: number): Float64Array {
  let w = directions.get(d);
  if (w) return w;
  w = new Float64Array(d);
  let norm = 0;
  for (let k = 0; k < d; k++) {
    w[k] = 1 + (((k + 1) * 0.6180339887498949) % 1);
    norm += w[k] * w[k];
  }
  norm = Math.sqrt(norm);
  for (let k = 0; k < d; k++) w[k] /= norm;
  directions.set(d, w);
  return w;
}

/**
 * Caps a training set at about `maxSize` rows (PROTEIN.md §2 step 4, with a departure for speed): the rows are
 * split at a base count `b` of source rows that moves only every ⌈maxSize/16⌉ rows (b = maxSize + k·step, the
 * largest such b ≤ total). The rows before b are capped at `maxSize`: their most recent ⌊maxSize/2⌋, and the rest
 * evenly spaced over the older ones; every row from b on is added after them. So between two moves of b the
 * training set only grows at its end, and a GP conditioned on it keeps its Cholesky rows (O(n²) per new row, not
 * a new O(n³) factor); at most `maxSize + step` rows. The reference draws a random half of the older rows on every
 * call instead, which changes the training set, and so the factor, every time. Order is preserved (older first).
 *
 * With `near` (the rows and their scores), half the cap goes to the older rows nearest the best older row, and the
 * rule above fills the other half from the rest (a quarter most recent, a quarter spread): the model keeps a dense
 * picture where the search looks. The best is taken among the older rows only, so the set still moves only with b.
 *
 * @param order kept row indices in chronological (ascending) order.
 * @param total the number of source rows `order` was drawn from (the base is counted on them).
 * @param near rows (row-major, d columns) and scores (larger is better) indexed like `order`.
 */
export function subsampleRecent(order: readonly number[], maxSize: number, total: number, near?: NearBest): number[] {
  if (order.length <= maxSize) return [...order];
  const step = Math.max(1, Math.ceil(maxSize / 16));
  const base = total <= maxSize ? total : maxSize + Math.floor((total - maxSize) / step) * step;
  let split = order.length;
  while (split > 0 && order[split - 1] >= base) split--;
  const older = order.slice(0, split);
  const fresh = order.slice(split);
  if (older.length <= maxSize) return [...older, ...fresh];
  if (near === undefined) return [...recentAndSpread(older, maxSize), ...fresh];
  // Half the cap: the older rows nearest the best of them (ties: the older row first); the other half from the
  // rest as without `near`. Chronological order is kept.
  const { X, s, d } = near;
  let best = older[0];
  for (const i of older) if (s[i] > s[best]) best = i;
  const localSize = Math.floor(maxSize / 2);
  const dist = new Float64Array(older[older.length - 1] + 1);
  for (const i of older) dist[i] = rowDistanceSquared(X, i, X, best, d);
  const local = new Set([...older].sort((a, b) => dist[a] - dist[b]).slice(0, localSize));
  const chosen = new Set([...local, ...recentAndSpread(older.filter((i) => !local.has(i)), maxSize - localSize)]);
  return [...older.filter((i) => chosen.has(i)), ...fresh];
}

/** Rows and scores (larger is better) for {@link subsampleRecent}'s rows around the best. */
export interface NearBest {
  X: Float64Array;
  s: ArrayLike<number>;
  d: number;
}

/** `size` of `rows` (chronological): the most recent ⌊size/2⌋ and the rest evenly spaced over the older ones. */
function recentAndSpread(rows: readonly number[], size: number): number[] {
  const recentSize = Math.floor(size / 2);
  const early = rows.slice(0, rows.length - recentSize);
  const k = size - recentSize;
  const picked = Array.from({ length: k }, (_, i) => early[Math.floor((i * early.length) / k)]);
  return [...picked, ...rows.slice(rows.length - recentSize)];
}

/** The q-quantile of values with linear interpolation between order statistics (numpy's default). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return Number.NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/** Min–max scaling `(v − lo)/(hi − lo + eps)`, written into `out`. */
export function minMaxScale(values: ArrayLike<number>, lo: number, hi: number, eps: number, out: Float64Array = new Float64Array(values.length)): Float64Array {
  const span = Math.abs(hi - lo) + eps;
  if (Number.isFinite(span)) {
    for (let i = 0; i < values.length; i++) out[i] = (values[i] - lo) / span;
    return out;
  }
  // |hi − lo| overflows (finite scores near ±1.7e308): scale everything by ½ first. Halving
  // is exact, so within range this is the same map; the results stay finite.
  const halfSpan = Math.abs(hi / 2 - lo / 2) + eps / 2;
  for (let i = 0; i < values.length; i++) out[i] = (values[i] / 2 - lo / 2) / halfSpan;
  return out;
}

/**
 * The inverse of {@link minMaxScale}: lo + y·(|hi − lo| + eps), computed without overflow
 * when |hi − lo| exceeds the largest double (the result itself is clipped to ±MAX_VALUE).
 */
export function minMaxUnscale(y: number, lo: number, hi: number, eps: number): number {
  const span = Math.abs(hi - lo) + eps;
  if (Number.isFinite(span)) return y * span + lo;
  const v = 2 * (y * (Math.abs(hi / 2 - lo / 2) + eps / 2) + lo / 2);
  return Math.min(Number.MAX_VALUE, Math.max(-Number.MAX_VALUE, v));
}

/** Smallest of the first n values (n defaults to all), without spreading them into a call. */
export function minOf(values: ArrayLike<number>, n = values.length): number {
  let m = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) if (values[i] < m) m = values[i];
  return n === 0 ? Number.POSITIVE_INFINITY : m;
}

/** Largest of the first n values (n defaults to all), without spreading them into a call. */
export function maxOf(values: ArrayLike<number>, n = values.length): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) if (values[i] > m) m = values[i];
  return m;
}

/** Copies the listed rows of X (d columns) into a new n'×d block. */
export function gatherRows(X: Float64Array, rows: readonly number[], d: number): Float64Array {
  const out = new Float64Array(rows.length * d);
  for (let r = 0; r < rows.length; r++) out.set(X.subarray(rows[r] * d, rows[r] * d + d), r * d);
  return out;
}

/**
 * Removes candidate rows within `radius` of any row of P (pending points), in place
 * at the front of C. Returns the number of rows kept.
 */
export function excludeNear(C: Float64Array, m: number, P: Float64Array, p: number, d: number, radius: number): number {
  if (p === 0 || radius <= 0) return m;
  const r2 = radius * radius;
  let kept = 0;
  for (let i = 0; i < m; i++) {
    let far = true;
    for (let j = 0; j < p && far; j++) if (rowDistanceSquared(C, i, P, j, d) < r2) far = false;
    if (far) {
      if (kept !== i) C.copyWithin(kept * d, i * d, i * d + d);
      kept++;
    }
  }
  return kept;
}
