/**
 * A small reader for PufferLib's INI sweep files.
 *
 * `[a.b.c]` opens the nested object a → b → c; `key = value` lines set scalars in it.
 * Values are typed the way PufferLib's Python reads them: `True`/`False` → booleans,
 * `None` → null, numeric literals (`3e7`, `0.00001`, `-2`) → numbers, quoted text →
 * the text, anything else → the string as written. `;` and `#` start comment lines.
 */
import { ConfigError } from "../errors";

export function parseIniValue(raw: string): unknown {
  const text = raw.trim();
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^(None|null)$/.test(text)) return null;
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return Number(text);
  if (/^(".*"|'.*')$/.test(text)) return text.slice(1, -1);
  return text;
}

/** True when the text looks like an INI file (its first meaningful line is a `[section]`). */
export function looksLikeIni(text: string): boolean {
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (t === "" || t.startsWith(";") || t.startsWith("#")) continue;
    return /^\[[^\]]+\]$/.test(t);
  }
  return false;
}

/**
 * Parses INI text into nested objects.
 * @throws ConfigError naming the line when a line is neither a section, a `key = value` pair nor a comment.
 */
export function parseIni(text: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let section: Record<string, unknown> = root;
  let sectionName = "";
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith(";") || line.startsWith("#")) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      sectionName = header[1].trim();
      section = root;
      for (const part of sectionName.split(".")) {
        const next = section[part];
        if (typeof next === "object" && next !== null) section = next as Record<string, unknown>;
        else section = section[part] = {};
      }
      continue;
    }
    const eq = line.search(/[=:]/);
    if (eq <= 0) {
      throw new ConfigError(`INI line ${i + 1} is not "key = value", a [section] or a comment`, {
        key: sectionName || "(top)",
        value: line,
        allowed: "[section.name], key = value, or a line starting with ; or #",
        fix: `fix or remove line ${i + 1}`,
      });
    }
    const key = line.slice(0, eq).trim();
    section[key] = parseIniValue(line.slice(eq + 1));
  }
  return root;
}
