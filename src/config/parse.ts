/**
 * Reading sweep configs in the four formats people already use, into one validated
 * `SweepConfig`:
 *
 * - Metta/Protein YAML: `sweep: { parameters: { "trainer.lr": {...} }, metric, goal, protein: {...}, trainer: {...} }`
 *   (or `parameters`/`metric`/`goal` at the top level; parameters may also be nested blocks);
 * - PufferLib nested blocks: `{ method, metric, goal, train: { learning_rate: { distribution, ... } } }`, any depth;
 * - W&B sweeps: `metric: { name, goal }`, `parameters: { x: { distribution, min, max } | { values } | { value } }`;
 * - PufferLib INI: `[sweep]` scalar settings and `[sweep.train.learning_rate]` sections.
 *
 * Every problem found is reported at once in a ConfigError, each naming the dotted key
 * in the document, the value, what is allowed and the fix. Mistakes that used to pass
 * silently (a misspelt key, a block that looks like a parameter but is not one) are
 * errors with a "did you mean" suggestion; defaults that a reader may not expect (a
 * missing goal) are listed in `warnings`.
 *
 * Safety: the document is copied through `toSafeData` first (size, key count and depth
 * limits, no `__proto__`/`constructor`/`prototype` keys, no cycles, plain data only).
 */
import { parseDocument as parseYamlDocument, isMap, isScalar, isSeq, type Node as YamlNode } from "yaml";
import { ConfigError, type ConfigIssue, didYouMean, didYouMeanText } from "../errors";
import type { Distribution, ParamValue, ParameterSpec } from "../space/parameters";
import { looksLikeIni, parseIni } from "./ini";
import { CONFIG_LIMITS, checkTextSize, forbiddenKeyError, forbiddenSegment, toNumber, toSafeData } from "./safe";
import { type ConfigSettings, camelCase, isSettingKey, settingsAllowed, settingsShape } from "./settings";

/** The format a config was read from. */
export type ConfigFormat = "metta" | "pufferlib" | "wandb" | "ini";

/** One parameter of a parsed config. */
export interface ParameterConfig {
  /** Flat dotted key. */
  readonly key: string;
  /** Path segments as written (a dotted key is one segment). */
  readonly path: readonly string[];
  /** Where the parameter sits in the document, for messages (e.g. `sweep.parameters.trainer.lr`). */
  readonly location: string;
  /** Resolved spec (scale resolved from auto/time, W&B distributions mapped). */
  readonly spec: ParameterSpec;
}

/** A validated sweep config. */
export interface SweepConfig {
  readonly format: ConfigFormat;
  readonly metric: string;
  readonly goal: "maximize" | "minimize";
  /**
   * `method` as written (e.g. Protein, bayes, grid, random), if any. `new Protein` runs
   * Bayesian search only and refuses grid/random (see `assertBayesianMethod`); the CLI
   * runner reads this field to run grid or random search itself.
   */
  readonly method?: string;
  /** Parameters in the order written. */
  readonly parameters: readonly ParameterConfig[];
  /** Protein settings written in the config (camelCase, validated). */
  readonly settings: Readonly<ConfigSettings>;
  /** Settings this version does not know, kept as data (never a crash); each also has a line in `warnings`. */
  readonly extraSettings: Readonly<Record<string, unknown>>;
  /** Fixed values to pass through to the training run untouched (e.g. Metta's `trainer:` block, W&B `value:` params). */
  readonly overrides: Readonly<Record<string, unknown>>;
  /** Everything else the document held (e.g. W&B `early_terminate`, `program`; Metta's `rollout_count`). */
  readonly extra: Readonly<Record<string, unknown>>;
  /**
   * Defaults the config relied on that a reader may not expect, and keys kept but not used,
   * one sentence each (e.g. `goal is not set; using "maximize" (Metta's default)`). Show them to the user.
   */
  readonly warnings: readonly string[];
  /** The document as parsed (plain JSON data), e.g. for an observations file header. */
  readonly source: unknown;
}

const PROTEIN_DISTRIBUTIONS = ["uniform", "int_uniform", "uniform_pow2", "log_normal", "logit_normal"] as const;
const WANDB_DISTRIBUTIONS = ["log_uniform_values", "log_uniform", "q_uniform", "q_log_uniform_values", "q_log_uniform", "categorical", "constant"] as const;
const ALL_DISTRIBUTIONS: readonly string[] = [...PROTEIN_DISTRIBUTIONS, ...WANDB_DISTRIBUTIONS];
const ALLOWED_DISTRIBUTIONS = ALL_DISTRIBUTIONS.join(", ");
const Q_DISTRIBUTIONS = new Set(["q_uniform", "q_log_uniform_values", "q_log_uniform"]);
/** Keys of a parameter block. */
const PARAM_FIELDS = ["distribution", "min", "max", "mean", "scale", "values", "q", "probabilities", "value", "mu", "sigma", "is_integer"];
const PARAM_FIELD_SET: ReadonlySet<string> = new Set(PARAM_FIELDS);
/** Keys that mark a block as a numeric parameter when two of them appear together. */
const RANGE_FIELDS = ["min", "max", "mean", "scale"];
/** Keys of a sweep block that describe the sweep itself (not parameters, not overrides). */
const SWEEP_META = new Set(["method", "metric", "goal", "parameters", "protein", "name", "description", "program", "command", "project", "entity", "early_terminate", "run_cap", "controller"]);
/** Methods that are not Bayesian search; `new Protein` refuses them. */
const NON_BAYESIAN_METHODS = new Set(["grid", "random"]);

