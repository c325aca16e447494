/**
 * The one seeded random generator of protein-sweep.
 *
 * Underneath is seedrandom's ARC4 generator: its whole state is the triple
 * (i, j, S) with S a permutation of 0..255, which seedrandom exposes through
 * `{ state: true }`. Every draw below is a pure function of that state plus one
 * cached normal deviate, so `getState()` captures everything and a restored
 * generator continues bit-identically.
 *
 * Normal draws: `@stdlib/random-base-normal`'s `factory({ prng })` is not used.
 * With an external PRNG it runs the improved Ziggurat, which seeds a private
 * MT19937 from one of our uniforms and draws its table indices from that
 * MT19937. That hidden state cannot be read or restored through our `RngState`,
 * so a resumed sequence would diverge. Instead `normal()` implements the
 * Marsaglia polar method on our own uniforms (which yields deviates in pairs;
 * the second one is kept in `spareNormal`, part of the state).
 *
 * Glossary: u, v ~ U(-1, 1); s = u² + v²; a normal pair is
 * (u, v)·sqrt(-2 ln s / s) when 0 < s < 1 (Marsaglia & Bray, 1964).
 */
import stdlibUniform from "@stdlib/random-base-uniform";
import seedrandom from "seedrandom";

import { ProteinError } from "../errors";
import type { Rng, RngState } from "./types";

/** What `createRng` accepts: a number or string seed, or a snapshot from `getState()`. */
export type RngSeed = number | string | RngState;

type Arc4Prng = seedrandom.StatefulPRNG<seedrandom.State.Arc4>;

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/**
 * Creates the seeded generator.
 *
 * A number seed `n` and the string `String(n)` give the same sequence (seedrandom
 * keys on the string); distinct seeds give distinct sequences (see {@link arc4Key}).
 * Passing a state from `getState()` resumes that sequence.
 *
 * @param seed - A finite number, a string, or an `RngState` snapshot.
 * @returns A new, independent generator.
 * @throws ProteinError if `seed` is a non-finite number, another type, or a malformed state.
 */
export function createRng(seed: RngSeed): Rng {
  return new Arc4Rng(seed);
}

/**
 * Makes an independent child generator seeded from one `uint32()` draw of `rng`
 * (advancing `rng` by exactly that draw). Use it to give a sub-task (e.g. a
 * Sobol scramble) its own stream while keeping the parent reproducible.
 *
 * @param rng - The parent generator.
 * @returns A new generator whose seed is `rng.uint32()`.
 */
export function deriveRng(rng: Rng): Rng {
  return createRng(rng.uint32());
}

function isRngState(value: unknown): value is RngState {
  return typeof value === "object" && value !== null;
}

/** Checks a snapshot deeply enough that a malformed one cannot silently produce a broken stream. */
function validateState(state: unknown, key: string): RngState {
  const fail = (what: string, value: unknown): never => {
    throw new ProteinError(`Invalid random generator state: ${what}`, {
      key,
      value,
      allowed: "an object returned by rng.getState() (version 1, arc4 {i, j, S[256] permutation}, spareNormal)",
      fix: "pass a state exactly as getState() returned it (JSON round trips are fine)",
    });
  };
  if (!isRngState(state)) return fail("not an object", state);
  const s = state as { version?: unknown; arc4?: unknown; spareNormal?: unknown };
  if (s.version !== 1) fail("unknown version", s.version);
  const arc4 = s.arc4 as { i?: unknown; j?: unknown; S?: unknown } | undefined;
  if (typeof arc4 !== "object" || arc4 === null) return fail("missing arc4", s.arc4);
  const isByte = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 255;
  if (!isByte(arc4.i) || !isByte(arc4.j)) fail("arc4.i and arc4.j must be integers in 0..255", arc4);
  const S = arc4.S;
  if (!Array.isArray(S) || S.length !== 256) return fail("arc4.S must be an array of 256 bytes", S);
  const seen = new Uint8Array(256);
  for (let k = 0; k < 256; k++) {
    const b = S[k] as unknown;
    if (!isByte(b) || seen[b] === 1) fail("arc4.S must be a permutation of 0..255", S);
    seen[b as number] = 1;
  }
  const spare = s.spareNormal;
  if (spare !== null && !(typeof spare === "number" && Number.isFinite(spare))) {
    fail("spareNormal must be null or a finite number", spare);
  }
  return state as RngState;
}

function requireFinite(value: number, key: string): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ProteinError(`${key} must be a finite number`, { key, value, allowed: "a finite number" });
  }
}

/**
 * The key handed to seedrandom for a seed's text. ARC4 repeats its key to fill its 256-byte schedule, so a key
 * that is a shorter key written several times over ("11" is "1" twice, "1212" is "12" twice, "100100") gives
 * exactly that shorter key's stream: seeds 1 and 11 ran the same sweep. Such a key gets a NUL appended; the result
 * holds one NUL, so it repeats no other key a NUL-free seed can make. Every other key is used unchanged, so every
 * seed that had a stream of its own keeps it.
 */
export function arc4Key(text: string): string {
  const n = text.length;
  for (let period = 1; period <= n / 2; period++) {
    if (n % period === 0 && text === text.slice(0, period).repeat(n / period)) return text + "\u0000";
  }
  return text;
}

class Arc4Rng implements Rng {
  private prng: Arc4Prng;
  private spare: number | null = null;
  /** @stdlib's uniform draw with our ARC4 stream as its PRNG (it keeps no state of its own). */
  private readonly stdlibUniform = stdlibUniform.factory({ prng: () => this.prng() });

