/**
 * Turning a trial into a command line and an environment.
 *
 * Values reach the command in one of these styles (`run.overrides`):
 *   args       --key=value …           (W&B's ${args})
 *   hydra      key=value …             (Hydra / Metta overrides)
 *   json       one argument holding the JSON object
 *   json_file  one argument: the path of a JSON file holding it
 *   env        nothing on the command line (the JSON is in PROTEIN_SWEEP_PARAMS)
 *   none       nothing appended (the command places values with W&B macros)
 * Keys are dotted as written in the config; the config's fixed settings (e.g. Metta's
 * `sweep.trainer` block) come first, then the trial's parameters, then the seed.
 * Every run also gets PROTEIN_SWEEP_PARAMS (JSON), PROTEIN_SWEEP_PARAMS_FILE,
 * PROTEIN_SWEEP_RESULT_FILE, PROTEIN_SWEEP_TRIAL and, with seeds, PROTEIN_SWEEP_SEED.
 */
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { delimiter, extname, isAbsolute, join, resolve } from "node:path";
import { flattenParams } from "../space/search-space";
import { RunnerError, didYouMean } from "./errors";
import type { OverrideStyle } from "./run-block";

export const MACROS = ["env", "interpreter", "program", "args", "args_no_hyphens", "args_json", "args_json_file"] as const;

export interface CommandInput {
  /** argv template (may hold W&B macros). */
  readonly template: readonly string[];
  readonly style: OverrideStyle;
  readonly jsonKeys: "dotted" | "nested";
  /** Fixed settings, dotted keys. */
  readonly fixed: ReadonlyMap<string, unknown>;
  /** The trial's parameters (nested as written). */
  readonly params: Record<string, unknown>;
  readonly seed?: { key: string; value: number };
  readonly program?: string;
  /** Files of this attempt: where the params JSON is written and where the result file may be written. */
  readonly paramsFile: string;
  readonly resultFile: string;
  readonly trialId: string;
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
}

export interface BuiltCommand {
  readonly argv: string[];
  readonly env: Record<string, string>;
  /** The JSON text the params file holds. */
  readonly json: string;
}

/** A value as it appears on a command line: integers as integers, no quotes. */
export function formatValue(value: unknown): string {
  if (typeof value === "number") return Number.isInteger(value) && Math.abs(value) < 1e21 ? value.toFixed(0) : String(value);
  if (typeof value === "string") return value;
  if (typeof value === "boolean" || value === null) return String(value);
  return JSON.stringify(value);
}

/** The ordered (dotted key, value) pairs a run gets. */
export function runValues(fixed: ReadonlyMap<string, unknown>, params: Record<string, unknown>, seed?: { key: string; value: number }): Map<string, unknown> {
  const values = new Map<string, unknown>(fixed);
  for (const [k, v] of flattenParams(params)) values.set(k, v);
  if (seed) values.set(seed.key, seed.value);
  return values;
}

function nestedObject(values: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of values) {
    const parts = key.split(".");
    let node = out;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = node[parts[i]];
      node = typeof next === "object" && next !== null ? (next as Record<string, unknown>) : (node[parts[i]] = {});
    }
    node[parts[parts.length - 1]] = value;
  }
  return out;
}

