/**
 * One class per distribution: reversible maps between a parameter's raw value and a
 * normalized coordinate u, with u = -1 at `min` and u = +1 at `max` (PROTEIN.md §1).
 *
 * Symbols: v raw value, u normalized coordinate, [lo, hi] the transformed range
 * (log10 for log spaces, log2 for pow2, log10(1 - v) for logit spaces).
 *
 * `unnormalize` accepts any finite u, clamps its result into [min, max] (so a
 * suggestion is always a legal value) and applies the rounding rule of its
 * distribution. `normalize` does NOT clamp: a value recorded under an older, wider
 * range maps to a coordinate beyond ±1, which is how a GP can still use it.
 */

import { ConfigError } from "../errors";

export type ParamValue = number | string | boolean;

export type Distribution =
  | "uniform"
  | "int_uniform"
  | "uniform_pow2"
  | "log_normal"
  | "logit_normal"
  | "categorical";

/** The kind of coordinate a parameter occupies in the normalized space. */
export type CoordinateKind = "continuous" | "integer" | "categorical";

/** The resolved, JSON-serializable description of one parameter. */
export interface ParameterSpec {
  readonly distribution: Distribution;
  readonly min?: number;
  readonly max?: number;
  /** Raw search center, when one was given. */
  readonly mean?: ParamValue;
  /** Half-width of the sampling box in normalized units (already resolved from auto/time). */
  readonly scale: number;
  /** Quantization step for uniform / log_normal (W&B `q_*` distributions). */
  readonly q?: number;
  /**
   * Integer values on a uniform or log scale (`is_integer: true`, or an integer `q`);
   * int_uniform and uniform_pow2 are integer by definition and do not carry the flag.
   */
  readonly integer?: boolean;
  /** Allowed values of a categorical parameter, in the order written. */
  readonly values?: readonly ParamValue[];
}

/** A parameter's map between raw values and normalized coordinates. */
export interface ParameterSpace {
  readonly distribution: Distribution;
  readonly kind: CoordinateKind;
  /** Normalized search center in [-1, 1]. */
  readonly center: number;
  /** Half-width of the sampling box in normalized units. */
  readonly scale: number;
  /** Raw value → coordinate. The value must already be of the right type (see `accepts`). */
  normalize(value: ParamValue): number;
  /** Coordinate → raw value (clamped into range, rounded per the distribution). */
  unnormalize(u: number): ParamValue;
  /** Whether a raw value has the type this parameter takes (not whether it is in range). */
  accepts(value: unknown): boolean;
  /** Whether a raw value lies within the allowed range / set. */
  contains(value: ParamValue): boolean;
  /** Human-readable allowed set, for error messages. */
  describe(): string;
  /** The coordinate of the value `unnormalize(u)` would return (snaps discrete parameters to their grid). */
  snap(u: number): number;
  /** The resolved description. */
  toSpec(): ParameterSpec;
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

function invalidSpace(summary: string, value: unknown, allowed: string, fix: string): ConfigError {
  return new ConfigError(summary, { key: "spec", value, allowed, fix });
}

/**
 * Shared shape of the continuous maps: v ↦ t(v) (a monotone transform), then the
 * affine map of [t(min), t(max)] onto [-1, 1].
 */
abstract class TransformedSpace implements ParameterSpace {
  abstract readonly distribution: Distribution;
  readonly kind: CoordinateKind = "continuous";
  readonly center: number;
  protected readonly lo: number;
  protected readonly hi: number;

  constructor(
    readonly min: number,
    readonly max: number,
    readonly scale: number,
    readonly mean?: number,
  ) {
    if (!Number.isFinite(min) || !Number.isFinite(max) || !(min < max)) {
      throw invalidSpace("a parameter range needs finite bounds with min < max", [min, max], "finite numbers min < max", "fix min and max in the sweep config");
    }
    this.lo = this.forward(min);
    this.hi = this.forward(max);
    // Every coordinate must map to a finite value: refuse ranges whose transformed width overflows.
    if (!Number.isFinite(this.lo) || !Number.isFinite(this.hi) || !Number.isFinite(this.hi - this.lo) || this.hi === this.lo) {
      throw invalidSpace("the parameter range is too wide to search (its transformed width is not a finite number)", [min, max], "a range whose width is finite", "narrow the range, or use log_normal for values spanning many orders of magnitude");
    }
    this.center = mean === undefined ? 0 : this.normalize(mean);
  }

