/**
 * Protein's cost-aware "naive" rating (PROTEIN.md §2 step 7) and its pieces: the target
 * cost t, the cost weight w = 1 − |t − ĉ|, the max-cost mask, and rating = ŷ·w·mask.
 *
 * Glossary (n = number of candidates)
 *   scoreNorm   ŷ: n   predicted score, min–max normalized to ~[0, 1] and DIRECTION-ADJUSTED:
 *                      1 is the best observed score for either goal. For goal "minimize"
 *                      the caller passes ŷ = (max − y)/(max − min), not (y − min)/(max − min).
 *   costNorm    ĉ: n   predicted log-cost, min–max normalized (0 = cheapest seen, ~1 = the
 *                      97th-percentile cost)
 *   t                  target normalized cost for this suggestion, in [0, 1 + expansionRate]
 *   w: n               cost weight 1 − |t − ĉ|
 *   mask: n            1 where the predicted raw cost is below the cap, else 0
 *
 * Sign handling: PufferLib and Metta compute direction·ŷ·w·mask with ŷ normalized in the
 * raw direction. For "minimize" that rates −ŷ·w, which favours candidates whose cost is FAR
 * from the target (small w). Here ŷ is direction-adjusted, so ŷ·w·mask is right for both
 * goals and is identical to the references for "maximize".
 */

import { ProteinError } from "../errors";
import type { Rng } from "../random/types";

/** PufferLib's deck of base target ratios (`_sample_target_cost_ratio`). */
export const PUFFERLIB_COST_TARGETS: readonly number[] = Object.freeze([0.16, 0.32, 0.48, 0.64, 0.8, 1.0]);

/** Serializable state of a {@link CostTargetDeck}: the cards not yet drawn, drawn from the end. */
export interface CostTargetDeckState {
  readonly remaining: readonly number[];
}

/** Options of a {@link CostTargetDeck}. */
export interface CostTargetDeckOptions {
  /** Targets are multiplied by (1 + expansionRate). @default 0.1 (PufferLib) */
  readonly expansionRate?: number;
  /** Standard deviation of the Gaussian noise added to each card. @default 0.1 */
  readonly noiseSd?: number;
  /** The base cards. @default {@link PUFFERLIB_COST_TARGETS} */
  readonly cards?: readonly number[];
  /** Resume from a saved {@link CostTargetDeckState}. @default a fresh (empty) deck */
  readonly state?: CostTargetDeckState;
}

function checkFiniteNonNegative(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new ProteinError(`${name} must be a finite number ≥ 0`, {
      key: name,
      value,
      allowed: "a finite number ≥ 0",
      fix: `set ${name} to a non-negative number`,
    });
  }
}

/**
 * PufferLib's target-cost deck. Each call of {@link CostTargetDeck.draw} takes the last card
 * of a shuffled deck of base ratios (refilled and reshuffled when empty), adds N(0, noiseSd),
 * clips to [0, 1] and multiplies by (1 + expansionRate). Over every 6 consecutive draws from a
 * fresh deck each base card is used once, so suggestions cycle through cheap and expensive
 * targets. All randomness comes from the `Rng` passed to `draw`; with {@link getState} the
 * sequence resumes exactly.
 *
 * @example
 * const deck = new CostTargetDeck();
 * const t = deck.draw(rng); // in [0, 1.1]
 */
export class CostTargetDeck {
  readonly expansionRate: number;
  readonly noiseSd: number;
  readonly cards: readonly number[];
  private remaining: number[];

  /**
   * @throws {ProteinError} when expansionRate or noiseSd is negative or not finite, the card
   *   list is empty or holds a non-finite value, or a state entry is not a finite number
   */
  constructor(options: CostTargetDeckOptions = {}) {
    this.expansionRate = options.expansionRate ?? 0.1;
    this.noiseSd = options.noiseSd ?? 0.1;
    checkFiniteNonNegative("expansion_rate", this.expansionRate);
    checkFiniteNonNegative("cost_target_noise", this.noiseSd);
    const cards = options.cards ?? PUFFERLIB_COST_TARGETS;
    if (cards.length === 0 || cards.some((c) => !Number.isFinite(c))) {
      throw new ProteinError("CostTargetDeck: the card list must be non-empty and finite", {
        value: cards,
        fix: "omit `cards` to use PufferLib's (0.16, 0.32, 0.48, 0.64, 0.8, 1.0)",
      });
    }
    this.cards = Object.freeze(cards.slice());
    this.remaining = [];
    if (options.state) this.setState(options.state);
  }

