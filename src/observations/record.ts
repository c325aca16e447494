/**
 * The observation record: what one finished (or failed) run produced, exactly as
 * the user saw it.
 *
 * Raw values are the record. `params` holds the parameters nested the way the
 * sweep config nests them (`{ trainer: { lr: 3e-4 } }`), never a normalized
 * vector; vectors are derived later under whatever space is in force. This module
 * knows nothing of spaces, models or files: it validates a record (zod at the
 * edge) and gives it its canonical stored form.
 *
 * Canonical stored form = what JSON gives back:
 * - a non-finite score (NaN, ±Infinity) cannot be written as JSON; it is stored as
 *   `score: null` with `isFailure: true` (a failed run is kept, never dropped);
 * - `-0` is stored as `0` anywhere (JSON.stringify drops the sign; a hand-written
 *   `-0` is read back as `0` too). The two are the same point in every space;
 * - every other double round-trips bit for bit (1e-12, 5e9, 0.1 + 0.2, 5e-324):
 *   JSON.stringify prints the shortest decimal that reads back as the same double;
 * - keys whose value is `undefined` are omitted.
 */
import { z } from "zod";
import { ObservationError, type ErrorDetails } from "../errors";

/** One parameter value as the user saw it. */
export type ParamValue = number | string | boolean;

/** Parameters nested the way the sweep config nests them, e.g. `{ trainer: { lr: 3e-4 } }`. */
export interface NestedParams {
  [key: string]: ParamValue | NestedParams;
}

/** A JSON value (what `metadata` and a file header's `config` may hold). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One finished or failed run. */
export interface Observation {
  /** Raw parameters as the user saw them, nested. Never a normalized vector. */
  params: NestedParams;
  /**
   * The objective value. `null` only for a failure (`isFailure: true`). A
   * non-finite number is accepted in memory and stored as `null` with
   * `isFailure: true`.
   */
  score: number | null;
  /** What the run cost (e.g. seconds or timesteps); finite and ≥ 0. */
  cost: number;
  /** The run failed (crashed, diverged, was killed). */
  isFailure: boolean;
  /** When the observation was recorded, ISO 8601 with `Z` or an offset, e.g. `2025-01-31T12:00:00.000Z`. */
  timestamp: string;
  /** Id of the suggestion that produced this run, when it came from `suggest()`. */
  suggestionId?: string;
  /** Free JSON data: run name, tags, sweep phase, … */
  metadata?: Record<string, unknown>;
}

/** Path segments of a value inside a record. */
type Path = (string | number)[];

/** The first-level fields of an observation, in stored order. */
export const OBSERVATION_FIELDS = ["params", "score", "cost", "isFailure", "timestamp", "suggestionId", "metadata"] as const;

const PARAM_ALLOWED = "a finite number, a string, a boolean, or a nested object of those";
const JSON_ALLOWED = "a JSON value: null, a boolean, a finite number, a string, an array or a plain object of those";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A problem found by the recursive walkers below, with its path relative to the walked value. */
interface WalkIssue {
  path: Path;
  value: unknown;
  allowed: string;
  fix?: string;
}

/**
 * Keys that would reach an object's prototype machinery when a record is copied,
 * merged or nested by a careless consumer (`target[key] = …`). The file format
 * refuses them everywhere so that no stored record can pollute `Object.prototype`.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Deepest nesting a record may have; deeper input is refused before it can exhaust the stack. */
export const MAX_DEPTH = 64;

const KEY_ALLOWED = "any key except __proto__, constructor and prototype";
const KEY_FIX = "rename the key (these three names are refused so that no record can alter Object.prototype)";

/** Shared per-node checks of both walkers; returns false when the walker must not descend. */
function enterNode(value: object, path: Path, ancestors: Set<object>, issues: WalkIssue[], allowed: string): boolean {
  if (ancestors.has(value)) {
    issues.push({ path, value: "[circular reference]", allowed, fix: "remove the circular reference; a record must be a tree that JSON can write" });
    return false;
  }
  if (path.length >= MAX_DEPTH) {
    issues.push({ path, value: `[nested ${path.length} levels deep]`, allowed: `${allowed}, nested at most ${MAX_DEPTH} levels deep`, fix: "flatten the value" });
    return false;
  }
  return true;
}

