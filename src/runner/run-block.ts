/**
 * The run block of a sweep file: how `protein-sweep run` launches trials.
 *
 * It lives in a top-level `run:` block (YAML/JSON) or a `[run]` section (INI), in any
 * config format. W&B sweep files carry part of it in their own keys, which are read too:
 * `program:`, `command:`, `method:`, `run_cap:` (→ max_trials) and `early_terminate:`
 * (hyperband). A key in the run block wins over the W&B key.
 *
 * Every key is checked (zod) before anything runs; an unknown key is a ConfigError that
 * names `run.<key>`, the known keys and the closest one ("did you mean").
 */
import { z } from "zod";
import { ConfigError, type ConfigIssue } from "../errors";
import { ReportError } from "../report/errors";
import { type Gate as ReportGate, parseGate as readGate } from "../report/records";
import { didYouMean } from "./errors";

/** How parameter values reach the command. */
export const OVERRIDE_STYLES = ["args", "hydra", "json", "json_file", "env", "none"] as const;
export type OverrideStyle = (typeof OVERRIDE_STYLES)[number];

export type Method = "protein" | "random" | "grid";

/** One `when -> then` constraint, e.g. `optimizer=adam -> momentum=0.0`. */
export interface Constraint {
  readonly text: string;
  readonly when: ReadonlyArray<{ key: string; op: CompareOp; value: string | number | boolean }>;
  readonly then: ReadonlyArray<{ key: string; value: string | number | boolean }>;
}

export type CompareOp = "=" | "!=" | "<" | "<=" | ">" | ">=";

/**
 * A gate on a metric, e.g. `mass_err < 0.01`, read by the report's gate reader (one syntax for
 * the runner and the report), with its text as written (stored in the study's run block).
 */
export interface Gate extends ReportGate {
  readonly text: string;
}

export type CostSource = { kind: "seconds" } | { kind: "metric"; name: string } | { kind: "param"; key: string };

export interface HyperbandRule {
  /** Iteration counts (number of reports of the metric) at which runs are compared. */
  readonly bands: readonly number[];
  readonly eta: number;
}