type Obj = Record<string, unknown>;

function isObj(x: unknown): x is Obj {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function has(x: Obj, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(x, key);
}

function join(prefix: string, key: string): string {
  return prefix === "" ? key : `${prefix}.${key}`;
}

/** True when an object is a parameter block (rather than a group of them or an override block). */
function isParamBlock(x: Obj): boolean {
  if (has(x, "distribution") || has(x, "values")) return true;
  const keys = Object.keys(x);
  return keys.length > 0 && has(x, "min") && has(x, "max") && keys.every((k) => PARAM_FIELD_SET.has(k));
}

function isConstantBlock(x: Obj): x is { value: unknown } {
  return has(x, "value") && Object.keys(x).every((k) => k === "value" || k === "distribution");
}

/** A key that is probably a misspelt `distribution` (e.g. `distrbution`). */
function misspeltDistribution(x: Obj): string | undefined {
  return Object.keys(x).find((k) => k !== "distribution" && didYouMean(k, ["distribution"]) !== undefined);
}

/**
 * Outside `parameters:` a block of fixed settings may hold anything; it is taken for a
 * mistyped parameter only when it carries a misspelt `distribution`, or only parameter
 * keys with two or more of min/max/mean/scale (e.g. `{ mean: 1, scale: auto }`).
 */
function looksLikeBrokenParam(x: Obj): boolean {
  if (misspeltDistribution(x) !== undefined) return true;
  const keys = Object.keys(x);
  return keys.length > 0 && keys.every((k) => PARAM_FIELD_SET.has(k)) && RANGE_FIELDS.filter((k) => has(x, k)).length >= 2;
}

class IssueList {
  readonly issues: ConfigIssue[] = [];
  add(message: string, key: string, value: unknown, allowed: string, fix: string): void {
    this.issues.push({ message, key, value, allowed, fix });
  }
}

/** Reports every key of a parameter block that is not a parameter field, with a suggestion. */
function checkParamKeys(block: Obj, location: string, issues: IssueList): void {
  for (const key of Object.keys(block)) {
    if (PARAM_FIELD_SET.has(key)) continue;
    issues.add(`unknown key "${key}" in a parameter block`, join(location, key), block[key], PARAM_FIELDS.join(", "), `${didYouMeanText(key, PARAM_FIELDS)}rename or remove "${key}"`);
  }
}

/** Explains why a block that looks like a parameter is not one. */
function reportBrokenParam(block: Obj, location: string, issues: IssueList): void {
  const before = issues.issues.length;
  checkParamKeys(block, location, issues);
  if (issues.issues.length > before) return;
  issues.add(
    "parameter block has no distribution, no values and no min/max pair",
    location,
    block,
    "{ distribution, min, max, mean?, scale? } or { values: [...] } or { value: x } (a fixed value)",
    "add `distribution:` with min and max (e.g. distribution: uniform, min: 0, max: 1), list `values:`, or write `value:` to fix the setting",
  );
}

function readBoolean(x: unknown): boolean | undefined {
  if (typeof x === "boolean") return x;
  if (x === "true" || x === "True") return true;
  if (x === "false" || x === "False") return false;
  return undefined;
}

/** t(v) of a distribution's transform, for the finiteness check of a range. */
function transformed(base: Exclude<Distribution, "categorical">, v: number): number {
  if (base === "log_normal") return Math.log10(v);
  if (base === "uniform_pow2") return Math.log2(v);
  if (base === "logit_normal") return Math.log10(1 - v);
  return v;
}

function resolveParameter(block: Obj, location: string, issues: IssueList, wandb: boolean): ParameterSpec | undefined {
  const before = issues.issues.length;
  checkParamKeys(block, location, issues);
  const rawDist = block.distribution;
  let distribution: string;
  if (rawDist === undefined) {
    if (has(block, "values")) distribution = "categorical";
    else if (Number.isInteger(toNumber(block.min)) && Number.isInteger(toNumber(block.max)) && typeof block.min === "number" && wandb) distribution = "int_uniform";
    else if (has(block, "min") && has(block, "max")) distribution = "uniform";
    else {
      issues.add("parameter has no distribution", join(location, "distribution"), undefined, ALLOWED_DISTRIBUTIONS, "add `distribution:` (e.g. uniform or log_normal) with min and max, or give `values: [...]`");
      return undefined;
    }
  } else if (typeof rawDist !== "string") {
    issues.add("distribution must be a string", join(location, "distribution"), rawDist, ALLOWED_DISTRIBUTIONS, "write one of the allowed names");
    return undefined;
  } else {
    distribution = rawDist;
  }

  if (distribution === "categorical") {
    const spec = resolveCategorical(block, location, issues);
    return issues.issues.length > before ? undefined : spec;
  }

  let base: Exclude<Distribution, "categorical">;
  let logInput = false;
  switch (distribution) {
    case "uniform":
    case "int_uniform":
    case "uniform_pow2":
    case "log_normal":
    case "logit_normal":
      base = distribution;
      break;
    case "log_uniform_values":
    case "q_log_uniform_values":
      base = "log_normal";
      break;
    case "log_uniform":
    case "q_log_uniform":
      base = "log_normal";
      logInput = true;
      break;
    case "q_uniform":
      base = "uniform";
      break;
    default: {
      const unbounded = ["normal", "q_normal", "q_log_normal", "inv_log_uniform", "inv_log_uniform_values", "beta", "q_beta"];
      const guess = didYouMeanText(distribution, ALL_DISTRIBUTIONS);
      issues.add(
        unbounded.includes(distribution) ? `distribution "${distribution}" has no bounded range protein-sweep can search` : `unknown distribution "${distribution}"`,
        join(location, "distribution"),
        distribution,
        ALLOWED_DISTRIBUTIONS,
        unbounded.includes(distribution)
          ? "use a bounded distribution with min and max, e.g. log_uniform_values (W&B) or log_normal (Protein)"
          : `${guess}use one of the allowed distributions (log_normal for learning rates, uniform_pow2 for batch sizes, logit_normal for gamma-like values)`,
      );
      return undefined;
    }
  }
  // W&B's log_normal takes mu/sigma (unbounded): refuse it with a pointer, instead of guessing bounds.
  if (wandb && distribution === "log_normal" && (has(block, "mu") || has(block, "sigma")) && !has(block, "min")) {
    issues.add('W&B\'s "log_normal" (mu, sigma) is unbounded', join(location, "distribution"), distribution, "a bounded distribution with min and max", "use log_uniform_values with min and max");
    return undefined;
  }

  // q: the step of W&B's q_* distributions, nowhere else.
  let q: number | undefined;
  if (Q_DISTRIBUTIONS.has(distribution)) {
    q = block.q === undefined ? 1 : toNumber(block.q);
    if (q === undefined || !Number.isFinite(q) || q <= 0) {
      issues.add("q must be a positive number (the step between allowed values)", join(location, "q"), block.q, "a finite number > 0", "set q to the step between allowed values, e.g. q: 16, or remove it for a step of 1");
      q = undefined;
    }
  } else if (has(block, "q")) {
    issues.add(`q applies only to q_uniform, q_log_uniform and q_log_uniform_values, not to ${distribution}`, join(location, "q"), block.q, "no q for this distribution", `remove q, or use distribution: ${base === "log_normal" ? "q_log_uniform_values" : "q_uniform"}`);
  }

  // is_integer: integer values on a linear or log scale (PufferLib's spaces carry the same flag).
  let integer = base === "int_uniform" || base === "uniform_pow2";
  if (has(block, "is_integer")) {
    const flag = readBoolean(block.is_integer);
    if (flag === undefined) {
      issues.add("is_integer must be true or false", join(location, "is_integer"), block.is_integer, "true or false", "write is_integer: true for counts such as total_timesteps, or remove it");
    } else if (flag && base === "logit_normal") {
      issues.add("is_integer does not apply to logit_normal (its values lie in (0, 1))", join(location, "is_integer"), block.is_integer, "false, or a uniform / log_normal distribution", "remove is_integer");
    } else if (!flag && integer) {
      issues.add(`${base} always gives integers; is_integer: false contradicts it`, join(location, "is_integer"), block.is_integer, "true, or no is_integer", `remove is_integer, or use ${base === "int_uniform" ? "uniform" : "log_normal"} for real values`);
    } else if (flag) {
      integer = true;
      if (base === "uniform" && q === undefined) base = "int_uniform";
    }
  }
  if (q !== undefined && integer && !Number.isInteger(q)) {
    issues.add("an integer parameter needs an integer q", join(location, "q"), block.q, "a positive integer step", `remove is_integer, or set q to an integer such as ${Math.max(1, Math.round(q))}`);
  }
  if (q !== undefined && Number.isInteger(q)) integer = true;

  const min = readNumber(block, "min", location, issues);
  const max = readNumber(block, "max", location, issues);
  if (min === undefined || max === undefined) return undefined;
  let lo = logInput ? Math.exp(min) : min;
  let hi = logInput ? Math.exp(max) : max;
  if (logInput && (!Number.isFinite(hi) || !(lo > 0))) {
    const key = Number.isFinite(hi) ? "min" : "max";
    issues.add(`${distribution} bounds are natural logarithms; e^${key} is ${key === "max" ? "beyond the largest number" : "0"}`, join(location, key), block[key], `a natural log between ${Math.log(Number.MIN_VALUE).toFixed(0)} and ${Math.log(Number.MAX_VALUE).toFixed(0)}`, `use ${distribution}_values with the values themselves (e.g. min: 1e-5, max: 1e-1)`);
    return undefined;
  }
  if (!(lo < hi)) {
    issues.add("min must be below max", join(location, "min"), min, `a number below max (${max})`, `swap min and max, or widen the range (min: ${max}, max: ${min})`);
    return undefined;
  }
  // uniform_pow2 needs no integer bounds: its values are the powers of two inside the range.
  if (integer && base !== "uniform_pow2" && q === undefined && (!Number.isInteger(lo) || !Number.isInteger(hi))) {
    const key = Number.isInteger(lo) ? "max" : "min";
    issues.add(`${base === "int_uniform" ? "int_uniform" : "is_integer"} bounds must be integers`, join(location, key), block[key], "an integer", `round ${key} to an integer`);
  }
  if ((base === "log_normal" || base === "uniform_pow2") && lo <= 0) {
    issues.add(`${base} needs a positive min (its scale is logarithmic)`, join(location, "min"), min, "a number > 0", base === "uniform_pow2" ? "set min to a positive power of two (e.g. 1, 8 or 16)" : `set min to a small positive value such as ${hi / 1000}, or use distribution: uniform`);
  }
  if (base === "uniform_pow2" && lo > 0) {
    const kMin = Math.ceil(Math.log2(lo) - 1e-12);
    const kMax = Math.floor(Math.log2(hi) + 1e-12);
    if (kMin > kMax) issues.add("uniform_pow2 range holds no power of two", join(location, "min"), min, "a range containing at least one power of two", "widen [min, max] to include a power of two");
  }
  if (base === "logit_normal") {
    if (lo <= 0 || lo >= 1) issues.add("logit_normal needs 0 < min < 1", join(location, "min"), min, "a number strictly between 0 and 1", "logit_normal is for values in (0, 1) such as gamma; set min inside (0, 1)");
    if (hi <= 0 || hi >= 1) issues.add("logit_normal needs 0 < max < 1 (1 itself maps to infinity)", join(location, "max"), max, "a number strictly between 0 and 1", "set max below 1, e.g. 0.9999");
  }
  if (issues.issues.length === before && !Number.isFinite(transformed(base, hi) - transformed(base, lo))) {
    issues.add("the range is too wide to search (its width is not a finite number)", join(location, "max"), max, `a range whose width max − min is finite (below ${Number.MAX_VALUE.toPrecision(3)})`, "narrow the range, or use log_normal for values spanning many orders of magnitude");
  }
  if (q !== undefined && issues.issues.length === before) {
    const kLo = Math.ceil(lo / q - 1e-9);
    const kHi = Math.floor(hi / q + 1e-9);
    if (!(kLo <= kHi) || !Number.isFinite(kHi - kLo)) {
      issues.add(`the range [${lo}, ${hi}] holds no multiple of q = ${q}`, join(location, "q"), block.q ?? 1, `a step with at least one multiple inside [${lo}, ${hi}]`, `use a smaller q (e.g. ${q / 10}), or widen the range to include a multiple of ${q}`);
    }
  }

  let mean: number | undefined;
  if (block.mean !== undefined && block.mean !== null) {
    mean = toNumber(block.mean);
    if (mean === undefined || !Number.isFinite(mean)) {
      issues.add("mean must be a number", join(location, "mean"), block.mean, `a number in [${lo}, ${hi}]`, "set mean to the value to center the search on, or remove it");
    } else if (mean < lo || mean > hi) {
      issues.add("mean lies outside [min, max]", join(location, "mean"), block.mean, `a number in [${lo}, ${hi}]`, "move mean inside the range, or widen the range to include it");
    }
  }

  const scale = resolveScale(block.scale, base, lo, hi, location, issues);
  if (issues.issues.length > before || scale === undefined) return undefined;
  if (base === "int_uniform") {
    lo = Math.round(lo);
    hi = Math.round(hi);
  }
  const spec: ParameterSpec = { distribution: base, min: lo, max: hi, scale };
  return {
    ...spec,
    ...(mean !== undefined ? { mean } : {}),
    ...(q !== undefined ? { q } : {}),
    ...(integer && base !== "int_uniform" && base !== "uniform_pow2" ? { integer: true } : {}),
  };
}

function readNumber(block: Obj, field: "min" | "max", location: string, issues: IssueList): number | undefined {
  const value = toNumber(block[field]);
  if (value === undefined || !Number.isFinite(value)) {
    issues.add(`${field} must be a finite number`, join(location, field), block[field], "a finite number", `set ${field} for this parameter`);
    return undefined;
  }
  return value;
}

function resolveScale(raw: unknown, dist: Distribution, lo: number, hi: number, location: string, issues: IssueList): number | undefined {
  if (raw === undefined || raw === null || raw === "auto") return 0.5;
  if (raw === "time") {
    if (dist === "log_normal" || dist === "uniform_pow2") return 1 / (Math.log2(hi) - Math.log2(lo));
    if (dist === "logit_normal") return 1 / Math.abs(Math.log2(1 - lo) - Math.log2(1 - hi));
    issues.add('scale "time" applies to log-scaled parameters only', join(location, "scale"), raw, '"auto", a positive number, or "time" for log_normal / uniform_pow2 / logit_normal', 'use scale: auto, or a positive number');
    return undefined;
  }
  const value = toNumber(raw);
  if (value === undefined || !Number.isFinite(value) || value <= 0) {
    issues.add("scale must be positive", join(location, "scale"), raw, '"auto" (0.5), "time" (log spaces), or a positive number of normalized units', `${typeof raw === "string" ? didYouMeanText(raw, ["auto", "time"]) : ""}use scale: auto, or a positive number such as 0.5`);
    return undefined;
  }
  return value;
}

function resolveCategorical(block: Obj, location: string, issues: IssueList): ParameterSpec | undefined {
  const values = block.values;
  const key = join(location, "values");
  if (!Array.isArray(values) || values.length === 0) {
    issues.add("a categorical parameter needs a non-empty values list", key, values, "a non-empty list of strings, numbers or booleans", "list the allowed values, e.g. values: [adam, sgd]");
    return undefined;
  }
  const bad = values.findIndex((v) => !(typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v))));
  if (bad >= 0) {
    issues.add("categorical values must be strings, finite numbers or booleans", `${key}[${bad}]`, values[bad], "a string, a finite number or a boolean", "replace the value; nested objects and lists are not allowed as categories");
    return undefined;
  }
  const seen = new Set<unknown>();
  const dup = values.findIndex((v) => (seen.has(v) ? true : (seen.add(v), false)));
  if (dup >= 0) {
    issues.add("categorical values must be distinct", `${key}[${dup}]`, values[dup], "each value once", "remove the repeated value");
    return undefined;
  }
  let scale = 0.5;
  if (block.scale !== undefined && block.scale !== "auto") {
    const s = toNumber(block.scale);
    if (s === undefined || !(s > 0) || !Number.isFinite(s)) {
      issues.add("scale must be positive", join(location, "scale"), block.scale, '"auto" (0.5) or a positive number (probability of redrawing the category when sampling around a center, capped at 1)', "use scale: auto");
      return undefined;
    }
    scale = s;
  }
  const mean = block.mean;
  if (mean !== undefined && mean !== null && !values.includes(mean)) {
    issues.add("mean must be one of the values", join(location, "mean"), mean, `one of ${JSON.stringify(values).slice(0, 200)}`, "set mean to one of the listed values, or remove it");
    return undefined;
  }
  const spec: ParameterSpec = { distribution: "categorical", values: values as ParamValue[], scale };
  return mean === undefined || mean === null ? spec : { ...spec, mean: mean as ParamValue };
}

