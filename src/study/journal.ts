/**
 * The embedded backend: one study in one JSON-lines file (the CLI runner's journal).
 *
 * Line 1 is the header, every later line one TrialEvent; seq = the event's position (1-based,
 * the header not counted). Safe for many processes on one machine:
 * - two lock files (see lock.ts): `<journal>.lock`, the study lock of `withLock` (ask()
 *   reads, suggests and appends under it), and `<journal>.wlock`, the write lock, held
 *   briefly by every append and every `withWriteLock` section (results, heartbeats);
 * - one call's events are written as whole lines with a single write() on an O_APPEND
 *   descriptor and fsync'd before the call returns;
 * - a torn last line (a writer killed mid-write, a full disk) has no newline: readers
 *   ignore it, and the next writer, holding the lock, cuts it off before appending;
 * - reads are incremental: each storage object keeps the byte offset it has parsed up to
 *   and the events so far, and parses only what was appended since.
 * Locking relies on O_EXCL and pid checks, so the file must be on a local file system and
 * used from one machine; many machines use PostgreSQL.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { closeSync, constants, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, writeSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { StudyConflictError, StudyError } from "./errors";
import { diffHeaders, headerMismatch } from "./compare";
import { acquireFileLock, type FileLockOptions } from "./lock";
import { parseEvent, parseHeader, parseJsonLine } from "./schema";
import type { StoredEvent, StudyHeader, StudyStorage, TrialEvent } from "./types";

const NEWLINE = 0x0a;

export interface JournalOptions {
  lock?: FileLockOptions;
}

export class JournalStorage implements StudyStorage {
  readonly path: string;
  private readonly lockPath: string;
  private readonly writeLockPath: string;
  private readonly lockOptions: FileLockOptions;
  /** Marks async contexts that hold this storage's locks (withWriteLock → append must not take it again). */
  private readonly holdingStudy = new AsyncLocalStorage<boolean>();
  private readonly holdingWrite = new AsyncLocalStorage<boolean>();
  private header: StudyHeader | undefined;
  private readonly events: StoredEvent[] = [];
  private readonly createdIds = new Set<string>();
  /** Bytes parsed so far (always just after a newline, or 0). */
  private offset = 0;
  /** Lines parsed so far (for error messages). */
  private lines = 0;

  constructor(path: string, options: JournalOptions = {}) {
    this.path = resolve(path);
    this.lockPath = `${this.path}.lock`;
    this.writeLockPath = `${this.path}.wlock`;
    this.lockOptions = options.lock ?? {};
  }

  /** Reads what was appended since the last call. */
  private sync(): void {
    let fd: number;
    try {
      fd = openSync(this.path, constants.O_RDONLY);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        if (this.offset > 0) throw this.replaced();
        return;
      }
      throw error;
    }
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) throw this.replaced();
      if (size === this.offset) return;
      const buf = Buffer.allocUnsafe(size - this.offset);
      let got = 0;
      while (got < buf.length) {
        const n = readSync(fd, buf, got, buf.length - got, this.offset + got);
        if (n === 0) break;
        got += n;
      }
      const end = buf.lastIndexOf(NEWLINE, got - 1);
      if (end < 0) return; // only a torn (or still incomplete) line
      let start = 0;
      while (start <= end) {
        const nl = buf.indexOf(NEWLINE, start);
        const text = buf.toString("utf8", start, nl);
        this.take(text);
        this.offset += nl + 1 - start;
        start = nl + 1;
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Parses one complete line; advances the counters only when it is valid. */
  private take(text: string): void {
    const lineNo = this.lines + 1;
    const place = `${basename(this.path)} line ${lineNo}`;
    if (text.trim() === "") {
      this.lines = lineNo;
      return;
    }
    const raw = parseJsonLine(text, place);
    if (this.header === undefined) this.header = parseHeader(raw, place);
    else {
      const event = parseEvent(raw, place);
      this.events.push({ seq: this.events.length + 1, event });
      if (event.e === "created") this.createdIds.add(event.trial);
    }
    this.lines = lineNo;
  }

  private replaced(): StudyError {
    return new StudyError(`the journal ${this.path} was truncated or replaced while open`, {
      key: "journal",
      value: this.path,
      fix: "never edit or delete a journal that workers are using; restart the workers on the file you mean",
    });
  }

  private async locked<T>(kind: "study" | "write", fn: () => Promise<T> | T): Promise<T> {
    const als = kind === "study" ? this.holdingStudy : this.holdingWrite;
    if (als.getStore() === true) return fn();
    const release = await acquireFileLock(kind === "study" ? this.lockPath : this.writeLockPath, this.lockOptions);
    try {
      return await als.run(true, fn);
    } finally {
      release();
    }
  }

  private wrongStudy(name: string): StudyError {
    const here = this.header ? `the study "${this.header.name}"` : "no study yet";
    return new StudyError(`no study "${name}" in ${this.path} (it holds ${here})`, {
      key: "study",
      value: name,
      allowed: this.header ? `"${this.header.name}"` : "a study created first (Study.create / protein-sweep run)",
      fix: "one journal file holds one study: pass its name, or another journal path for another study",
    });
  }

  /** Writes whole lines with one write() on an O_APPEND descriptor, cutting a torn tail first; fsync'd. Write lock held. */
  private writeLines(lines: readonly string[]): void {
    const fd = openSync(this.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
    try {
      const size = fstatSync(fd).size;
      // Under the write lock, after sync(): whatever lies beyond the parsed offset is an incomplete line.
      if (size > this.offset) ftruncateSync(fd, this.offset);
      const buf = Buffer.from(lines.map((l) => `${l}\n`).join(""), "utf8");
      let written = 0;
      while (written < buf.length) written += writeSync(fd, buf, written, buf.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  async createStudy(header: StudyHeader): Promise<StudyHeader> {
    const given = parseHeader(JSON.parse(JSON.stringify(header)), "the new study's header");
    mkdirSync(dirname(this.path), { recursive: true });
    return this.locked("write", () => {
      this.sync();
      if (this.header !== undefined) {
        if (this.header.name !== given.name) {
          throw new StudyError(`${this.path} already holds the study "${this.header.name}"; one journal holds one study`, {
            key: "study",
            value: given.name,
            allowed: `"${this.header.name}"`,
            fix: "use another journal path for a new study, or the stored name to resume this one",
          });
        }
        const differences = diffHeaders(this.header, given);
        if (differences.length > 0) throw headerMismatch(given.name, differences);
        return structuredClone(this.header);
      }
      const isNew = this.offset === 0;
      this.writeLines([JSON.stringify(given)]);
      if (isNew) fsyncDir(dirname(this.path));
      this.sync();
      return structuredClone(this.header as unknown as StudyHeader);
    });
  }

  async getStudy(name: string): Promise<StudyHeader | undefined> {
    this.sync();
    return this.header?.name === name ? structuredClone(this.header) : undefined;
  }

  async listStudies(): Promise<string[]> {
    this.sync();
    return this.header ? [this.header.name] : [];
  }

  async append(name: string, events: readonly TrialEvent[]): Promise<number> {
    const lines = events.map((e, i) => {
      const text = JSON.stringify(e);
      parseEvent(JSON.parse(text), `event ${i + 1} to append`);
      return text;
    });
    return this.locked("write", () => {
      this.sync();
      if (this.header?.name !== name) throw this.wrongStudy(name);
      if (lines.length === 0) return this.events.length;
      for (const e of events) {
        if (e.e === "created" && this.createdIds.has(e.trial)) {
          throw new StudyConflictError(`study "${name}": the trial "${e.trial}" was already created by another worker; nothing was written`, {
            key: "trial",
            value: e.trial,
            fix: "ask() again: it rereads the study",
          });
        }
      }
      this.writeLines(lines);
      this.sync();
      return this.events.length;
    });
  }

  async read(name: string, after: number): Promise<StoredEvent[]> {
    this.sync();
    if (this.header?.name !== name) throw this.wrongStudy(name);
    return this.events.slice(Math.max(0, after));
  }

  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.locked("study", async () => {
      this.sync();
      if (this.header?.name !== name) throw this.wrongStudy(name);
      return fn();
    });
  }

  async withWriteLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.locked("write", async () => {
      this.sync();
      if (this.header?.name !== name) throw this.wrongStudy(name);
      return fn();
    });
  }

  async close(): Promise<void> {
    // Nothing is held open between calls.
  }
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY);
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the file itself is fsync'd.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
