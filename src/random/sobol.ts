/**
 * Sobol low-discrepancy sequence with optional linear matrix scramble and digital shift.
 *
 * Glossary (b = 32 bits per coordinate, digit r = bit 31 - r, r = 0 most significant):
 *   d            number of dimensions, 1 <= d <= SOBOL_MAX_DIM
 *   s, poly      degree and integer form of dimension k's primitive polynomial
 *                x^s + c_1 x^(s-1) + ... + c_(s-1) x + 1  (c_i = bit s - i of poly)
 *   m_j          direction integers, odd, m_j < 2^j (j = 1..b); m_1..m_s from the table
 *   V[k*b + j-1] direction number m_j · 2^(b-j) of dimension k, as a uint32
 *   L_k          b×b random lower-triangular binary matrix with unit diagonal (scramble)
 *   e_k          random b-bit digital shift (scramble)
 *   X[k]         uint32 coordinate k of the point at `index`; the point is X[k] · 2^-b
 *
 * Recurrence (Bratley & Fox 1988, eq. for m_j), for j > s:
 *   m_j = 2 c_1 m_(j-1) ⊕ 4 c_2 m_(j-2) ⊕ ... ⊕ 2^(s-1) c_(s-1) m_(j-s+1) ⊕ 2^s m_(j-s) ⊕ m_(j-s)
 * Point n in Gray-code order (Antonov & Saleev 1979):
 *   X_n = e ⊕ (⊕ over set bits j of gray(n) = n ⊕ (n >> 1) of V_j), so
 *   X_(n+1) = X_n ⊕ V_c with c = number of trailing zeros of n + 1.
 * Scramble (Matoušek 1998, "linear matrix scramble" + digital shift):
 *   V'_j = L_k · V_j over GF(2), then shift by e_k. Both keep the (t, m, s)-net
 *   structure, so every 1-D projection of the first 2^m points stays stratified.
 *
 * Unscrambled, the first point is the origin, as in scipy's `Sobol(scramble=False)`.
 */
import { ProteinError } from "../errors";
import { createRng } from "./rng";
import { SOBOL_MAX_DIM, SOBOL_TABLE } from "./sobol-directions";
import type { Rng } from "./types";

/** Bits per coordinate. */
const BITS = 32;
/** 2^-32: scales a uint32 coordinate into [0, 1). */
const SCALE = 1 / 4294967296;

/** Number of distinct points the sequence provides (2^32); `next()` throws after that. */
export const SOBOL_MAX_POINTS = 4294967296;

/** Options of {@link SobolSequence}. */
export interface SobolOptions {
  /**
   * `false` / omitted: plain Sobol points (starting at the origin).
   * An `Rng`: scramble, seeded by one `uint32()` draw from it.
   * `true` is accepted only together with `seed`.
   */
  scramble?: boolean | Rng;
  /** Scramble seed (a uint32) used with `scramble: true`; restores a scramble exactly. */
  seed?: number;
}

/** JSON-serializable position of a {@link SobolSequence}; `SobolSequence.fromState` resumes from it. */
export interface SobolState {
  readonly version: 1;
  readonly dim: number;
  /** Index of the next point to be returned. */
  readonly index: number;
  /** Seed of the scramble matrices and shift, or null when unscrambled. */
  readonly scrambleSeed: number | null;
}

/** Start of each dimension's record in SOBOL_TABLE (length SOBOL_MAX_DIM + 1), built on first use. */
let tableOffsets: Int32Array | null = null;

function offsets(): Int32Array {
  if (tableOffsets !== null) return tableOffsets;
  const off = new Int32Array(SOBOL_MAX_DIM + 1);
  let p = 0;
  for (let k = 0; k < SOBOL_MAX_DIM; k++) {
    off[k] = p;
    p += 1 + degreeOf(SOBOL_TABLE[p]);
  }
  off[SOBOL_MAX_DIM] = p;
  tableOffsets = off;
  return off;
}

function degreeOf(poly: number): number {
  return 31 - Math.clz32(poly);
}

/** Fills `V` (dim × 32, row-major) with the unscrambled direction numbers. */
function fillDirections(dim: number, V: Uint32Array): void {
  const off = offsets();
  const m = new Uint32Array(BITS + 1); // m[1..32]
  for (let k = 0; k < dim; k++) {
    const base = off[k];
    const poly = SOBOL_TABLE[base];
    const s = degreeOf(poly);
    if (s === 0) {
      // First dimension: all m_j = 1 (van der Corput).
      for (let j = 1; j <= BITS; j++) m[j] = 1;
    } else {
      for (let j = 1; j <= s && j <= BITS; j++) m[j] = SOBOL_TABLE[base + j];
      for (let j = s + 1; j <= BITS; j++) {
        // Bratley–Fox recurrence (see the header); m_j < 2^j <= 2^32.
        let next = m[j - s] ^ (m[j - s] << s);
        for (let i = 1; i < s; i++) {
          if ((poly >>> (s - i)) & 1) next ^= m[j - i] << i;
        }
        m[j] = next >>> 0;
      }
    }
    for (let j = 1; j <= BITS; j++) V[k * BITS + j - 1] = (m[j] << (BITS - j)) >>> 0;
  }
}

