/**
 * Observations on disk as JSON lines (Node only; the format and the pure string
 * codec live in `codec.ts`).
 *
 * - `saveObservations` writes a whole file atomically: a temporary file beside it,
 *   fsync, then `link` (new file) or `rename` (replacing). A crash leaves the old file
 *   or the new one, never a mix. It refuses to replace a file that holds data unless
 *   told `{ overwrite: true }`: several workers each "starting" a shared file would
 *   otherwise wipe each other's records.
 * - `appendObservation` adds one record with a single `write` of the whole line to a
 *   file opened with O_APPEND, so concurrent appenders on a local disk do not
 *   interleave inside a line. When the file does not exist it is created race-free:
 *   header and first record go to a temporary file that is `link`ed into place, which
 *   fails with EEXIST when another process got there first — that process's file is
 *   then appended to. No file ever holds two headers, and no process ever sees a file
 *   that has no header yet. When the file does not end in `\n` (a torn or damaged
 *   tail), the new record starts with `\n` so it stands on its own line.
 * - `loadObservations` reads the file in chunks, so its size is not limited by the
 *   largest string the JavaScript engine can hold.
 * - All three are synchronous: they are called between training runs, and a
 *   synchronous write is done when the call returns.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { ObservationError } from "../errors";
import { ObservationsDecoder, encodeHeaderLine, encodeObservations, type LoadedObservations, type ObservationsHeader } from "./codec";
import { encodeObservationLine, type Observation } from "./record";

const NEWLINE = 0x0a;

/** Distinguishes temporary files of several writes made by one process. */
let tempCounter = 0;

/** A temporary file name beside `path`, unique per host, process and call (created with O_EXCL anyway). */
function tempPathFor(path: string): string {
  const host = os.hostname().replace(/[^A-Za-z0-9_-]/g, "_");
  return `${path}.${host}.${process.pid}.${++tempCounter}.tmp`;
}

/** Writes all of `data` at the current (append) position; one `write` call unless the OS writes partially. */
function writeAll(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) offset += fs.writeSync(fd, data, offset, data.length - offset);
}

/** fsync a directory so a rename or link inside it survives power loss; not possible on every platform. */
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

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Error codes of file systems that cannot make hard links (FAT, some network and FUSE mounts). */
const NO_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV", "EMLINK"]);

/** Writes `data` to a new temporary file beside `path`; returns its name. Removes it on failure. */
function writeTemp(path: string, data: Buffer, sync: boolean): string {
  const temp = tempPathFor(path);
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, "wx");
    writeAll(fd, data);
    if (sync) fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    return temp;
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Puts the finished temporary file at `path` only if nothing is there: `link` is atomic
 * and fails with EEXIST. Returns false when `path` exists. On a file system without
 * hard links, falls back to an exclusive create + copy (the file then exists for a
 * moment without its content; appenders wait for it, see `openForAppend`).
 */