interface Collected {
  parameters: ParameterConfig[];
  overrides: Obj;
}

/**
 * Walks a block: parameter blocks become parameters (key = path relative to the block),
 * W&B constants and plain values become overrides at the same path.
 *
 * `strict` (inside `parameters:`): every entry must be a parameter, a constant or a group
 * of them; a plain value or a block that is neither is an error. Otherwise (PufferLib
 * sections, Metta's fixed `trainer:`/`env:` blocks) plain values are fixed settings, and a
 * block is an error only when it looks like a mistyped parameter.
 */
function collect(block: Obj, docPath: string, keyPath: readonly string[], out: Collected, issues: IssueList, wandb: boolean, strict: boolean): void {
  // Depth is bounded by toSafeData (CONFIG_LIMITS.maxDepth), so this recursion is too.
  for (const [name, value] of Object.entries(block)) {
    const location = join(docPath, name);
    const path = [...keyPath, name];
    if (!isObj(value)) {
      if (strict) {
        issues.add(
          `parameter "${name}" is a plain value, not a parameter block`,
          location,
          value,
          "{ distribution, min, max, ... }, { values: [...] }, or { value: x } for a fixed value",
          `write ${name}: { value: ${JSON.stringify(value) ?? "null"} } to pass a fixed value, or give it a distribution with min and max`,
        );
      } else {
        setPath(out.overrides, path.join(".").split("."), value);
      }
    } else if (isConstantBlock(value)) {
      setPath(out.overrides, path.join(".").split("."), value.value);
    } else if (isParamBlock(value)) {
      const spec = resolveParameter(value, location, issues, wandb);
      if (spec) out.parameters.push({ key: path.join("."), path, location, spec });
    } else if (looksLikeBrokenParam(value)) {
      reportBrokenParam(value, location, issues);
    } else if (strict && (Object.keys(value).length === 0 || !Object.values(value).every(isObj))) {
      reportBrokenParam(value, location, issues);
    } else {
      collect(value, location, path, out, issues, wandb, strict);
    }
  }
}