  /**
   * Takes the next base card (before noise), refilling and shuffling the deck with `rng`
   * when it is empty.
   */
  drawCard(rng: Rng): number {
    if (this.remaining.length === 0) {
      this.remaining = rng.shuffle(this.cards.slice());
    }
    return this.remaining.pop() as number;
  }

  /**
   * The next target: (1 + expansionRate)·clip(card + N(0, noiseSd), 0, 1).
   * Draw order from `rng`: a shuffle (only when the deck was empty), then one normal.
   */
  draw(rng: Rng): number {
    const card = this.drawCard(rng);
    const noisy = card + (this.noiseSd > 0 ? rng.normal(0, this.noiseSd) : 0);
    const clipped = noisy < 0 ? 0 : noisy > 1 ? 1 : noisy;
    return (1 + this.expansionRate) * clipped;
  }

  /** A copy of the undrawn cards (drawn from the end), JSON-serializable. */
  getState(): CostTargetDeckState {
    return { remaining: this.remaining.slice() };
  }

  /**
   * Restores a state from {@link getState}.
   * @throws {ProteinError} when `remaining` is not an array of finite numbers
   */
  setState(state: CostTargetDeckState): void {
    const rem = state?.remaining;
    if (!Array.isArray(rem) || rem.some((c) => typeof c !== "number" || !Number.isFinite(c))) {
      throw new ProteinError("CostTargetDeck: invalid saved state", {
        key: "remaining",
        value: rem,
        allowed: "an array of finite numbers",
        fix: "pass the object returned by getState()",
      });
    }
    this.remaining = rem.slice();
  }
}

/**
 * Metta's target cost: t = (1 + expansionRate)·U(0, 1), one uniform from `rng`.
 *
 * @param expansionRate @default 0.25 (Metta's default)
 * @throws {ProteinError} when expansionRate is negative or not finite
 */
export function uniformCostTarget(rng: Rng, expansionRate = 0.25): number {
  checkFiniteNonNegative("expansion_rate", expansionRate);
  return (1 + expansionRate) * rng.random();
}

/** Options of {@link costWeights} and {@link proteinRating}. */
export interface CostWeightOptions {
  /** Clamp w at 0 (Metta) instead of letting it go negative (PufferLib). @default false */
  readonly clampAtZero?: boolean;
}

function outFor(name: string, n: number, out: Float64Array | undefined): Float64Array {
  if (out === undefined) return new Float64Array(n);
  if (out.length !== n) {
    throw new ProteinError(`${name}: the output array has the wrong length`, {
      value: out.length,
      allowed: `length ${n} (the number of candidates)`,
      fix: "pass an out array with one entry per candidate, or omit it",
    });
  }
  return out;
}

/**
 * Cost weights w[i] = 1 − |t − ĉ[i]|, optionally clamped at 0. NaN ĉ gives NaN.
 *
 * @param costNorm predicted normalized log-costs ĉ, length n
 * @param target the target t (see {@link CostTargetDeck}, {@link uniformCostTarget})
 * @param options `clampAtZero` (Metta) — @default false (PufferLib)
 * @param out optional output, length n; returned
 * @throws {ProteinError} when `out` has the wrong length
 */
export function costWeights(
  costNorm: Float64Array,
  target: number,
  options: CostWeightOptions = {},
  out?: Float64Array,
): Float64Array {
  const n = costNorm.length;
  const result = outFor("costWeights", n, out);
  const clamp = options.clampAtZero === true;
  for (let i = 0; i < n; i++) {
    const w = 1 - Math.abs(target - costNorm[i]);
    result[i] = clamp && w < 0 ? 0 : w;
  }
  return result;
}

/** Result of {@link maxCostMask}. */
export interface MaxCostMask {
  /** mask[i] = 1 when the candidate is allowed, else 0. */
  readonly mask: Uint8Array;
  /** True when no candidate was under the cap, so all were allowed (Metta's `cost_threshold_relaxed`). */
  readonly relaxed: boolean;
}

