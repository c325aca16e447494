/**
 * SearchSpace: the ordered, flattened parameters of a sweep, and the maps between
 * user-facing params (nested or dotted objects of raw values) and normalized rows
 * x ∈ [-1, 1]^d stored in row-major Float64Array blocks.
 *
 * Symbols: d = number of parameters (one coordinate each, categorical included),
 * X: n×d row-major, centers: m×d row-major.
 */
import { ConfigError, ObservationError } from "../errors";
import type { Rng } from "../random/types";
import {
  type CategoricalSpace,
  type ParamValue,
  type ParameterSpace,
  type ParameterSpec,
  createParameterSpace,
} from "./parameters";

/** Params as users read and write them: nested objects of raw values. */
export interface NestedParams {
  [key: string]: ParamValue | NestedParams;
}

/** One parameter of the space. */
export interface SpaceEntry {
  /** Flat dotted key, e.g. `trainer.optimizer.learning_rate`. */
  readonly key: string;
  /** Path segments as the config wrote them (`["trainer.lr"]` for a dotted key, `["trainer", "lr"]` for a nested block). */
  readonly path: readonly string[];
  readonly space: ParameterSpace;
}

/** How `fromVector` lays params out. */
export type ParamsLayout = "as-written" | "nested" | "dotted";

/** A problem found by `SearchSpace.check`: the key and what is wrong. */
export interface ParamsProblem {
  readonly key: string;
  readonly kind: "missing" | "unknown" | "type" | "out-of-range";
  readonly value?: unknown;
  readonly expected: string;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !(x instanceof Float64Array);
}

/**
 * Flattens nested params to dotted keys. Dotted keys and nested blocks may be mixed:
 * `{ trainer: { lr: 1 } }`, `{ "trainer.lr": 1 }` both give `trainer.lr`.
 */
export function flattenParams(params: Record<string, unknown>, prefix = "", out: Map<string, unknown> = new Map(), depth = 0, ancestors: Set<object> = new Set()): Map<string, unknown> {
  if (depth > MAX_PARAMS_DEPTH || ancestors.has(params)) {
    throw new ObservationError(depth > MAX_PARAMS_DEPTH ? `params are nested deeper than ${MAX_PARAMS_DEPTH} levels` : "params refer to themselves (a cycle)", {
      key: prefix || "(params)",
      allowed: "nested objects of parameter values, as suggest() returns them",
      fix: "pass the params object suggest() returned, with each value filled in",
    });
  }
  ancestors.add(params);
  for (const [k, v] of Object.entries(params)) {
    const key = prefix === "" ? k : `${prefix}.${k}`;
    if (isPlainObject(v)) flattenParams(v, key, out, depth + 1, ancestors);
    else out.set(key, v);
  }
  ancestors.delete(params);
  return out;
}

/** Deepest nesting of a params object (a sweep config is at most 64 levels deep). */
const MAX_PARAMS_DEPTH = 64;