/** The resolved run settings (defaults filled). */
export interface RunSettings {
  /** argv template; may hold W&B macros. Undefined: the command comes from the command line. */
  readonly command?: readonly string[];
  /** W&B `program:` (the script `${program}` expands to). */
  readonly program?: string;
  readonly overrides: OverrideStyle;
  /** Key layout of JSON overrides: dotted keys as written, or nested objects. */
  readonly jsonKeys: "dotted" | "nested";
  readonly method: Method;
  readonly maxTrials?: number;
  readonly maxCost?: number;
  /** Wall-time limit of the whole sweep, seconds. */
  readonly maxTime?: number;
  /** Per-run time limit, seconds. */
  readonly timeout?: number;
  readonly retries: number;
  readonly maxConcurrent: number;
  readonly devices?: readonly number[];
  readonly runsPerDevice: number;
  /** Seeds each configuration is run with (from `seeds`, or 0..repeats-1); undefined = once, no seed. */
  readonly seeds?: readonly number[];
  /** The override key the seed is passed as. */
  readonly seedKey: string;
  readonly constraints: readonly Constraint[];
  readonly gates: readonly Gate[];
  readonly cost: CostSource;
  readonly earlyStop: "none" | "protein" | "hyperband";
  readonly hyperband?: HyperbandRule;
  readonly outputDir?: string;
  readonly name?: string;
  /** Seed of the suggester (protein/random). */
  readonly seed?: number;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

type Obj = Record<string, unknown>;

function isObj(x: unknown): x is Obj {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

const num = z.union([z.number(), z.string().trim().regex(/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/).transform(Number)]).pipe(z.number().finite());
const posInt = num.pipe(z.number().int().positive());
/** Seconds, or a duration such as "90s", "30m", "2h", "1d". */
const duration = z
  .union([num, z.string().trim().regex(/^\d+(\.\d+)?\s*(s|m|h|d)$/)])
  .transform((v) => {
    if (typeof v === "number") return v;
    const unit = v.trim().slice(-1);
    return Number.parseFloat(v) * (unit === "s" ? 1 : unit === "m" ? 60 : unit === "h" ? 3600 : 86400);
  })
  .pipe(z.number().positive());
/** A list of integers, or (INI) its text: "0, 1, 2". */
const intList = z.union([z.array(z.number().int()), z.string().trim().regex(/^-?\d+(\s*,\s*-?\d+)*$/).transform((t) => t.split(",").map((x) => Number(x.trim())))]).pipe(z.array(z.number().int()).min(1));
const argv = z.union([z.string().min(1).transform((s) => s.trim().split(/\s+/)), z.array(z.union([z.string(), z.number()]).transform(String)).min(1)]);
const exprList = z.union([z.string().transform((s) => [s]), z.array(z.string())]);

/** Schema of each run-block key, with what it accepts (for messages). */
const SHAPE = {
  command: [argv, 'a command, as a list (["python", "train.py"]) or a string ("python train.py"); W&B macros such as ${args} allowed'],
  program: [z.string().min(1), "the training script the W&B ${program} macro expands to"],
  overrides: [z.enum(OVERRIDE_STYLES), `one of ${OVERRIDE_STYLES.join(", ")}`],
  json_keys: [z.enum(["dotted", "nested"]), '"dotted" (keys as written in the config) or "nested"'],
  method: [z.string(), "protein (W&B bayes), random or grid"],
  max_trials: [posInt, "a positive integer (W&B run_cap)"],
  max_cost: [num.pipe(z.number().positive()), "a positive number, in cost units"],
  max_time: [duration, 'a wall-time limit: seconds, or "30m", "2h", "1d"'],
  timeout: [duration, 'a per-run time limit: seconds, or "30m", "2h"'],
  retries: [num.pipe(z.number().int().nonnegative()), "an integer ≥ 0"],
  max_concurrent: [posInt, "a positive integer"],
  devices: [intList.pipe(z.array(z.number().int().nonnegative())), "a list of integer device ids, e.g. [0, 1, 2, 3]"],
  runs_per_device: [posInt, "a positive integer"],
  repeats: [posInt, "a positive integer"],
  seeds: [intList, "a list of integer seeds, e.g. [1, 2, 3]"],
  seed_key: [z.string().min(1), "the override key the seed is passed as (default seed)"],
  constraints: [exprList, 'a list such as ["optimizer=adam -> momentum=0.0"]'],
  gates: [exprList, 'a list such as ["mass_err < 0.01"]'],
  cost: [
    z.union([z.literal("seconds"), z.object({ metric: z.string().min(1) }).strict(), z.object({ param: z.string().min(1) }).strict()]),
    '"seconds" (wall clock, default), { metric: NAME } or { param: KEY }',
  ],
  early_stop: [z.enum(["none", "protein", "hyperband"]), "none, protein (Protein's shouldStop) or hyperband (with early_terminate)"],
  early_terminate: [z.object({ type: z.literal("hyperband"), min_iter: posInt.optional(), max_iter: posInt.optional(), s: posInt.optional(), eta: num.pipe(z.number().gt(1)).optional() }).strict(), "{ type: hyperband, min_iter | (max_iter, s), eta }"],
  output_dir: [z.string().min(1), "a directory path"],
  name: [z.string().min(1), "a study name"],
  seed: [num.pipe(z.number().int()), "an integer"],
  env: [z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)), "a mapping of environment variables"],
  cwd: [z.string().min(1), "a directory the command runs in"],
} as const;

export const RUN_KEYS = Object.keys(SHAPE) as ReadonlyArray<keyof typeof SHAPE>;

const METHODS: Record<string, Method> = { protein: "protein", bayes: "protein", random: "random", grid: "grid" };

/** The W&B keys of a sweep file that belong to the run block. */
const WANDB_RUN_KEYS = ["program", "command", "method", "run_cap", "early_terminate"] as const;

function parseExpression(text: string): { key: string; op: CompareOp; raw: string } | undefined {
  const match = /^\s*([A-Za-z_][\w./-]*)\s*(==|!=|<=|>=|=|<|>)\s*(\S(?:.*\S)?)\s*$/.exec(text);
  if (!match) return undefined;
  const op = (match[2] === "==" ? "=" : match[2]) as CompareOp;
  return { key: match[1], op, raw: match[3] };
}