  /** t(v). */
  protected abstract forward(v: number): number;
  /** t⁻¹(t). */
  protected abstract inverse(t: number): number;

  normalize(value: ParamValue): number {
    const t = this.forward(value as number);
    return (2 * (t - this.lo)) / (this.hi - this.lo) - 1;
  }

  /**
   * Unrounded inverse, clamped into [min, max]. The result is rounded to 15 significant
   * digits so that a center written as 5e-4 comes back as 5e-4, not 0.0004999999999999999
   * (a relative change below 1e-15).
   */
  protected continuousValue(u: number): number {
    const t = this.lo + ((u + 1) / 2) * (this.hi - this.lo);
    return clamp(Number(this.inverse(t).toPrecision(15)), this.min, this.max);
  }

  unnormalize(u: number): ParamValue {
    return this.continuousValue(u);
  }

  snap(u: number): number {
    return u;
  }

  accepts(value: unknown): boolean {
    return typeof value === "number" && !Number.isNaN(value);
  }

  contains(value: ParamValue): boolean {
    return typeof value === "number" && value >= this.min && value <= this.max;
  }

  describe(): string {
    return `a number in [${this.min}, ${this.max}] (${this.distribution})`;
  }

  toSpec(): ParameterSpec {
    const spec: ParameterSpec = {
      distribution: this.distribution,
      min: this.min,
      max: this.max,
      scale: this.scale,
    };
    return this.mean === undefined ? spec : { ...spec, mean: this.mean };
  }
}

/**
 * Rounding of a continuous value onto a grid inside [min, max]: multiples of q (W&B's
 * `q_*` distributions) or integers (q = 1). The grid is fixed at construction as the
 * multiples k·q with kLo ≤ k ≤ kHi that lie inside the range, so a rounded value never
 * leaves [min, max] (a plain round-to-nearest did: q_uniform 0.05..0.07 with q 0.1 gave 0.1).
 */
class Grid {
  private readonly kLo: number;
  private readonly kHi: number;

  constructor(private readonly step: number, min: number, max: number) {
    if (!(step > 0) || !Number.isFinite(step)) throw invalidSpace("q must be a positive finite step", step, "a finite number > 0", "set q to the step between allowed values");
    let kLo = Math.ceil(min / step - 1e-9);
    let kHi = Math.floor(max / step + 1e-9);
    // value() is within a millionth of a step of k·q and non-decreasing in k, so one step in fixes an end.
    if (this.value(kLo) < min) kLo++;
    if (this.value(kHi) > max) kHi--;
    if (!(kLo <= kHi) || !Number.isFinite(kHi - kLo) || this.value(kLo) < min || this.value(kHi) > max) {
      throw invalidSpace(`the range [${min}, ${max}] holds no multiple of ${step}`, step, `a step with at least one multiple inside [${min}, ${max}]`, "use a smaller q, or widen the range");
    }
    this.kLo = kLo;
    this.kHi = kHi;
  }

  /**
   * k·q without representation noise (0.30000000000000004 → 0.3 for q = 0.1); exact for
   * integer q. The 15-digit form is used only when it moves the value by less than a
   * millionth of a step (at 4e15 it would move it by 10, i.e. across many steps).
   */
  private value(k: number): number {
    const r = k * this.step;
    if (Number.isInteger(this.step)) return r;
    const clean = Number(r.toPrecision(15));
    return Math.abs(clean - r) <= this.step * 1e-6 ? clean : r;
  }

  /** The grid value nearest to v, always inside [min, max]. */
  round(v: number): number {
    return this.value(clamp(Math.round(v / this.step), this.kLo, this.kHi));
  }
}

/** `uniform`: u = 2·(v − min)/(max − min) − 1, optionally quantized to multiples of `q`. */
export class UniformSpace extends TransformedSpace {
  readonly distribution = "uniform" as const;
  override readonly kind: CoordinateKind;
  private readonly grid?: Grid;

