/**
 * One attempt of a trial as a child process.
 *
 * - The child is the leader of its own process group (`detached`), so ending a run ends
 *   everything it started (a training script's data-loader workers, `torchrun` ranks):
 *   the group gets SIGTERM, then SIGKILL after a grace period.
 * - Its stdout and stderr go straight to the run's log file (one file descriptor, append
 *   mode, so the two streams keep their order). The child never waits on the runner: a
 *   runner busy in a synchronous `suggest()` cannot stall it, and nothing is lost. The
 *   runner reads the file as it grows (every `pollMs`, and once more at exit) and parses
 *   METRIC / JSON lines from it.
 *
 * Node's own `child_process.spawn` does exactly this (a file descriptor as the child's
 * stdout/stderr, `detached` for a new process group); a wrapper such as execa adds
 * buffering, piping and transforms the runner must not use (they would route the output
 * through this process again), and its types refuse a plain file descriptor.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { spawn } from "node:child_process";
import { MetricReader, type Metrics } from "./metrics";

export interface LaunchOptions {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly logFile: string;
  /** Per-run time limit, seconds. */
  readonly timeout?: number;
  /** How often the log is read while the run is alive (ms). */
  readonly pollMs?: number;
  /** Grace between SIGTERM and SIGKILL (ms). */
  readonly killGraceMs?: number;
  /** Each output line's metrics, as they arrive. */
  readonly onMetrics?: (metrics: Metrics, reader: MetricReader) => void;
}

export interface RunOutcome {
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  /** Why the runner ended it (timeout, early stop, interrupt), when it did. */
  readonly killedBecause?: string;
  /** A spawn failure (e.g. "ENOENT: command not found"). */
  readonly spawnError?: string;
  readonly seconds: number;
  readonly reader: MetricReader;
}

/** Sends a signal to a whole process group; false when the group is gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** True while a process group still has a member. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class RunProcess {
  readonly pid: number | undefined;
  readonly startedAt: number;
  readonly reader: MetricReader;
  readonly done: Promise<RunOutcome>;
  private killedBecause: string | undefined;
  private killTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LaunchOptions) {
    this.startedAt = performance.now();
    const onMetrics = options.onMetrics;
    this.reader = new MetricReader(onMetrics ? (m) => onMetrics(m, this.reader) : undefined);
    const out = openSync(options.logFile, "a");
    const readFd = openSync(options.logFile, "r");
    const child = spawn(options.argv[0], options.argv.slice(1), {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      detached: true,
      stdio: ["ignore", out, out],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
      child.once("error", (error) => resolve({ code: null, signal: null, error }));
      child.once("exit", (code, signal) => resolve({ code, signal }));
    });
    closeSync(out);
    this.pid = child.pid;
    const decoder = new StringDecoder("utf8");
    const chunk = Buffer.allocUnsafe(64 * 1024);
    let offset = 0;
    const drain = () => {
      for (;;) {
        const n = readSync(readFd, chunk, 0, chunk.length, offset);
        if (n <= 0) break;
        offset += n;
        this.reader.feed(decoder.write(chunk.subarray(0, n)));
      }
    };
    const poll = setInterval(drain, options.pollMs ?? 100);
    let timeout: NodeJS.Timeout | undefined;
    if (options.timeout !== undefined) timeout = setTimeout(() => this.kill(`timeout after ${options.timeout} s`), options.timeout * 1000);
    this.done = exited.then((result) => {
      clearInterval(poll);
      if (timeout) clearTimeout(timeout);
      if (this.killTimer) clearTimeout(this.killTimer);
      drain();
      this.reader.feed(decoder.end());
      this.reader.end();
      closeSync(readFd);
      // Whatever the run left behind in its group goes with it.
      if (this.pid !== undefined) signalGroup(this.pid, "SIGKILL");
      const seconds = (performance.now() - this.startedAt) / 1000;
      const spawnError = result.error ? result.error.message : undefined;
      return {
        exitCode: result.code ?? undefined,
        signal: result.signal ?? undefined,
        ...(this.killedBecause !== undefined ? { killedBecause: this.killedBecause } : {}),
        ...(spawnError !== undefined ? { spawnError } : {}),
        seconds,
        reader: this.reader,
      };
    });
  }

  /** Seconds since launch. */
  get elapsed(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  /** Ends the run's process group: SIGTERM now, SIGKILL after the grace period. The first reason given is kept. */
  kill(reason: string, options: { immediate?: boolean } = {}): void {
    if (this.pid === undefined) return;
    this.killedBecause ??= reason;
    if (options.immediate) {
      signalGroup(this.pid, "SIGKILL");
      return;
    }
    signalGroup(this.pid, "SIGTERM");
    if (!this.killTimer) {
      const pid = this.pid;
      this.killTimer = setTimeout(() => signalGroup(pid, "SIGKILL"), this.options.killGraceMs ?? 5000);
      this.killTimer.unref();
    }
  }
}
