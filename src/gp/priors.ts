/**
 * Priors on GP hyperparameters, expressed on their logarithms.
 *
 * Glossary:
 *   θ = log v    a log-hyperparameter (v = lengthscale, output scale, noise variance, linear scale, offset)
 *   N(θ; μ, σ)   the prior density used for θ: v is LogNormal(μ, σ), and the fit maximizes
 *                LML(θ) + Σ log N(θ_p; μ_p, σ_p) over θ (MAP in log space; the density is that of θ, so there
 *                is no extra Jacobian term).
 *   d            input dimension
 *
 * Defaults (see docs/algorithm.md for the reasoning):
 *   noise variance   μ = ln 1e-2, σ = 0.5           (Protein's, from HEBO)
 *   lengthscale ℓ_j  μ = √2 + ½ ln d + ln 2, σ = √3  (Hvarfner et al. 2024, "Vanilla Bayesian optimization
 *                    performs great in high dimensions": median √2·… grows as √d; their unit cube is our
 *                    [−1, 1] box halved, hence + ln 2)
 *   output scale     μ = 0, σ = 2                    (weak: a factor e² ≈ 7.4 per standard deviation)
 *   linear scale     μ = ln 0.1, σ = 2               (weak, leaning to a small linear term)
 *   offset           μ = 0, σ = 2                    (weak)
 */

/** A Normal prior on a log-hyperparameter θ (equivalently a LogNormal on the hyperparameter). */
export interface LogNormalPrior {
  /** Mean of θ = log v (the log of the median of v). */
  readonly mu: number;
  /** Standard deviation of θ. */
  readonly sigma: number;
}

/** One prior per kind of hyperparameter; `null` switches a prior off. */
export interface GpPriors {
  readonly lengthscale: LogNormalPrior | null;
  readonly outputScale: LogNormalPrior | null;
  readonly noise: LogNormalPrior | null;
  readonly linearScale: LogNormalPrior | null;
  readonly offset: LogNormalPrior | null;
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The default priors for input dimension `dim` (documented in this file's header).
 * @param dim input dimension d ≥ 1
 */
export function defaultPriors(dim: number): GpPriors {
  return {
    lengthscale: { mu: Math.SQRT2 + 0.5 * Math.log(Math.max(1, dim)) + Math.LN2, sigma: Math.sqrt(3) },
    outputScale: { mu: 0, sigma: 2 },
    noise: { mu: Math.log(1e-2), sigma: 0.5 },
    linearScale: { mu: Math.log(0.1), sigma: 2 },
    offset: { mu: 0, sigma: 2 },
  };
}

/**
 * log N(θ; μ, σ) and adds its derivative −(θ − μ)/σ² to `grad[index]` when `grad` is given.
 * @returns the log density (0 when `prior` is null)
 */
export function logNormalPriorTerm(
  theta: number,
  prior: LogNormalPrior | null,
  grad: Float64Array | null,
  index: number,
): number {
  if (prior === null) return 0;
  const z = (theta - prior.mu) / prior.sigma;
  if (grad !== null) grad[index] -= z / prior.sigma;
  return -0.5 * z * z - Math.log(prior.sigma) - LOG_SQRT_2PI;
}