/** Names that would reach or replace a prototype if used as property names. */
const UNSAFE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** 32-bit FNV-1a of a string, as 8 hex digits. */
function fnv1a(text: string, seed: number): string {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

export class SearchSpace {
  readonly entries: readonly SpaceEntry[];
  /** Ordered flat dotted keys. */
  readonly keys: readonly string[];
  /** Number of coordinates. */
  readonly dim: number;
  /** Normalized search centers (one per coordinate). */
  readonly centers: Float64Array;
  /** Sampling half-widths in normalized units. */
  readonly scales: Float64Array;
  /** Lower bounds of the normalized box (all -1). */
  readonly lower: Float64Array;
  /** Upper bounds of the normalized box (all +1). */
  readonly upper: Float64Array;
  /** Indices of categorical coordinates (for the GP's overlap kernel). */
  readonly categoricalDims: readonly number[];
  /** Indices of integer-valued coordinates (int_uniform, uniform_pow2). */
  readonly integerDims: readonly number[];
  /** Indices of continuous coordinates (neither categorical nor integer). */
  readonly continuousDims: readonly number[];
  private readonly index: ReadonlyMap<string, number>;

  constructor(entries: ReadonlyArray<{ key: string; path?: readonly string[]; spec: ParameterSpec }>) {
    // Keys become property names in nest()/fromVector(): none may reach Object.prototype.
    for (const e of entries) {
      for (const segment of [...e.key.split("."), ...(e.path ?? []).flatMap((p) => p.split("."))]) {
        if (UNSAFE_KEYS.has(segment)) {
          throw new ConfigError(`the parameter key "${e.key}" is not allowed`, { key: e.key, value: segment, allowed: "keys without __proto__, constructor or prototype segments", fix: `rename the parameter "${e.key}"` });
        }
      }
    }
    this.entries = entries.map((e) => ({ key: e.key, path: e.path ?? [e.key], space: createParameterSpace(e.spec) }));
    this.keys = this.entries.map((e) => e.key);
    this.dim = this.entries.length;
    this.index = new Map(this.keys.map((k, i) => [k, i]));
    this.centers = Float64Array.from(this.entries, (e) => e.space.center);
    this.scales = Float64Array.from(this.entries, (e) => e.space.scale);
    this.lower = new Float64Array(this.dim).fill(-1);
    this.upper = new Float64Array(this.dim).fill(1);
    this.categoricalDims = this.entries.flatMap((e, i) => (e.space.kind === "categorical" ? [i] : []));
    this.integerDims = this.entries.flatMap((e, i) => (e.space.kind === "integer" ? [i] : []));
    this.continuousDims = this.entries.flatMap((e, i) => (e.space.kind === "continuous" ? [i] : []));
  }

  /**
   * Builds the space of a parsed sweep config.
   * @example
   * const space = SearchSpace.fromConfig(parseSweepConfig(yamlText));
   */
  static fromConfig(config: { readonly parameters: ReadonlyArray<{ key: string; path: readonly string[]; spec: ParameterSpec }> }): SearchSpace {
    return new SearchSpace(config.parameters);
  }

  /** Position of a dotted key, or undefined. */
  indexOf(key: string): number | undefined {
    return this.index.get(key);
  }

  /** The parameter space of a dotted key. */
  get(key: string): ParameterSpace | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.entries[i].space;
  }

  /**
   * Every problem with a params object, without throwing: missing keys, unknown keys,
   * values of the wrong type, and values outside the range (which `toVector` still accepts).
   */
  check(params: Record<string, unknown>): ParamsProblem[] {
    const problems: ParamsProblem[] = [];
    const flat = flattenParams(params);
    for (const { key, space } of this.entries) {
      if (!flat.has(key)) {
        problems.push({ key, kind: "missing", expected: space.describe() });
        continue;
      }
      const value = flat.get(key);
      if (!space.accepts(value)) problems.push({ key, kind: "type", value, expected: space.describe() });
      else if (!space.contains(value as ParamValue)) problems.push({ key, kind: "out-of-range", value, expected: space.describe() });
    }
    for (const key of flat.keys()) {
      if (!this.index.has(key)) problems.push({ key, kind: "unknown", value: flat.get(key), expected: `one of the space's keys: ${this.keys.join(", ")}` });
    }
    return problems;
  }

  /**
   * Params (nested, dotted, or mixed) → normalized row. Values outside the range are
   * mapped beyond ±1 (never clamped): raw values are the record.
   * @throws ObservationError when a key is missing or unknown, or a value has the wrong type.
   */
  toVector(params: Record<string, unknown>, out: Float64Array = new Float64Array(this.dim)): Float64Array {
    if (!isPlainObject(params)) {
      throw new ObservationError("params must be an object of parameter values", {
        value: params,
        allowed: `an object with the keys ${this.keys.join(", ")}`,
        fix: "pass the params object that suggest() returned, with each value filled in",
      });
    }
    const fatal = this.check(params).find((p) => p.kind !== "out-of-range");
    if (fatal) throw paramsError(fatal);
    const flat = flattenParams(params);
    for (let j = 0; j < this.dim; j++) {
      out[j] = this.entries[j].space.normalize(flat.get(this.keys[j]) as ParamValue);
    }
    return out;
  }

  /** Normalized row → params, laid out as the config was written (default), fully nested, or dotted. */
  fromVector(x: ArrayLike<number>, layout: ParamsLayout = "as-written"): NestedParams {
    const values = new Map<string, ParamValue>();
    for (let j = 0; j < this.dim; j++) values.set(this.keys[j], this.entries[j].space.unnormalize(x[j]));
    return this.nest(values, layout);
  }

  /**
   * Raw values by dotted key → params laid out like the space (as written, nested, or
   * dotted). Values are placed as given: no rounding, no clamping. Keys the space does
   * not know are left out.
   */
  nest(values: ReadonlyMap<string, unknown>, layout: ParamsLayout = "as-written"): NestedParams {
    const out: NestedParams = {};
    for (const { key, path } of this.entries) {
      if (!values.has(key)) continue;
      const segments = layout === "dotted" ? [key] : layout === "nested" ? key.split(".") : path;
      let node = out;
      for (let s = 0; s < segments.length - 1; s++) {
        const next = node[segments[s]];
        if (isPlainObject(next)) node = next as NestedParams;
        else node = node[segments[s]] = {};
      }
      node[segments[segments.length - 1]] = values.get(key) as ParamValue;
    }
    return out;
  }

  /** Moves each coordinate of row-major X (n×d) onto the grid of its parameter (integers, powers of two, categories). In place. */
  snap(X: Float64Array): Float64Array {
    const d = this.dim;
    const discrete = this.entries.flatMap((e, j) => (e.space.kind !== "continuous" || (e.space as { q?: number }).q !== undefined ? [j] : []));
    if (discrete.length === 0) return X;
    for (let r = 0; r < X.length; r += d) {
      for (const j of discrete) X[r + j] = this.entries[j].space.snap(X[r + j]);
    }
    return X;
  }

  /**
   * Samples n rows around centers (PROTEIN.md §1): each row picks a center uniformly,
   * adds `scale_j · U(-1, 1)` to continuous and integer coordinates and clips to [-1, 1]
   * (`bounds: "reflect"`: folds a value past a bound back inside instead, so no mass piles up on it,
   * except in the coordinates of `clipDims`, which are still clipped);
   * a categorical coordinate keeps the center's category, or with probability
   * min(1, scale_j) takes a uniformly drawn one. Discrete coordinates are snapped.
   *
   * @param n number of rows.
   * @param rng the generator every draw comes from.
   * @param options.centers m×d row-major centers (default: the space's search center).
   * @param options.scale multiplier of every parameter's own scale (default 1), or per-coordinate half-widths.
   * @returns n×d row-major Float64Array.
   */
  sample(n: number, rng: Rng, options: { centers?: Float64Array; scale?: number | Float64Array; bounds?: "clip" | "reflect"; clipDims?: readonly number[] } = {}): Float64Array {
    const d = this.dim;
    const reflectDim = new Uint8Array(d).fill(options.bounds === "reflect" ? 1 : 0);
    for (const j of options.clipDims ?? []) reflectDim[j] = 0;
    const centers = options.centers ?? this.centers;
    const m = d === 0 ? 0 : centers.length / d;
    const halfWidth = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      halfWidth[j] = typeof options.scale === "object" ? options.scale[j] : (options.scale ?? 1) * this.scales[j];
    }
    const out = new Float64Array(n * d);
    if (d === 0 || n === 0) return out;
    for (let i = 0; i < n; i++) {
      const c = m === 1 ? 0 : rng.int(0, m - 1);
      for (let j = 0; j < d; j++) {
        const mu = centers[c * d + j];
        const space = this.entries[j].space;
        let u: number;
        if (space.kind === "categorical") {
          const cat = space as CategoricalSpace;
          u = rng.random() < Math.min(1, halfWidth[j]) ? cat.coordinate(rng.int(0, cat.size - 1)) : cat.snap(mu);
        } else {
          u = mu + halfWidth[j] * (2 * rng.random() - 1);
          u = reflectDim[j] === 1 ? reflectInto(u) : u < -1 ? -1 : u > 1 ? 1 : u;
        }
        out[i * d + j] = u;
      }
    }
    return this.snap(out);
  }

  /** The resolved specs, keyed and ordered as the space. */
  toJSON(): Array<{ key: string; path: readonly string[]; spec: ParameterSpec }> {
    return this.entries.map((e) => ({ key: e.key, path: e.path, spec: e.space.toSpec() }));
  }

  /** A short stable hash of keys, distributions, ranges, means and scales: equal spaces, equal fingerprints. */
  get fingerprint(): string {
    const text = JSON.stringify(this.toJSON());
    return fnv1a(text, 0x811c9dc5) + fnv1a(text, 0x01000193);
  }
}

