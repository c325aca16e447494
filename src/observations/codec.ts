/**
 * The observations file format as pure string functions (no file system, usable
 * in browsers). `jsonl.ts` puts these on disk.
 *
 * Format (JSON lines, UTF-8, every line `\n`-terminated):
 *
 *     {"format":"protein-sweep/observations","version":1,"createdAt":"…","config":{…},"spaceFingerprint":"…"}
 *     {"params":{"trainer":{"lr":0.0003}},"score":0.91,"cost":120,"isFailure":false,"timestamp":"…"}
 *     …one observation per line…
 *
 * Reading rules (crash safety, in the spirit of Optuna's journal file):
 * - a line whose JSON ends before its value is complete is a torn write (a crash
 *   mid-write). It is skipped with a warning naming the line, never fatal, and
 *   nothing before or after it is lost. At the end of the file such a line has
 *   no trailing newline; in the middle it is one that a later append terminated
 *   with `\n` before writing its own record. The last line, when it has no
 *   trailing newline, is treated as torn whenever it fails to parse;
 * - any other malformed line — JSON that is complete but invalid, or a record
 *   that breaks the schema — throws `ObservationError` with the 1-based line,
 *   the dotted field, the value and what was expected;
 * - a line that fails to parse and holds bytes no writer puts there — NUL or other
 *   control characters, or bytes that are not UTF-8, e.g. the zero-filled block a power loss leaves where a
 *   write had not reached the disk — is damage: any whole record between the damaged
 *   bytes is kept, the rest is skipped with a warning naming the line, never fatal;
 * - blank lines are ignored; a leading byte-order mark is ignored; `\r\n` works;
 * - a header with a newer `version` throws, asking to upgrade protein-sweep.
 */
import { z } from "zod";
import { ObservationError } from "../errors";
import { issueDetails, jsonValueSchema, metadataSchema, validateObservation, parseJsonText, encodeObservationLine, type Observation } from "./record";

/** The `format` tag on the first line of every observations file. */
export const OBSERVATIONS_FORMAT = "protein-sweep/observations";

/** The newest file format version this build reads and the one it writes. */
export const OBSERVATIONS_VERSION = 1;

/** First line of an observations file. */
export interface ObservationsHeader {
  format: typeof OBSERVATIONS_FORMAT;
  version: typeof OBSERVATIONS_VERSION;
  /** When the file was created, ISO 8601. */
  createdAt: string;
  /** The sweep config as given by the user (JSON). */
  config: unknown;
  /** Fingerprint of the search space the observations were made under. */
  spaceFingerprint: string;
  /** Free JSON data about the whole file (sweep name, phase, …). */
  metadata?: Record<string, unknown>;
}

/** What reading a file gives back. */
export interface LoadedObservations {
  header: ObservationsHeader;
  /** Every complete observation, in file order, in canonical stored form. */
  observations: Observation[];
  /** One message per skipped torn line, naming the line. Empty when the file is clean. */
  warnings: string[];
}

const HEADER_FIELDS = ["format", "version", "createdAt", "config", "spaceFingerprint", "metadata"] as const;

const HEADER_ALLOWED: Record<(typeof HEADER_FIELDS)[number], string> = {
  format: JSON.stringify(OBSERVATIONS_FORMAT),
  version: `${OBSERVATIONS_VERSION}`,
  createdAt: "an ISO 8601 date-time with Z or an offset, e.g. 2025-01-31T12:00:00.000Z",
  config: "the sweep config as a JSON value (null if there is none)",
  spaceFingerprint: "a non-empty string",
  metadata: "a plain object of JSON values",
};

/** zod schema of the version-1 file header. */
export const observationsHeaderSchema = z.strictObject({
  format: z.literal(OBSERVATIONS_FORMAT),
  version: z.literal(OBSERVATIONS_VERSION),
  createdAt: z.iso.datetime({ offset: true }),
  config: jsonValueSchema,
  spaceFingerprint: z.string().min(1),
  metadata: metadataSchema.optional(),
});

