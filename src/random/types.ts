/** Serializable state of the generator: enough to resume a sequence exactly. */
export interface RngState {
  /** Format tag, bumped if the layout ever changes. */
  readonly version: 1;
  /** seedrandom's ARC4 state (i, j, S), as returned by `seedrandom(..., { state: true }).state()`. */
  readonly arc4: { readonly i: number; readonly j: number; readonly S: readonly number[] };
  /** Cached second normal deviate of a polar/Box–Muller pair, if the algorithm keeps one, else null. */
  readonly spareNormal: number | null;
}

/**
 * The one seeded random generator. Every random draw in protein-sweep comes from an `Rng`.
 */
export interface Rng {
  /** Uniform on [0, 1). */
  random(): number;
  /** Uniform on [a, b). */
  uniform(a: number, b: number): number;
  /** Normal with mean `mu` and standard deviation `sigma`. */
  normal(mu?: number, sigma?: number): number;
  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number;
  /** One element of a non-empty array, uniformly. */
  choice<T>(items: readonly T[]): T;
  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[];
  /** A 32-bit unsigned integer, e.g. to seed a derived generator or a scramble. */
  uint32(): number;
  /** Snapshot of the state; `createRng(state)` resumes exactly from it. */
  getState(): RngState;
  /** Restores a snapshot in place. */
  setState(state: RngState): void;
}
