/**
 * What changed between the space an earlier phase ran under and the current one, per key.
 */
import type { ParameterSpec } from "./parameters";
import type { SearchSpace } from "./search-space";

export interface SpaceChange {
  readonly key: string;
  readonly kind: "added" | "removed" | "distribution" | "range" | "mean" | "scale" | "values";
  readonly before?: unknown;
  readonly after?: unknown;
  /** One sentence for a log line. */
  readonly message: string;
}

const fmt = (spec: ParameterSpec) => (spec.values ? JSON.stringify(spec.values) : `[${spec.min}, ${spec.max}]`);

/**
 * Lists, per key, parameters added or removed and changes of distribution, range,
 * mean, scale or categorical values from `previous` to `current`.
 */
export function diffSpaces(previous: SearchSpace, current: SearchSpace): SpaceChange[] {
  const changes: SpaceChange[] = [];
  const before = new Map(previous.toJSON().map((e) => [e.key, e.spec]));
  const after = new Map(current.toJSON().map((e) => [e.key, e.spec]));
  for (const [key, a] of after) {
    const b = before.get(key);
    if (!b) {
      changes.push({ key, kind: "added", after: a, message: `${key} is new in this phase; earlier observations get its search center` });
      continue;
    }
    if (a.distribution !== b.distribution) {
      changes.push({ key, kind: "distribution", before: b.distribution, after: a.distribution, message: `${key} changed distribution from ${b.distribution} to ${a.distribution}` });
    }
    if (a.distribution === "categorical" || b.distribution === "categorical") {
      if (JSON.stringify(a.values) !== JSON.stringify(b.values)) {
        changes.push({ key, kind: "values", before: b.values, after: a.values, message: `${key} values changed from ${fmt(b)} to ${fmt(a)}; earlier observations with a value no longer allowed are dropped` });
      }
    } else if (a.min !== b.min || a.max !== b.max) {
      changes.push({ key, kind: "range", before: [b.min, b.max], after: [a.min, a.max], message: `${key} range changed from ${fmt(b)} to ${fmt(a)}; earlier values outside it are handled by the outOfRange policy` });
    }
    if (a.mean !== b.mean) changes.push({ key, kind: "mean", before: b.mean, after: a.mean, message: `${key} mean (search center) changed from ${b.mean ?? "none"} to ${a.mean ?? "none"}` });
    if (a.scale !== b.scale) changes.push({ key, kind: "scale", before: b.scale, after: a.scale, message: `${key} scale changed from ${b.scale} to ${a.scale}` });
  }
  for (const [key, b] of before) {
    if (!after.has(key)) changes.push({ key, kind: "removed", before: b, message: `${key} is no longer swept; it is ignored in earlier observations` });
  }
  return changes;
}
