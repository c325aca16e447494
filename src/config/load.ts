import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { ConfigError } from "../errors";
import { type SweepConfig, parseSweepConfig } from "./parse";

/**
 * Reads a sweep config file. The format is picked by extension (`.ini`/`.cfg` → INI,
 * `.json` → JSON, `.yaml`/`.yml` → YAML), or by content for other names.
 *
 * @throws ConfigError when the file cannot be read or its content is invalid.
 * @example
 * const config = loadSweepConfig("sweeps/ppo.yaml");
 */
export function loadSweepConfig(path: string): SweepConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read the sweep config file ${path}`, {
      key: "(file)",
      value: path,
      allowed: "a readable YAML, JSON or INI file",
      fix: `check the path and permissions (${(error as NodeJS.ErrnoException).code ?? "unknown error"})`,
    });
  }
  const ext = extname(path).toLowerCase();
  const format = ext === ".ini" || ext === ".cfg" ? "ini" : ext === ".json" ? "json" : ext === ".yaml" || ext === ".yml" ? "yaml" : undefined;
  return parseSweepConfig(text, format ? { format } : {});
}