function forbiddenKey(key: string, value: unknown, path: Path, issues: WalkIssue[]): boolean {
  if (!FORBIDDEN_KEYS.has(key)) return false;
  issues.push({ path: [...path, key], value, allowed: KEY_ALLOWED, fix: KEY_FIX });
  return true;
}

/** Checks a nested-params tree; pushes every problem found. */
function walkParams(value: unknown, path: Path, issues: WalkIssue[], ancestors: Set<object> = new Set()): void {
  if (!isPlainObject(value)) {
    issues.push({ path, value, allowed: path.length === 0 ? "an object of parameters, e.g. { trainer: { lr: 0.0003 } }" : PARAM_ALLOWED });
    return;
  }
  if (!enterNode(value, path, ancestors, issues, PARAM_ALLOWED)) return;
  ancestors.add(value);
  for (const key of Object.keys(value)) {
    const child = value[key];
    if (forbiddenKey(key, child, path, issues)) continue;
    if (typeof child === "string" || typeof child === "boolean") continue;
    const at = [...path, key];
    if (typeof child === "number") {
      if (!Number.isFinite(child)) issues.push({ path: at, value: child, allowed: PARAM_ALLOWED });
      continue;
    }
    if (isPlainObject(child)) walkParams(child, at, issues, ancestors);
    else issues.push({ path: at, value: child, allowed: PARAM_ALLOWED });
  }
  ancestors.delete(value);
}

/** Checks that a value survives JSON unchanged (apart from -0 → 0); pushes every problem found. */
function walkJson(value: unknown, path: Path, issues: WalkIssue[], ancestors: Set<object> = new Set()): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) issues.push({ path, value, allowed: JSON_ALLOWED });
    return;
  }
  const isArray = Array.isArray(value);
  if (!isArray && !isPlainObject(value)) {
    issues.push({ path, value, allowed: JSON_ALLOWED });
    return;
  }
  if (!enterNode(value as object, path, ancestors, issues, JSON_ALLOWED)) return;
  ancestors.add(value as object);
  if (isArray) {
    for (let i = 0; i < value.length; i++) walkJson(value[i], [...path, i], issues, ancestors);
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!forbiddenKey(key, record[key], path, issues)) walkJson(record[key], [...path, key], issues, ancestors);
    }
  }
  ancestors.delete(value as object);
}

function walkerSchema<T>(walk: (value: unknown, path: Path, issues: WalkIssue[]) => void) {
  return z.unknown().superRefine((value, ctx) => {
    const issues: WalkIssue[] = [];
    walk(value, [], issues);
    for (const issue of issues) {
      const params = issue.fix !== undefined ? { allowed: issue.allowed, fix: issue.fix } : { allowed: issue.allowed };
      ctx.addIssue({ code: "custom", path: issue.path, input: issue.value, message: `expected ${issue.allowed}`, params });
    }
  }) as unknown as z.ZodType<T>;
}

/** zod schema of nested raw parameters: leaves are finite numbers, strings or booleans. */
export const nestedParamsSchema: z.ZodType<NestedParams> = walkerSchema<NestedParams>(walkParams);

/** zod schema of any JSON value (finite numbers only). */
export const jsonValueSchema: z.ZodType<JsonValue> = walkerSchema<JsonValue>(walkJson);

/** zod schema of a `metadata` object: a plain object of JSON values. */
export const metadataSchema: z.ZodType<Record<string, unknown>> = walkerSchema<Record<string, unknown>>((value, path, issues) => {
  if (!isPlainObject(value)) issues.push({ path, value, allowed: "a plain object of JSON values, e.g. { run: \"a1\", tags: [\"phase1\"] }" });
  else walkJson(value, path, issues);
});

