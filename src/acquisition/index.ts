/**
 * Rating candidates: Protein's cost-weighted rating, EI / log-EI, UCB, the max-cost mask and
 * the argmax. Numeric leaves: nothing here fits a model or knows about parameter spaces.
 */
export {
  expectedImprovement,
  logExpectedImprovement,
  upperConfidenceBound,
} from "./analytic";
export {
  CostTargetDeck,
  PUFFERLIB_COST_TARGETS,
  costWeights,
  maxCostMask,
  proteinRating,
  uniformCostTarget,
} from "./cost";
export type {
  CostTargetDeckOptions,
  CostTargetDeckState,
  CostWeightOptions,
  MaxCostMask,
  ProteinRatingOptions,
} from "./cost";
export { argmax } from "./select";
export {
  clippedExp,
  log1mexp,
  log1pexp,
  logNormalCdf,
  logNormalPdf,
  logStandardEi,
  logit,
  normalCdf,
  normalPdf,
  safeLog,
  sigmoid,
  softplus,
  softplusInverse,
  standardEi,
} from "./safe-math";
