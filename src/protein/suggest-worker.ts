/**
 * Worker-thread entry of `Protein.suggestAsync()` (src/protein/async.ts starts it). Each message
 * holds a snapshot of the sweep and the suggest options; the worker restores the sweep, suggests
 * once and posts back the suggestion and the sweep's new counters, generator and model state
 * (`exportState()`), which the calling thread imports. A restored sweep suggests exactly what the
 * uninterrupted one would, so the answer is the one `suggest()` would have given on that thread.
 */
import { parentPort } from "node:worker_threads";
import { Protein, type ProteinSnapshot, type SuggestOptions } from "../protein";
import type { SuggestRequest, SuggestReply } from "./async";

if (parentPort === null) throw new Error("suggest-worker: start this file with new Worker(...), not directly");
const port = parentPort;

/** Observation lists of the most recent sweeps, by session (the oldest is dropped beyond SESSIONS). */
const SESSIONS = 16;
const sessions = new Map<number, { observations: unknown[]; prior: unknown[] }>();

port.on("message", (request: SuggestRequest) => {
  let reply: SuggestReply;
  try {
    let lists = sessions.get(request.session);
    if (request.append && lists === undefined) {
      port.postMessage({ id: request.id, ok: false, resync: true } satisfies SuggestReply);
      return;
    }
    if (request.append && lists !== undefined) {
      for (const r of request.snapshot.observations) lists.observations.push(r);
      for (const r of request.snapshot.prior) lists.prior.push(r);
    } else {
      lists = { observations: request.snapshot.observations, prior: request.snapshot.prior };
    }
    sessions.delete(request.session);
    sessions.set(request.session, lists);
    if (sessions.size > SESSIONS) sessions.delete(sessions.keys().next().value as number);
    const snapshot = { ...request.snapshot, observations: lists.observations, prior: lists.prior } as unknown as ProteinSnapshot;
    const protein = Protein.restore(snapshot);
    const suggestion = protein.suggest(request.options as SuggestOptions);
    reply = { id: request.id, ok: true, suggestion, state: protein.exportState() };
  } catch (error) {
    sessions.delete(request.session);
    const e = error instanceof Error ? error : new Error(String(error));
    reply = { id: request.id, ok: false, error: { name: e.name, message: e.message, stack: e.stack ?? "" } };
  }
  port.postMessage(reply);
});
