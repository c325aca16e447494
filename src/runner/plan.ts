/**
 * What to run: grid points, random draws, constraints applied to a configuration, and the
 * seeds of repeats. (Gates are checked by the report's `failedGates`, src/report/records.ts.)
 */
import type { SweepConfig } from "../config";
import { createRng } from "../random";
import type { NestedParams } from "../space/search-space";
import { SearchSpace, flattenParams } from "../space/search-space";
import type { ParamValue } from "../space/parameters";
import { type Constraint, compare } from "./run-block";

/**
 * Every combination of the parameters' `values` lists, in a stable order: the first
 * parameter varies slowest (like nested for-loops in the order the config lists them).
 * The sweep file checks that every parameter is categorical before this is called.
 */
export function gridPoints(config: SweepConfig): NestedParams[] {
  const space = SearchSpace.fromConfig(config);
  const lists = config.parameters.map((p) => (p.spec.distribution === "categorical" ? (p.spec.values as readonly ParamValue[]) : []));
  const total = lists.reduce((n, l) => n * l.length, 1);
  const points: NestedParams[] = [];
  for (let index = 0; index < total; index++) {
    const values = new Map<string, unknown>();
    let rest = index;
    for (let j = lists.length - 1; j >= 0; j--) {
      values.set(config.parameters[j].key, lists[j][rest % lists[j].length]);
      rest = Math.floor(rest / lists[j].length);
    }
    points.push(space.nest(new Map(config.parameters.map((p) => [p.key, values.get(p.key)]))));
  }
  return points;
}

/**
 * The `index`-th random configuration of a sweep: uniform in the normalized space, from a
 * generator seeded by (seed, index), so a resumed sweep continues the same sequence.
 */
export function randomPoint(space: SearchSpace, seed: number | string, index: number): NestedParams {
  const rng = createRng(`protein-sweep/random/${seed}/${index}`);
  const x = new Float64Array(space.dim);
  for (let j = 0; j < space.dim; j++) x[j] = rng.uniform(-1, 1);
  return space.fromVector(space.snap(x));
}

function setDotted(params: NestedParams, key: string, value: ParamValue): void {
  // A key written with dots at one level (Metta's "trainer.lr") is set where it already is.
  if (key in params) {
    params[key] = value;
    return;
  }
  const parts = key.split(".");
  for (let i = 1; i < parts.length; i++) {
    const head = parts.slice(0, i).join(".");
    const child = params[head];
    if (typeof child === "object" && child !== null) {
      setDotted(child as NestedParams, parts.slice(i).join("."), value);
      return;
    }
  }
  params[key] = value;
}

/**
 * Applies constraints in order: when every condition holds on the current values, each
 * assignment is made. Returns the new params (the input is not changed) and the texts of
 * the constraints that changed something.
 */
export function applyConstraints(params: NestedParams, constraints: readonly Constraint[], fixed: ReadonlyMap<string, unknown> = new Map()): { params: NestedParams; applied: string[] } {
  const out = structuredClone(params);
  const applied: string[] = [];
  for (const c of constraints) {
    const flat = flattenParams(out);
    const value = (key: string) => (flat.has(key) ? flat.get(key) : fixed.get(key));
    if (!c.when.every((w) => compare(value(w.key), w.op, w.value))) continue;
    let changed = false;
    for (const t of c.then) {
      if (value(t.key) !== t.value) {
        setDotted(out, t.key, t.value);
        changed = true;
      }
    }
    if (changed) applied.push(c.text);
  }
  return { params: out, applied };
}

/** Stable text of a configuration (sorted dotted keys), to tell configurations apart. */
export function configKey(params: Record<string, unknown>): string {
  const flat = [...flattenParams(params).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(flat);
}

/**
 * The grid points a sweep runs: every combination, constraints applied, and points that
 * constraints made equal run once (the first in grid order keeps its place).
 */
export function constrainedGrid(config: SweepConfig, constraints: readonly Constraint[], fixed: ReadonlyMap<string, unknown> = new Map()): NestedParams[] {
  const seen = new Set<string>();
  const out: NestedParams[] = [];
  for (const point of gridPoints(config)) {
    const params = applyConstraints(point, constraints, fixed).params;
    const key = configKey(params);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(params);
  }
  return out;
}
