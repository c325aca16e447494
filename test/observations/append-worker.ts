/**
 * A child process for the multi-process append tests (not a test file itself).
 * On each message { path, worker, count, startAt, saveFirst } it waits until `startAt`
 * (so the workers start together), appends `count` records to `path` with a header, and
 * replies { done: worker, saved } — or { error } with the message when an append throws.
 * With `saveFirst` it first "starts" the file with saveObservations(path, [], header),
 * the per-worker pattern the guide once showed; `saved` tells whether that was refused.
 */
import { ObservationError } from "../../src/errors";
import { appendObservation, createObservationsHeader, saveObservations } from "../../src/observations";

interface Job {
  path: string;
  worker: number;
  count: number;
  startAt: number;
  saveFirst?: boolean;
}

process.on("message", (job: Job) => {
  try {
    const header = createObservationsHeader({ config: { method: "protein" }, spaceFingerprint: "fp-race", metadata: { creator: job.worker } });
    while (Date.now() < job.startAt) {
      // spin: start at the same moment as the other workers
    }
    let saved: boolean | undefined;
    if (job.saveFirst) {
      try {
        saveObservations(job.path, [], header, { fsync: false });
        saved = true;
      } catch (error) {
        if (!(error instanceof ObservationError) || !error.message.startsWith("refusing to replace")) throw error;
        saved = false;
      }
    }
    for (let i = 0; i < job.count; i++) {
      appendObservation(
        job.path,
        { params: { worker: job.worker, i }, score: i, cost: 1, isFailure: false, timestamp: new Date().toISOString() },
        { header },
      );
    }
    process.send!({ done: job.worker, saved });
  } catch (error) {
    process.send!({ error: String((error as Error).stack ?? error) });
  }
});