/**
 * Builds a version-1 header, stamping `createdAt` with the current time unless given.
 *
 * @param options - `config`: the sweep config as given (JSON); `spaceFingerprint`: from the search space;
 *   `metadata`: free JSON; `createdAt`: a `Date` or ISO string.
 * @throws {ObservationError} when a field is invalid (see `encodeHeaderLine`).
 * @example
 * const header = createObservationsHeader({ config: sweepConfig, spaceFingerprint: "sha256:…" });
 */
export function createObservationsHeader(options: {
  config: unknown;
  spaceFingerprint: string;
  metadata?: Record<string, unknown>;
  createdAt?: Date | string;
}): ObservationsHeader {
  const createdAt = options.createdAt instanceof Date ? options.createdAt.toISOString() : (options.createdAt ?? new Date().toISOString());
  const header: ObservationsHeader = {
    format: OBSERVATIONS_FORMAT,
    version: OBSERVATIONS_VERSION,
    createdAt,
    config: options.config,
    spaceFingerprint: options.spaceFingerprint,
    ...(options.metadata !== undefined ? { metadata: options.metadata } : {}),
  };
  return checkHeader(header, undefined);
}

/** Validates a header value; `line` is set when it came from a file. */
function checkHeader(raw: unknown, line: number | undefined, source = ""): ObservationsHeader {
  const at = line !== undefined ? { line } : {};
  const isObject = typeof raw === "object" && raw !== null && !Array.isArray(raw);
  const record = isObject ? (raw as Record<string, unknown>) : {};
  if (!isObject || record.format !== OBSERVATIONS_FORMAT) {
    throw new ObservationError(`not a protein-sweep observations file: the first line is not its header${source}`, {
      ...at,
      key: "format",
      value: isObject ? record.format : raw,
      allowed: `a first line like {"format":${JSON.stringify(OBSERVATIONS_FORMAT)},"version":${OBSERVATIONS_VERSION},…}`,
      fix: "load a file written by saveObservations/appendObservation, or add the header line",
    });
  }
  const version = record.version;
  if (typeof version === "number" && Number.isInteger(version) && version > OBSERVATIONS_VERSION) {
    throw new ObservationError(`the file was written by a newer protein-sweep (format version ${version})${source}`, {
      ...at,
      key: "version",
      value: version,
      allowed: `format versions up to ${OBSERVATIONS_VERSION}`,
      fix: "upgrade protein-sweep to read this file",
    });
  }
  const result = observationsHeaderSchema.safeParse(raw);
  if (!result.success) {
    const { problem, ...details } = issueDetails(result.error, raw, HEADER_ALLOWED, HEADER_FIELDS);
    throw new ObservationError(`header: ${problem}${source}`, {
      ...at,
      ...details,
      fix: details.fix ?? `give ${details.key ?? "the header"} ${details.allowed ?? "a valid value"}`,
    });
  }
  return result.data as ObservationsHeader;
}

/**
 * The JSON text of a header (no trailing newline).
 *
 * @throws {ObservationError} when a field is invalid, e.g. a `config` holding `NaN`, `undefined`
 *   or a function (not JSON), or an empty `spaceFingerprint`; names the key and the value.
 * @example
 * encodeHeaderLine(createObservationsHeader({ config: {}, spaceFingerprint: "abc" }));
 */
export function encodeHeaderLine(header: ObservationsHeader): string {
  return JSON.stringify(checkHeader(header, undefined));
}

