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
 * in the document, the value, what is allowed and the fix.
 */
import { parse as parseYaml } from "yaml";
import { ConfigError, type ConfigIssue } from "../errors";
import type { Distribution, ParamValue, ParameterSpec } from "../space/parameters";
import { looksLikeIni, parseIni } from "./ini";
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
  /** `method` as written (e.g. Protein, bayes), if any. */
  readonly method?: string;
  /** Parameters in the order written. */
  readonly parameters: readonly ParameterConfig[];
  /** Protein settings written in the config (camelCase, validated). */
  readonly settings: Readonly<ConfigSettings>;
  /** Settings this version does not know, kept as data (never a crash). */
  readonly extraSettings: Readonly<Record<string, unknown>>;
  /** Fixed values to pass through to the training run untouched (e.g. Metta's `trainer:` block, W&B `value:` params). */
  readonly overrides: Readonly<Record<string, unknown>>;
  /** Everything else the document held (e.g. W&B `early_terminate`, `program`; Metta's `rollout_count`). */
  readonly extra: Readonly<Record<string, unknown>>;
  /** The document as parsed (plain JSON data), e.g. for an observations file header. */
  readonly source: unknown;
}

const PROTEIN_DISTRIBUTIONS = ["uniform", "int_uniform", "uniform_pow2", "log_normal", "logit_normal"] as const;
const WANDB_DISTRIBUTIONS = ["log_uniform_values", "log_uniform", "q_uniform", "q_log_uniform_values", "q_log_uniform", "categorical", "constant"] as const;
const ALLOWED_DISTRIBUTIONS = [...PROTEIN_DISTRIBUTIONS, ...WANDB_DISTRIBUTIONS].join(", ");
/** Keys of a parameter block. */
const PARAM_FIELDS = new Set(["distribution", "min", "max", "mean", "scale", "values", "q", "probabilities", "value", "mu", "sigma", "is_integer"]);
/** Keys of a sweep block that describe the sweep itself (not parameters, not overrides). */
const SWEEP_META = new Set(["method", "metric", "goal", "parameters", "protein", "name", "description", "program", "command", "project", "entity", "early_terminate", "run_cap", "controller"]);

type Obj = Record<string, unknown>;

