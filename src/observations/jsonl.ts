/**
 * Observations on disk as JSON lines (Node only; the format and the pure string
 * codec live in `codec.ts`).
 *
 * - `saveObservations` replaces a file atomically: write a temporary file beside
 *   it, fsync, rename over the target. A crash leaves the old file or the new one,
 *   never a mix.
 * - `appendObservation` adds one record with a single `write` of the whole line
 *   to a file opened in append mode, so concurrent appenders on a local disk do
 *   not interleave inside a line, and a crash can at worst leave one torn last
 *   line, which `loadObservations` skips with a warning. When the file does not
 *   end in `\n` (an earlier write was torn), the new record starts with `\n` so
 *   it is never glued onto the torn one.
 * - All three are synchronous: they are called between training runs, and a
 *   synchronous write is done when the call returns.
 */
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { ObservationError } from "../errors";
import { decodeObservations, encodeHeaderLine, encodeObservations, type LoadedObservations, type ObservationsHeader } from "./codec";
import { encodeObservationLine, type Observation } from "./record";

const NEWLINE = 0x0a;

/** Distinguishes temporary files of several saves made by one process. */
let tempCounter = 0;

/** Writes all of `data` at the current (append) position; one `write` call unless the OS writes partially. */
function writeAll(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) offset += fs.writeSync(fd, data, offset, data.length - offset);
}

/** fsync a directory so a rename inside it survives power loss; not possible on every platform. */
function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot open or fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Writes a whole observations file (header + one line per observation), replacing
 * any file at `path` atomically (temporary file in the same folder, then rename).
 * Everything is validated before the disk is touched.
 *
 * @param path - target file, conventionally `*.jsonl`.
 * @param observations - records to store (non-finite scores are stored as `null` with `isFailure: true`).
 * @param header - the file header, see `createObservationsHeader`.
 * @param options - `fsync`: flush the data and the folder entry to disk before returning.
 * @throws {ObservationError} when the header or an observation is invalid (names the index and
 *   the dotted field); nothing is written then.
 * @throws {Error} the file-system error (e.g. `EACCES`, `ENOENT` for a missing folder).
 * @example
 * const header = createObservationsHeader({ config: sweepConfig, spaceFingerprint });
 * saveObservations("runs/phase1.jsonl", observations, header);
 */
export function saveObservations(
  path: string,
  observations: readonly Observation[],
  header: ObservationsHeader,
  options: {
    /** @default true */
    fsync?: boolean;
  } = {},
): void {
  const data = Buffer.from(encodeObservations(header, observations), "utf8");
  const sync = options.fsync ?? true;
  const temp = `${path}.${process.pid}.${++tempCounter}.tmp`;
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, "wx");
    writeAll(fd, data);
    if (sync) fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw error;
  }
  if (sync) fsyncDirectory(nodePath.dirname(nodePath.resolve(path)));
}

/**
 * Appends one observation as one whole `\n`-terminated line, written with a single
 * `write` call in append mode. If the file does not end in `\n` (a torn earlier
 * write), a `\n` is written first, in the same call, so the new record stands on
 * its own line.
 *
 * @param path - an observations file made by `saveObservations`, or a new file when `options.header` is given.
 * @param observation - the record (a non-finite score is stored as `null` with `isFailure: true`).
 * @param options - `fsync`: flush to disk before returning (slower, survives power loss);
 *   `header`: used only when the file is missing or empty, to create it with this header.
 * @throws {ObservationError} when the observation is invalid (nothing is written), or when the file
 *   is missing or empty and no `header` was given.
 * @throws {Error} the file-system error (e.g. `EACCES`).
 * @example
 * appendObservation("runs/phase1.jsonl", {
 *   params: { trainer: { lr: 3e-4 } }, score: 0.91, cost: 120, isFailure: false,
 *   timestamp: new Date().toISOString(), metadata: { run: "a1" },
 * }, { fsync: true });
 */
export function appendObservation(
  path: string,
  observation: Observation,
  options: {
    /** @default false */
    fsync?: boolean;
    header?: ObservationsHeader;
  } = {},
): void {
  const line = encodeObservationLine(observation);
  const headerLine = options.header !== undefined ? encodeHeaderLine(options.header) : undefined;
  let size = 0;
  try {
    size = fs.statSync(path).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  if (size === 0 && headerLine === undefined) {
    throw new ObservationError(`cannot append to ${path}: the file is missing or empty, so it has no header`, {
      value: path,
      allowed: "an observations file that starts with its header line",
      fix: "create it first with saveObservations(path, [], header), or pass { header } to appendObservation",
    });
  }
  const fd = fs.openSync(path, "a+");
  try {
    size = fs.fstatSync(fd).size;
    let prefix = "";
    if (size === 0) {
      prefix = `${headerLine}\n`;
    } else {
      const last = Buffer.alloc(1);
      fs.readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== NEWLINE) prefix = "\n";
    }
    writeAll(fd, Buffer.from(`${prefix}${line}\n`, "utf8"));
    if (options.fsync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads an observations file.
 *
 * @param path - a file written by `saveObservations` / `appendObservation` (or by hand, same format).
 * @returns the header, every complete observation in file order, and one warning per skipped torn
 *   line (a crash mid-write); the caller decides how to show warnings.
 * @throws {ObservationError} when the file is missing, empty, its header is invalid or from a newer
 *   format version ("upgrade protein-sweep"), or a line other than a torn write is malformed —
 *   `error.line` is the 1-based line and the message names the dotted field, value and expectation.
 * @throws {Error} other file-system errors (e.g. `EACCES`).
 * @example
 * const { header, observations, warnings } = loadObservations("runs/phase1.jsonl");
 * warnings.forEach((w) => console.warn(w));
 */
export function loadObservations(path: string): LoadedObservations {
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new ObservationError(`observations file not found: ${path}`, {
        value: path,
        fix: "check the path; files are created by saveObservations or appendObservation",
      });
    }
    throw error;
  }
  return decodeObservations(text, { source: path });
}