/** Parity (popcount mod 2) of a 32-bit integer. */
function parity(x: number): number {
  x ^= x >>> 16;
  x ^= x >>> 8;
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}

/**
 * Applies a linear matrix scramble to `V` in place and returns the digital shifts,
 * all drawn from a generator seeded with `seed`.
 */
function scrambleDirections(dim: number, V: Uint32Array, seed: number): Uint32Array {
  const rng = createRng(seed);
  const L = new Uint32Array(BITS); // row r of L_k: bit (31 - c) = L[r][c]
  const shift = new Uint32Array(dim);
  for (let k = 0; k < dim; k++) {
    for (let r = 0; r < BITS; r++) {
      const diagonal = (1 << (BITS - 1 - r)) >>> 0;
      // Columns c < r are the bits above the diagonal bit.
      const below = r === 0 ? 0 : (0xffffffff << (BITS - r)) >>> 0;
      L[r] = ((rng.uint32() & below) | diagonal) >>> 0;
    }
    for (let j = 0; j < BITS; j++) {
      const v = V[k * BITS + j];
      let w = 0;
      for (let r = 0; r < BITS; r++) w |= parity(L[r] & v) << (BITS - 1 - r); // digit r of L_k · v
      V[k * BITS + j] = w >>> 0;
    }
    shift[k] = rng.uint32();
  }
  return shift;
}

function checkDim(dim: unknown): number {
  if (typeof dim !== "number" || !Number.isInteger(dim) || dim < 1 || dim > SOBOL_MAX_DIM) {
    throw new ProteinError("Sobol dimension out of range", {
      key: "dim",
      value: dim,
      allowed: `an integer from 1 to ${SOBOL_MAX_DIM} (the maximum supported dimension)`,
    });
  }
  return dim;
}

function checkSeed(seed: unknown, key: string): number {
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new ProteinError("Sobol scramble seed must be a uint32", {
      key,
      value: seed,
      allowed: "an integer from 0 to 4294967295",
    });
  }
  return seed;
}

function isRng(value: unknown): value is Rng {
  return typeof value === "object" && value !== null && typeof (value as Rng).uint32 === "function";
}

/**
 * A Sobol sequence in [0, 1)^dim using Joe & Kuo's direction numbers
 * (new-joe-kuo-6.21201), optionally scrambled.
 *
 * @example
 * const sobol = new SobolSequence(5, { scramble: createRng(42) });
 * const x = sobol.next();        // Float64Array(5)
 * const batch = sobol.draw(256); // 256 × 5, row-major
 */
export class SobolSequence {
  /** Number of dimensions. */
  readonly dim: number;
  /** Scramble seed, or null when unscrambled. */
  readonly scrambleSeed: number | null;
  private readonly V: Uint32Array;
  private readonly shift: Uint32Array;
  private readonly X: Uint32Array;
  private idx = 0;

  /**
   * @param dim - Number of dimensions, 1..SOBOL_MAX_DIM.
   * @param options - `scramble`: false (default), an `Rng` (draws one `uint32()` as
   *   the scramble seed), or `true` with `seed`.
   * @throws ProteinError if `dim` is out of range (the message names the maximum),
   *   `scramble: true` comes without a `seed`, or `seed` is not a uint32.
   */
  constructor(dim: number, options: SobolOptions = {}) {
    this.dim = checkDim(dim);
    const { scramble = false, seed } = options;
    let scrambleSeed: number | null = null;
    if (isRng(scramble)) {
      if (seed !== undefined) {
        throw new ProteinError("Give either an Rng or a seed for the Sobol scramble, not both", {
          key: "seed",
          value: seed,
        });
      }
      scrambleSeed = scramble.uint32();
    } else if (scramble === true) {
      if (seed === undefined) {
        throw new ProteinError("scramble: true needs a seed", {
          key: "seed",
          value: seed,
          allowed: "a uint32",
          fix: "pass scramble: rng (an Rng from createRng) or scramble: true with seed",
        });
      }
      scrambleSeed = checkSeed(seed, "seed");
    } else if (scramble !== false) {
      throw new ProteinError("Invalid Sobol scramble option", {
        key: "scramble",
        value: scramble,
        allowed: "false, true (with seed), or an Rng",
      });
    }
    this.scrambleSeed = scrambleSeed;
    this.V = new Uint32Array(this.dim * BITS);
    fillDirections(this.dim, this.V);
    this.shift =
      scrambleSeed === null ? new Uint32Array(this.dim) : scrambleDirections(this.dim, this.V, scrambleSeed);
    this.X = new Uint32Array(this.dim);
    this.X.set(this.shift);
  }

