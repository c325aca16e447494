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
 *
 * A value outside the DOMAIN of its distribution is never handed to the model, under any
 * policy: NaN or ±Infinity, ≤ 0 for log, ≥ 1 for logit, a non-integer for int, not a
 * power of two for pow2 (its coordinate would be NaN, or not a point the distribution
 * can produce, and one such point poisons every later fit). `keep` and `drop` drop the
 * observation with the reason; `clamp` moves a value beyond the range to the nearest
 * bound as the distribution rounds it, which is always in the domain. A value inside
 * the range but off the domain (2.5 for an integer) is dropped under every policy.
 */
import { paretoFront } from "../pareto";
import { describeValue } from "../errors";
import type { ParameterSpace, ParamValue } from "../space/parameters";
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
  /** Observations left out, with the reason (including values outside their distribution's domain). */
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

  for (let index = 0; index < observations.length; index++) {
    const obs = observations[index];
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
        dropReason = p.kind === "categorical" ? `${key} = ${JSON.stringify(v)} is no longer one of the allowed values` : `${key} = ${describeValue(v)} is not ${p.describe()}`;
        break;
      }
      if (p.kind === "categorical" || p.contains(v as ParamValue)) {
        values.set(key, v);
        continue;
      }
      const x = v as number;
      const spec = p.toSpec();
      const range: [number, number] = [spec.min as number, spec.max as number];
      const outside = x < range[0] || x > range[1];
      const domainProblem = outsideDomain(p, x);
      if (!outside) {
        // In range but not a value the distribution takes (e.g. 2.5 for an integer): no policy
        // makes it a point the model may use.
        dropReason = `${key} = ${describeValue(x)} ${domainProblem ?? `is not ${p.describe()}`}`;
        break;
      }
      if (policy === "drop") {
        notes.push({ key, value: x, range, action: "dropped", index });
        dropReason = `${key} = ${describeValue(x)} is outside [${range[0]}, ${range[1]}] (outOfRange: drop)`;
        break;
      }
      if (policy === "clamp") {
        // The nearest bound, as the distribution rounds it (a power of two, an integer):
        // always a legal, finite value, whatever x was.
        const clamped = p.unnormalize(x < range[0] ? -1 : 1);
        notes.push({ key, value: x, range, action: "clamped", index });
        values.set(key, clamped);
        continue;
      }
      // keep: the raw value is used beyond the range, so it must be a point of the
      // distribution whose coordinate the model can hold.
      if (domainProblem !== undefined) {
        dropReason = `${key} = ${describeValue(x)} ${domainProblem}, so it cannot be kept outside the range (outOfRange: keep)`;
        break;
      }
      notes.push({ key, value: x, range, action: "kept", index });
      values.set(key, x);
    }
    if (dropReason !== undefined) {
      for (const note of notes) if (note.action === "dropped") report.outOfRange.push(note);
      report.dropped.push({ index, reason: dropReason });
      continue;
    }
    for (const note of notes) report.outOfRange.push(note);
    for (const [key, value] of fills) {
      const f = filled.get(key) ?? { value, count: 0 };
      f.count++;
      filled.set(key, f);
    }
    const { params: _raw, metadata, ...fields } = obs;
    accepted.push({ params: space.nest(values), ...fields, ...(metadata !== undefined ? { metadata: structuredClone(metadata) } : {}) });
  }

  report.filled = [...filled].map(([key, f]) => ({ key, value: f.value, count: f.count }));
  report.ignoredKeys = [...ignored];
  const limited = limit(accepted, goal, options.maxObservations ?? 0);
  report.overLimit = accepted.length - limited.length;
  report.loaded = limited.length;
  return { observations: limited, report };
}

/**
 * Why a number is not a point of the parameter's distribution, or undefined when it is.
 * The domain is wider than the range: it is every value the distribution's map can
 * place, i.e. whose coordinate is a finite number (log needs v > 0, logit v < 1, any
 * map a finite v), and, for integer coordinates, a value the distribution produces
 * (an integer; a power of two).
 */
function outsideDomain(p: ParameterSpace, x: number): string | undefined {
  if (!Number.isFinite(x)) return "is not a finite number";
  if (p.distribution === "int_uniform" && !Number.isInteger(x)) return "is not an integer (int_uniform)";
  if (p.distribution === "uniform_pow2" && !(x > 0 && Number.isInteger(Math.log2(x)))) return "is not a power of two (uniform_pow2)";
  // log10(1 − x) stays finite for x ≤ 0, but a logit parameter lives in (0, 1) (Protein's observe refuses it too).
  if (p.distribution === "logit_normal" && x <= 0) return "is not > 0 (logit_normal values lie strictly between 0 and 1)";
  const u = p.normalize(x);
  if (!Number.isFinite(u)) {
    if (p.distribution === "log_normal") return "is not > 0, so it has no logarithm (log_normal)";
    if (p.distribution === "logit_normal") return "is not < 1, so it has no logit coordinate (logit_normal)";
    return `lies so far outside the range that its coordinate is not a finite number (${p.distribution})`;
  }
  return undefined;
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