/** What each first-level field accepts, for error messages. */
export const OBSERVATION_ALLOWED: Record<(typeof OBSERVATION_FIELDS)[number], string> = {
  params: "an object of parameters, e.g. { trainer: { lr: 0.0003 } }",
  score: "a finite number, or null for a failure (isFailure: true)",
  cost: "a finite number ≥ 0",
  isFailure: "true or false",
  timestamp: "an ISO 8601 date-time with Z or an offset, e.g. 2025-01-31T12:00:00.000Z",
  suggestionId: "a string",
  metadata: "a plain object of JSON values",
};

/**
 * zod schema of a stored observation (canonical form: score finite or null).
 * Unknown keys are rejected so that a typo (`scroe`) is an error, not lost data.
 */
export const observationSchema = z
  .strictObject({
    params: nestedParamsSchema,
    score: z.number().nullable(),
    cost: z.number().nonnegative(),
    isFailure: z.boolean(),
    timestamp: z.iso.datetime({ offset: true }),
    suggestionId: z.string().optional(),
    metadata: metadataSchema.optional(),
  })
  .superRefine((obs, ctx) => {
    if (obs.score === null && !obs.isFailure) {
      ctx.addIssue({
        code: "custom",
        path: ["score"],
        input: null,
        message: "score is null but isFailure is false",
        params: { allowed: "a finite number; null only together with isFailure: true", fix: "set isFailure: true for a run without a score" },
      });
    }
  });

/** Renders a path as a dotted key: `params.trainer.lr`, `metadata.tags[1]`, `params["a.b"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else {
      const key = String(segment);
      if (/^[A-Za-z_$][\w$-]*$/.test(key)) out += out === "" ? key : `.${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const segment of path) {
    if (typeof node !== "object" || node === null) return undefined;
    if (!Object.prototype.hasOwnProperty.call(node, segment)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

/**
 * Turns the first zod issue into error details (dotted key, value, allowed, fix).
 * `allowedByField` supplies the wording for first-level fields.
 * @internal shared by the record and the file header.
 */
