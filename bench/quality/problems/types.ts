/**
 * Contract of an optimization-quality problem, and the small helpers the
 * problems share (reading a parameter from nested or dotted params, regret).
 *
 * A problem is a sweep config in the Metta/Protein object format plus a
 * noise-free objective with a known optimum, so that a runner can feed the
 * config to any optimizer (ours, or an external one through the JSON-lines
 * protocol of `tools/optuna_adapter.py`) and score its suggestions by regret.
 */

import { ProteinError } from "../../../src/errors";

/** Goal direction of a problem's score. */
export type Goal = "maximize" | "minimize";

/** One optimization-quality problem. */
export interface QualityProblem {
  /** Short identifier: "branin", "hartmann6", ..., "mixed-training". */
  readonly name: string;
  /** Number of parameters (a categorical counts as one). */
  readonly dim: number;
  /**
   * A sweep config in the Metta/Protein object format:
   * `{ sweep: { metric, goal, parameters: { "x0": { distribution, min, max, mean, scale }, ... }, protein?: {...} } }`.
   * Parameter keys may be dotted ("model.layers") or nested blocks. Categorical: `{ values: [...] }`.
   */
  readonly config: Record<string, unknown>;
  /** Direction of the score. */
  readonly goal: Goal;
  /** Best achievable noise-free score (in the problem's own goal direction). */
  readonly optimum: number;
  /** Known optimum location(s) as params nested the way the config is written, for tests. */
  readonly optimumLocations: ReadonlyArray<Record<string, unknown>>;
  /**
   * Noise-free objective.
   * @param params - parameter values nested the way the config writes them (dotted keys also accepted).
   * @throws {ProteinError} when a parameter is missing or not a finite number / known category.
   */
  objective(params: Record<string, unknown>): number;
  /**
   * One run: a noisy score (noise drawn from `noise`) and its cost.
   * For plain test functions the score is the objective and the cost is 1.
   * @throws {ProteinError} as `objective` does.
   */
  evaluate(params: Record<string, unknown>, noise: { normal(): number }): { score: number; cost?: number };
  /** Regret of a noise-free value: distance from `optimum` in the goal's direction, clamped at ≥ 0. */
  regret(value: number): number;
}

/**
 * Reads one parameter from params written either as nested objects
 * (`{ model: { layers: 3 } }`) or with dotted keys (`{ "model.layers": 3 }`).
 * An exact (possibly dotted) key wins over the nested walk.
 * @param params - the params object.
 * @param key - the full dotted key, e.g. `"model.layers"`.
 * @returns the stored value, or `undefined` when absent.
 */
export function readParam(params: Record<string, unknown>, key: string): unknown {
  if (Object.prototype.hasOwnProperty.call(params, key)) return params[key];
  const parts = key.split(".");
  // Try every split point so that mixed forms like { trainer: { "opt.lr": v } } resolve too.
  for (let cut = parts.length - 1; cut >= 1; cut--) {
    const head = parts.slice(0, cut).join(".");
    const child = Object.prototype.hasOwnProperty.call(params, head) ? params[head] : undefined;
    if (child !== null && typeof child === "object" && !Array.isArray(child)) {
      const found = readParam(child as Record<string, unknown>, parts.slice(cut).join("."));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * Reads a numeric parameter.
 * @throws {ProteinError} when the value is missing or not a finite number.
 */
export function readNumber(params: Record<string, unknown>, key: string): number {
  const value = readParam(params, key);
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ProteinError("Quality problem parameter is missing or not a finite number", {
      key,
      value,
      allowed: "a finite number",
      fix: "pass params nested as the problem's config writes them",
    });
  }
  return value;
}

/**
 * Regret in the goal's direction: `optimum − value` for maximize, `value − optimum`
 * for minimize, clamped at 0 (published optima are rounded, so a value may pass them
 * by less than their last digit). NaN stays NaN.
 */
export function regretFor(goal: Goal, optimum: number, value: number): number {
  const gap = goal === "maximize" ? optimum - value : value - optimum;
  return gap > 0 ? gap : gap <= 0 ? 0 : Number.NaN;
}
