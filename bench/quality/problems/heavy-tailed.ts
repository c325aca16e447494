/**
 * Two problems whose scores span many orders of magnitude (issue 14, output warping). Both minimize a loss.
 *
 * "divergence" (4-d, 60 evaluations): a training run whose loss explodes when the effective step size passes a
 * divergence edge. Parameters: trainer.learning_rate η (log_normal [1e-5, 1]), trainer.momentum μ (uniform
 * [0, 0.99]), trainer.weight_decay ω (log_normal [1e-6, 0.1]), model.init_scale ι (log_normal [0.01, 10]).
 *   e    = log10 η − log10(1 − μ)               the effective step in decades (momentum amplifies it by 1/(1 − μ))
 *   q    = 0.05 + 0.2 (e + 2.5)² + 0.5 (μ − 0.9)² + 0.3 ((log10 ω + 4)/1.5)² + 0.2 (log10 ι + 0.5)²
 *   edge = −1.5 − 0.5 |log10 ι + 0.5|            (a poor initialization diverges earlier)
 *   loss = q + 10^min(6, 4 (e − edge)) − 1  when e > edge, else q
 * The loss runs from 0.05 to about 10⁶; a third of the box diverges. Minimum 0.05, only where every square is 0:
 * μ = 0.9, e = −2.5 (η = 10^−3.5), ω = 1e-4, ι = 10^−0.5, a point below the edge (−2.5 < −1.5).
 *
 * "product6" (6-d on [0, 1]⁶, 100 evaluations): a loss that is a product of six stage factors (the error of a
 * pipeline compounding), coupled along the chain:
 *   rᵢ = (xᵢ − cᵢ) − 0.3 (xᵢ₊₁ − cᵢ₊₁) for i < 5,  r₅ = x₅ − c₅,   loss = Πᵢ (1 + 20 rᵢ²)
 * with c = (0.3, 0.7, 0.25, 0.6, 0.8, 0.4). The loss runs from 1 to a few million (about 6.5 decades); its log is
 * a sum of six smooth terms. Every factor is ≥ 1 with equality only at rᵢ = 0; the rᵢ are a triangular system in
 * x − c, so all vanish only at x = c: the unique minimum 1.
 */

import { readNumber, regretFor, type QualityProblem } from "./types";

/** The divergence problem's loss (see the file header). */
export function divergenceLoss(params: Record<string, unknown>): number {
  const lr = readNumber(params, "trainer.learning_rate");
  const mom = readNumber(params, "trainer.momentum");
  const wd = readNumber(params, "trainer.weight_decay");
  const init = readNumber(params, "model.init_scale");
  const e = Math.log10(lr) - Math.log10(1 - mom);
  const li = Math.log10(init) + 0.5;
  const q = 0.05 + 0.2 * (e + 2.5) ** 2 + 0.5 * (mom - 0.9) ** 2 + 0.3 * ((Math.log10(wd) + 4) / 1.5) ** 2 + 0.2 * li * li;
  const edge = -1.5 - 0.5 * Math.abs(li);
  return e > edge ? q + 10 ** Math.min(6, 4 * (e - edge)) - 1 : q;
}

export const divergence: QualityProblem = {
  name: "divergence",
  dim: 4,
  config: {
    sweep: {
      metric: "loss",
      goal: "minimize",
      parameters: {
        trainer: {
          learning_rate: { distribution: "log_normal", min: 1e-5, max: 1, mean: 1e-3, scale: "auto" },
          momentum: { distribution: "uniform", min: 0, max: 0.99, mean: 0.5, scale: "auto" },
          weight_decay: { distribution: "log_normal", min: 1e-6, max: 0.1, mean: 1e-3, scale: "auto" },
        },
        model: { init_scale: { distribution: "log_normal", min: 0.01, max: 10, mean: 1, scale: "auto" } },
      },
    },
  },
  goal: "minimize",
  optimum: 0.05,
  optimumLocations: [{ trainer: { learning_rate: 10 ** -3.5, momentum: 0.9, weight_decay: 1e-4 }, model: { init_scale: 10 ** -0.5 } }],
  objective: divergenceLoss,
  evaluate: (params) => ({ score: divergenceLoss(params), cost: 1 }),
  regret: (value) => regretFor("minimize", 0.05, value),
};

const PRODUCT_CENTRE = [0.3, 0.7, 0.25, 0.6, 0.8, 0.4] as const;
const PRODUCT_MIN = 1;

/** The product problem's loss (see the file header). */
export function productLoss(params: Record<string, unknown>): number {
  const z = PRODUCT_CENTRE.map((c, i) => readNumber(params, `x${i}`) - c);
  let loss = 1;
  for (let i = 0; i < 6; i++) {
    const r = i < 5 ? z[i] - 0.3 * z[i + 1] : z[i];
    loss *= 1 + 20 * r * r;
  }
  return loss;
}

export const product6: QualityProblem = {
  name: "product6",
  dim: 6,
  config: {
    sweep: {
      metric: "loss",
      goal: "minimize",
      parameters: Object.fromEntries(PRODUCT_CENTRE.map((_, i) => [`x${i}`, { distribution: "uniform", min: 0, max: 1, mean: 0.5, scale: "auto" }])),
    },
  },
  goal: "minimize",
  optimum: PRODUCT_MIN,
  optimumLocations: [Object.fromEntries(PRODUCT_CENTRE.map((c, i) => [`x${i}`, c]))],
  objective: productLoss,
  evaluate: (params) => ({ score: productLoss(params), cost: 1 }),
  regret: (value) => regretFor("minimize", PRODUCT_MIN, value),
};

/** The heavy-tailed problems, in table order. */
export const heavyTailedProblems: QualityProblem[] = [divergence, product6];