/** Turns a params problem into the error observe() throws. */
export function paramsError(p: ParamsProblem): ObservationError {
  switch (p.kind) {
    case "missing":
      return new ObservationError(`params is missing "${p.key}"`, {
        key: p.key,
        allowed: p.expected,
        fix: `add "${p.key}" to the params (nested or dotted); pass the params object suggest() returned`,
      });
    case "unknown":
      return new ObservationError(`params has a key the search space does not know: "${p.key}"`, {
        key: p.key,
        value: p.value,
        allowed: p.expected,
        fix: "remove the key, or add the parameter to the sweep config's parameters",
      });
    default:
      return new ObservationError(`params "${p.key}" has a value of the wrong type`, {
        key: p.key,
        value: p.value,
        allowed: p.expected,
        fix: `give "${p.key}" ${p.expected}`,
      });
  }
}

/** Folds a value into [-1, 1] by reflection at the bounds (period 4: −1.2 → −0.8, 3.5 → −0.5). */
export function reflectInto(u: number): number {
  if (u >= -1 && u <= 1) return u;
  if (!Number.isFinite(u)) return u > 0 ? 1 : -1;
  const t = (((u + 1) % 4) + 4) % 4; // in [0, 4)
  return t <= 2 ? t - 1 : 3 - t;
}
