/**
 * The hot loops of the GP in WebAssembly SIMD (issue 13), each bit-identical to the JavaScript it stands in for:
 * - {@link wasmCross}: squared scaled distances and dot products of every row of A with every row of B (the cross
 *   kernels of src/gp/kernels.ts), two columns per f64x2 lane pair, and the stationary kernels' values with exp
 *   computed as V8's Math.exp computes it;
 * - {@link wasmForwardRows}: the forward substitution's 4-row blocks (src/linalg/triangular-blocked.ts);
 * - {@link wasmBoundSession}: the variance bound's small factorizations (GaussianProcess.predictMeanAndVarianceBound).
 * Each lane runs the JavaScript loop's operations in the same order (WebAssembly's f64 arithmetic is IEEE-exact and
 * never fused); test/linalg/wasm.test.ts checks the bits, and that the bytes below are what tools/build-wasm.ts
 * compiles from src/linalg/wasm/kernels.wat.
 *
 * The module (6 KiB) is instantiated synchronously on first use. Where WebAssembly or its SIMD is missing, or
 * compiling fails for any reason (some browsers limit synchronous compilation on the main thread), every entry
 * returns false or null and the callers keep their JavaScript loops: the same results, more slowly.
 */
import { KERNELS_WASM_BASE64 } from "./kernels-binary";

interface Memory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface CrossExports {
  memory: Memory;
  sqdist(a: number, m: number, bT: number, n: number, d: number, J: number, nJ: number, K: number, nK: number, W: number, tol: number, out: number): void;
  dot(a: number, m: number, bT: number, n: number, d: number, J: number, nJ: number, out: number): void;
  kernelize(v: number, len: number, code: number, scale: number): void;
  exp(x: number): number;
  exp2(p: number): void;
  forward4(L: number, n: number, YT: number, R: number, groups: number, fromRow: number): void;
  nbreduce(K: number, n: number, idx: number, val: number, B: number, p: number, jitter: number, KS: number, W: number, out: number): void;
  axpy(y: number, x: number, len: number, f: number): void;
  addc(y: number, len: number, c: number): void;
}
/** The little of the WebAssembly API used here (the project's TypeScript lib has no DOM or WebAssembly types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => unknown;
  Instance: new (module: unknown, imports: object) => { exports: unknown };
}

let loaded: CrossExports | null | undefined;
let enabled = true;
/**
 * Start of the module memory a {@link wasmBoundSession} holds (K and its block buffers): the other kernels, which
 * lay out their buffers from offset 0, must end below it, and hand the work back to JavaScript otherwise (the same
 * bits either way). Infinity when no session is open.
 */
let reservedFrom = Number.POSITIVE_INFINITY;

