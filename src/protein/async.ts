/**
 * `Protein.suggestAsync()`: the suggestion is computed on a worker thread (node:worker_threads)
 * so the calling thread's event loop keeps running. The worker restores the sweep from a
 * snapshot, suggests and returns the suggestion with the sweep's new state; Protein imports
 * that state and registers the suggestion as pending, which leaves it exactly where `suggest()`
 * would have (same suggestion, same counters, generator and model warm starts).
 *
 * One worker thread serves every Protein of the process. It is started on the first call (the
 * module is loaded lazily, so `import { Protein }` pulls in no worker code) and does not keep the
 * process alive while idle. Its entry file lies next to this module: `suggest-worker.js` /
 * `.cjs` in the built package; from the TypeScript sources (tests, tsx) `suggest-worker.ts`,
 * loaded through tsx.
 */
import type { Worker } from "node:worker_threads";
import { ProteinError } from "../errors";

/**
 * What the calling thread posts: a sweep snapshot and the options. The worker keeps the
 * observation lists of recent sweeps (`session`), so a call sends only the observations
 * appended since the previous one (`append`); anything else (the first call, a forget, an
 * amend, a prior loaded, the worker lost the session) sends the whole lists.
 */
export interface SuggestRequest {
  id: number;
  session: number;
  /** true: `snapshot.observations` / `snapshot.prior` are appended to the session's lists; false: they replace them. */
  append: boolean;
  snapshot: { observations: unknown[]; prior: unknown[] } & Record<string, unknown>;
  options: { fixedCost?: number };
}

/** What the worker posts back (`resync`: it holds no lists for that session; send them whole). */
export type SuggestReply =
  | { id: number; ok: true; suggestion: { id: string; params: Record<string, unknown>; info: unknown }; state: unknown }
  | { id: number; ok: false; resync: true }
  | { id: number; ok: false; resync?: false; error: { name: string; message: string; stack: string } };

interface Waiting {
  resolve: (reply: SuggestReply) => void;
  reject: (error: Error) => void;
}

let worker: Worker | null = null;
let starting: Promise<Worker> | null = null;
let nextRequest = 1;
const waiting = new Map<number, Waiting>();

/** The worker's entry file and the Node options it needs, resolved relative to this module. */
export function workerEntry(moduleUrl: string): { url: URL; typescript: boolean } {
  const ext = moduleUrl.endsWith(".cjs") ? ".cjs" : moduleUrl.endsWith(".ts") || moduleUrl.endsWith(".mts") ? ".ts" : ".js";
  return { url: new URL(`./suggest-worker${ext}`, moduleUrl), typescript: ext === ".ts" };
}

function failAll(error: Error): void {
  for (const w of waiting.values()) w.reject(error);
  waiting.clear();
  worker = null;
  starting = null;
}

async function getWorker(): Promise<Worker> {
  if (worker !== null) return worker;
  starting ??= (async () => {
    const { Worker: WorkerClass } = await import("node:worker_threads");
    const { url, typescript } = workerEntry(import.meta.url);
    // From the sources the entry is TypeScript: the worker registers tsx (a dev dependency) first.
    const w = typescript
      ? new WorkerClass(`import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`, { eval: true })
      : new WorkerClass(url);
    w.on("message", (reply: SuggestReply) => {
      const entry = waiting.get(reply.id);
      if (entry === undefined) return;
      waiting.delete(reply.id);
      if (waiting.size === 0) w.unref();
      entry.resolve(reply);
    });
    w.on("error", (error: Error) => failAll(new ProteinError(`suggestAsync: the worker thread failed: ${error.message}`, { fix: "see the cause; suggest() runs the same work on this thread" }, { cause: error })));
    w.on("exit", (code) => {
      if (worker === w) failAll(new ProteinError(`suggestAsync: the worker thread exited (code ${code})`, { fix: "call suggestAsync again (a new worker starts), or use suggest()" }));
    });
    w.unref();
    worker = w;
    return w;
  })();
  return starting;
}

/** What the worker holds of a sweep's observation lists (the record objects it was sent, in order). */
interface Sent {
  session: number;
  observations: unknown[];
  prior: unknown[];
}
const sent = new WeakMap<object, Sent>();
let nextSession = 1;

/** Whether `next` starts with exactly the objects of `prev`, in order. */
function extendsList(prev: readonly unknown[], next: readonly unknown[]): boolean {
  if (next.length < prev.length) return false;
  for (let i = 0; i < prev.length; i++) if (prev[i] !== next[i]) return false;
  return true;
}

/**
 * Runs one suggestion on the worker thread. `snapshot` is the sweep's snapshot content, not
 * copied (its observation lists are the live ones; they are not kept), `owner` the sweep.
 */
export async function suggestOnWorker(
  owner: object,
  snapshot: { observations: readonly unknown[]; prior: readonly unknown[] } & object,
  options: { fixedCost?: number },
): Promise<Extract<SuggestReply, { ok: true }>> {
  const w = await getWorker();
  let full = false;
  for (;;) {
    const before = sent.get(owner);
    const append = !full && before !== undefined && extendsList(before.observations, snapshot.observations) && extendsList(before.prior, snapshot.prior);
    const session = append ? before.session : (before?.session ?? nextSession++);
    const message: SuggestRequest = {
      id: nextRequest++,
      session,
      append,
      snapshot: {
        ...snapshot,
        observations: append ? snapshot.observations.slice(before.observations.length) : [...snapshot.observations],
        prior: append ? snapshot.prior.slice(before.prior.length) : [...snapshot.prior],
      },
      options,
    };
    sent.set(owner, { session, observations: [...snapshot.observations], prior: [...snapshot.prior] });
    const reply = await new Promise<SuggestReply>((resolve, reject) => {
      waiting.set(message.id, { resolve, reject });
      w.ref();
      w.postMessage(message);
    });
    if (reply.ok) return reply;
    if (reply.resync === true && !full) {
      full = true;
      continue;
    }
    sent.delete(owner);
    const error = reply.resync === true ? { name: "Error", message: "the worker lost the sweep's observations twice" } : reply.error;
    throw new ProteinError(`suggestAsync: the suggestion failed on the worker thread: ${error.name}: ${error.message}`, {
      fix: "the same call to suggest() raises the same error on this thread, with its stack",
    });
  }
}

/** Stops the shared worker thread (tests; a process exits without it). The next call starts a new one. */
export async function stopSuggestWorker(): Promise<void> {
  const w = worker;
  worker = null;
  starting = null;
  if (w !== null) await w.terminate();
  for (const entry of waiting.values()) entry.reject(new ProteinError("suggestAsync: the worker thread was stopped", { fix: "call suggestAsync again (a new worker starts)" }));
  waiting.clear();
}
