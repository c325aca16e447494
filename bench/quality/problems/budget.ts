/**
 * The cost-budget protocol of the quality suite.
 *
 * A sweep on a cost-aware problem (the mixed-training problem) is given a total
 * budget in the problem's cost unit (seconds). Each run costs what its cost
 * parameter says (`evaluate(...).cost`, deterministic for a given suggestion).
 * Runs are taken in order; a run counts only if the total spent including it stays
 * within the budget, and the sweep stops at the first run that would overspend
 * (that run and everything after it are discarded). A sweep also stops after
 * `maxRuns` runs, so that a stream of very cheap runs cannot make the runner slow.
 * The reported quality is the regret of the best noise-free objective among the
 * counted runs.
 */

import { ProteinError } from "../../../src/errors";

/** Settings of the cost-budget protocol. */
export interface CostBudgetProtocol {
  /** Name of the problem the protocol runs on. */
  readonly problem: string;
  /** Total cost budget, in the problem's cost unit (seconds). */
  readonly budget: number;
  /** Hard cap on the number of runs, whatever they cost. */
  readonly maxRuns: number;
}

/**
 * Default protocol: 25 000 s (≈ 6.9 h) on "mixed-training" — the price of 20 runs at
 * the optimum (1250 s each at 1e8 steps), or of about 2000 runs at 1e6 steps (≈ 12.5 s) —
 * capped at 300 runs.
 */
export const costBudgetProtocol: CostBudgetProtocol = {
  problem: "mixed-training",
  budget: 25_000,
  maxRuns: 300,
};

/**
 * Number of leading runs that fit the budget: the largest k such that
 * `costs[0] + … + costs[k−1] ≤ budget` (and k ≤ `maxRuns` when given).
 * @param costs - cost of each run, in the order the runs were made.
 * @param budget - total budget, ≥ 0.
 * @param maxRuns - optional cap on the count.
 * @returns how many of the first runs are counted.
 * @throws {ProteinError} when the budget or a cost is negative or not finite.
 * @example
 * runsWithinBudget([10, 20, 30], 35); // 2
 */
export function runsWithinBudget(costs: readonly number[], budget: number, maxRuns = Infinity): number {
  if (!Number.isFinite(budget) || budget < 0) {
    throw new ProteinError("Cost budget must be a finite number ≥ 0", {
      key: "budget",
      value: budget,
      allowed: "a finite number ≥ 0",
      fix: "pass the total budget in the problem's cost unit",
    });
  }
  let spent = 0;
  const limit = Math.min(costs.length, maxRuns);
  for (let i = 0; i < limit; i++) {
    const cost = costs[i];
    if (!Number.isFinite(cost) || cost < 0) {
      throw new ProteinError("Run cost must be a finite number ≥ 0", {
        key: `costs[${i}]`,
        value: cost,
        allowed: "a finite number ≥ 0",
        fix: "report each run's cost as evaluate() returned it",
      });
    }
    spent += cost;
    if (spent > budget) return i;
  }
  return limit;
}