function placeIfAbsent(temp: string, path: string, data: Buffer, sync: boolean): boolean {
  try {
    fs.linkSync(temp, path);
    return true;
  } catch (error) {
    if (errnoCode(error) === "EEXIST") return false;
    if (!NO_LINKS.has(errnoCode(error) ?? "")) throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
  let fd: number;
  try {
    fd = fs.openSync(path, "wx");
  } catch (error) {
    if (errnoCode(error) === "EEXIST") return false;
    throw error;
  }
  try {
    writeAll(fd, data);
    if (sync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/** Blocks the thread for `ms` milliseconds (the file functions are synchronous by design). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * How long an appender waits for an existing but empty file to receive its header
 * (written by a creator on a file system without hard links) before giving up.
 */
const EMPTY_FILE_WAIT_MS = 1000;

/**
 * Writes a whole observations file (header + one line per observation) atomically
 * (temporary file in the same folder, then link or rename). Everything is validated
 * before the disk is touched.
 *
 * It will not replace a file that holds data unless `overwrite: true` is passed: on a
 * file shared by several processes, each process "starting" the file would silently
 * erase what the others recorded. Several processes recording into one file each call
 * `appendObservation(path, observation, { header })` instead, which creates the file
 * exactly once.
 *
 * @param path - target file, conventionally `*.jsonl`.
 * @param observations - records to store (non-finite scores are stored as `null` with `isFailure: true`).
 * @param header - the file header, see `createObservationsHeader`.
 * @param options - `fsync`: flush the data and the folder entry to disk before returning;
 *   `overwrite`: replace an existing non-empty file (a missing or empty file is always written).
 * @throws {ObservationError} when the header or an observation is invalid (names the index and
 *   the dotted field), or when `path` already holds data and `overwrite` is not true; nothing is
 *   written then.
 * @throws {Error} the file-system error (e.g. `EACCES`, `ENOENT` for a missing folder).
 * @example
 * const header = createObservationsHeader({ config: sweepConfig, spaceFingerprint });
 * saveObservations("runs/phase1.jsonl", observations, header);
 * saveObservations("runs/phase1.jsonl", cleaned, header, { overwrite: true }); // replace on purpose
 */
export function saveObservations(
  path: string,
  observations: readonly Observation[],
  header: ObservationsHeader,
  options: {
    /** @default true */
    fsync?: boolean;
    /** Replace a file that already holds data. @default false */
    overwrite?: boolean;
  } = {},
): void {
  const data = Buffer.from(encodeObservations(header, observations), "utf8");
  const sync = options.fsync ?? true;
  const overwrite = options.overwrite ?? false;
  if (overwrite) {
    const temp = writeTemp(path, data, sync);
    try {
      fs.renameSync(temp, path);
    } catch (error) {
      fs.rmSync(temp, { force: true });
      throw error;
    }
  } else {
    refuseNonEmpty(path);
    const temp = writeTemp(path, data, sync);
    if (!placeIfAbsent(temp, path, data, sync)) {
      // Something is there (placeIfAbsent removed the temporary file). Replace it only when
      // it is empty: an empty file holds no record, and no appender writes into an empty
      // file (appenders wait for its header).
      refuseNonEmpty(path);
      const again = writeTemp(path, data, sync);
      try {
        fs.renameSync(again, path);
      } catch (error) {
        fs.rmSync(again, { force: true });
        throw error;
      }
    }
  }
  if (sync) fsyncDirectory(nodePath.dirname(nodePath.resolve(path)));
}

/** Throws the overwrite refusal when `path` is a file that holds data. */
function refuseNonEmpty(path: string): void {
  let size: number;
  try {
    size = fs.statSync(path).size;
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return;
    throw error;
  }
  if (size === 0) return;
  throw new ObservationError(`refusing to replace ${path}: it already holds ${size} bytes of observations`, {
    key: "overwrite",
    value: false,
    allowed: "saveObservations writes a new (or empty) file; it replaces a file holding data only with { overwrite: true }",
    fix:
      "to add records, call appendObservation(path, observation, { header }) — safe from any number of processes; " +
      "to replace the file on purpose, pass { overwrite: true } (never on a file other processes write to)",
  });
}

/**
 * Opens `path` for appending (read + write, O_APPEND, never creating it) once it holds
 * data. Returns undefined when the file does not exist. An existing empty file is waited
 * for (a creator without hard links is between its exclusive create and its write).
 */
function openForAppend(path: string, hasHeader: boolean): { fd: number; size: number } | undefined {
  const deadline = Date.now() + EMPTY_FILE_WAIT_MS;
  for (;;) {
    let fd: number;
    try {
      fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_APPEND);
    } catch (error) {
      if (errnoCode(error) === "ENOENT") return undefined;
      throw error;
    }
    const size = fs.fstatSync(fd).size;
    if (size > 0) return { fd, size };
    fs.closeSync(fd);
    if (!hasHeader || Date.now() >= deadline) {
      throw new ObservationError(`cannot append to ${path}: the file is missing or empty, so it has no header`, {
        value: path,
        allowed: "an observations file that starts with its header line",
        fix: hasHeader
          ? "the file exists but stayed empty (e.g. made by touch, or by a crash before its first write); delete it, then appendObservation(path, observation, { header }) creates it"
          : "pass { header } to appendObservation (it creates the file exactly once, even from many processes), or create it first with saveObservations(path, [], header)",
      });
    }
    sleepSync(10);
  }
}

/**
 * Appends one observation as one whole `\n`-terminated line, written with a single
 * `write` call in append mode. If the file does not end in `\n` (a torn or damaged
 * earlier write), a `\n` is written first, in the same call, so the new record stands
 * on its own line.
 *
 * With `options.header`, a missing file is created with that header and this record,
 * atomically: from any number of processes at once, exactly one creates it and the
 * others append to it. This is the way for several workers to share one file.
 *
 * @param path - an observations file, or a new file when `options.header` is given.
 * @param observation - the record (a non-finite score is stored as `null` with `isFailure: true`).
 * @param options - `fsync`: flush to disk before returning (slower, survives power loss);
 *   `header`: used only when the file does not exist yet, to create it with this header.
 * @throws {ObservationError} when the observation is invalid (nothing is written), or when the file
 *   is missing or empty and no `header` was given.
 * @throws {Error} the file-system error (e.g. `EACCES`).
 * @example
 * const header = createObservationsHeader({ config: sweepConfig, spaceFingerprint });
 * appendObservation("runs/phase1.jsonl", {
 *   params: { trainer: { lr: 3e-4 } }, score: 0.91, cost: 120, isFailure: false,
 *   timestamp: new Date().toISOString(), metadata: { run: "a1" },
 * }, { header, fsync: true });
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
  const sync = options.fsync ?? false;
  for (;;) {
    const opened = openForAppend(path, headerLine !== undefined);
    if (opened === undefined) {
      if (headerLine === undefined) {
        // openForAppend threw for this case when the file exists; here it does not.
        throw new ObservationError(`cannot append to ${path}: the file is missing or empty, so it has no header`, {
          value: path,
          allowed: "an observations file that starts with its header line",
          fix: "pass { header } to appendObservation (it creates the file exactly once, even from many processes), or create it first with saveObservations(path, [], header)",
        });
      }
      const data = Buffer.from(`${headerLine}\n${line}\n`, "utf8");
      const temp = writeTemp(path, data, sync);
      if (placeIfAbsent(temp, path, data, sync)) {
        if (sync) fsyncDirectory(nodePath.dirname(nodePath.resolve(path)));
        return;
      }
      continue; // another process created it first: append to its file
    }
    const { fd, size } = opened;
    try {
      const last = Buffer.alloc(1);
      fs.readSync(fd, last, 0, 1, size - 1);
      const prefix = last[0] !== NEWLINE ? "\n" : "";
      writeAll(fd, Buffer.from(`${prefix}${line}\n`, "utf8"));
      if (sync) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return;
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
  let fd: number;
  try {
    fd = fs.openSync(path, "r");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") {
      throw new ObservationError(`observations file not found: ${path}`, {
        value: path,
        fix: "check the path; files are created by saveObservations or appendObservation",
      });
    }
    throw error;
  }
  const decoder = new ObservationsDecoder(path);
  try {
    const chunk = Buffer.allocUnsafe(READ_CHUNK);
    // Bytes of the current line read so far (a line may span chunks; bytes split at a
    // chunk border are only decoded once the whole line is there).
    let pending: Buffer[] = [];
    let lineNo = 0;
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      let start = 0;
      for (;;) {
        const end = chunk.indexOf(NEWLINE, start);
        if (end < 0 || end >= n) break;
        lineNo++;
        const text =
          pending.length === 0
            ? chunk.toString("utf8", start, end)
            : Buffer.concat([...pending, chunk.subarray(start, end)]).toString("utf8");
        pending = [];
        decoder.line(text, lineNo, false);
        start = end + 1;
      }
      if (start < n) pending.push(Buffer.from(chunk.subarray(start, n)));
    }
    if (pending.length > 0) decoder.line(Buffer.concat(pending).toString("utf8"), lineNo + 1, true);
  } finally {
    fs.closeSync(fd);
  }
  return decoder.finish();
}

/** Bytes read per `read` call by `loadObservations`. */
const READ_CHUNK = 1 << 20;