function decodeBase64(b64: string): Uint8Array {
  const atob = (globalThis as unknown as { atob?: (s: string) => string }).atob;
  if (typeof atob !== "function") throw new Error("no atob");
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function load(): CrossExports | null {
  if (loaded !== undefined) return loaded;
  try {
    const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    if (!api) throw new Error("no WebAssembly");
    const instance = new api.Instance(new api.Module(decodeBase64(KERNELS_WASM_BASE64)), {});
    loaded = instance.exports as CrossExports;
  } catch {
    loaded = null; // e.g. an engine without SIMD: the JavaScript loops serve
  }
  return loaded;
}

/**
 * Turns the WebAssembly kernels off (or back on) for this process: the JavaScript loops give the same bits, more
 * slowly. For tests and benchmarks that compare the two; not a setting.
 */
export function setWasmKernels(on: boolean): void {
  enabled = on;
}

/** Whether the WebAssembly kernels are in use: enabled and instantiated here. */
export function wasmKernelsActive(): boolean {
  return enabled && load() !== null;
}

/** exp(x) by the module's exp (for the test that compares it with Math.exp bit for bit); NaN when the module is unavailable. */
export function wasmExp(x: number): number {
  const m = load();
  return m ? m.exp(x) : Number.NaN;
}

/** exp of a pair by the module's two-lane exp (the one the kernels use), for the same test; NaNs when unavailable. */
export function wasmExp2(x0: number, x1: number): [number, number] {
  const m = load();
  if (!m) return [Number.NaN, Number.NaN];
  const v = new Float64Array(m.memory.buffer, 0, 2);
  v[0] = x0;
  v[1] = x1;
  m.exp2(0);
  return [v[0], v[1]];
}

/** Bytes of the module's memory (0 when it is unavailable): for the test that it does not keep growing. */
export function wasmMemoryBytes(): number {
  return load()?.memory.buffer.byteLength ?? 0;
}

/** Pairs (m·n) below which the copies into the module cost more than its loop saves. */
export const WASM_MIN_PAIRS = 512;
/** Output entries per chunk of A's rows (2 MiB of f64): bounds the module's memory whatever m is. */
const CHUNK_ENTRIES = 1 << 18;

const align16 = (bytes: number): number => (bytes + 15) & ~15;

/** What the kernel adds for each dimension. */
export interface CrossTerms {
  kind: "sqdist" | "dot";
  /** Continuous dimensions, in the order the scalar loop visits them. */
  cont: Int32Array;
  /** sqdist only: categorical dimensions (after the continuous ones), each adding catWeight[r] where the codes differ by more than tol. */
  cat?: Int32Array;
  catWeight?: Float64Array;
  tol?: number;
  /**
   * sqdist only: turn each r² into scale·k(r²) before handing the chunk over — code 0 RBF, 1 Matérn 3/2, 2 Matérn
   * 5/2, with kernelOfR2InPlace's arithmetic and exp computed as V8's Math.exp computes it (the same bits).
   */
  kernel?: { code: number; scale: number };
}

/**
 * Computes, for every row i of A (m×d, row-major) and row b of B (n×d), Σ over `terms` of the pair's terms, and
 * hands them to `each` a chunk of A's rows at a time: `view[(i − row0)·n + b]` for row0 ≤ i < row0 + rows. The view
 * lies in the module's memory and is valid only during that callback. Returns false (having called nothing) when
 * the WebAssembly kernels are off or unavailable.
 */
export function wasmCross(A: Float64Array, m: number, B: Float64Array, n: number, d: number, terms: CrossTerms, each: (view: Float64Array, row0: number, rows: number) => void): boolean {
  if (!enabled || m === 0 || n === 0) return false;
  const x = load();
  if (!x) return false;
  const cont = terms.cont;
  const cat = terms.kind === "sqdist" && terms.cat ? terms.cat : new Int32Array(0);
  const chunk = Math.max(1, Math.min(m, Math.floor(CHUNK_ENTRIES / n)));
  // Layout (bytes): J | K | W | bT (d×n) | a (chunk×d) | out (chunk×n).
  const { offJ, offK, offW, offBT, offA, end: termsEnd } = placeTerms(0, cont.length, cat.length, d, n, chunk);
  const offOut = align16(termsEnd);
  const end = offOut + 8 * chunk * n;
  if (end > reservedFrom) return false;
  memoryFor(x, end);
  const buf = x.memory.buffer;
  writeTerms(buf, offJ, offK, offW, offBT, terms, cat, B, n, d);
  const a = new Float64Array(buf, offA, chunk * d);
  const out = new Float64Array(buf, offOut, chunk * n);
  for (let row0 = 0; row0 < m; row0 += chunk) {
    const rows = Math.min(chunk, m - row0);
    a.set(A.subarray(row0 * d, (row0 + rows) * d));
    if (terms.kind === "sqdist") {
      x.sqdist(offA, rows, offBT, n, d, offJ, cont.length, offK, cat.length, offW, terms.tol ?? 0, offOut);
      if (terms.kernel) x.kernelize(offOut, rows * n, terms.kernel.code, terms.kernel.scale);
    } else x.dot(offA, rows, offBT, n, d, offJ, cont.length, offOut);
    each(out, row0, rows);
  }
  return true;
}

/** Grows the module's memory to at least `end` bytes. */
function memoryFor(x: CrossExports, end: number): void {
  const have = x.memory.buffer.byteLength;
  if (end > have) x.memory.grow(Math.ceil((end - have) / 65536));
}

/** Byte offsets of a cross kernel's buffers from `at` on: J | K | W | bT (d×n) | a (chunk×d); `end` after a. */
interface TermsLayout {
  offJ: number;
  offK: number;
  offW: number;
  offBT: number;
  offA: number;
  end: number;
}

function placeTerms(at: number, nCont: number, nCat: number, d: number, n: number, chunk: number): TermsLayout {
  const offJ = align16(at);
  const offK = align16(offJ + 4 * nCont);
  const offW = align16(offK + 4 * nCat);
  const offBT = align16(offW + 8 * nCat);
  const offA = align16(offBT + 8 * d * n);
  return { offJ, offK, offW, offBT, offA, end: offA + 8 * chunk * d };
}

/** Writes a cross kernel's dimension lists (J, and K with weights W for the categorical ones) and B transposed (d×n) into the module's memory. */
function writeTerms(buf: ArrayBuffer, offJ: number, offK: number, offW: number, offBT: number, terms: CrossTerms, cat: Int32Array, B: Float64Array, n: number, d: number): void {
  new Int32Array(buf, offJ, terms.cont.length).set(terms.cont);
  if (cat.length > 0) {
    new Int32Array(buf, offK, cat.length).set(cat);
    new Float64Array(buf, offW, cat.length).set(terms.catWeight!.subarray(0, cat.length));
  }
  const bT = new Float64Array(buf, offBT, d * n);
  for (let b = 0; b < n; b++) {
    const o = b * d;
    for (let j = 0; j < d; j++) bT[j * n + b] = B[o + j];
  }
}

/**
 * One term of a sum kernel for {@link wasmCrossSum}: the first a stationary kernel's scale·k(r²) over its (scaled)
 * rows, each later one a dot product times `factor` (a linear term) or a constant `value`, added in that order.
 */
export type CrossPart =
  | { kind: "sqdist"; A: Float64Array; B: Float64Array; terms: CrossTerms }
  | { kind: "dot"; A: Float64Array; B: Float64Array; terms: CrossTerms; factor: number }
  | { kind: "const"; value: number };

/**
 * A sum kernel's cross block in the module: the first part's values (a stationary kernel, as {@link wasmCross}
 * computes them), then each later part added into them in order — `y += factor·(a·b)` for a linear term, `y += value`
 * for a constant — which is SumKernel's JavaScript order (`out = first; out += …`), so the same bits; handed to
 * `each` a chunk of A's rows at a time as {@link wasmCross} does. Saves the JavaScript passes that added each term's
 * chunk into the caller's block. Returns false (having called nothing) when the module is off or unavailable, the
 * parts are not of that shape, or the buffers would not fit below a bound session.
 */
export function wasmCrossSum(parts: readonly CrossPart[], m: number, n: number, d: number, each: (view: Float64Array, row0: number, rows: number) => void): boolean {
  if (!enabled || m === 0 || n === 0 || parts.length < 2) return false;
  const first = parts[0];
  if (first.kind !== "sqdist" || !first.terms.kernel) return false;
  if (parts.slice(1).some((p) => p.kind === "sqdist")) return false;
  const x = load();
  if (!x) return false;
  const chunk = Math.max(1, Math.min(m, Math.floor(CHUNK_ENTRIES / n)));
  // Layout per part with rows (sqdist, dot): J | K | W | bT (d×n) | a (chunk×d); then out (chunk×n) and, when a dot
  // part is present, tmp (chunk×n) for its products.
  interface Placed extends TermsLayout { part: CrossPart; cat: Int32Array }
  const placed: Placed[] = [];
  let at = 0;
  for (const part of parts) {
    if (part.kind === "const") {
      placed.push({ part, offJ: 0, offK: 0, offW: 0, offBT: 0, offA: 0, end: at, cat: new Int32Array(0) });
      continue;
    }
    const cat = part.kind === "sqdist" && part.terms.cat ? part.terms.cat : new Int32Array(0);
    const layout = placeTerms(at, part.terms.cont.length, cat.length, d, n, chunk);
    at = layout.end;
    placed.push({ part, ...layout, cat });
  }
  const offOut = align16(at);
  const offTmp = align16(offOut + 8 * chunk * n);
  const end = offTmp + 8 * chunk * n;
  if (end > reservedFrom) return false;
  memoryFor(x, end);
  const buf = x.memory.buffer;
  for (const p of placed) if (p.part.kind !== "const") writeTerms(buf, p.offJ, p.offK, p.offW, p.offBT, p.part.terms, p.cat, p.part.B, n, d);
  const out = new Float64Array(buf, offOut, chunk * n);
  for (let row0 = 0; row0 < m; row0 += chunk) {
    const rows = Math.min(chunk, m - row0);
    const len = rows * n;
    for (const p of placed) {
      const part = p.part;
      if (part.kind === "const") {
        x.addc(offOut, len, part.value);
        continue;
      }
      new Float64Array(buf, p.offA, rows * d).set(part.A.subarray(row0 * d, (row0 + rows) * d));
      if (part.kind === "sqdist") {
        const t = part.terms;
        x.sqdist(p.offA, rows, p.offBT, n, d, p.offJ, t.cont.length, p.offK, p.cat.length, p.offW, t.tol ?? 0, offOut);
        x.kernelize(offOut, len, t.kernel!.code, t.kernel!.scale);
      } else {
        x.dot(p.offA, rows, p.offBT, n, d, p.offJ, part.terms.cont.length, offTmp);
        x.axpy(offOut, offTmp, len, part.factor);
      }
    }
    each(out, row0, rows);
  }
  return true;
}

/** Module memory above which the triangular solve leaves the work to JavaScript (L and the right-hand sides). */
const MAX_SOLVE_BYTES = 192 << 20;

/**
 * Forward substitution L·y = b in place for the rows [r0, r4) of Y (one right-hand side per row, stride n; r4 − r0 a
 * multiple of 4), with the same bits as src/linalg/triangular-blocked.ts's 4-row blocks (forward4x2, forward4x1):
 * the rows are transposed into the module (two right-hand sides per f64x2), solved there, and copied back. L is
 * copied in unless `lLoaded` says the previous call (true) left this L there, with nothing run in the module since.
 * `fromRow` as forwardRows': group g's sums start at column 4g. Returns false, having touched nothing, when the
 * module is off or unavailable, or the problem would need more than 192 MiB.
 */
export function wasmForwardRows(L: Float64Array, n: number, Y: Float64Array, r0: number, r4: number, fromRow: boolean, lLoaded = false): boolean {
  if (!enabled) return false;
  const R = r4 - r0;
  if (R <= 0 || R % 4 !== 0 || n === 0) return false;
  const offL = 0;
  const offY = align16(8 * n * n);
  const end = offY + 8 * n * R;
  if (end > MAX_SOLVE_BYTES || end > reservedFrom) return false;
  const x = load();
  if (!x) return false;
  memoryFor(x, end);
  const buf = x.memory.buffer;
  if (!lLoaded) new Float64Array(buf, offL, n * n).set(L.subarray(0, n * n));
  const YT = new Float64Array(buf, offY, n * R);
  for (let r = 0; r < R; r++) {
    const o = (r0 + r) * n;
    for (let k = 0; k < n; k++) YT[k * R + r] = Y[o + k];
  }
  x.forward4(offL, n, offY, R, R / 4, fromRow ? 1 : 0);
  for (let r = 0; r < R; r++) {
    const o = (r0 + r) * n;
    for (let k = 0; k < n; k++) Y[o + k] = YT[k * R + r];
  }
  return true;
}

/** The variance bound's per-candidate solves in the module, K copied in once for all blocks of one call. */
export interface WasmBoundSession {
  /**
   * For each of the B candidates: Σ w_a² with w = L⁻¹·k_S, L the Cholesky factor of K_SS + jitter·I at its p nearest
   * rows `idx[i·p + a]` (kernel values `val[i·p + a]`); 0 where the factorization fails — into out[0..B).
   */
  reduce(idx: Int32Array, val: Float64Array, B: number, p: number, jitter: number, out: Float64Array): void;
  /** Releases the module memory held for K. */
  close(): void;
}

/**
 * Opens a session for the variance bound of one predictMeanAndVarianceBound call: copies K (n×n; only its lower
 * triangle is read) into the module above the memory the other kernels use, and keeps it there until close().
 * Null when the module is off or unavailable, or K would need more than 192 MiB.
 */
export function wasmBoundSession(K: Float64Array, n: number, maxB: number, p: number): WasmBoundSession | null {
  if (!enabled || reservedFrom !== Number.POSITIVE_INFINITY) return null;
  const x = load();
  if (!x) return null;
  // Above what the cross kernels of a prediction block need (fillCross of n rows × maxB candidates, d ≤ 64): a
  // fixed layout, so that repeated sessions reuse the same memory.
  const base = align16(8 * n * maxB + 8 * 64 * (n + maxB) + 4096);
  const offK = base;
  const offIdx = align16(offK + 8 * n * n);
  const offVal = align16(offIdx + 4 * maxB * p);
  const offKS = align16(offVal + 8 * maxB * p);
  const offW = align16(offKS + 16 * p * p);
  const offOut = align16(offW + 16 * p);
  const end = offOut + 8 * maxB;
  if (end - base > MAX_SOLVE_BYTES) return null;
  memoryFor(x, end);
  new Float64Array(x.memory.buffer, offK, n * n).set(K.subarray(0, n * n));
  reservedFrom = base;
  return {
    reduce(idx, val, B, pp, jitter, out) {
      if (B > maxB || pp !== p) throw new Error("wasmBoundSession: block larger than the session was opened for");
      const buf = x.memory.buffer;
      new Int32Array(buf, offIdx, B * p).set(idx.subarray(0, B * p));
      new Float64Array(buf, offVal, B * p).set(val.subarray(0, B * p));
      x.nbreduce(offK, n, offIdx, offVal, B, p, jitter, offKS, offW, offOut);
      out.set(new Float64Array(buf, offOut, B));
    },
    close() {
      reservedFrom = Number.POSITIVE_INFINITY;
    },
  };
}