export function issueDetails(
  error: z.ZodError,
  input: unknown,
  allowedByField: Record<string, string>,
  knownKeys: readonly string[],
): ErrorDetails & { problem: string } {
  const issue = error.issues[0];
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? "s" : ""})` : "";
  if (issue.code === "unrecognized_keys") {
    const path = [...issue.path, issue.keys[0]];
    return {
      problem: `unknown field ${formatPath(path)}${more}`,
      key: formatPath(path),
      value: valueAt(input, path),
      allowed: `only the fields ${knownKeys.join(", ")}`,
      fix: "remove or rename the field; if a newer protein-sweep wrote it, upgrade protein-sweep",
    };
  }
  const path = issue.path;
  const key = formatPath(path);
  const params = (issue as { params?: { allowed?: string; fix?: string } }).params;
  const missing =
    path.length === 1 && isPlainObject(input) && !Object.prototype.hasOwnProperty.call(input, path[0] as PropertyKey);
  const field = String(path[0] ?? "");
  const allowed = params?.allowed ?? allowedByField[field] ?? issue.message;
  const details: ErrorDetails & { problem: string } = {
    problem: path.length === 0 ? `${issue.message}${more}` : missing ? `missing field ${key}${more}` : `invalid ${key}${more}`,
    allowed,
  };
  return {
    ...details,
    ...(path.length > 0 ? { key } : {}),
    ...(missing ? {} : { value: valueAt(input, path) }),
    ...(params?.fix ? { fix: params.fix } : {}),
  };
}

/**
 * Validates one observation and returns the zod output. The output is canonical
 * only when the input came from `parseJsonText` (as in the codec).
 * Non-finite scores are first turned into `score: null, isFailure: true`.
 * @throws {ObservationError} as `parseObservation`.
 * @internal used by the codec; users call `parseObservation`.
 */
export function validateObservation(
  value: unknown,
  where: { line?: number; index?: number; source?: string },
): z.infer<typeof observationSchema> {
  let input = value;
  if (isPlainObject(value) && typeof value.score === "number" && !Number.isFinite(value.score)) {
    input = { ...value, score: null, isFailure: true };
  }
  const result = observationSchema.safeParse(input);
  if (result.success) return result.data;
  const { problem, ...details } = issueDetails(result.error, input, OBSERVATION_ALLOWED, OBSERVATION_FIELDS);
  const prefix = where.index !== undefined ? `observation [${where.index}]: ` : "";
  const suffix = where.source !== undefined ? ` (in ${where.source})` : "";
  throw new ObservationError(`${prefix}${problem}${suffix}`, {
    ...details,
    ...(where.line !== undefined ? { line: where.line } : {}),
    fix: details.fix ?? `give ${details.key ?? "the observation"} ${details.allowed ?? "a valid value"}`,
  });
}

/**
 * `JSON.parse` that reads -0 as 0 (JSON.stringify already writes -0 as "0"), much
 * faster than a reviver: the fresh tree is fixed in place, and only when the text can
 * hold a -0 at all (a "-0…" literal, or a negative number whose exponent underflows).
 * The walk stops below `MAX_DEPTH + 1` levels; deeper values are refused by validation.
 */
export function parseJsonText(text: string): unknown {
  const value: unknown = JSON.parse(text);
  // A number token follows ":", "," or "[" (maybe after whitespace); a match inside a
  // string only costs the slower path.
  if (/[:,[]\s*-(?:0|\d[\d.]*[eE]-)/.test(text)) fixNegativeZero(value, 0);
  return value;
}

function fixNegativeZero(node: unknown, depth: number): void {
  if (typeof node !== "object" || node === null || depth > MAX_DEPTH) return;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      if (Object.is(node[i], -0)) node[i] = 0;
      else fixNegativeZero(node[i], depth + 1);
    }
    return;
  }
  const record = node as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const child = record[key];
    if (Object.is(child, -0)) Object.defineProperty(record, key, { value: 0, enumerable: true, writable: true, configurable: true });
    else fixNegativeZero(child, depth + 1);
  }
}

/** JSON.parse reviver that stores -0 as 0 (JSON.stringify already writes -0 as "0"). */
export function zeroReviver(_key: string, value: unknown): unknown {
  return Object.is(value, -0) ? 0 : value;
}

/**
 * The JSON text of one observation in canonical stored form (no trailing newline).
 *
 * @param observation - the record to store; a non-finite score is stored as `null` with `isFailure: true`.
 * @param where - where the record sits, used in error messages (`index` in an array, or file `line`).
 * @throws {ObservationError} when a field is missing or invalid; the error names the dotted key
 *   (e.g. `params.trainer.lr`), the value, and what is allowed.
 * @example
 * encodeObservationLine({ params: { lr: 3e-4 }, score: 0.9, cost: 12, isFailure: false, timestamp: "2025-01-31T12:00:00.000Z" });
 * // '{"params":{"lr":0.0003},"score":0.9,"cost":12,"isFailure":false,"timestamp":"2025-01-31T12:00:00.000Z"}'
 */
export function encodeObservationLine(observation: Observation, where: { line?: number; index?: number } = {}): string {
  return JSON.stringify(validateObservation(observation, where));
}

/**
 * Validates an observation (from memory or parsed JSON) and returns its canonical
 * stored form: a fresh deep copy in which a non-finite score became `null` with
 * `isFailure: true`, `-0` became `0`, and `undefined` keys were dropped. The
 * result deep-equals what a save → load round trip gives back.
 *
 * @param value - anything; usually an `Observation` built by the caller.
 * @param where - optional position for error messages (`line` of a file, `index` in an array).
 * @throws {ObservationError} when a field is missing or invalid; names the dotted key
 *   (e.g. `params.trainer.lr`), the value, what is allowed and a fix.
 * @example
 * const obs = parseObservation({ params: { trainer: { lr: 3e-4 } }, score: NaN, cost: 5, isFailure: false, timestamp: new Date().toISOString() });
 * obs.score;     // null
 * obs.isFailure; // true
 */
export function parseObservation(value: unknown, where: { line?: number; index?: number } = {}): Observation {
  return parseJsonText(JSON.stringify(validateObservation(value, where))) as Observation;
}
