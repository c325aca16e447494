/**
 * The optimization-quality problems: seven standard functions with published optima,
 * one mixed-type, cost-aware training problem and two heavy-tailed losses, plus the
 * cost-budget protocol.
 */

import { ProteinError } from "../../../src/errors";
import { heavyTailedProblems } from "./heavy-tailed";
import { mixedTraining } from "./mixed-training";
import { syntheticProblems } from "./synthetic";
import type { QualityProblem } from "./types";

export type { Goal, QualityProblem } from "./types";
export { readParam, readNumber, regretFor } from "./types";
export {
  ackley5,
  branin,
  hartmann3,
  hartmann6,
  levy4,
  rosenbrock4,
  styblinskiTang8,
  syntheticProblems,
  STYBLINSKI_TANG_MIN_PER_DIM,
} from "./synthetic";
export {
  mixedTraining,
  mixedTrainingCost,
  mixedTrainingScore,
  MIXED_COST_PARAM,
  MIXED_NOISE_SD,
} from "./mixed-training";
export { divergence, divergenceLoss, heavyTailedProblems, product6, productLoss } from "./heavy-tailed";
export { costBudgetProtocol, runsWithinBudget, type CostBudgetProtocol } from "./budget";

/** Every problem of the suite: standard functions, "mixed-training", then the heavy-tailed losses (issue 14). */
export const problems: QualityProblem[] = [...syntheticProblems, mixedTraining, ...heavyTailedProblems];

/**
 * Looks a problem up by name.
 * @param name - e.g. "branin", "hartmann6", "mixed-training".
 * @throws {ProteinError} when no problem has that name (the message lists the names).
 */
export function getProblem(name: string): QualityProblem {
  const found = problems.find((problem) => problem.name === name);
  if (found === undefined) {
    throw new ProteinError("Unknown quality problem", {
      key: "problem",
      value: name,
      allowed: problems.map((problem) => problem.name).join(", "),
      fix: "use one of the allowed names",
    });
  }
  return found;
}