/**
 * Encodes a whole observations file: the header line, then one line per observation,
 * every line `\n`-terminated. Validates everything before returning.
 *
 * @param header - the file header (see `createObservationsHeader`).
 * @param observations - records to store; non-finite scores are stored as `null` with
 *   `isFailure: true`, `-0` as `0`.
 * @throws {ObservationError} when the header or an observation is invalid; the message names the
 *   observation's index (`observation [3]`) and the dotted field (`params.trainer.lr`).
 * @example
 * const text = encodeObservations(header, [{ params: { lr: 1e-3 }, score: 0.5, cost: 10, isFailure: false, timestamp: "2025-01-31T12:00:00.000Z" }]);
 * decodeObservations(text).observations[0].params.lr; // 0.001
 */
export function encodeObservations(header: ObservationsHeader, observations: readonly Observation[]): string {
  const lines = [encodeHeaderLine(header)];
  for (let i = 0; i < observations.length; i++) lines.push(encodeObservationLine(observations[i], { index: i }));
  return lines.join("\n") + "\n";
}

/**
 * Whether a line that failed to parse is a proper prefix of a JSON object or
 * array — what a write cut short leaves behind: it ends inside a string or with
 * brackets still open, and every bracket closed so far matched.
 */
export function isTruncatedJson(line: string): boolean {
  const stack: string[] = [];
  let inString = false;
  let escaped = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") stack.push(c);
    else if (c === "}" || c === "]") {
      const open = stack.pop();
      if (open === undefined || (c === "}") !== (open === "{")) return false;
      // A complete top-level value followed by more text is not a prefix.
      if (stack.length === 0 && line.slice(i + 1).trim() !== "") return false;
    }
  }
  return inString || stack.length > 0;
}

/**
 * Characters no writer of this format ever puts on a line: C0 control characters
 * other than tab and carriage return (JSON escapes them inside strings, and they are
 * not JSON whitespace), and U+FFFD, which the UTF-8 decoder substitutes for bytes
 * that are not UTF-8. A run of them on a line is damage — typically the NUL-filled
 * block a power loss leaves where a write had not reached the disk.
 */
const DAMAGE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]+/;

/**
 * Whether a line that failed to parse holds bytes that only damage can put there (see
 * `DAMAGE`). A line that parses is never damage: U+FFFD is a legal character of a
 * string, which JSON.stringify writes as is.
 */
export function isDamagedLine(line: string): boolean {
  return DAMAGE.test(line);
}

const HEADER_EXAMPLE = `a first line like {"format":${JSON.stringify(OBSERVATIONS_FORMAT)},"version":${OBSERVATIONS_VERSION},…}`;

/**
 * Decodes an observations file line by line, so that a caller can feed it a file of
 * any size without holding the whole text (see `loadObservations`).
 * @internal used by `decodeObservations` and `loadObservations`.
 */
export class ObservationsDecoder {
  private header: ObservationsHeader | undefined;
  private readonly observations: Observation[] = [];
  private readonly warnings: string[] = [];
  private readonly suffix: string;

  constructor(private readonly source?: string) {
    this.suffix = source !== undefined ? ` (in ${source})` : "";
  }

  /**
   * Takes one line (without its `\n`).
   * @param lineNo - 1-based line number.
   * @param unterminated - the line is the last one and has no trailing `\n`.
   */
  line(text: string, lineNo: number, unterminated: boolean): void {
    const line = lineNo === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    if (line.trim() === "") return;
    let raw: unknown;
    try {
      raw = parseJsonText(line);
    } catch (cause) {
      if (isDamagedLine(line)) {
        this.damagedLine(line, lineNo);
        return;
      }
      const torn = unterminated || isTruncatedJson(line);
      if (this.header === undefined) this.badHeaderLine(line, lineNo, torn);
      if (torn) {
        this.warnings.push(
          `line ${lineNo}: skipped an incomplete record (a write was interrupted, e.g. by a crash)${this.suffix}; every complete line was loaded`,
        );
        return;
      }
      throw new ObservationError(`not valid JSON: ${(cause as Error).message}${this.suffix}`, {
        line: lineNo,
        value: line,
        allowed: "one JSON object per line",
        fix: `repair or delete line ${lineNo}; the lines before it are intact`,
      });
    }
    this.accept(raw, lineNo);
  }

