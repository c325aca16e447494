/**
 * Validation of what a study stores: the header and the trial events. Used on every read
 * (a hand-edited line or row fails with a StudyError naming the line and the field) and
 * before every write (a non-finite number never reaches the record, where JSON would turn
 * it into null).
 */
import { z } from "zod";
import { StudyError } from "./errors";
import type { StudyHeader, TrialEvent } from "./types";

const finite = z.number().finite();
const time = z.string().min(1);
const metrics = z.record(z.string(), finite);
const json = z.record(z.string(), z.unknown());
const runInfo = z.strictObject({
  device: z.string().optional(),
  command: z.array(z.string()).optional(),
  seed: finite.optional(),
  log: z.string().optional(),
});

const eventSchema = z.discriminatedUnion("e", [
  z.strictObject({
    e: z.literal("created"),
    trial: z.string().min(1),
    t: time,
    worker: z.string(),
    params: json,
    info: json.optional(),
    group: z.string().optional(),
    state: z.unknown().optional(),
  }),
  z.strictObject({ e: z.literal("started"), trial: z.string().min(1), t: time, worker: z.string(), attempt: z.number().int().min(1), run: runInfo.optional() }),
  z.strictObject({ e: z.literal("heartbeat"), trial: z.string().min(1), t: time, worker: z.string(), metrics: metrics.optional(), cost: finite.min(0).optional() }),
  z.strictObject({ e: z.literal("finished"), trial: z.string().min(1), t: time, score: finite, cost: finite.min(0), metrics }),
  z.strictObject({
    e: z.literal("failed"),
    trial: z.string().min(1),
    t: time,
    reason: z.string(),
    retry: z.boolean(),
    cost: finite.min(0).optional(),
    metrics: metrics.optional(),
  }),
  z.strictObject({
    e: z.literal("budget"),
    t: time,
    worker: z.string(),
    budget: z.strictObject({ maxTrials: z.number().int().min(1).optional(), maxCost: finite.positive().optional(), maxTime: finite.positive().optional() }),
  }),
  z.strictObject({ e: z.literal("stopped"), trial: z.string().min(1), t: time, reason: z.string(), score: finite.nullable(), cost: finite.min(0), metrics }),
]);

const headerSchema = z.strictObject({
  format: z.literal("protein-sweep/journal"),
  version: z.literal(1),
  name: z.string().min(1),
  config: z.unknown(),
  settings: json,
  run: json.optional(),
  createdAt: time,
});

/** Where a record came from, for error messages: "journal.jsonl line 12", "study \"s\" event 5". */
export type RecordPlace = string;

function describeIssue(issue: z.core.$ZodIssue): { key: string; message: string } {
  const key = issue.path.length > 0 ? issue.path.map(String).join(".") : "(the record)";
  return { key, message: issue.message };
}

function firstIssue(error: z.ZodError): z.core.$ZodIssue {
  return error.issues[0];
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** Validates one event; `place` names where it came from. */
export function parseEvent(raw: unknown, place: RecordPlace): TrialEvent {
  const result = eventSchema.safeParse(raw);
  if (result.success) return result.data as TrialEvent;
  const issue = firstIssue(result.error);
  const { key, message } = describeIssue(issue);
  throw new StudyError(`${place}: not a valid trial event (${message})`, {
    key,
    value: valueAt(raw, issue.path),
    allowed: 'a JSON object {"e": "created"|"started"|"heartbeat"|"finished"|"failed"|"stopped"|"budget", "t": ..., ...} as the study writes it',
    fix: `repair or remove that record (only the last line of a journal may be incomplete)`,
  });
}

/** Validates a study header. */
export function parseHeader(raw: unknown, place: RecordPlace): StudyHeader {
  const result = headerSchema.safeParse(raw);
  if (result.success) return result.data as StudyHeader;
  const issue = firstIssue(result.error);
  const { key, message } = describeIssue(issue);
  throw new StudyError(`${place}: not a protein-sweep study header (${message})`, {
    key,
    value: valueAt(raw, issue.path),
    allowed: '{"format": "protein-sweep/journal", "version": 1, "name", "config", "settings", "createdAt"}',
    fix: "point the storage at a journal written by protein-sweep (its first line is the header), or at a new path",
  });
}

/** Parses one JSON text line; a syntax error becomes a StudyError naming the place. */
export function parseJsonLine(text: string, place: RecordPlace): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new StudyError(`${place}: not valid JSON (${(error as Error).message})`, {
      value: text.length > 80 ? `${text.slice(0, 77)}...` : text,
      allowed: "one JSON object per line",
      fix: "repair or remove that line (only the last line of a journal may be incomplete)",
    });
  }
}
