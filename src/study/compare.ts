/**
 * Header comparison: whether a study being created equals the stored one, and if not,
 * every dotted path where they differ (for the error that refuses the change).
 */
import { describeValue } from "../errors";
import { StudyError } from "./errors";
import type { StudyHeader } from "./types";

export interface Difference {
  /** Dotted path, e.g. `config.parameters.lr.max`. */
  key: string;
  stored: unknown;
  given: unknown;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function diffValues(stored: unknown, given: unknown, key: string, out: Difference[]): void {
  if (isPlainObject(stored) && isPlainObject(given)) {
    const keys = new Set([...Object.keys(stored), ...Object.keys(given)]);
    for (const k of keys) diffValues(stored[k], given[k], key === "" ? k : `${key}.${k}`, out);
    return;
  }
  if (Array.isArray(stored) && Array.isArray(given) && stored.length === given.length) {
    stored.forEach((v, i) => diffValues(v, given[i], `${key}.${i}`, out));
    return;
  }
  if (!Object.is(stored, given)) out.push({ key, stored, given });
}

/** Differences in config, settings and run between a stored header and a new one (JSON values). */
export function diffHeaders(stored: StudyHeader, given: StudyHeader): Difference[] {
  const out: Difference[] = [];
  diffValues(stored.config, given.config, "config", out);
  diffValues(stored.settings, given.settings, "settings", out);
  diffValues(stored.run ?? {}, given.run ?? {}, "run", out);
  return out;
}

/** The error for a create that does not match the stored study. */
export function headerMismatch(name: string, differences: readonly Difference[]): StudyError {
  const shown = differences.slice(0, 8).map((d) => `${d.key}: stored ${describeValue(d.stored)}, given ${describeValue(d.given)}`);
  if (differences.length > shown.length) shown.push(`… and ${differences.length - shown.length} more`);
  return new StudyError(`study "${name}" already exists with a different ${[...new Set(differences.map((d) => d.key.split(".")[0]))].join(" and ")}; nothing was written:\n    ${shown.join("\n    ")}`, {
    key: differences[0].key,
    value: differences[0].given,
    allowed: `the stored value ${describeValue(differences[0].stored)}`,
    fix: "resume with the config, settings and run block the study was created with, or start a new study (another name, or another journal path)",
  });
}