  /** The header, the observations and the warnings; throws when no header was seen. */
  finish(): LoadedObservations {
    if (this.header === undefined) {
      throw new ObservationError(`the file is empty: it has no header line${this.suffix}`, {
        line: 1,
        allowed: HEADER_EXAMPLE,
        fix: "create observation files with saveObservations(path, [], header) or appendObservation(path, observation, { header }), which write the header first",
      });
    }
    return { header: this.header, observations: this.observations, warnings: this.warnings };
  }

  private accept(raw: unknown, lineNo: number): void {
    if (this.header === undefined) {
      this.header = checkHeader(raw, lineNo, this.suffix);
      return;
    }
    const obs = validateObservation(raw, { line: lineNo, ...(this.source !== undefined ? { source: this.source } : {}) });
    this.observations.push(obs as Observation);
  }

  private badHeaderLine(line: string, lineNo: number, torn: boolean): never {
    throw new ObservationError(
      torn ? `the header line is incomplete (a write was interrupted)${this.suffix}` : `the header line is not valid JSON${this.suffix}`,
      {
        line: lineNo,
        value: line,
        allowed: HEADER_EXAMPLE,
        fix: torn
          ? "the file holds no complete header and no observations; delete it and start again"
          : "load a file written by saveObservations/appendObservation",
      },
    );
  }

  /**
   * A line with damaged bytes: every stretch between the damage that is a whole valid
   * record is kept (a record appended after a NUL-filled block), the rest is skipped
   * with one warning. Damage before the header is fatal: there is nothing to trust.
   */
  private damagedLine(line: string, lineNo: number): void {
    let skipped = 0;
    for (const piece of line.split(DAMAGE)) {
      if (piece.trim() === "") continue;
      let raw: unknown;
      try {
        raw = parseJsonText(piece);
      } catch {
        if (this.header === undefined) this.badHeaderLine(line, lineNo, true);
        skipped++;
        continue;
      }
      if (this.header === undefined) {
        this.accept(raw, lineNo);
        continue;
      }
      try {
        this.accept(raw, lineNo);
      } catch (error) {
        if (!(error instanceof ObservationError)) throw error;
        skipped++;
      }
    }
    if (this.header === undefined) this.badHeaderLine(line, lineNo, true);
    this.warnings.push(
      `line ${lineNo}: skipped damaged bytes (NUL or other bytes no writer puts there, as a power loss leaves them)` +
        `${skipped > 0 ? ` and ${skipped} unreadable fragment${skipped > 1 ? "s" : ""}` : ""}${this.suffix}; every complete line was loaded`,
    );
  }
}

/**
 * Decodes the text of an observations file.
 *
 * @param text - the whole file as a string.
 * @param options - `source`: a name (e.g. the path) added to messages.
 * @returns the header, every complete observation in order, and a warning per skipped torn
 *   or damaged line.
 * @throws {ObservationError} when the text has no header, the header is invalid or from a newer
 *   format version ("upgrade protein-sweep"), or a line other than a torn or damaged write is
 *   malformed (`line` is 1-based; the message names the dotted field, the value and what was expected).
 * @example
 * const { header, observations, warnings } = decodeObservations(text);
 * for (const w of warnings) console.warn(w); // e.g. "line 7: skipped an incomplete record …"
 */
export function decodeObservations(text: string, options: { source?: string } = {}): LoadedObservations {
  const decoder = new ObservationsDecoder(options.source);
  let start = 0;
  let lineNo = 0;
  while (start < text.length) {
    const end = text.indexOf("\n", start);
    lineNo++;
    if (end < 0) {
      decoder.line(text.slice(start), lineNo, true);
      break;
    }
    decoder.line(text.slice(start, end), lineNo, false);
    start = end + 1;
  }
  return decoder.finish();
}
