/**
 * The guard every config passes before it is read: limits on size, key count and depth,
 * no keys that could reach `Object.prototype`, no cycles, only JSON-like data, and a
 * number reader that runs in linear time on any text.
 */
import { ConfigError } from "../errors";

/** Limits on a config document. Real sweep configs are a few kilobytes with a few hundred keys. */
export const CONFIG_LIMITS = Object.freeze({
  /** Longest config text read (characters); a YAML parse of this size takes well under 0.1 s. */
  maxChars: 65_536,
  /** Most keys (mapping entries and list items, all levels together) in one document. */
  maxKeys: 10_000,
  /** Deepest nesting of mappings and lists. */
  maxDepth: 64,
});

/** Keys that would reach or replace an object's prototype when used as property names. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** The first segment of a dotted key that is a forbidden name, if any. */
export function forbiddenSegment(key: string): string | undefined {
  for (const segment of key.split(".")) if (FORBIDDEN_KEYS.has(segment)) return segment;
  return undefined;
}

export function forbiddenKeyError(location: string, key: string): ConfigError {
  return new ConfigError(`the key "${key}" is not allowed in a sweep config`, {
    key: location,
    value: key,
    allowed: "any key except __proto__, constructor and prototype (they could change every object in the process)",
    fix: `rename or remove "${key}"`,
  });
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Reads a decimal number written as text (`3e7`, `0.00001`, `-2`, `.5`, `1.`), with
 * surrounding blanks, in one left-to-right pass. Anything else (hex, `Infinity`, `1_000`,
 * `abc`) gives undefined. Replaces a backtracking regular expression that took seconds
 * on a 40k-character value such as "111…1x".
 */
export function parseDecimal(text: string): number | undefined {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 32) start++;
  while (end > start && text.charCodeAt(end - 1) <= 32) end--;
  let i = start;
  const c0 = text.charCodeAt(i);
  if (c0 === 43 || c0 === 45) i++; // + -
  let digits = 0;
  while (i < end && isDigit(text.charCodeAt(i))) {
    i++;
    digits++;
  }
  if (i < end && text.charCodeAt(i) === 46) {
    i++;
    while (i < end && isDigit(text.charCodeAt(i))) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return undefined;
  if (i < end && (text.charCodeAt(i) === 101 || text.charCodeAt(i) === 69)) {
    i++;
    const s = text.charCodeAt(i);
    if (s === 43 || s === 45) i++;
    let expDigits = 0;
    while (i < end && isDigit(text.charCodeAt(i))) {
      i++;
      expDigits++;
    }
    if (expDigits === 0) return undefined;
  }
  if (i !== end) return undefined;
  return Number(text.slice(start, end));
}

/** A number, or a numeric string (INI, quoted YAML). */
export function toNumber(x: unknown): number | undefined {
  if (typeof x === "number") return x;
  if (typeof x === "string") return parseDecimal(x);
  return undefined;
}

function tooLarge(what: string, location: string, value: unknown, allowed: string, fix: string): ConfigError {
  return new ConfigError(`the config is too large: ${what}`, { key: location, value, allowed, fix });
}

/** Refuses config text longer than the limit, before any parser sees it. */
export function checkTextSize(text: string): void {
  if (text.length > CONFIG_LIMITS.maxChars) {
    throw tooLarge(`${text.length} characters`, "(document)", `${text.length} characters`, `at most ${CONFIG_LIMITS.maxChars} characters`, "a sweep config needs only its parameters and settings; move data elsewhere");
  }
}

const pathOf = (parent: string, key: string | number) => (typeof key === "number" ? `${parent}[${key}]` : parent === "" ? key : `${parent}.${key}`);

/**
 * Copies a parsed document into fresh plain objects and arrays, checking it on the way:
 * at most `maxKeys` entries and `maxDepth` levels, no cycles, no forbidden keys (in
 * mapping keys or in any segment of a dotted key), and only strings, finite or infinite
 * numbers, booleans and null as leaves (`undefined` entries are dropped, as JSON would).
 * Iterative, so a 5,000-deep document is refused, not a stack overflow.
 *
 * @throws ConfigError naming the dotted key of the first problem.
 */
export function toSafeData(input: unknown): unknown {
  type Frame = { source: unknown; target: Record<string, unknown> | unknown[]; key: string | number; path: string; depth: number };
  const holder: { value?: unknown } = {};
  const stack: Frame[] = [{ source: input, target: holder as Record<string, unknown>, key: "value", path: "", depth: 0 }];
  const onPath = new WeakSet<object>();
  // Objects are left on `onPath` while their children are copied; a marker frame takes them off.
  const leave: Array<{ object: object; at: number }> = [];
  let keys = 0;
  while (stack.length > 0) {
    while (leave.length > 0 && leave[leave.length - 1].at === stack.length) onPath.delete(leave.pop()!.object);
    const { source, target, key, path, depth } = stack.pop()!;
    const location = path === "" ? "(root)" : path;
    let value: unknown;
    if (source === null || typeof source === "string" || typeof source === "boolean" || typeof source === "number") {
      value = source;
    } else if (source === undefined) {
      continue;
    } else if (typeof source === "object") {
      if (onPath.has(source)) {
        throw new ConfigError("the config refers to itself (a cycle)", { key: location, value: "[cycle]", allowed: "a tree of mappings, lists and values", fix: "write the repeated part out instead of referring back to an enclosing object" });
      }
      if (depth >= CONFIG_LIMITS.maxDepth) {
        throw tooLarge(`nested deeper than ${CONFIG_LIMITS.maxDepth} levels`, location, `depth ${depth + 1}`, `at most ${CONFIG_LIMITS.maxDepth} levels of nesting`, "flatten the structure, e.g. with dotted keys");
      }
      const proto = Object.getPrototypeOf(source) as unknown;
      if (Array.isArray(source)) {
        const copy: unknown[] = [];
        keys += source.length;
        if (keys > CONFIG_LIMITS.maxKeys) throw tooLarge(`more than ${CONFIG_LIMITS.maxKeys} keys and list items`, location, `${keys} so far`, `at most ${CONFIG_LIMITS.maxKeys} keys and list items in all`, "split the config, or move bulky data out of it");
        onPath.add(source);
        leave.push({ object: source, at: stack.length });
        for (let i = source.length - 1; i >= 0; i--) stack.push({ source: source[i] ?? null, target: copy, key: i, path: pathOf(path, i), depth: depth + 1 });
        value = copy;
      } else if (proto === Object.prototype || proto === null) {
        const copy: Record<string, unknown> = {};
        const names = Object.keys(source);
        keys += names.length;
        if (keys > CONFIG_LIMITS.maxKeys) throw tooLarge(`more than ${CONFIG_LIMITS.maxKeys} keys and list items`, location, `${keys} so far`, `at most ${CONFIG_LIMITS.maxKeys} keys and list items in all`, "split the config, or move bulky data out of it");
        onPath.add(source);
        leave.push({ object: source, at: stack.length });
        for (let i = names.length - 1; i >= 0; i--) {
          const name = names[i];
          const bad = forbiddenSegment(name);
          if (bad !== undefined) throw forbiddenKeyError(pathOf(path, name), bad);
          stack.push({ source: (source as Record<string, unknown>)[name], target: copy, key: name, path: pathOf(path, name), depth: depth + 1 });
        }
        value = copy;
      } else {
        throw new ConfigError("the config holds an object that is not plain data", { key: location, value: Object.prototype.toString.call(source), allowed: "mappings, lists, strings, numbers, booleans and null", fix: "convert the value to plain data (e.g. a Date to an ISO string) before passing the config" });
      }
    } else {
      throw new ConfigError(`the config holds a ${typeof source}`, { key: location, value: typeof source === "function" ? "a function" : String(typeof source), allowed: "mappings, lists, strings, numbers, booleans and null", fix: "pass plain data (what JSON or YAML can hold)" });
    }
    if (Array.isArray(target)) target[key as number] = value;
    else target[key as string] = value;
  }
  return holder.value;
}