  constructor(seed: RngSeed) {
    if (typeof seed === "number") {
      requireFinite(seed, "seed");
      this.prng = seedrandom(arc4Key(String(seed)), { state: true });
    } else if (typeof seed === "string") {
      this.prng = seedrandom(arc4Key(seed), { state: true });
    } else if (isRngState(seed)) {
      this.prng = Arc4Rng.restore(validateState(seed, "seed"));
      this.spare = seed.spareNormal;
    } else {
      throw new ProteinError("Invalid random seed", {
        key: "seed",
        value: seed,
        allowed: "a finite number, a string, or a state from rng.getState()",
      });
    }
  }

  private static restore(state: RngState): Arc4Prng {
    const { i, j, S } = state.arc4;
    // seedrandom copies S when loading a state, so the caller's array is never aliased.
    return seedrandom("", { state: { i, j, S: S.slice() } });
  }

  /** Uniform on [0, 1) with 52 random mantissa bits (seedrandom's `double`). */
  random(): number {
    return this.prng();
  }

  /**
   * Uniform on [a, b).
   * @throws ProteinError if `a` or `b` is not finite, or `a > b`.
   */
  uniform(a: number, b: number): number {
    requireFinite(a, "a");
    requireFinite(b, "b");
    if (a > b) {
      throw new ProteinError("uniform(a, b) needs a <= b", { key: "a", value: a, allowed: `a <= b = ${b}` });
    }
    return a === b ? a : this.stdlibUniform(a, b);
  }

  /**
   * Normal deviate N(mu, sigma²) by the Marsaglia polar method.
   * @throws ProteinError if `mu` is not finite or `sigma` is not finite and >= 0.
   */
  normal(mu = 0, sigma = 1): number {
    requireFinite(mu, "mu");
    requireFinite(sigma, "sigma");
    if (sigma < 0) {
      throw new ProteinError("normal(mu, sigma) needs sigma >= 0", { key: "sigma", value: sigma, allowed: ">= 0" });
    }
    return mu + sigma * this.standardNormal();
  }

  private standardNormal(): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return z;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.prng() - 1;
      v = 2 * this.prng() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    return u * f;
  }

  /**
   * Uniform integer in [lo, hi], both inclusive, without modulo bias (rejection sampling).
   * @throws ProteinError if `lo` or `hi` is not a safe integer, `lo > hi`, or the range holds more than 2^53 values.
   */
  int(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo)) {
      throw new ProteinError("int(lo, hi) needs integer bounds", { key: "lo", value: lo, allowed: "a safe integer" });
    }
    if (!Number.isSafeInteger(hi)) {
      throw new ProteinError("int(lo, hi) needs integer bounds", { key: "hi", value: hi, allowed: "a safe integer" });
    }
    if (lo > hi) {
      throw new ProteinError("int(lo, hi) needs lo <= hi", {
        key: "hi",
        value: hi,
        allowed: `an integer >= lo = ${lo}`,
        fix: "swap the bounds",
      });
    }
    if (hi - lo >= TWO_POW_53) {
      throw new ProteinError("int(lo, hi) range is too wide", {
        key: "hi",
        value: hi,
        allowed: `hi - lo + 1 <= 2^53 (lo = ${lo})`,
      });
    }
    const span = hi - lo + 1; // exact: at most 2^53
    if (span <= TWO_POW_32) {
      // Accept x < limit, the largest multiple of span not above 2^32.
      const limit = TWO_POW_32 - (TWO_POW_32 % span);
      let x: number;
      do x = this.uint32();
      while (x >= limit);
      return lo + (x % span);
    }
    // 53-bit draws: 21 high bits from one uint32, 32 low bits from another.
    const limit = TWO_POW_53 - (TWO_POW_53 % span);
    let x: number;
    do x = (this.uint32() >>> 11) * TWO_POW_32 + this.uint32();
    while (x >= limit);
    return lo + (x % span);
  }

  /**
   * One element of `items`, uniformly.
   * @throws ProteinError if `items` is empty.
   */
  choice<T>(items: readonly T[]): T {
    if (!Array.isArray(items) || items.length === 0) {
      throw new ProteinError("choice(items) needs a non-empty array", {
        key: "items",
        value: items,
        allowed: "an array with at least one element",
      });
    }
    return items[this.int(0, items.length - 1)];
  }

  /** Fisher–Yates shuffle in place (Durstenfeld's form); returns `items`. */
  shuffle<T>(items: T[]): T[] {
    if (!Array.isArray(items)) {
      throw new ProteinError("shuffle(items) needs an array", { key: "items", value: items, allowed: "an array" });
    }
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  /** Four ARC4 output bytes as an unsigned 32-bit integer. */
  uint32(): number {
    return this.prng.int32() >>> 0;
  }

  /** JSON-serializable snapshot; `createRng(state)` or `setState(state)` resumes exactly. */
  getState(): RngState {
    const { i, j, S } = this.prng.state();
    return { version: 1, arc4: { i, j, S: S.slice() }, spareNormal: this.spare };
  }

  /**
   * Restores a snapshot in place.
   * @throws ProteinError if `state` is malformed.
   */
  setState(state: RngState): void {
    const valid = validateState(state, "state");
    this.prng = Arc4Rng.restore(valid);
    this.spare = valid.spareNormal;
  }
}
