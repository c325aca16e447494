/**
 * Loading observations of an earlier sweep phase under the CURRENT space.
 *
 * Raw values are the record: an earlier observation is re-expressed in the current
 * space's keys and normalized at use time, never clamped silently. What falls outside
 * the current range follows a stated policy and is reported:
 *
 * - `keep` (default): the raw value is used as is; its coordinate lies beyond ±1, where
 *   the GP still models it (a 300M-timestep run stays at 300M when the range is now
 *   500M..1.5B);
 * - `drop`: the observation is left out;
 * - `clamp`: the value is moved to the nearest bound (the reference's behaviour, which
 *   corrupts the model; offered only for comparison).
 *
 * A parameter new in this phase is filled with its search center; one no longer swept is
 * ignored; a categorical value no longer allowed drops the observation.
 */
import { paretoFront } from "../pareto";
import type { ParamValue } from "../space/parameters";
import { type SearchSpace, flattenParams } from "../space/search-space";
import type { Observation } from "./record";

export type OutOfRangePolicy = "keep" | "drop" | "clamp";

export interface LoadPriorOptions {
  /**
   * Most observations to load (0 or undefined = all). When there are more, the rule is:
   * the (score, cost) Pareto front of the successes first (best score first), then the
   * remaining observations from the most recent backwards.
   */
  maxObservations?: number;
  /** What to do with values outside the current range. @default "keep" */
  outOfRange?: OutOfRangePolicy;
}

export interface PriorReport {
  /** Observations given. */
  given: number;
  /** Observations loaded. */
  loaded: number;
  /** Values outside the current range that were kept (policy keep) or clamped (policy clamp), per key. */
  outOfRange: Array<{ key: string; value: number; range: [number, number]; action: "kept" | "clamped" | "dropped"; index: number }>;
  /** Observations left out, with the reason. */
  dropped: Array<{ index: number; reason: string }>;
  /** Keys filled with their search center, with how many observations lacked them. */
  filled: Array<{ key: string; value: ParamValue; count: number }>;
  /** Keys of earlier observations that the current space does not sweep (ignored). */
  ignoredKeys: string[];
  /** Observations not loaded because of maxObservations. */
  overLimit: number;
}

/**
 * Re-expresses earlier observations in the current space and applies the policy.
 * @param goal the current sweep's goal (used to rank observations when limiting).
 * @returns the observations to use (params laid out like the current space) and the report.
 */
export function preparePrior(
  observations: readonly Observation[],
  space: SearchSpace,
  goal: "maximize" | "minimize",
  options: LoadPriorOptions = {},
): { observations: Observation[]; report: PriorReport } {
  const policy = options.outOfRange ?? "keep";
  const report: PriorReport = { given: observations.length, loaded: 0, outOfRange: [], dropped: [], filled: [], ignoredKeys: [], overLimit: 0 };
  const filled = new Map<string, { value: ParamValue; count: number }>();
  const ignored = new Set<string>();
  const accepted: Observation[] = [];

  observations.forEach((obs, index) => {
    const flat = flattenParams(obs.params as Record<string, unknown>);
    const values = new Map<string, unknown>();
    for (const key of flat.keys()) if (space.indexOf(key) === undefined) ignored.add(key);
    let dropReason: string | undefined;
    const notes: PriorReport["outOfRange"] = [];
    const fills: Array<[string, ParamValue]> = [];
    for (const { key, space: p } of space.entries) {
      if (!flat.has(key)) {
        const value = p.unnormalize(p.center);
        values.set(key, value);
        fills.push([key, value]);
        continue;
      }
      const v = flat.get(key);
      if (!p.accepts(v)) {
        dropReason = p.kind === "categorical" ? `${key} = ${JSON.stringify(v)} is no longer one of the allowed values` : `${key} = ${JSON.stringify(v)} is not ${p.describe()}`;
        break;
      }
      if (p.kind !== "categorical" && !p.contains(v as ParamValue) && Number.isFinite(v)) {
        const spec = p.toSpec();
        const range: [number, number] = [spec.min!, spec.max!];
        const outside = (v as number) < range[0] || (v as number) > range[1];
        if (outside) {
          if (policy === "drop") {
            notes.push({ key, value: v as number, range, action: "dropped", index });
            dropReason = `${key} = ${v} is outside [${range[0]}, ${range[1]}] (outOfRange: drop)`;
            break;
          }
          if (policy === "clamp") {
            const clamped = p.unnormalize(Math.max(-1, Math.min(1, p.normalize(v as number))));
            notes.push({ key, value: v as number, range, action: "clamped", index });
            values.set(key, clamped);
            continue;
          }
          notes.push({ key, value: v as number, range, action: "kept", index });
        }
      }
      values.set(key, v);
    }
    report.outOfRange.push(...(dropReason === undefined ? notes : notes.filter((n) => n.action === "dropped")));
    if (dropReason !== undefined) {
      report.dropped.push({ index, reason: dropReason });
      return;
    }
    for (const [key, value] of fills) {
      const f = filled.get(key) ?? { value, count: 0 };
      f.count++;
      filled.set(key, f);
    }
    accepted.push({ ...structuredClone(obs), params: space.nest(values) });
  });

  report.filled = [...filled].map(([key, f]) => ({ key, value: f.value, count: f.count }));
  report.ignoredKeys = [...ignored];
  const limited = limit(accepted, goal, options.maxObservations ?? 0);
  report.overLimit = accepted.length - limited.length;
  report.loaded = limited.length;
  return { observations: limited, report };
}

/** The front first (best score first), then the most recent of the rest; chronological order is kept in the result. */
function limit(observations: Observation[], goal: "maximize" | "minimize", max: number): Observation[] {
  if (max <= 0 || observations.length <= max) return observations;
  const ok = observations.map((o, i) => ({ o, i })).filter(({ o }) => !o.isFailure && o.score !== null);
  const front = paretoFront(Float64Array.from(ok, ({ o }) => o.score as number), Float64Array.from(ok, ({ o }) => o.cost), goal).map((k) => ok[k]);
  const sign = goal === "maximize" ? -1 : 1;
  front.sort((a, b) => sign * ((a.o.score as number) - (b.o.score as number)));
  const chosen = new Set<number>(front.slice(0, max).map(({ i }) => i));
  for (let i = observations.length - 1; i >= 0 && chosen.size < max; i--) chosen.add(i);
  return observations.filter((_, i) => chosen.has(i));
}
