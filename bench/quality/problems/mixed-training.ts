/**
 * A synthetic "training run" with every parameter type Protein configs use, a cost
 * parameter on which both score and cost depend, and observation noise.
 *
 * Parameters (nested blocks in the config; dotted keys are read too):
 *   trainer.learning_rate    log_normal   [1e-5, 1e-1]   η
 *   trainer.batch_size       uniform_pow2 [16, 1024]     B
 *   trainer.gamma            logit_normal [0.9, 0.999]   γ
 *   trainer.optimizer        categorical  sgd | adam | adamw | rmsprop
 *   trainer.total_timesteps  log_normal   [1e6, 1e8]     T  (the cost parameter)
 *   model.layers             int_uniform  [1, 8]         L
 *
 * Noise-free validation score (maximize):
 *   score = FLOOR + SPAN · p(T) · q(η, B, γ, L) · o(optimizer)
 *   p(T) = P0 + (1 − P0) · (1 − exp(−K u)) / (1 − exp(−K)),  u = (log10 T − 6)/2 ∈ [0, 1]
 *   q    = 1/(1 + Q),  Q = ((log10 η − ℓ*(B))/W_LR)² + ((log2 B − 8)/W_BS)²
 *                         + ((log10(1 − γ) + 2.4)/W_GAMMA)² + ((round(L) − 3)/W_LAYERS)²
 *   ℓ*(B) = −2.7 + 0.25 · (log2 B − 8)    (the best learning rate grows with batch size)
 *   widths W_LR = 1 decade, W_BS = 3 octaves, W_GAMMA = 0.8 decade, W_LAYERS = 4;
 *   the heavy 1/(1 + Q) tail keeps some signal across the whole box
 *   o    = OPTIMIZER_FACTOR[optimizer]    (adamw 1 is the single best value)
 *
 * Why the optimum is exact. Every factor is positive. p is increasing in T, so it is
 * largest (= 1) at T = 1e8 only. Q is a sum of squares, so q = 1/(1 + Q) ≤ 1, with
 * equality exactly when every square is 0: B = 256, round(L) = 3, log10(1 − γ) = −2.4
 * and log10 η = ℓ*(256) = −2.7 — a point inside the box (the coupling cannot move the
 * maximum: the batch-size term pins B first). o ≤ 1 with equality only for adamw.
 * Hence max score = FLOOR + SPAN = 0.95, attained only at the point in
 * `optimumLocations` (and the score always exceeds FLOOR, since every factor is > 0).
 *
 * Cost of a run, in seconds (deterministic):
 *   cost = T / STEPS_PER_SECOND · (0.5 + 0.25 · round(L)) · (256 / B)^0.25,  STEPS_PER_SECOND = 1e5
 * so the optimum costs 1250 s; the box spans about 5 s to 5000 s.
 *
 * Observed score = noise-free score + NOISE_SD · N(0, 1) with NOISE_SD = 0.01, about
 * 1.2 % of the score range [FLOOR, FLOOR + SPAN].
 */

import { ProteinError } from "../../../src/errors";
import { readNumber, readParam, regretFor, type QualityProblem } from "./types";

/** Lowest possible noise-free score (approached, never reached). */
export const MIXED_SCORE_FLOOR = 0.1;
/** Width of the attainable score range above the floor. */
export const MIXED_SCORE_SPAN = 0.85;
/** Standard deviation of the observation noise on the score. */
export const MIXED_NOISE_SD = 0.01;
/** Environment steps per second for a 2-layer model at batch size 256. */
export const MIXED_STEPS_PER_SECOND = 1e5;
/** Dotted key of the cost parameter (total timesteps). */
export const MIXED_COST_PARAM = "trainer.total_timesteps";

const P0 = 0.35; // fraction of the final quality already reached after 1e6 steps
const K = 2.5; // curvature of the diminishing returns in log10 T
const W_LR = 1.0; // decades
const W_BS = 3; // octaves
const W_GAMMA = 0.8; // decades of 1 − γ
const W_LAYERS = 4; // layers
const BEST_LAYERS = 3;
const BEST_LOG2_BATCH = 8; // 256
const BEST_LOG10_ONE_MINUS_GAMMA = -2.4;

/** Multiplicative score factor per optimizer; adamw is the one clearly best value. */
export const OPTIMIZER_FACTOR: Readonly<Record<string, number>> = {
  sgd: 0.8,
  adam: 0.97,
  adamw: 1.0,
  rmsprop: 0.9,
};

/** log10 of the best learning rate at batch size `batch` (ℓ*(B) in the header). */
export function bestLog10LearningRate(batch: number): number {
  return -2.7 + 0.25 * (Math.log2(batch) - BEST_LOG2_BATCH);
}

