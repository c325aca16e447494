/**
 * A guarded reader for PufferLib's INI sweep files, following Python's configparser
 * (which PufferLib uses) where it matters:
 *
 * - `[a.b.c]` opens the nested object a → b → c; `key = value` or `key: value` lines set
 *   scalars in it; `;` and `#` start comment lines;
 * - a section or a key written twice is an error (configparser's strict mode);
 * - values are typed the way PufferLib's Python reads them: `True`/`False` → booleans,
 *   `None` → null, decimal literals (`3e7`, `0.00001`, `-2`) → numbers, quoted text →
 *   the text, anything else → the string as written.
 *
 * Safety: no section or key segment may be `__proto__`, `constructor` or `prototype`,
 * objects are built without a prototype while reading, the text and the number of keys
 * are bounded, and every line is read in linear time (no backtracking expressions).
 */
import { ConfigError } from "../errors";
import { CONFIG_LIMITS, checkTextSize, forbiddenKeyError, forbiddenSegment, parseDecimal } from "./safe";

export function parseIniValue(raw: string): unknown {
  const text = raw.trim();
  if (text === "true" || text === "True" || text === "TRUE") return true;
  if (text === "false" || text === "False" || text === "FALSE") return false;
  if (text === "None" || text === "null") return null;
  const n = parseDecimal(text);
  if (n !== undefined) return n;
  if (text.length >= 2 && (text[0] === '"' || text[0] === "'") && text[text.length - 1] === text[0]) return text.slice(1, -1);
  return text;
}

/** The name inside `[name]`, or undefined when the trimmed line is not a section header. */
function sectionName(line: string): string | undefined {
  if (line.length < 3 || line[0] !== "[" || line[line.length - 1] !== "]") return undefined;
  const inner = line.slice(1, -1);
  return inner.includes("]") || inner.trim() === "" ? undefined : inner.trim();
}

/** True when the text looks like an INI file (its first meaningful line is a `[section]`). */
export function looksLikeIni(text: string): boolean {
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const t = text.slice(start, end).trim();
    start = end + 1;
    if (t === "" || t.startsWith(";") || t.startsWith("#")) continue;
    return sectionName(t) !== undefined;
  }
  return false;
}

type Node = Record<string, unknown>;

/** Converts the prototype-free tree built while reading into plain objects. */
function toPlain(node: Node): Node {
  const out: Node = {};
  for (const key of Object.keys(node)) {
    const v = node[key];
    out[key] = typeof v === "object" && v !== null && !Array.isArray(v) ? toPlain(v as Node) : v;
  }
  return out;
}

/**
 * Parses INI text into nested objects.
 * @throws ConfigError naming the line when a line is neither a section, a `key = value` pair
 *   nor a comment, when a section or key repeats, or when a name is not allowed.
 */
export function parseIni(text: string): Record<string, unknown> {
  checkTextSize(text);
  const root: Node = Object.create(null) as Node;
  const sections = new Set<string>();
  let section: Node = root;
  let name = "";
  let keys = 0;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith(";") || line.startsWith("#")) continue;
    const header = line[0] === "[" ? sectionName(line) : undefined;
    if (header !== undefined) {
      name = header;
      const bad = forbiddenSegment(name);
      if (bad !== undefined) throw forbiddenKeyError(`[${name}] (line ${i + 1})`, bad);
      if (sections.has(name)) {
        throw new ConfigError(`INI section [${name}] appears twice (line ${i + 1})`, { key: name, value: `[${name}]`, allowed: "each section once", fix: `merge the two [${name}] sections into one` });
      }
      sections.add(name);
      section = root;
      for (const part of name.split(".")) {
        const seg = part.trim();
        const next = section[seg];
        if (typeof next === "object" && next !== null) section = next as Node;
        else if (next === undefined) section = section[seg] = Object.create(null) as Node;
        else {
          throw new ConfigError(`INI section [${name}] reuses the key "${seg}", which already holds a value`, { key: name, value: next, allowed: "a section path whose parts are not also keys with values", fix: `rename the key "${seg}" or the section` });
        }
      }
      continue;
    }
    let eq = -1;
    for (let k = 0; k < line.length; k++) {
      const c = line[k];
      if (c === "=" || c === ":") {
        eq = k;
        break;
      }
    }
    if (eq <= 0) {
      throw new ConfigError(`INI line ${i + 1} is not "key = value", a [section] or a comment`, {
        key: name || "(top)",
        value: line.length > 80 ? `${line.slice(0, 77)}...` : line,
        allowed: "[section.name], key = value, or a line starting with ; or #",
        fix: `fix or remove line ${i + 1}`,
      });
    }
    const key = line.slice(0, eq).trim();
    const location = name === "" ? key : `${name}.${key}`;
    if (forbiddenSegment(key) !== undefined) throw forbiddenKeyError(location, forbiddenSegment(key)!);
    if (Object.prototype.hasOwnProperty.call(section, key)) {
      throw new ConfigError(`INI key "${key}" appears twice in [${name || "top"}] (line ${i + 1})`, { key: location, value: line, allowed: "each key once per section", fix: `keep one "${key}" line` });
    }
    if (++keys > CONFIG_LIMITS.maxKeys) {
      throw new ConfigError("the config is too large: too many keys", { key: location, value: `${keys} keys`, allowed: `at most ${CONFIG_LIMITS.maxKeys} keys`, fix: "split the config, or move bulky data out of it" });
    }
    section[key] = parseIniValue(line.slice(eq + 1));
  }
  return toPlain(root);
}
