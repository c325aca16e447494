/**
 * Reading a sweep file for the runner: the sweep config (any format the library reads)
 * plus its run block, checked against each other before anything runs.
 */
import { readFileSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { parseSweepConfig, type SweepConfig } from "../config";
import { looksLikeIni, parseIni } from "../config/ini";
import { ConfigError, type ConfigIssue } from "../errors";
import { SearchSpace, flattenParams } from "../space/search-space";
import { didYouMean } from "./errors";
import { type RunSettings, resolveRunSettings, splitRunBlock } from "./run-block";

export interface SweepFile {
  /** Absolute path of the file. */
  readonly path: string;
  readonly config: SweepConfig;
  readonly run: RunSettings;
  /** The document without its run block (what the study stores as its config). */
  readonly document: unknown;
  /** Fixed settings passed with every run, flat dotted keys (e.g. Metta's `sweep.trainer` block). */
  readonly fixed: ReadonlyMap<string, unknown>;
}

function readDocument(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read the sweep file ${path}`, { key: "SWEEP_FILE", value: path, allowed: "a readable YAML, JSON or INI file", fix: `check the path (${(error as NodeJS.ErrnoException).code ?? "unknown error"})` });
  }
  const ext = extname(path).toLowerCase();
  if (ext === ".ini" || ext === ".cfg" || (ext !== ".json" && ext !== ".yaml" && ext !== ".yml" && looksLikeIni(text))) return parseIni(text);
  try {
    return ext === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(`the sweep file ${path} is not valid YAML/JSON`, { key: "(document)", value: (error as Error).message, allowed: "a YAML or JSON mapping, or INI sections", fix: "fix the syntax at the position the parser names" });
  }
}

/**
 * Parses a sweep document (already read) into config + run settings, and checks that the
 * run block's keys (constraints, cost parameter, grid) fit the parameters.
 *
 * @throws ConfigError naming every problem.
 */
export function parseSweepDocument(doc: unknown, path = "(inline)"): SweepFile {
  const { config: document, run: runBlock, location } = splitRunBlock(doc);
  const config = parseSweepConfig(document as object);
  const run = resolveRunSettings(runBlock, document, { location, format: config.format, ...(config.method !== undefined ? { method: config.method } : {}) });
  const fixed = flattenParams(config.overrides as Record<string, unknown>);
  const keys = config.parameters.map((p) => p.key);
  const known = [...keys, ...fixed.keys()];
  const issues: ConfigIssue[] = [];
  run.constraints.forEach((c, i) => {
    for (const part of [...c.when, ...c.then]) {
      if (!known.includes(part.key)) {
        issues.push({ message: `constraint names a key the sweep does not have${didYouMean(part.key, known)}`, key: `${location}.constraints[${i}]`, value: part.key, allowed: known.join(", "), fix: "use a parameter key as written in the config (dotted)" });
      }
    }
  });
  const space = SearchSpace.fromConfig(config);
  run.constraints.forEach((c, i) => {
    for (const t of c.then) {
      const p = space.get(t.key);
      if (p !== undefined && !p.accepts(t.value)) {
        issues.push({ message: `constraint sets ${t.key} to a value the parameter cannot hold`, key: `${location}.constraints[${i}]`, value: t.value, allowed: p.describe(), fix: `assign one of the parameter's values, or add ${JSON.stringify(t.value)} to its values list` });
      }
    }
  });
  if (run.cost.kind === "param" && !keys.includes(run.cost.key)) {
    issues.push({ message: `the cost parameter is not a parameter of the sweep${didYouMean(run.cost.key, keys)}`, key: `${location}.cost.param`, value: run.cost.key, allowed: keys.join(", "), fix: "name a parameter key, or use cost: seconds" });
  }
  if (run.method === "grid") {
    for (const p of config.parameters) {
      if (p.spec.distribution !== "categorical") {
        issues.push({
          message: "a grid needs a list of values for every parameter",
          key: p.location,
          value: p.spec.distribution,
          allowed: "values: [...] (categorical) for every parameter of a grid",
          fix: `list the values to try, e.g. values: [${p.spec.min}, ${p.spec.max}], or use method: protein / random for a continuous range`,
        });
      }
    }
  }
  if (issues.length > 0) throw new ConfigError("the run block does not fit the sweep", {}, issues);
  return { path: resolve(path), config, run, document, fixed };
}

/** Reads and checks a sweep file. @throws ConfigError */
export function loadSweepFile(path: string): SweepFile {
  const file = parseSweepDocument(readDocument(path), path);
  // A relative `program` or `cwd` is relative to the sweep file.
  if (file.run.program !== undefined || file.run.cwd !== undefined) {
    const base = dirname(resolve(path));
    const run: RunSettings = {
      ...file.run,
      ...(file.run.cwd !== undefined ? { cwd: resolve(base, file.run.cwd) } : {}),
    };
    return { ...file, run };
  }
  return file;
}
