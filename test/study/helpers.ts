/** Shared pieces of the study tests: a small sweep, its objective, real worker processes. */
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const HERE = dirname(fileURLToPath(import.meta.url));
export const WORKER = join(HERE, "worker.ts");

/** Two continuous parameters (Metta/Protein layout), maximize. */
export const CONFIG = {
  sweep: {
    metric: "score",
    goal: "maximize",
    parameters: {
      x: { distribution: "uniform", min: 0, max: 1, mean: 0.5, scale: "auto" },
      y: { distribution: "uniform", min: 0, max: 1, mean: 0.5, scale: "auto" },
    },
  },
};

/** Cheap settings so model suggestions stay fast in tests. */
export const SETTINGS = { numRandomSamples: 6, seed: 11, suggestionsPerPareto: 16, globalCandidates: 32 };

export function objective(params: Record<string, unknown>): number {
  const x = Number(params.x);
  const y = Number(params.y);
  return -((x - 0.3) ** 2) - (y - 0.6) ** 2;
}

export interface WorkerLine {
  ev: "ready" | "asking" | "asked" | "telling" | "told" | "late" | "done";
  id?: string;
  attempt?: number;
  params?: Record<string, unknown>;
  phase?: string;
  score?: number;
  askMs?: number;
  suggestMs?: number;
  tellMs?: number;
}

export interface RunningWorker {
  child: ChildProcess;
  lines: WorkerLine[];
  /** Resolves with the exit code (null when killed) and stderr. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  /** Resolves when a line matching `pred` has been printed (or rejects when the worker exits first). */
  waitFor(pred: (line: WorkerLine) => boolean): Promise<WorkerLine>;
}

/** What test/study/worker.ts takes, as one JSON argument. */
export interface WorkerArgs {
  location: string;
  name: string;
  trials: number;
  worker: string;
  /** Time each trial "runs" before tell (ms). */
  runMs?: number;
  heartbeatMs?: number;
  /** Reap trials stale for this many seconds before each ask. */
  staleAfter?: number;
  retries?: number;
  /** Stop once the study holds this many finished trials. */
  untilFinished?: number;
  /** Stop (after the current trial) once this file exists. */
  stopFile?: string;
}

/** Starts test/study/worker.ts as a child process (node --import tsx). */
export function startWorker(args: WorkerArgs): RunningWorker {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER, JSON.stringify(args)], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: WorkerLine[] = [];
  const waiters: Array<{ pred: (l: WorkerLine) => boolean; resolve: (l: WorkerLine) => void; reject: (e: Error) => void }> = [];
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout! }).on("line", (text) => {
    const line = JSON.parse(text) as WorkerLine;
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.pred(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.on("exit", (code, signal) => {
      // Let the last stdout lines drain first.
      setImmediate(() => {
        for (const w of waiters.splice(0)) w.reject(new Error(`worker ${args.worker} exited (${code ?? signal}) before the awaited line; stderr:\n${stderr}`));
        resolve({ code, signal, stderr });
      });
    });
  });
  return {
    child,
    lines,
    exited,
    waitFor(pred) {
      const seen = lines.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => waiters.push({ pred, resolve, reject }));
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