  /**
   * Rebuilds a sequence at the position recorded by {@link SobolSequence.getState}.
   * @throws ProteinError if the state is malformed.
   */
  static fromState(state: SobolState): SobolSequence {
    if (typeof state !== "object" || state === null || state.version !== 1) {
      throw new ProteinError("Invalid Sobol state", {
        key: "state",
        value: state,
        allowed: "an object returned by SobolSequence.getState() (version 1)",
      });
    }
    const seq =
      state.scrambleSeed === null
        ? new SobolSequence(state.dim)
        : new SobolSequence(state.dim, { scramble: true, seed: checkSeed(state.scrambleSeed, "state.scrambleSeed") });
    const index = state.index;
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index > SOBOL_MAX_POINTS) {
      throw new ProteinError("Invalid Sobol state index", {
        key: "state.index",
        value: index,
        allowed: `an integer from 0 to ${SOBOL_MAX_POINTS}`,
      });
    }
    seq.fastForward(index);
    return seq;
  }

  /** Index of the next point `next()` will return. */
  get index(): number {
    return this.idx;
  }

  /** JSON-serializable position; `SobolSequence.fromState(state)` resumes exactly. */
  getState(): SobolState {
    return { version: 1, dim: this.dim, index: this.idx, scrambleSeed: this.scrambleSeed };
  }

  /** Rewinds to the first point. */
  reset(): void {
    this.idx = 0;
    this.X.set(this.shift);
  }

  /**
   * The next point in [0, 1)^dim.
   * @param out - Optional array of length >= dim to write into (no allocation).
   * @returns `out`, or a new Float64Array(dim).
   * @throws ProteinError if `out` is too short or all 2^32 points were used.
   */
  next(out?: Float64Array): Float64Array {
    if (out === undefined) out = new Float64Array(this.dim);
    else if (out.length < this.dim) {
      throw new ProteinError("Output array too short for a Sobol point", {
        key: "out",
        value: `Float64Array(${out.length})`,
        allowed: `length >= dim = ${this.dim}`,
      });
    }
    this.writeNext(out, 0);
    return out;
  }

  /**
   * The next `n` points, row-major (`n × dim`).
   * @param n - Number of points (a non-negative integer).
   * @param out - Optional array of length >= n·dim to write into.
   * @throws ProteinError if `n` is invalid, `out` is too short, or fewer than `n` points remain.
   */
  draw(n: number, out?: Float64Array): Float64Array {
    this.checkCount(n, "n");
    const d = this.dim;
    if (out === undefined) out = new Float64Array(n * d);
    else if (out.length < n * d) {
      throw new ProteinError("Output array too short for the Sobol points", {
        key: "out",
        value: `Float64Array(${out.length})`,
        allowed: `length >= n·dim = ${n * d}`,
      });
    }
    for (let i = 0; i < n; i++) this.writeNext(out, i * d);
    return out;
  }

  /**
   * Skips `n` points in O(dim · 32), as if `next()` had been called `n` times.
   * @throws ProteinError if `n` is not a non-negative integer or runs past the last point.
   */
  fastForward(n: number): this {
    this.checkCount(n, "n");
    const target = this.idx + n;
    const d = this.dim;
    // X_n = e ⊕ (⊕ over set bits j of gray(n) of V_j).
    this.X.set(this.shift);
    if (target < SOBOL_MAX_POINTS) {
      const gray = (target ^ (target >>> 1)) >>> 0;
      for (let j = 0; j < BITS; j++) {
        if ((gray >>> j) & 1) {
          for (let k = 0; k < d; k++) this.X[k] ^= this.V[k * BITS + j];
        }
      }
    }
    this.idx = target;
    return this;
  }

  private checkCount(n: number, key: string): void {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
      throw new ProteinError("Sobol point count must be a non-negative integer", {
        key,
        value: n,
        allowed: "an integer >= 0",
      });
    }
    if (this.idx + n > SOBOL_MAX_POINTS) {
      throw new ProteinError("Sobol sequence exhausted", {
        key,
        value: n,
        allowed: `at most ${SOBOL_MAX_POINTS - this.idx} more points (2^32 in all)`,
      });
    }
  }

  /** Writes point `idx` at out[offset..offset+dim) and advances (Gray-code step, see the header). */
  private writeNext(out: Float64Array, offset: number): void {
    const n = this.idx;
    if (n >= SOBOL_MAX_POINTS) {
      throw new ProteinError("Sobol sequence exhausted", { allowed: `${SOBOL_MAX_POINTS} points (2^32)` });
    }
    const d = this.dim;
    const X = this.X;
    for (let k = 0; k < d; k++) out[offset + k] = X[k] * SCALE;
    const m = n + 1;
    this.idx = m;
    if (m < SOBOL_MAX_POINTS) {
      const low = m & -m; // lowest set bit of m (m < 2^32, so the int32 pattern is exact)
      const c = 31 - Math.clz32(low);
      const V = this.V;
      for (let k = 0; k < d; k++) X[k] ^= V[k * BITS + c];
    }
  }
}
