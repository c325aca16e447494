/**
 * The validation edge of Protein's public calls: params in the domain of their distribution,
 * keys that could reach Object.prototype, records the observations file can store, and the
 * zod schemas of a snapshot and of an exported state. Everything here throws typed errors
 * (ObservationError for records and params, ProteinError for snapshots and states) whose
 * message names the dotted key, the value, what is allowed and the fix.
 */
import { z } from "zod";
import { ObservationError, ProteinError } from "../errors";
import { formatPath, observationSchema, type Observation } from "../observations/record";
import type { ParameterSpace } from "../space/parameters";
import type { SearchSpace } from "../space/search-space";

/** Keys that reach an object's prototype when assigned: refused in params and metadata. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Deepest nesting walked in params or metadata. */
const MAX_DEPTH = 64;

/**
 * Why a raw value lies outside the domain of its parameter's distribution (not merely
 * outside the range), or undefined when it is in the domain. The domain is what the
 * normalization can map to a finite coordinate: > 0 for log, (0, 1) for logit, an integer
 * for int_uniform, a power of two for uniform_pow2, any finite number for uniform, one of
 * the values for a categorical — and, for all of them, a value whose coordinate does not
 * overflow.
 */
export function domainProblem(space: ParameterSpace, value: unknown): string | undefined {
  if (space.distribution === "categorical") return space.accepts(value) ? undefined : space.describe();
  if (typeof value !== "number" || !Number.isFinite(value)) return `a finite number: ${space.describe()}`;
  const problem = distributionProblem(space, value);
  if (problem !== undefined) return problem;
  // Far outside the range (e.g. −1e308 on [−1, 2]) the coordinate itself overflows.
  if (!Number.isFinite(space.normalize(value))) return `a value whose normalized coordinate is finite (this one overflows): ${space.describe()}`;
  return undefined;
}

function distributionProblem(space: ParameterSpace, value: number): string | undefined {
  switch (space.distribution) {
    case "log_normal":
      return value > 0 ? undefined : `a number > 0 (log scale): ${space.describe()}`;
    case "logit_normal":
      return value > 0 && value < 1 ? undefined : `a number strictly between 0 and 1 (logit scale): ${space.describe()}`;
    case "int_uniform":
      return Number.isInteger(value) ? undefined : `an integer: ${space.describe()}`;
    case "uniform_pow2":
      return value > 0 && Number.isInteger(Math.log2(value)) ? undefined : `a power of two: ${space.describe()}`;
    default:
      return undefined;
  }
}

/** Throws when any parameter value of a params object lies outside its distribution's domain. */
export function checkDomain(space: SearchSpace, flat: ReadonlyMap<string, unknown>, where: string): void {
  for (const { key, space: p } of space.entries) {
    if (!flat.has(key)) continue;
    const value = flat.get(key);
    const allowed = domainProblem(p, value);
    if (allowed !== undefined) {
      throw new ObservationError(`${where}: "${key}" is not a value its distribution can take`, {
        key,
        value,
        allowed,
        fix:
          p.distribution === "categorical"
            ? "pass one of the listed values"
            : `pass the value the run really used; values outside [min, max] are accepted (and reported) as long as the ${p.distribution} distribution can map them`,
      });
    }
  }
}

/**
 * Refuses keys that reach Object.prototype, cycles, and nesting deeper than MAX_DEPTH, before
 * any other code walks the value. `root` names the argument in the error.
 */
export function checkObjectSafety(value: unknown, root: string): void {
  const ancestors: object[] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (typeof node !== "object" || node === null) return;
    if (ancestors.includes(node)) {
      throw new ObservationError(`${root} contains a cycle`, { key: formatPath([root, ...path]), allowed: "a tree of plain values (JSON)", fix: "pass a copy without the back-reference" });
    }
    if (path.length > MAX_DEPTH) {
      throw new ObservationError(`${root} is nested deeper than ${MAX_DEPTH} levels`, { key: formatPath([root, ...path]), allowed: `at most ${MAX_DEPTH} levels`, fix: "flatten the value" });
    }
    ancestors.push(node);
    const keys = Array.isArray(node) ? null : Object.keys(node);
    if (keys === null) (node as unknown[]).forEach((child, i) => walk(child, [...path, i]));
    else {
      for (const key of keys) {
        if (FORBIDDEN_KEYS.has(key)) {
          throw new ObservationError(`${root} has the key "${key}", which could change Object.prototype`, {
            key: formatPath([root, ...path, key]),
            allowed: `any key but ${[...FORBIDDEN_KEYS].join(", ")}`,
            fix: "rename the key",
          });
        }
        walk((node as Record<string, unknown>)[key], [...path, key]);
      }
    }
    ancestors.pop();
  };
  walk(value, []);
}

