/**
 * An exclusive lock between processes on one machine: a lock file created with O_EXCL.
 *
 * The file holds who took it (pid, hostname, time, a token). A waiter polls with a short,
 * growing, jittered delay. A lock whose holder is a dead process of this host is broken at
 * once (kill -9 of a worker never blocks the others); a lock of another host, or one older
 * than `staleMs`, is broken by age. Breaking checks that the file is still the one that was
 * inspected (same inode) right before unlinking it, so a waiter never removes a lock that a
 * third process has just taken after an earlier break.
 */
import { closeSync, fstatSync, openSync, readFileSync, statSync, unlinkSync, writeSync, constants } from "node:fs";
import { hostname } from "node:os";
import { createRng, type Rng } from "../random";

export interface FileLockOptions {
  /** A lock older than this is broken even if its holder may be alive (another host, pid reuse). @default 120000 */
  staleMs?: number;
  /** A lock file still empty after this long (its creator died before writing) is broken. @default 5000 */
  emptyStaleMs?: number;
}

interface Holder {
  pid: number;
  host: string;
  time: number;
  token: string;
}

const HOST = hostname();
let tokenCounter = 0;
let jitter: Rng | undefined;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether a process of this host is alive (EPERM: it exists but is someone else's). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function tryCreate(path: string, holder: Holder): boolean {
  let fd: number;
  try {
    fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(holder));
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Inspects the current lock file; breaks it when its holder is gone. Returns true if it was broken (or vanished). */
function breakIfStale(path: string, options: Required<FileLockOptions>): boolean {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw error;
  }
  let ino: number;
  let mtimeMs: number;
  let text: string;
  try {
    const st = fstatSync(fd);
    ino = st.ino;
    mtimeMs = st.mtimeMs;
    text = readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
  let holder: Partial<Holder> | undefined;
  try {
    holder = JSON.parse(text) as Partial<Holder>;
  } catch {
    holder = undefined;
  }
  const now = Date.now();
  let stale: boolean;
  if (holder === undefined || typeof holder.pid !== "number") stale = now - mtimeMs > options.emptyStaleMs;
  else if (holder.host === HOST && !pidAlive(holder.pid)) stale = true;
  else stale = now - (typeof holder.time === "number" ? holder.time : mtimeMs) > options.staleMs;
  if (!stale) return false;
  try {
    if (statSync(path).ino !== ino) return true; // already replaced: look again
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  return true;
}

/** Takes the lock at `path`; resolves to a release function. */
export async function acquireFileLock(path: string, options: FileLockOptions = {}): Promise<() => void> {
  const opts: Required<FileLockOptions> = { staleMs: options.staleMs ?? 120_000, emptyStaleMs: options.emptyStaleMs ?? 5_000 };
  const holder: Holder = { pid: process.pid, host: HOST, time: Date.now(), token: `${process.pid}-${Date.now()}-${++tokenCounter}` };
  let delay = 1;
  for (;;) {
    holder.time = Date.now();
    if (tryCreate(path, holder)) break;
    if (breakIfStale(path, opts)) continue;
    jitter ??= createRng(process.pid);
    await sleep(delay * (0.5 + jitter.random()));
    delay = Math.min(delay * 2, 20);
  }
  return () => {
    try {
      const current = JSON.parse(readFileSync(path, "utf8")) as Partial<Holder>;
      if (current.token === holder.token) unlinkSync(path);
    } catch {
      // Gone or replaced: the lock was broken as stale; nothing of ours to remove.
    }
  };
}