/** Finds an executable the way a shell would (PATH for bare names). Undefined when there is none. */
export function findExecutable(name: string, cwd: string, path = process.env.PATH ?? ""): string | undefined {
  const candidates = name.includes("/") ? [isAbsolute(name) ? name : resolve(cwd, name)] : path.split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      if (statSync(candidate).isFile()) {
        accessSync(candidate, constants.X_OK);
        return candidate;
      }
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** What W&B's ${interpreter} means for a program, by its extension (empty: run the program itself). */
export function interpreterFor(program: string, cwd: string): string[] {
  const ext = extname(program).toLowerCase();
  if (ext === ".py") return [findExecutable("python", cwd) ? "python" : "python3"];
  if (ext === ".js" || ext === ".mjs" || ext === ".cjs") return [process.execPath];
  if (ext === ".sh") return ["bash"];
  return [];
}

/**
 * Builds argv and environment of one attempt.
 * @throws RunnerError on an unknown `${macro}` or a `${program}` without a program.
 */
export function buildCommand(input: CommandInput): BuiltCommand {
  const values = runValues(input.fixed, input.params, input.seed);
  const object = input.jsonKeys === "nested" ? nestedObject(values) : Object.fromEntries(values);
  const json = JSON.stringify(object);
  const args = [...values].map(([k, v]) => `--${k}=${formatValue(v)}`);
  const plain = [...values].map(([k, v]) => `${k}=${formatValue(v)}`);
  const single: Record<string, () => string[]> = {
    env: () => ["/usr/bin/env"],
    interpreter: () => {
      if (input.program === undefined) throw missingProgram("${interpreter}");
      return interpreterFor(input.program, input.cwd);
    },
    program: () => {
      if (input.program === undefined) throw missingProgram("${program}");
      return [input.program];
    },
    args: () => args,
    args_no_hyphens: () => plain,
    args_json: () => [json],
    args_json_file: () => [input.paramsFile],
  };
  const argv: string[] = [];
  for (const token of input.template) {
    const whole = /^\$\{(\w+)\}$/.exec(token);
    if (whole) {
      const expand = single[whole[1]];
      if (!expand) throw unknownMacro(whole[1]);
      argv.push(...expand());
      continue;
    }
    argv.push(
      token.replace(/\$\{(\w+)\}/g, (_, name: string) => {
        const expand = single[name];
        if (!expand) throw unknownMacro(name);
        return expand().join(" ");
      }),
    );
  }
  const style: Record<OverrideStyle, string[]> = { args, hydra: plain, json: [json], json_file: [input.paramsFile], env: [], none: [] };
  argv.push(...style[input.style]);
  const env: Record<string, string> = {
    ...input.env,
    PROTEIN_SWEEP_PARAMS: json,
    PROTEIN_SWEEP_PARAMS_FILE: input.paramsFile,
    PROTEIN_SWEEP_RESULT_FILE: input.resultFile,
    PROTEIN_SWEEP_TRIAL: input.trialId,
    ...(input.seed ? { PROTEIN_SWEEP_SEED: String(input.seed.value) } : {}),
  };
  return { argv, env, json };
}

function unknownMacro(name: string): RunnerError {
  return new RunnerError(`unknown command macro \${${name}}${didYouMean(name, MACROS)}`, {
    key: "run.command",
    value: `\${${name}}`,
    allowed: MACROS.map((m) => `\${${m}}`).join(", "),
    fix: "use one of the W&B macros, or write the text literally",
  });
}

function missingProgram(macro: string): RunnerError {
  return new RunnerError(`the command uses ${macro} but the sweep file has no program`, { key: "program", value: undefined, allowed: "program: train.py (W&B) or run.program", fix: "add program: to the sweep file, or write the script in the command" });
}

/**
 * Checks, before any run starts, that the command's executable exists.
 * @throws RunnerError naming the command and the fix.
 */
export function checkExecutable(argv: readonly string[], cwd: string, env: Readonly<Record<string, string | undefined>> = process.env): void {
  const [exe] = argv;
  if (exe === undefined) {
    throw new RunnerError("no command to run", { key: "run.command", value: [], allowed: "a command such as [python, train.py], or `-- COMMAND ...` on the command line", fix: "add run.command (or W&B program:) to the sweep file, or pass the command after --" });
  }
  if (findExecutable(exe, cwd, env.PATH ?? "") === undefined) {
    const local = !exe.includes("/") && existsSync(resolve(cwd, exe));
    throw new RunnerError(`the command ${JSON.stringify(exe)} does not exist`, {
      key: "run.command",
      value: argv.join(" "),
      allowed: "an executable on PATH or a path to one",
      fix: local ? `write ./${exe} (a file in the working directory is not on PATH), or add an interpreter: [python, ${exe}]` : "install it, fix the spelling, or give its full path",
    });
  }
}