function setPath(target: Obj, path: readonly string[], value: unknown): void {
  let node = target;
  for (let i = 0; i < path.length - 1; i++) {
    const next = has(node, path[i]) ? node[path[i]] : undefined;
    node = isObj(next) ? next : (node[path[i]] = {});
  }
  node[path[path.length - 1]] = value;
}

const SETTING_NAMES = Object.keys(settingsShape);

/**
 * Reads settings. In a `protein:` block every key is meant as a setting: a near miss of a
 * known one (`num_random_sample`) is an error with a suggestion, anything else is kept in
 * `extraSettings` with a warning (a config written for a newer version still loads).
 * Beside PufferLib's metric/goal (`nearMissIsError` false there too, since that block also
 * holds the trainer's own keys such as `use_gpu`), only near misses are errors.
 */
function readSettings(block: Obj, docPath: string, settings: Obj, extra: Obj, issues: IssueList, warnings: string[]): void {
  for (const [name, value] of Object.entries(block)) {
    if (!isSettingKey(name)) {
      const guess = didYouMean(name, SETTING_NAMES);
      if (guess !== undefined) {
        issues.add(`unknown setting "${name}"`, join(docPath, name), value, `one of the settings: ${SETTING_NAMES.join(", ")}`, `did you mean "${guess}"? rename "${name}" to "${guess}"`);
      } else {
        extra[name] = value;
        warnings.push(`${join(docPath, name)} is not a protein-sweep setting; it is kept in extraSettings and not used`);
      }
      continue;
    }
    const parsed = settingsShape[name].safeParse(value);
    if (parsed.success) settings[camelCase(name)] = parsed.data;
    else issues.add(`setting ${name} is invalid`, join(docPath, name), value, settingsAllowed[name], `set ${name} to ${settingsAllowed[name]}, or remove it to use the default`);
  }
}

