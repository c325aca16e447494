import { readFileSync, statSync } from "node:fs";
import { extname } from "node:path";
import { ConfigError } from "../errors";
import { type SweepConfig, parseSweepConfig } from "./parse";
import { CONFIG_LIMITS } from "./safe";

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
    // Refuse a huge file before reading it into memory (UTF-8 takes at most 4 bytes per character).
    const bytes = statSync(path).size;
    if (bytes > 4 * CONFIG_LIMITS.maxChars) {
      throw new ConfigError(`the sweep config file ${path} is too large`, { key: "(file)", value: `${bytes} bytes`, allowed: `at most ${CONFIG_LIMITS.maxChars} characters`, fix: "a sweep config needs only its parameters and settings; check that the path names the config" });
    }
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof ConfigError) throw error;
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