/** A plain object (or null-prototype object), not an array, a Date, a Map or a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// ---------------------------------------------------------------- snapshots and states

const finite = z.number().refine(Number.isFinite, { message: "expected a finite number" });
const count = z.number().int().nonnegative();
const finiteArray = z.array(finite);

const rngStateSchema = z.strictObject({
  version: z.literal(1),
  arc4: z.strictObject({ i: z.number().int().min(0).max(255), j: z.number().int().min(0).max(255), S: z.array(z.number().int().min(0).max(255)).length(256) }),
  spareNormal: finite.nullable(),
});

const gpFitStateSchema = z.strictObject({
  logParams: finiteArray,
  fitted: z.boolean(),
  lastGood: finiteArray,
  lbfgs: z
    .strictObject({ p: count, m: count, S: finiteArray, Y: finiteArray, rho: finiteArray, stored: count, head: count })
    .nullable(),
  adam: z.strictObject({ lr: finite, t: count, m: finiteArray, v: finiteArray, vMax: finiteArray }).nullable(),
  pyro: z.strictObject({ lr: finite, phi: finiteArray, t: count, m: finiteArray, v: finiteArray }).nullable().optional(),
});

const paramsTree = z.record(z.string(), z.unknown());

/** The counters, generator and model warm starts of a sweep (ProteinState without its tag). */
const stateFields = {
  suggestionIndex: count,
  idCounter: count,
  rng: rngStateSchema,
  sobol: z.strictObject({ seed: z.number().int().min(0).max(0xffffffff), index: count }),
  deck: finiteArray,
  upperCostThreshold: finite.nullable(),
  gp: z.strictObject({
    score: gpFitStateSchema.nullable(),
    cost: gpFitStateSchema.nullable(),
    lastFitSize: z.strictObject({ score: count, cost: count }),
    // A refit on all rows spread over suggestions (coldRefitSlice): the L-BFGS iterations it has left.
    refitLeft: z.strictObject({ score: count, cost: count }).optional(),
    // With output warping: the transform last chosen, the score GP of each transform compared, the top-half GP.
    warping: z
      .strictObject({
        kind: z.enum(["identity", "log", "box-cox", "yeo-johnson"]),
        scores: z.partialRecord(z.enum(["identity", "log", "box-cox", "yeo-johnson"]), gpFitStateSchema),
        // Under "auto": each transform's criterion at the last choice (info reports it until the next choice).
        criteria: z.partialRecord(z.enum(["identity", "log", "box-cox", "yeo-johnson"]), finite).optional(),
        // The GP of the better half of the rows and the noise it fitted (δ's floor of log and Box–Cox).
        top: gpFitStateSchema.optional(),
        topNoise: finite.min(0).optional(),
      })
      .optional(),
  }),
};

export const proteinStateSchema = z.strictObject({
  format: z.literal("protein-sweep/state"),
  version: z.literal(1),
  ...stateFields,
});

const correctionSchema = z.strictObject({
  action: z.enum(["forgotten", "amended"]),
  index: count,
  from: z.enum(["observations", "prior"]),
  observation: observationSchema,
  replacement: observationSchema.optional(),
  reason: z.string().min(1),
  at: z.iso.datetime({ offset: true }),
});

export const snapshotSchema = z.strictObject({
  format: z.literal("protein-sweep/snapshot"),
  version: z.literal(1),
  config: z.unknown().refine((v) => v !== undefined && v !== null, { message: "expected the sweep config" }),
  settings: z.record(z.string(), z.unknown()),
  observations: z.array(observationSchema),
  prior: z.array(observationSchema),
  pending: z.array(z.strictObject({ id: z.string().min(1), params: paramsTree })),
  corrections: z.array(correctionSchema).optional(),
  ...stateFields,
});

export type ValidSnapshot = z.infer<typeof snapshotSchema>;
export type ValidState = z.infer<typeof proteinStateSchema>;

/** Parses with a schema; the first problem becomes a ProteinError naming its dotted key. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string, fix: string): T {
  if (!isPlainObject(value)) {
    throw new ProteinError(`not a ${what}`, { value, allowed: `the object ${what === "snapshot" ? "protein.snapshot()" : "protein.exportState()"} returned`, fix });
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]] : issue.path;
  let node: unknown = value;
  for (const segment of path) node = typeof node === "object" && node !== null ? (node as Record<PropertyKey, unknown>)[segment as PropertyKey] : undefined;
  const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : "";
  const problem = issue.code === "unrecognized_keys" ? "unknown field" : node === undefined ? "missing or invalid field" : "invalid field";
  throw new ProteinError(`${what}: ${problem} ${formatPath(path)}${more}`, { key: formatPath(path), value: node, allowed: issue.message, fix });
}

/** Records of a snapshot, checked against the space: keys, types and domains. */
export function checkRecords(space: SearchSpace, records: readonly Observation[], field: string, flatten: (p: Record<string, unknown>) => Map<string, unknown>): void {
  records.forEach((r, i) => {
    try {
      checkObjectSafety(r.params, "params");
      const fatal = space.check(r.params).find((p) => p.kind !== "out-of-range");
      if (fatal) throw new ObservationError(`params.${fatal.key}: ${fatal.kind}`, { key: fatal.key, value: fatal.value, allowed: fatal.expected });
      checkDomain(space, flatten(r.params), "params");
    } catch (error) {
      const e = error as ObservationError;
      throw new ProteinError(`snapshot: ${field}[${i}] does not fit the sweep's space: ${e.message.split("\n")[0]}`, {
        key: `${field}[${i}].params${e.key ? `.${e.key}` : ""}`,
        value: e.value,
        ...(e.allowed !== undefined ? { allowed: e.allowed } : {}),
        fix: "restore the snapshot with the config it was taken with, or forget the observation before taking the snapshot",
      });
    }
  });
}