/**
 * Refuses a config whose method is grid or random search, which `Protein` (Bayesian
 * search) does not run. The CLI runner (`protein-sweep run`) runs those methods itself.
 * @throws ConfigError naming `method`.
 */
export function assertBayesianMethod(config: Pick<SweepConfig, "method" | "format">): void {
  const method = config.method;
  if (method !== undefined && NON_BAYESIAN_METHODS.has(method.toLowerCase())) {
    throw new ConfigError(`method "${method}" is not Bayesian search, and Protein runs Bayesian search only`, {
      key: "method",
      value: method,
      allowed: 'bayes, Protein (or no method) for new Protein(config); grid and random through the CLI runner',
      fix: `run this sweep with \`protein-sweep run\`, which runs ${method} search itself, or set method: bayes to let Protein choose the points`,
    });
  }
}

function parseDocument(doc: unknown, ini: boolean): SweepConfig {
  const issues = new IssueList();
  const warnings: string[] = [];
  if (!isObj(doc)) {
    throw new ConfigError("a sweep config must be a mapping (an object)", { key: "(root)", value: doc, allowed: "an object with sweep parameters", fix: "pass a YAML/INI document or an object such as { sweep: { metric, goal, parameters } }" });
  }
  // Where the sweep block is: Metta and INI nest it under `sweep`; W&B and PufferLib YAML keep it at the top.
  const nested = isObj(doc.sweep);
  const block = nested ? (doc.sweep as Obj) : doc;
  const docPath = nested ? "sweep" : "";
  const metricRaw = has(block, "metric") ? block.metric : nested ? doc.metric : undefined;
  const wandb = isObj(metricRaw) || (typeof block.method === "string" && ["bayes", "random", "grid"].includes(block.method));

  const format: ConfigFormat = ini ? "ini" : wandb ? "wandb" : has(block, "parameters") ? "metta" : nested ? "metta" : "pufferlib";

  // Metric and goal.
  let metric = "score";
  let goalRaw: unknown = has(block, "goal") ? block.goal : nested ? doc.goal : undefined;
  const metricPath = join(docPath, "metric");
  if (isObj(metricRaw)) {
    if (typeof metricRaw.name !== "string") issues.add("metric.name must be a string", join(metricPath, "name"), metricRaw.name, "the name of the logged metric", "set metric: { name: <metric>, goal: maximize | minimize }");
    else metric = metricRaw.name;
    goalRaw = metricRaw.goal ?? goalRaw;
  } else if (typeof metricRaw === "string") {
    metric = metricRaw;
  } else if (metricRaw !== undefined) {
    issues.add("metric must be a string", metricPath, metricRaw, "the name of the logged metric", "set metric: <name of the metric>");
  }
  // A missing goal: W&B documents minimize as its default and Metta's ProteinConfig defaults
  // to maximize, so those keep their default with a warning; PufferLib reads `goal`
  // unconditionally (its configs always carry one), so there it is an error.
  let goal: "maximize" | "minimize" = wandb ? "minimize" : "maximize";
  const goalKey = isObj(metricRaw) ? join(metricPath, "goal") : join(docPath, "goal");
  if (goalRaw !== undefined) {
    if (goalRaw === "maximize" || goalRaw === "minimize") goal = goalRaw;
    else issues.add("goal must be maximize or minimize", goalKey, goalRaw, '"maximize" or "minimize"', `${typeof goalRaw === "string" ? didYouMeanText(goalRaw, ["maximize", "minimize"]) : ""}set goal: maximize (higher is better) or goal: minimize (lower is better)`);
  } else if (format === "pufferlib" || format === "ini") {
    issues.add("goal is missing", goalKey, undefined, '"maximize" or "minimize"', "add goal: maximize (higher is better) or goal: minimize (lower is better); PufferLib configs always state it");
  } else {
    warnings.push(`${goalKey} is not set; using "${goal}" (${format === "wandb" ? "W&B's" : "Metta's"} default). Write goal: ${goal} to make it explicit`);
  }

  // Settings: a `protein:` block, plus PufferLib's scalar settings beside metric/goal.
  const settings: Obj = {};
  const extraSettings: Obj = {};
  if (block.protein !== undefined) {
    if (isObj(block.protein)) readSettings(block.protein, join(docPath, "protein"), settings, extraSettings, issues, warnings);
    else issues.add("protein must be a block of settings", join(docPath, "protein"), block.protein, "a mapping such as { num_random_samples: 10 }", "write the settings as a nested block");
  }
  const scalarSettings: Obj = {};
  const extra: Obj = {};
  for (const [name, value] of Object.entries(block)) {
    if (isObj(value) || Array.isArray(value)) continue;
    if (name === "method" || name === "metric" || name === "goal") continue;
    if (isSettingKey(name)) scalarSettings[name] = value;
    else if (!SWEEP_META.has(name) && didYouMean(name, SETTING_NAMES) !== undefined) scalarSettings[name] = value;
    else extra[name] = value;
  }
  readSettings(scalarSettings, docPath, settings, extraSettings, issues, warnings);
  for (const name of Object.keys(block)) {
    if (SWEEP_META.has(name) && name !== "parameters" && name !== "protein" && name !== "metric" && name !== "method" && name !== "goal") extra[name] = block[name];
  }
  if (nested) {
    for (const [name, value] of Object.entries(doc)) if (name !== "sweep") extra[name] = value;
  }

  // Parameters.
  const collected: Collected = { parameters: [], overrides: {} };
  const rest: Obj = {};
  for (const [name, value] of Object.entries(block)) if (isObj(value) && !SWEEP_META.has(name)) rest[name] = value;
  if (has(block, "parameters")) {
    const params = block.parameters;
    if (!isObj(params) || Object.keys(params).length === 0) {
      issues.add("the sweep has no parameters", join(docPath, "parameters"), params, "a mapping of parameter name → { distribution, min, max, ... } or { values: [...] }", "add at least one parameter to search over");
    } else {
      collect(params, join(docPath, "parameters"), [], collected, issues, wandb, true);
      if (collected.parameters.length === 0 && issues.issues.length === 0) {
        issues.add("the sweep has no parameters (only fixed values)", join(docPath, "parameters"), params, "at least one parameter with a distribution, min and max (or values)", "give at least one parameter a distribution with min and max");
      }
    }
    // Metta: other blocks in the sweep (trainer:, env:) are fixed overrides.
    collect(rest, docPath, [], collected, issues, wandb, false);
  } else {
    collect(rest, docPath, [], collected, issues, wandb, false);
    if (collected.parameters.length === 0 && issues.issues.length === 0) {
      issues.add("the sweep has no parameters", docPath === "" ? "parameters" : join(docPath, "parameters"), undefined, "parameter blocks with a distribution, min and max (or values)", "add parameters, e.g. parameters: { lr: { distribution: log_normal, min: 1e-5, max: 1e-2 } }");
    }
  }

  const seen = new Map<string, string>();
  for (const p of collected.parameters) {
    const prior = seen.get(p.key);
    if (prior !== undefined) issues.add("two parameters flatten to the same key", p.location, p.key, "each dotted key once", `remove one of ${prior} and ${p.location}`);
    seen.set(p.key, p.location);
  }

  // cost_param must name a parameter (`/` separators as PufferLib writes them are accepted).
  const costParam = settings.costParam;
  if (typeof costParam === "string" && !seen.has(costParam.replace(/\//g, "."))) {
    const keys = [...seen.keys()];
    issues.add(
      "cost_param names no parameter of the sweep",
      join(docPath, has(block, "protein") && isObj(block.protein) && has(block.protein, "cost_param") ? "protein.cost_param" : "cost_param"),
      costParam,
      `one of ${keys.join(", ")}, or null`,
      `${didYouMeanText(costParam, keys)}name the dotted key of the parameter that sets a run's cost (e.g. train.total_timesteps), or remove cost_param`,
    );
  }

  if (issues.issues.length > 0) throw new ConfigError("invalid sweep config", {}, issues.issues);

  const method = typeof block.method === "string" ? block.method : undefined;
  const config: SweepConfig = Object.freeze({
    format,
    metric,
    goal,
    ...(method !== undefined ? { method } : {}),
    parameters: Object.freeze(collected.parameters),
    settings: Object.freeze(settings as ConfigSettings),
    extraSettings: Object.freeze(extraSettings),
    overrides: Object.freeze(collected.overrides),
    extra: Object.freeze(extra),
    warnings: Object.freeze(warnings),
    source: doc,
  });
  produced.add(config);
  return config;
}

/** SweepConfig objects this module built (returned as is when passed back in). */
const produced = new WeakSet<object>();

function looksLikeSweepConfig(x: unknown): x is { format: unknown; source: unknown } {
  return isObj(x) && Array.isArray(x.parameters) && typeof x.format === "string" && has(x, "settings") && has(x, "source");
}

/**
 * Refuses YAML text whose `[`/`{` flow collections nest deeper than the depth limit, in
 * one pass before the parser sees it (the parser recurses per level: thousands of levels
 * cost it a stack overflow and a fifth of a second). Brackets inside quotes and comments
 * are skipped; block nesting is bounded by the text size limit through indentation.
 */
function checkFlowDepth(text: string): void {
  let depth = 0;
  let quote = "";
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") {
      comment = false;
      if (quote === "'") quote = "";
      continue;
    }
    if (comment) continue;
    if (quote !== "") {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = "";
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === "#" && (i === 0 || text[i - 1] === " " || text[i - 1] === "\t")) comment = true;
    else if (c === "[" || c === "{") {
      if (++depth > CONFIG_LIMITS.maxDepth) {
        throw new ConfigError(`the config is too large: nested deeper than ${CONFIG_LIMITS.maxDepth} levels`, { key: "(document)", value: `more than ${CONFIG_LIMITS.maxDepth} open brackets at character ${i + 1}`, allowed: `at most ${CONFIG_LIMITS.maxDepth} levels of nesting`, fix: "flatten the structure, e.g. with dotted keys" });
      }
    } else if ((c === "]" || c === "}") && depth > 0) depth--;
  }
}

