/**
 * The best run, the top k and the (score, cost) Pareto front of a sweep.
 *
 * Only runs that finished with a finite score and pass every gate rank. Failed, stopped,
 * pending and running runs never do (a stopped run's score is a partial result). Order is
 * direction-aware: by s′ = dir·score descending, ties broken by lower cost, then by the
 * earlier trial number, so the result does not depend on the order of the input.
 */
import { paretoFront as frontIndices } from "../pareto";
import type { Trial } from "../study/types";
import { ReportError } from "./errors";
import { direction, hasScore, parseGates, passesGates, toTrials, type SweepInfo, type SweepRecords } from "./records";

/** The runs that rank: finished, finite score, passing every gate. */
export function rankable(records: SweepRecords, info: SweepInfo): Array<Trial & { score: number }> {
  direction(info.goal);
  const gates = parseGates(info.gates);
  const scoreName = info.metric ?? "score";
  return toTrials(records).filter((t): t is Trial & { score: number } => hasScore(t) && passesGates(t, gates, scoreName));
}

function sortBest(trials: Array<Trial & { score: number }>, dir: 1 | -1): Array<Trial & { score: number }> {
  const cost = (t: Trial) => (t.cost === null || Number.isNaN(t.cost) ? Number.POSITIVE_INFINITY : t.cost);
  return trials.sort((a, b) => dir * (b.score - a.score) || cost(a) - cost(b) || a.number - b.number);
}

/**
 * The best run: finished, passing the gates, best score for the goal.
 * @param records study trials or observations
 * @param info `goal` (required), `gates`, `metric` (the score's name, which a gate may name)
 * @returns the trial, or undefined when no run ranks yet
 * @throws {ReportError} on an unknown goal or an unreadable gate
 * @example best(study.trials(), { goal: "minimize", gates: ["mass_err < 0.01"] })
 */
export function best(records: SweepRecords, info: SweepInfo): Trial | undefined {
  return top(records, 1, info)[0];
}

/**
 * The k best runs, best first (see {@link best} for what ranks and the order).
 * @param k how many, a positive integer (fewer come back when fewer rank)
 * @throws {ReportError} naming `k` when it is not a positive integer
 */
export function top(records: SweepRecords, k: number, info: SweepInfo): Trial[] {
  if (!Number.isInteger(k) || k < 1) {
    throw new ReportError("top(k) needs a positive whole number of runs", {
      key: "k",
      value: k,
      allowed: "an integer ≥ 1",
      fix: "pass e.g. top(trials, 5, info)",
    });
  }
  const dir = direction(info.goal);
  return sortBest(rankable(records, info), dir).slice(0, k);
}

/**
 * The runs no other ranking run beats on both score (per the goal) and cost, sorted by
 * increasing cost (so the score improves along it). Runs without a finite cost are left out.
 * Several runs with identical (score, cost): the earliest is kept.
 * @throws {ReportError} on an unknown goal or an unreadable gate
 */
export function paretoFront(records: SweepRecords, info: SweepInfo): Trial[] {
  direction(info.goal);
  const runs = rankable(records, info)
    .filter((t) => t.cost !== null && Number.isFinite(t.cost))
    .sort((a, b) => a.number - b.number);
  const scores = Float64Array.from(runs, (t) => t.score);
  const costs = Float64Array.from(runs, (t) => t.cost as number);
  return frontIndices(scores, costs, info.goal).map((i) => runs[i]);
}