  constructor(min: number, max: number, scale: number, mean?: number, readonly q?: number, readonly integer = false) {
    super(min, max, scale, mean);
    this.kind = integer ? "integer" : "continuous";
    if (q !== undefined || integer) this.grid = new Grid(q ?? 1, min, max);
  }

  protected forward(v: number): number {
    return v;
  }
  protected inverse(t: number): number {
    return t;
  }

  override unnormalize(u: number): number {
    const v = this.continuousValue(u);
    return this.grid === undefined ? v : this.grid.round(v);
  }

  override snap(u: number): number {
    return this.grid === undefined ? u : this.normalize(this.unnormalize(u));
  }

  override contains(value: ParamValue): boolean {
    return super.contains(value) && (!this.integer || Number.isInteger(value));
  }

  override describe(): string {
    return this.integer ? `an integer in [${this.min}, ${this.max}] (${this.distribution}${this.q === undefined ? "" : `, step ${this.q}`})` : super.describe();
  }

  override toSpec(): ParameterSpec {
    const spec = super.toSpec();
    return { ...spec, ...(this.q === undefined ? {} : { q: this.q }), ...(this.integer ? { integer: true } : {}) };
  }
}

/** `int_uniform`: the uniform map, rounded to the nearest integer on the way back. */
export class IntUniformSpace extends TransformedSpace {
  readonly distribution = "int_uniform" as const;
  override readonly kind: CoordinateKind = "integer";

  protected forward(v: number): number {
    return v;
  }
  protected inverse(t: number): number {
    return t;
  }

  override unnormalize(u: number): number {
    return clamp(Math.round(this.continuousValue(u)), this.min, this.max);
  }

  override snap(u: number): number {
    return this.normalize(this.unnormalize(u));
  }

  override accepts(value: unknown): boolean {
    return typeof value === "number" && Number.isFinite(value);
  }

  override contains(value: ParamValue): boolean {
    return super.contains(value) && Number.isInteger(value);
  }

  override describe(): string {
    return `an integer in [${this.min}, ${this.max}] (int_uniform)`;
  }
}

/**
 * `uniform_pow2`: uniform in log2 v; on the way back 2^round(log2 v), kept within the
 * powers of two that lie in [min, max].
 */
export class Pow2Space extends TransformedSpace {
  readonly distribution = "uniform_pow2" as const;
  override readonly kind: CoordinateKind = "integer";
  private readonly kMin: number;
  private readonly kMax: number;

  constructor(min: number, max: number, scale: number, mean?: number) {
    super(min, max, scale, mean);
    this.kMin = Math.ceil(Math.log2(min) - 1e-12);
    this.kMax = Math.floor(Math.log2(max) + 1e-12);
  }

  protected forward(v: number): number {
    return Math.log2(v);
  }
  protected inverse(t: number): number {
    return 2 ** t;
  }

  override unnormalize(u: number): number {
    const t = this.lo + ((u + 1) / 2) * (this.hi - this.lo);
    return 2 ** clamp(Math.round(t), this.kMin, this.kMax);
  }

  override snap(u: number): number {
    return this.normalize(this.unnormalize(u));
  }

  override contains(value: ParamValue): boolean {
    return super.contains(value) && Number.isInteger(Math.log2(value as number));
  }

  override describe(): string {
    return `a power of two in [${2 ** this.kMin}, ${2 ** this.kMax}] (uniform_pow2)`;
  }
}

/** `log_normal`: uniform in log10 v (the name is Protein's; the map is log-uniform). */
export class LogSpace extends TransformedSpace {
  readonly distribution = "log_normal" as const;
  override readonly kind: CoordinateKind;
  private readonly grid?: Grid;

  /** `integer`: counts such as total_timesteps on a log scale (Optuna's IntDistribution(log=True)). */
  constructor(min: number, max: number, scale: number, mean?: number, readonly q?: number, readonly integer = false) {
    super(min, max, scale, mean);
    this.kind = integer ? "integer" : "continuous";
    if (q !== undefined || integer) this.grid = new Grid(q ?? 1, min, max);
  }

  protected forward(v: number): number {
    return Math.log10(v);
  }
  protected inverse(t: number): number {
    return 10 ** t;
  }

  override unnormalize(u: number): number {
    const v = this.continuousValue(u);
    return this.grid === undefined ? v : this.grid.round(v);
  }