/**
 * YAML text → plain data, in time linear in the text: the `yaml` library's own duplicate
 * key check compares every key with every other (9 s for 40k keys), so it is off and
 * duplicates are found here with one set per mapping.
 */
function readYaml(text: string): unknown {
  checkFlowDepth(text);
  let document;
  try {
    document = parseYamlDocument(text, { uniqueKeys: false, prettyErrors: false });
  } catch (error) {
    throw new ConfigError("the config text is not valid YAML/JSON", { key: "(document)", value: error instanceof RangeError ? "nested too deeply to read" : (error as Error).message, allowed: "a YAML or JSON mapping, or INI sections", fix: "fix the syntax at the position the parser names" });
  }
  if (document.errors.length > 0) {
    throw new ConfigError("the config text is not valid YAML/JSON", { key: "(document)", value: document.errors[0].message.split("\n")[0], allowed: "a YAML or JSON mapping, or INI sections", fix: "fix the syntax at the position the parser names" });
  }
  const stack: Array<{ node: unknown; path: string; depth: number }> = [{ node: document.contents, path: "", depth: 0 }];
  let count = 0;
  while (stack.length > 0) {
    const { node, path, depth } = stack.pop()!;
    if (depth > CONFIG_LIMITS.maxDepth) {
      throw new ConfigError(`the config is too large: nested deeper than ${CONFIG_LIMITS.maxDepth} levels`, { key: path || "(root)", value: `depth ${depth}`, allowed: `at most ${CONFIG_LIMITS.maxDepth} levels of nesting`, fix: "flatten the structure, e.g. with dotted keys" });
    }
    if (isMap(node)) {
      const keys = new Set<string>();
      count += node.items.length;
      if (count > CONFIG_LIMITS.maxKeys) {
        throw new ConfigError("the config is too large: too many keys", { key: path || "(root)", value: `more than ${CONFIG_LIMITS.maxKeys} keys`, allowed: `at most ${CONFIG_LIMITS.maxKeys} keys and list items in all`, fix: "split the config, or move bulky data out of it" });
      }
      for (const pair of node.items) {
        const keyNode = pair.key as YamlNode | null;
        const key = isScalar(keyNode) ? String(keyNode.value) : keyNode === null ? "" : String(keyNode);
        const at = path === "" ? key : `${path}.${key}`;
        const bad = forbiddenSegment(key);
        if (bad !== undefined) throw forbiddenKeyError(at, bad);
        if (keys.has(key)) {
          throw new ConfigError(`the key "${key}" appears twice in one mapping`, { key: at, value: key, allowed: "each key once per mapping", fix: `keep one "${key}" entry` });
        }
        keys.add(key);
        stack.push({ node: pair.value, path: at, depth: depth + 1 });
      }
    } else if (isSeq(node)) {
      count += node.items.length;
      if (count > CONFIG_LIMITS.maxKeys) {
        throw new ConfigError("the config is too large: too many keys", { key: path || "(root)", value: `more than ${CONFIG_LIMITS.maxKeys} keys and list items`, allowed: `at most ${CONFIG_LIMITS.maxKeys} keys and list items in all`, fix: "split the config, or move bulky data out of it" });
      }
      node.items.forEach((item, i) => stack.push({ node: item, path: `${path}[${i}]`, depth: depth + 1 }));
    }
  }
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigError("the config text cannot be read as data", { key: "(document)", value: (error as Error).message.split("\n")[0], allowed: "a YAML or JSON mapping without excessive aliases", fix: "write the repeated parts out instead of using many aliases" });
  }
}

