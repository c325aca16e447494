/** Test-only helpers: a tiny seeded generator (mulberry32) and random SPD matrices, row-major. */
import { Matrix } from "ml-matrix";

/** Seeded uniform generator on [0, 1) (mulberry32). Test double only; the library's RNG lives in src/random. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n×m matrix with entries uniform on [-1, 1). */
export function randomMatrix(n: number, m: number, seed: number): Float64Array {
  const r = seeded(seed);
  const x = new Float64Array(n * m);
  for (let i = 0; i < x.length; i++) x[i] = 2 * r() - 1;
  return x;
}

/** X·Xᵀ/k + ridge·I for X n×k uniform on [-1, 1): symmetric, exactly symmetric by construction. */
export function gram(n: number, k: number, seed: number, ridge: number): Float64Array {
  const x = randomMatrix(n, k, seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += x[i * k + c] * x[j * k + c];
      s /= k;
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
    a[i * n + i] += ridge;
  }
  return a;
}

/** Well-conditioned random SPD matrix: X·Xᵀ/n + 0.1·I. */
export function randomSpd(n: number, seed: number): Float64Array {
  return gram(n, Math.max(n, 1), seed, 0.1);
}

/** Squared-exponential kernel matrix of n random points in [0,1]^3 with length scale 0.3, plus noise·I (GP-like, ill-conditioned). */
export function rbfMatrix(n: number, seed: number, noise: number): Float64Array {
  const p = randomMatrix(n, 3, seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let d2 = 0;
      for (let c = 0; c < 3; c++) d2 += (p[i * 3 + c] - p[j * 3 + c]) ** 2;
      const v = Math.exp(-d2 / (2 * 0.3 * 0.3));
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
    a[i * n + i] += noise;
  }
  return a;
}

/** Row-major Float64Array → ml-matrix Matrix. */
export function toMatrix(a: Float64Array, rows: number, cols: number): Matrix {
  const m = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, a[i * cols + j]);
  return m;
}

/** ml-matrix Matrix → row-major Float64Array. */
export function fromMatrix(m: Matrix): Float64Array {
  const out = new Float64Array(m.rows * m.columns);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.columns; j++) out[i * m.columns + j] = m.get(i, j);
  return out;
}

/** C = A·B for A n×k, B k×m (plain loops, test reference). */
export function matmul(a: Float64Array, b: Float64Array, n: number, k: number, m: number): Float64Array {
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) {
    const v = a[i * k + t];
    for (let j = 0; j < m; j++) c[i * m + j] += v * b[t * m + j];
  }
  return c;
}

/** L·Lᵀ for L n×n row-major lower triangular. */
export function lowerTimesTranspose(l: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) {
    let s = 0;
    for (let k = 0; k <= j; k++) s += l[i * n + k] * l[j * n + k];
    out[i * n + j] = s;
    out[j * n + i] = s;
  }
  return out;
}

/** max_i |x_i| */
export function maxAbs(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** max_i |x_i − y_i| / max(max|y|, tiny) */
export function relDiff(x: Float64Array, y: Float64Array): number {
  expectSameLength(x, y);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m / Math.max(maxAbs(y), 1e-300);
}

function expectSameLength(x: Float64Array, y: Float64Array): void {
  if (x.length !== y.length) throw new Error(`length mismatch ${x.length} vs ${y.length}`);
}