  override snap(u: number): number {
    return this.grid === undefined ? u : this.normalize(this.unnormalize(u));
  }

  override contains(value: ParamValue): boolean {
    return super.contains(value) && (!this.integer || Number.isInteger(value));
  }

  override describe(): string {
    return this.integer ? `an integer in [${this.min}, ${this.max}] (${this.distribution}${this.q === undefined ? "" : `, step ${this.q}`})` : super.describe();
  }

  override toSpec(): ParameterSpec {
    const spec = super.toSpec();
    return { ...spec, ...(this.q === undefined ? {} : { q: this.q }), ...(this.integer ? { integer: true } : {}) };
  }
}

/** `logit_normal`: uniform in log10(1 − v), for values in (0, 1) crowding toward 1 (e.g. γ). */
export class LogitSpace extends TransformedSpace {
  readonly distribution = "logit_normal" as const;

  protected forward(v: number): number {
    return Math.log10(1 - v);
  }
  protected inverse(t: number): number {
    return 1 - 10 ** t;
  }
}

/**
 * Categorical `values`. Encoding: the k values own k equal bins of [-1, 1]; value i sits
 * at the bin's middle, c_i = -1 + (2i + 1)/k. The coordinate is only an address: the GP
 * treats this dimension with an overlap (Hamming) kernel — two points either share the
 * category or not — and sampling around a center keeps the center's category or draws
 * one uniformly, so no order between categories is ever implied.
 */
export class CategoricalSpace implements ParameterSpace {
  readonly distribution = "categorical" as const;
  readonly kind: CoordinateKind = "categorical";
  readonly center: number;

  constructor(
    readonly values: readonly ParamValue[],
    /** Probability that sampling around a center redraws this category (from `scale`). */
    readonly scale: number,
    readonly mean?: ParamValue,
  ) {
    this.center = this.coordinate(mean === undefined ? 0 : this.indexOf(mean));
  }

  get size(): number {
    return this.values.length;
  }

  /** Coordinate of category i. */
  coordinate(i: number): number {
    return -1 + (2 * i + 1) / this.values.length;
  }

  /** Index of a value, or -1. Numbers match numerically, strings and booleans exactly. */
  indexOf(value: unknown): number {
    return this.values.findIndex((v) => v === value);
  }

  /** Category index of a coordinate (the bin it falls in). */
  bin(u: number): number {
    const k = this.values.length;
    return clamp(Math.floor(((u + 1) / 2) * k), 0, k - 1);
  }

  normalize(value: ParamValue): number {
    return this.coordinate(this.indexOf(value));
  }

  unnormalize(u: number): ParamValue {
    return this.values[this.bin(u)];
  }

  snap(u: number): number {
    return this.coordinate(this.bin(u));
  }

  accepts(value: unknown): boolean {
    return this.indexOf(value) >= 0;
  }

  contains(value: ParamValue): boolean {
    return this.indexOf(value) >= 0;
  }

  describe(): string {
    return `one of ${JSON.stringify(this.values)}`;
  }

  toSpec(): ParameterSpec {
    const spec: ParameterSpec = { distribution: "categorical", values: [...this.values], scale: this.scale };
    return this.mean === undefined ? spec : { ...spec, mean: this.mean };
  }
}

/** Builds the space of one resolved spec (validation happened in config/). */
export function createParameterSpace(spec: ParameterSpec): ParameterSpace {
  const mean = spec.mean as number | undefined;
  switch (spec.distribution) {
    case "uniform":
      return new UniformSpace(spec.min!, spec.max!, spec.scale, mean, spec.q, spec.integer === true);
    case "int_uniform":
      return new IntUniformSpace(spec.min!, spec.max!, spec.scale, mean);
    case "uniform_pow2":
      return new Pow2Space(spec.min!, spec.max!, spec.scale, mean);
    case "log_normal":
      return new LogSpace(spec.min!, spec.max!, spec.scale, mean, spec.q, spec.integer === true);
    case "logit_normal":
      return new LogitSpace(spec.min!, spec.max!, spec.scale, mean);
    case "categorical":
      return new CategoricalSpace(spec.values!, spec.scale, spec.mean);
  }
}
