/**
 * Randomness for protein-sweep: the one seeded generator (`createRng`) and a
 * scrambled Sobol sequence. Every random draw in the library goes through an `Rng`.
 */
export type { Rng, RngState } from "./types";
export { createRng, deriveRng, type RngSeed } from "./rng";
export { SobolSequence, SOBOL_MAX_POINTS, type SobolOptions, type SobolState } from "./sobol";
export { SOBOL_MAX_DIM } from "./sobol-directions";
export { centeredL2Discrepancy } from "./discrepancy";