function isObj(x: unknown): x is Obj {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function join(prefix: string, key: string): string {
  return prefix === "" ? key : `${prefix}.${key}`;
}

/** True when an object is a parameter block (rather than a group of them or an override block). */
function isParamBlock(x: unknown): x is Obj {
  if (!isObj(x)) return false;
  if ("distribution" in x || "values" in x) return true;
  const keys = Object.keys(x);
  return keys.length > 0 && "min" in x && "max" in x && keys.every((k) => PARAM_FIELDS.has(k));
}

function isConstantBlock(x: unknown): x is { value: unknown } {
  return isObj(x) && "value" in x && Object.keys(x).every((k) => k === "value" || k === "distribution");
}

class IssueList {
  readonly issues: ConfigIssue[] = [];
  add(message: string, key: string, value: unknown, allowed: string, fix: string): void {
    this.issues.push({ message, key, value, allowed, fix });
  }
}

/** A number, or a numeric string (INI, quoted YAML). */
function toNumber(x: unknown): number | undefined {
  if (typeof x === "number") return x;
  if (typeof x === "string" && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(x)) return Number(x);
  return undefined;
}

function resolveParameter(block: Obj, location: string, issues: IssueList, wandb: boolean): ParameterSpec | undefined {
  const before = issues.issues.length;
  const rawDist = block.distribution;
  let distribution: string;
  if (rawDist === undefined) {
    if ("values" in block) distribution = "categorical";
    else if (Number.isInteger(toNumber(block.min)) && Number.isInteger(toNumber(block.max)) && typeof block.min === "number" && wandb) distribution = "int_uniform";
    else if ("min" in block && "max" in block) distribution = "uniform";
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

  if (distribution === "categorical" || (distribution !== "constant" && "values" in block && rawDist === undefined)) {
    return resolveCategorical(block, location, issues);
  }

  let base: Exclude<Distribution, "categorical">;
  let logInput = false;
  let q: number | undefined;
  switch (distribution) {
    case "uniform":
    case "int_uniform":
    case "uniform_pow2":
    case "log_normal":
    case "logit_normal":
      base = distribution;
      break;
    case "log_uniform_values":
      base = "log_normal";
      break;
    case "log_uniform":
      base = "log_normal";
      logInput = true;
      break;
    case "q_uniform":
      base = "uniform";
      q = toNumber(block.q) ?? 1;
      break;
    case "q_log_uniform_values":
      base = "log_normal";
      q = toNumber(block.q) ?? 1;
      break;
    case "q_log_uniform":
      base = "log_normal";
      logInput = true;
      q = toNumber(block.q) ?? 1;
      break;
    default: {
      const unbounded = ["normal", "q_normal", "q_log_normal", "inv_log_uniform", "inv_log_uniform_values", "beta", "q_beta"];
      issues.add(
        unbounded.includes(distribution) ? `distribution "${distribution}" has no bounded range protein-sweep can search` : `unknown distribution "${distribution}"`,
        join(location, "distribution"),
        distribution,
        ALLOWED_DISTRIBUTIONS,
        unbounded.includes(distribution)
          ? "use a bounded distribution with min and max, e.g. log_uniform_values (W&B) or log_normal (Protein)"
          : "use one of the allowed distributions (log_normal for learning rates, uniform_pow2 for batch sizes, logit_normal for gamma-like values)",
      );
      return undefined;
    }
  }
  // W&B's log_normal takes mu/sigma (unbounded): refuse it with a pointer, instead of guessing bounds.
  if (wandb && base === "log_normal" && distribution === "log_normal" && ("mu" in block || "sigma" in block) && !("min" in block)) {
    issues.add('W&B\'s "log_normal" (mu, sigma) is unbounded', join(location, "distribution"), distribution, "a bounded distribution with min and max", "use log_uniform_values with min and max");
    return undefined;
  }

  const min = readNumber(block, "min", location, issues);
  const max = readNumber(block, "max", location, issues);
  if (min === undefined || max === undefined) return undefined;
  let lo = logInput ? Math.exp(min) : min;
  let hi = logInput ? Math.exp(max) : max;
  if (!(lo < hi)) {
    issues.add("min must be below max", join(location, "min"), min, `a number below max (${max})`, `swap min and max, or widen the range (min: ${max}, max: ${min})`);
    return undefined;
  }
  if (base === "int_uniform" && (!Number.isInteger(lo) || !Number.isInteger(hi))) {
    const key = Number.isInteger(lo) ? "max" : "min";
    issues.add("int_uniform bounds must be integers", join(location, key), block[key], "an integer", `round ${key} to an integer`);
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
  if (q !== undefined && !(q > 0)) issues.add("q must be a positive step", join(location, "q"), block.q, "a number > 0", "set q to the step between allowed values");

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
  return { ...spec, ...(mean !== undefined ? { mean } : {}), ...(q !== undefined ? { q } : {}) };
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
    issues.add("scale must be positive", join(location, "scale"), raw, '"auto" (0.5), "time" (log spaces), or a positive number of normalized units', "use scale: auto, or a positive number such as 0.5");
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
  const dup = values.findIndex((v, i) => values.indexOf(v) !== i);
  if (dup >= 0) {
    issues.add("categorical values must be distinct", `${key}[${dup}]`, values[dup], "each value once", "remove the repeated value");
    return undefined;
  }
  let scale = 0.5;
  if (block.scale !== undefined && block.scale !== "auto") {
    const s = toNumber(block.scale);
    if (s === undefined || !(s > 0)) {
      issues.add("scale must be positive", join(location, "scale"), block.scale, '"auto" (0.5) or a positive number (probability of redrawing the category when sampling around a center, capped at 1)', "use scale: auto");
      return undefined;
    }
    scale = s;
  }
  const mean = block.mean;
  if (mean !== undefined && mean !== null && !values.includes(mean)) {
    issues.add("mean must be one of the values", join(location, "mean"), mean, `one of ${JSON.stringify(values)}`, "set mean to one of the listed values, or remove it");
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
 * Walks a block: parameter blocks become parameters (key = path relative to `keyBase`),
 * W&B constants and plain values become overrides at the same path.
 */
function collect(block: Obj, docPath: string, keyPath: string[], out: Collected, issues: IssueList, wandb: boolean, skip: ReadonlySet<string>): void {
  for (const [name, value] of Object.entries(block)) {
    if (keyPath.length === 0 && skip.has(name)) continue;
    const location = join(docPath, name);
    const path = [...keyPath, name];
    if (isConstantBlock(value)) {
      setPath(out.overrides, path.join(".").split("."), value.value);
    } else if (isParamBlock(value)) {
      const spec = resolveParameter(value, location, issues, wandb);
      if (spec) out.parameters.push({ key: path.join("."), path, location, spec });
    } else if (isObj(value)) {
      collect(value, location, path, out, issues, wandb, skip);
    } else {
      setPath(out.overrides, path.join(".").split("."), value);
    }
  }
}

function setPath(target: Obj, path: readonly string[], value: unknown): void {
  let node = target;
  for (let i = 0; i < path.length - 1; i++) {
    const next = node[path[i]];
    node = isObj(next) ? next : (node[path[i]] = {});
  }
  node[path[path.length - 1]] = value;
}

function readSettings(block: Obj, docPath: string, settings: Obj, extra: Obj, issues: IssueList): void {
  for (const [name, value] of Object.entries(block)) {
    if (!isSettingKey(name)) {
      extra[name] = value;
      continue;
    }
    const parsed = settingsShape[name].safeParse(value);
    if (parsed.success) settings[camelCase(name)] = parsed.data;
    else issues.add(`setting ${name} is invalid`, join(docPath, name), value, settingsAllowed[name], `set ${name} to ${settingsAllowed[name]}, or remove it to use the default`);
  }
}

function parseDocument(doc: unknown, ini: boolean): SweepConfig {
  const issues = new IssueList();
  if (!isObj(doc)) {
    throw new ConfigError("a sweep config must be a mapping (an object)", { key: "(root)", value: doc, allowed: "an object with sweep parameters", fix: "pass a YAML/INI document or an object such as { sweep: { metric, goal, parameters } }" });
  }
  // Where the sweep block is: Metta and INI nest it under `sweep`; W&B and PufferLib YAML keep it at the top.
  const nested = isObj(doc.sweep);
  const block = nested ? (doc.sweep as Obj) : doc;
  const docPath = nested ? "sweep" : "";
  const metricRaw = block.metric ?? (nested ? doc.metric : undefined);
  const wandb = isObj(metricRaw) || (typeof block.method === "string" && ["bayes", "random", "grid"].includes(block.method));

  const format: ConfigFormat = ini ? "ini" : wandb ? "wandb" : "parameters" in block ? "metta" : nested ? "metta" : "pufferlib";

  // Metric and goal.
  let metric = "score";
  let goalRaw: unknown = block.goal ?? (nested ? doc.goal : undefined);
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
  let goal: "maximize" | "minimize" = wandb ? "minimize" : "maximize";
  if (goalRaw !== undefined) {
    if (goalRaw === "maximize" || goalRaw === "minimize") goal = goalRaw;
    else issues.add("goal must be maximize or minimize", isObj(metricRaw) ? join(metricPath, "goal") : join(docPath, "goal"), goalRaw, '"maximize" or "minimize"', "set goal: maximize (higher is better) or goal: minimize (lower is better)");
  }

  // Settings: a `protein:` block, plus PufferLib's scalar settings beside metric/goal.
  const settings: Obj = {};
  const extraSettings: Obj = {};
  if (block.protein !== undefined) {
    if (isObj(block.protein)) readSettings(block.protein, join(docPath, "protein"), settings, extraSettings, issues);
    else issues.add("protein must be a block of settings", join(docPath, "protein"), block.protein, "a mapping such as { num_random_samples: 10 }", "write the settings as a nested block");
  }
  const scalarSettings: Obj = {};
  const extra: Obj = {};
  for (const [name, value] of Object.entries(block)) {
    if (isObj(value) || Array.isArray(value)) continue;
    if (name === "method" || name === "metric" || name === "goal") continue;
    if (isSettingKey(name)) scalarSettings[name] = value;
    else extra[name] = value;
  }
  readSettings(scalarSettings, docPath, settings, extraSettings, issues);
  for (const name of Object.keys(block)) {
    if (SWEEP_META.has(name) && name !== "parameters" && name !== "protein" && name !== "metric" && name !== "method" && name !== "goal") extra[name] = block[name];
  }
  if (nested) {
    for (const [name, value] of Object.entries(doc)) if (name !== "sweep") extra[name] = value;
  }

  // Parameters.
  const collected: Collected = { parameters: [], overrides: {} };
  if ("parameters" in block) {
    const params = block.parameters;
    if (!isObj(params) || Object.keys(params).length === 0) {
      issues.add("the sweep has no parameters", join(docPath, "parameters"), params, "a mapping of parameter name → { distribution, min, max, ... } or { values: [...] }", "add at least one parameter to search over");
    } else {
      collect(params, join(docPath, "parameters"), [], collected, issues, wandb, new Set());
    }
    // Metta: other blocks in the sweep (trainer:, env:) are fixed overrides.
    const rest: Obj = {};
    for (const [name, value] of Object.entries(block)) if (isObj(value) && !SWEEP_META.has(name)) rest[name] = value;
    collect(rest, docPath, [], collected, issues, wandb, new Set());
  } else {
    const rest: Obj = {};
    for (const [name, value] of Object.entries(block)) if (isObj(value) && !SWEEP_META.has(name)) rest[name] = value;
    collect(rest, docPath, [], collected, issues, wandb, new Set());
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

  if (issues.issues.length > 0) throw new ConfigError("invalid sweep config", {}, issues.issues);

  const method = typeof block.method === "string" ? block.method : undefined;
  return Object.freeze({
    format,
    metric,
    goal,
    ...(method !== undefined ? { method } : {}),
    parameters: Object.freeze(collected.parameters),
    settings: Object.freeze(settings as ConfigSettings),
    extraSettings: Object.freeze(extraSettings),
    overrides: Object.freeze(collected.overrides),
    extra: Object.freeze(extra),
    source: doc,
  });
}

function isSweepConfig(x: unknown): x is SweepConfig {
  return isObj(x) && Array.isArray(x.parameters) && typeof x.format === "string" && "settings" in x && "source" in x;
}

/**
 * Parses and validates a sweep config: YAML or INI text, a parsed object, or an
 * already parsed `SweepConfig` (returned as is).
 *
 * @throws ConfigError listing every problem, each with its dotted key, the value, what is allowed and the fix.
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
  if (isSweepConfig(input)) return input;
  if (typeof input === "string") {
    const ini = options.format === "ini" || (options.format === undefined && looksLikeIni(input));
    let doc: unknown;
    if (ini) doc = parseIni(input);
    else {
      try {
        doc = options.format === "json" ? JSON.parse(input) : parseYaml(input);
      } catch (error) {
        throw new ConfigError("the config text is not valid YAML/JSON", { key: "(document)", value: (error as Error).message, allowed: "a YAML or JSON mapping, or INI sections", fix: "fix the syntax at the position the parser names" });
      }
    }
    return parseDocument(doc, ini);
  }
  return parseDocument(JSON.parse(JSON.stringify(input)), false);
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