function literal(raw: string): string | number | boolean {
  if (/^(true|false)$/i.test(raw)) return raw.toLowerCase() === "true";
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) return Number(raw);
  return raw.replace(/^(["'])(.*)\1$/, "$2");
}

/**
 * Parses `a=1, b!=x -> c=0.0, d=adam`. Returns undefined with an issue pushed when the text is malformed.
 */
function parseConstraint(text: string, key: string, issues: ConfigIssue[]): Constraint | undefined {
  const sides = text.split("->");
  const fix = 'write it as "KEY=VALUE[, KEY2<VALUE2] -> KEY3=VALUE3[, ...]", e.g. "optimizer=adam -> momentum=0.0"';
  if (sides.length !== 2) {
    issues.push({ message: "a constraint needs one `->`", key, value: text, allowed: "CONDITIONS -> ASSIGNMENTS", fix });
    return undefined;
  }
  const when: Array<{ key: string; op: CompareOp; value: string | number | boolean }> = [];
  const then: Array<{ key: string; value: string | number | boolean }> = [];
  for (const part of sides[0].split(",")) {
    const e = parseExpression(part);
    if (!e) {
      issues.push({ message: "a constraint's condition is not KEY OP VALUE", key, value: part.trim(), allowed: "=, !=, <, <=, >, >=", fix });
      return undefined;
    }
    when.push({ key: e.key, op: e.op, value: literal(e.raw) });
  }
  for (const part of sides[1].split(",")) {
    const e = parseExpression(part);
    if (!e || e.op !== "=") {
      issues.push({ message: "a constraint's consequence must assign KEY=VALUE", key, value: part.trim(), allowed: "KEY=VALUE", fix });
      return undefined;
    }
    then.push({ key: e.key, value: literal(e.raw) });
  }
  return { text: text.trim(), when, then };
}

function parseGate(text: string, key: string, issues: ConfigIssue[]): Gate | undefined {
  try {
    return { text: text.trim(), ...readGate(text, key) };
  } catch (error) {
    if (!(error instanceof ReportError)) throw error;
    issues.push({ message: "a gate must compare a metric with a number", key, value: text, allowed: "METRIC OP NUMBER with OP one of <, <=, >, >=, = (or ==), !=", fix: 'write e.g. "mass_err < 0.01"' });
    return undefined;
  }
}

/** Whether `a op b` holds (numbers compared as numbers, other values by equality of their text). */
export function compare(a: unknown, op: CompareOp, b: string | number | boolean): boolean {
  if (typeof a === "number" && typeof b === "number") {
    switch (op) {
      case "=":
        return a === b;
      case "!=":
        return a !== b;
      case "<":
        return a < b;
      case "<=":
        return a <= b;
      case ">":
        return a > b;
      case ">=":
        return a >= b;
    }
  }
  if (op === "=") return String(a) === String(b);
  if (op === "!=") return String(a) !== String(b);
  return false;
}

function hyperbandRule(block: { min_iter?: number; max_iter?: number; s?: number; eta?: number }, key: string, issues: ConfigIssue[]): HyperbandRule | undefined {
  const eta = block.eta ?? 3;
  if (block.min_iter !== undefined) {
    const bands: number[] = [];
    for (let b = block.min_iter; bands.length < 12; b = Math.ceil(b * eta)) bands.push(b);
    return { bands, eta };
  }
  if (block.max_iter !== undefined && block.s !== undefined) {
    const bands: number[] = [];
    for (let k = block.s; k >= 1; k--) bands.push(Math.max(1, Math.floor(block.max_iter / eta ** k)));
    return { bands: [...new Set(bands)], eta };
  }
  issues.push({ message: "hyperband needs min_iter, or max_iter with s", key, value: block, allowed: "{ type: hyperband, min_iter: 3, eta: 3 } or { type: hyperband, max_iter: 27, s: 2, eta: 3 }", fix: "add min_iter (the first report count at which runs are compared)" });
  return undefined;
}

/**
 * Splits a parsed sweep document into the sweep config (what `parseSweepConfig` reads)
 * and the raw run block (top-level `run:`, or `sweep.run:` in the Metta layout).
 */
export function splitRunBlock(doc: unknown): { config: unknown; run: Obj; location: string } {
  if (!isObj(doc)) return { config: doc, run: {}, location: "run" };
  const config: Obj = { ...doc };
  let run: Obj = {};
  let location = "run";
  if ("run" in config) {
    if (!isObj(config.run)) {
      throw new ConfigError("the run block must be a mapping", { key: "run", value: config.run, allowed: "a mapping such as { command: [python, train.py], max_trials: 20 }", fix: "write run: as a block of keys" });
    }
    run = config.run;
    delete config.run;
  } else if (isObj(config.sweep) && isObj(config.sweep.run)) {
    const sweep: Obj = { ...config.sweep };
    run = sweep.run as Obj;
    delete sweep.run;
    config.sweep = sweep;
    location = "sweep.run";
  }
  return { config, run, location };
}

/**
 * Validates the run block and resolves it with the W&B keys of the document and the
 * defaults. `doc` is the sweep document without its run block; `format` its config format.
 *
 * @throws ConfigError naming every bad key (`run.<key>`), its value, what is allowed and the fix.
 */
export function resolveRunSettings(runBlock: Obj, doc: unknown, options: { location?: string; format?: string; method?: string } = {}): RunSettings {
  const location = options.location ?? "run";
  const issues: ConfigIssue[] = [];
  const values: Partial<Record<keyof typeof SHAPE, unknown>> = {};
  const where: Partial<Record<keyof typeof SHAPE, string>> = {};

  // W&B keys at the top of the document (or of `sweep:`) first; the run block overrides them.
  const top = isObj(doc) ? (isObj(doc.sweep) ? (doc.sweep as Obj) : doc) : {};
  const topPath = isObj(doc) && isObj(doc.sweep) ? "sweep." : "";
  for (const k of WANDB_RUN_KEYS) {
    if (!(k in top)) continue;
    const target = k === "run_cap" ? "max_trials" : k;
    values[target] = top[k];
    where[target] = `${topPath}${k}`;
  }
  for (const [k, v] of Object.entries(runBlock)) {
    if (!(k in SHAPE)) {
      issues.push({
        message: `unknown key in the run block${didYouMean(k, RUN_KEYS)}`,
        key: `${location}.${k}`,
        value: v,
        allowed: RUN_KEYS.join(", "),
        fix: `rename or remove ${location}.${k}`,
      });
      continue;
    }
    values[k as keyof typeof SHAPE] = v;
    where[k as keyof typeof SHAPE] = `${location}.${k}`;
  }

  const parsed: Partial<Record<keyof typeof SHAPE, unknown>> = {};
  for (const [k, v] of Object.entries(values) as Array<[keyof typeof SHAPE, unknown]>) {
    const [schema, allowed] = SHAPE[k];
    const result = (schema as z.ZodType).safeParse(v);
    if (result.success) parsed[k] = result.data;
    else issues.push({ message: `${k} is invalid`, key: where[k] ?? `${location}.${k}`, value: v, allowed, fix: `set ${k} to ${allowed}, or remove it` });
  }

  let method: Method = "protein";
  const rawMethod = (parsed.method as string | undefined) ?? options.method;
  if (rawMethod !== undefined) {
    const m = METHODS[rawMethod.toLowerCase()];
    if (m === undefined) issues.push({ message: `unknown method${didYouMean(rawMethod, Object.keys(METHODS))}`, key: where.method ?? "method", value: rawMethod, allowed: "protein (default; W&B bayes), random, grid", fix: "set method: protein, random or grid" });
    else method = m;
  }

  const constraints: Constraint[] = [];
  ((parsed.constraints as string[] | undefined) ?? []).forEach((text, i) => {
    const c = parseConstraint(text, `${where.constraints}[${i}]`, issues);
    if (c) constraints.push(c);
  });
  const gates: Gate[] = [];
  ((parsed.gates as string[] | undefined) ?? []).forEach((text, i) => {
    const g = parseGate(text, `${where.gates}[${i}]`, issues);
    if (g) gates.push(g);
  });

  let seeds = parsed.seeds as number[] | undefined;
  const repeats = parsed.repeats as number | undefined;
  if (seeds !== undefined && repeats !== undefined && repeats !== seeds.length) {
    issues.push({ message: "repeats and seeds disagree", key: where.repeats ?? `${location}.repeats`, value: repeats, allowed: `${seeds.length} (the number of seeds), or leave repeats out`, fix: "give either repeats or seeds" });
  }
  if (seeds === undefined && repeats !== undefined && repeats > 1) seeds = Array.from({ length: repeats }, (_, i) => i);

  let hyperband: HyperbandRule | undefined;
  const et = parsed.early_terminate as { min_iter?: number; max_iter?: number; s?: number; eta?: number } | undefined;
  if (et) hyperband = hyperbandRule(et, where.early_terminate ?? "early_terminate", issues);
  let earlyStop = (parsed.early_stop as RunSettings["earlyStop"] | undefined) ?? (hyperband ? "hyperband" : "none");
  if (earlyStop === "hyperband" && !hyperband) {
    issues.push({ message: "early_stop: hyperband needs an early_terminate block", key: where.early_stop ?? `${location}.early_stop`, value: "hyperband", allowed: "an early_terminate: { type: hyperband, min_iter, eta } block beside it", fix: "add early_terminate, or use early_stop: protein" });
    earlyStop = "none";
  }

  if (parsed.command === undefined && parsed.program !== undefined) parsed.command = ["${env}", "${interpreter}", "${program}", "${args}"];

  if (issues.length > 0) throw new ConfigError("invalid run block", {}, issues);

  const cost = parsed.cost as "seconds" | { metric: string } | { param: string } | undefined;
  const command = parsed.command as string[] | undefined;
  const hasMacro = command?.some((a) => /\$\{(args|args_no_hyphens|args_json|args_json_file)\}/.test(a)) ?? false;
  const overrides = (parsed.overrides as OverrideStyle | undefined) ?? (hasMacro ? "none" : options.format === "metta" ? "hydra" : "args");
  const out: RunSettings = {
    ...(command !== undefined ? { command } : {}),
    ...(parsed.program !== undefined ? { program: parsed.program as string } : {}),
    overrides,
    jsonKeys: (parsed.json_keys as "dotted" | "nested" | undefined) ?? "dotted",
    method,
    ...(parsed.max_trials !== undefined ? { maxTrials: parsed.max_trials as number } : {}),
    ...(parsed.max_cost !== undefined ? { maxCost: parsed.max_cost as number } : {}),
    ...(parsed.max_time !== undefined ? { maxTime: parsed.max_time as number } : {}),
    ...(parsed.timeout !== undefined ? { timeout: parsed.timeout as number } : {}),
    retries: (parsed.retries as number | undefined) ?? 0,
    maxConcurrent: (parsed.max_concurrent as number | undefined) ?? 1,
    ...(parsed.devices !== undefined ? { devices: parsed.devices as number[] } : {}),
    runsPerDevice: (parsed.runs_per_device as number | undefined) ?? 1,
    ...(seeds !== undefined ? { seeds } : {}),
    seedKey: (parsed.seed_key as string | undefined) ?? "seed",
    constraints,
    gates,
    cost: cost === undefined || cost === "seconds" ? { kind: "seconds" } : "metric" in cost ? { kind: "metric", name: cost.metric } : { kind: "param", key: cost.param },
    earlyStop,
    ...(hyperband !== undefined ? { hyperband } : {}),
    ...(parsed.output_dir !== undefined ? { outputDir: parsed.output_dir as string } : {}),
    ...(parsed.name !== undefined ? { name: parsed.name as string } : {}),
    ...(parsed.seed !== undefined ? { seed: parsed.seed as number } : {}),
    env: (parsed.env as Record<string, string> | undefined) ?? {},
    ...(parsed.cwd !== undefined ? { cwd: parsed.cwd as string } : {}),
  };
  return out;
}