/**
 * Allows candidates whose predicted raw cost is strictly below `maxCost` (NaN costs are not
 * below anything). When none is allowed (and n > 0) every candidate is allowed instead and
 * `relaxed` is true, so the argmax still has a choice (Metta's relaxation; PufferLib would
 * rate everything 0 and return candidate 0).
 *
 * @param predictedCost predicted raw costs, length n (e.g. seconds)
 * @param maxCost the cap (`max_suggestion_cost`, default 3600); Infinity allows every non-NaN cost
 * @param out optional mask output, length n; returned as `mask`
 * @throws {ProteinError} when maxCost is NaN or `out` has the wrong length
 */
export function maxCostMask(predictedCost: Float64Array, maxCost: number, out?: Uint8Array): MaxCostMask {
  if (Number.isNaN(maxCost)) {
    throw new ProteinError("max_suggestion_cost must be a number", {
      key: "max_suggestion_cost",
      value: maxCost,
      fix: "set max_suggestion_cost to a positive number (or Infinity for no cap)",
    });
  }
  const n = predictedCost.length;
  let mask: Uint8Array;
  if (out === undefined) mask = new Uint8Array(n);
  else if (out.length !== n) {
    throw new ProteinError("maxCostMask: the output array has the wrong length", {
      value: out.length,
      allowed: `length ${n}`,
      fix: "pass an out array with one entry per candidate, or omit it",
    });
  } else mask = out;
  let allowed = 0;
  for (let i = 0; i < n; i++) {
    const ok = predictedCost[i] < maxCost ? 1 : 0;
    mask[i] = ok;
    allowed += ok;
  }
  const relaxed = n > 0 && allowed === 0;
  if (relaxed) mask.fill(1);
  return { mask, relaxed };
}

/** Options of {@link proteinRating}. */
export interface ProteinRatingOptions extends CostWeightOptions {
  /**
   * Rating given to masked candidates. 0 reproduces the references (ŷ·w·0); −Infinity makes
   * sure a masked candidate never wins over an allowed one whose rating is negative (which
   * happens when w < 0 or ŷ < 0). @default 0
   */
  readonly maskedValue?: number;
}

/**
 * Protein's naive rating: rating[i] = ŷ[i]·w[i]·mask[i], w = 1 − |t − ĉ[i]|
 * (PufferLib `suggest`, Metta `_compute_naive_acquisition`), larger is better.
 *
 * @param scoreNorm predicted scores ŷ, length n, normalized to ~[0, 1] and direction-adjusted
 *   (1 = best observed for the goal; see the module notes)
 * @param costNorm predicted normalized log-costs ĉ, length n
 * @param target the target normalized cost t
 * @param mask allowed candidates (from {@link maxCostMask}), length n, or null for none masked
 * @param out optional output, length n; returned
 * @param options `clampAtZero` (@default false), `maskedValue` (@default 0)
 * @throws {ProteinError} when the lengths differ
 */
export function proteinRating(
  scoreNorm: Float64Array,
  costNorm: Float64Array,
  target: number,
  mask: Uint8Array | null,
  out?: Float64Array,
  options: ProteinRatingOptions = {},
): Float64Array {
  const n = scoreNorm.length;
  if (costNorm.length !== n || (mask !== null && mask.length !== n)) {
    throw new ProteinError("proteinRating: scoreNorm, costNorm and mask must have one entry per candidate", {
      value: { scoreNorm: n, costNorm: costNorm.length, mask: mask === null ? null : mask.length },
      fix: "pass arrays of equal length",
    });
  }
  const result = outFor("proteinRating", n, out);
  const clamp = options.clampAtZero === true;
  const maskedValue = options.maskedValue ?? 0;
  for (let i = 0; i < n; i++) {
    if (mask !== null && mask[i] === 0) {
      result[i] = maskedValue;
      continue;
    }
    let w = 1 - Math.abs(target - costNorm[i]);
    if (clamp && w < 0) w = 0;
    result[i] = scoreNorm[i] * w;
  }
  return result;
}