function readOptimizer(params: Record<string, unknown>): number {
  const value = readParam(params, "trainer.optimizer");
  if (typeof value !== "string" || !Object.prototype.hasOwnProperty.call(OPTIMIZER_FACTOR, value)) {
    throw new ProteinError("Unknown optimizer in mixed-training params", {
      key: "trainer.optimizer",
      value,
      allowed: Object.keys(OPTIMIZER_FACTOR).join(", "),
      fix: "pass one of the config's categorical values",
    });
  }
  return OPTIMIZER_FACTOR[value];
}

/** Fraction p(T) of the final quality reached after `timesteps` steps (1 at 1e8). */
export function progressAt(timesteps: number): number {
  const u = (Math.log10(timesteps) - 6) / 2;
  return P0 + ((1 - P0) * (1 - Math.exp(-K * u))) / (1 - Math.exp(-K));
}

/**
 * Noise-free validation score of the mixed-training problem.
 * @throws {ProteinError} when a parameter is missing, non-finite, or an unknown optimizer.
 */
export function mixedTrainingScore(params: Record<string, unknown>): number {
  const lr = readNumber(params, "trainer.learning_rate");
  const batch = readNumber(params, "trainer.batch_size");
  const gamma = readNumber(params, "trainer.gamma");
  const timesteps = readNumber(params, MIXED_COST_PARAM);
  const layers = Math.round(readNumber(params, "model.layers"));
  const optimizer = readOptimizer(params);

  const log2B = Math.log2(batch);
  const zLr = (Math.log10(lr) - bestLog10LearningRate(batch)) / W_LR;
  const zBs = (log2B - BEST_LOG2_BATCH) / W_BS;
  const zGamma = (Math.log10(1 - gamma) - BEST_LOG10_ONE_MINUS_GAMMA) / W_GAMMA;
  const zLayers = (layers - BEST_LAYERS) / W_LAYERS;
  const quality = 1 / (1 + zLr * zLr + zBs * zBs + zGamma * zGamma + zLayers * zLayers); // q = 1/(1 + Q)
  return MIXED_SCORE_FLOOR + MIXED_SCORE_SPAN * progressAt(timesteps) * quality * optimizer;
}

/**
 * Wall-clock cost of one run in seconds: T / 1e5 · (0.5 + 0.25·L) · (256/B)^0.25.
 * @throws {ProteinError} when a parameter is missing or non-finite.
 */
export function mixedTrainingCost(params: Record<string, unknown>): number {
  const timesteps = readNumber(params, MIXED_COST_PARAM);
  const batch = readNumber(params, "trainer.batch_size");
  const layers = Math.round(readNumber(params, "model.layers"));
  return (timesteps / MIXED_STEPS_PER_SECOND) * (0.5 + 0.25 * layers) * Math.pow(256 / batch, 0.25);
}

const OPTIMUM = MIXED_SCORE_FLOOR + MIXED_SCORE_SPAN;

/** The mixed-type training problem (6 parameters, cost-aware, noisy). */
export const mixedTraining: QualityProblem = {
  name: "mixed-training",
  dim: 6,
  config: {
    sweep: {
      metric: "eval/score",
      goal: "maximize",
      protein: { cost_param: MIXED_COST_PARAM },
      parameters: {
        trainer: {
          learning_rate: { distribution: "log_normal", min: 1e-5, max: 1e-1, mean: 3e-4, scale: "auto" },
          batch_size: { distribution: "uniform_pow2", min: 16, max: 1024, mean: 64, scale: "auto" },
          gamma: { distribution: "logit_normal", min: 0.9, max: 0.999, mean: 0.99, scale: "auto" },
          optimizer: { values: ["sgd", "adam", "adamw", "rmsprop"] },
          total_timesteps: { distribution: "log_normal", min: 1e6, max: 1e8, mean: 1e7, scale: "auto" },
        },
        model: {
          layers: { distribution: "int_uniform", min: 1, max: 8, mean: 6, scale: "auto" },
        },
      },
    },
  },
  goal: "maximize",
  optimum: OPTIMUM,
  optimumLocations: [
    {
      trainer: {
        learning_rate: Math.pow(10, -2.7),
        batch_size: 256,
        gamma: 1 - Math.pow(10, BEST_LOG10_ONE_MINUS_GAMMA),
        optimizer: "adamw",
        total_timesteps: 1e8,
      },
      model: { layers: BEST_LAYERS },
    },
  ],
  objective: mixedTrainingScore,
  evaluate(params, noise) {
    const score = mixedTrainingScore(params) + MIXED_NOISE_SD * noise.normal();
    return { score, cost: mixedTrainingCost(params) };
  },
  regret: (value) => regretFor("maximize", OPTIMUM, value),
};