/**
 * Parses and validates a sweep config: YAML or INI text, a parsed object, or an
 * already parsed `SweepConfig` (returned as is).
 *
 * @throws ConfigError listing every problem, each with its dotted key, the value, what is allowed and the fix.
 *   Input that is not text or an object, text over 65,536 characters, more than 10,000
 *   keys, nesting deeper than 64, cycles, and `__proto__`/`constructor`/`prototype` keys
 *   are refused the same way.
 * @example
 * const config = parseSweepConfig(`
 * sweep:
 *   metric: reward
 *   goal: maximize
 *   parameters:
 *     trainer.learning_rate: { distribution: log_normal, min: 1e-5, max: 1e-2, mean: 1e-3, scale: auto }
 * `);
 * config.parameters[0].key; // "trainer.learning_rate"
 */
export function parseSweepConfig(input: string | object, options: { format?: "yaml" | "ini" | "json" } = {}): SweepConfig {
  if (typeof input === "object" && input !== null && produced.has(input)) return input as SweepConfig;
  const format = (options as { format?: unknown } | null | undefined)?.format;
  if (format !== undefined && format !== "yaml" && format !== "ini" && format !== "json") {
    throw new ConfigError("unknown config format", { key: "options.format", value: format, allowed: '"yaml", "ini" or "json"', fix: `${typeof format === "string" ? didYouMeanText(format, ["yaml", "ini", "json"]) : ""}pass one of the allowed formats, or leave format out to detect it` });
  }
  if (typeof input === "string") {
    checkTextSize(input);
    const ini = format === "ini" || (format === undefined && looksLikeIni(input));
    let doc: unknown;
    if (ini) doc = parseIni(input);
    else if (format === "json") {
      try {
        doc = JSON.parse(input);
      } catch (error) {
        throw new ConfigError("the config text is not valid YAML/JSON", { key: "(document)", value: (error as Error).message, allowed: "a JSON object", fix: "fix the syntax at the position the parser names" });
      }
    } else doc = readYaml(input);
    return parseDocument(toSafeData(doc), ini);
  }
  if (typeof input !== "object" || input === null) {
    throw new ConfigError("a sweep config must be YAML/INI text or an object", {
      key: "(root)",
      value: input,
      allowed: "a string of YAML, JSON or INI text, a config object, or a SweepConfig",
      fix: "pass the config text (e.g. readFileSync(path, 'utf8')) or use loadSweepConfig(path)",
    });
  }
  // A SweepConfig from elsewhere (another copy of the library, a JSON round trip) is rebuilt
  // from its source, never trusted as is.
  if (looksLikeSweepConfig(input)) return parseDocument(toSafeData(input.source), input.format === "ini");
  return parseDocument(toSafeData(input), false);
}

/** The `{ ok, value | error }` form of `parseSweepConfig`, for CLIs and forms. */
export function safeParseSweepConfig(input: string | object, options: { format?: "yaml" | "ini" | "json" } = {}): { ok: true; value: SweepConfig } | { ok: false; error: ConfigError } {
  try {
    return { ok: true, value: parseSweepConfig(input, options) };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, error };
    throw error;
  }
}

export { CONFIG_LIMITS };
