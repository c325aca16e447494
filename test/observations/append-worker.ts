/**
 * A child process for the multi-process append test (not a test file itself).
 * On each message { path, worker, count, startAt } it waits until `startAt` (so all
 * workers start together), appends `count` records to `path` with a header, and
 * replies { done: worker } — or { error } with the message when an append throws.
 */
import { appendObservation, createObservationsHeader } from "../../src/observations";

interface Job {
  path: string;
  worker: number;
  count: number;
  startAt: number;
}

process.on("message", (job: Job) => {
  try {
    const header = createObservationsHeader({ config: { method: "protein" }, spaceFingerprint: "fp-race", metadata: { creator: job.worker } });
    while (Date.now() < job.startAt) {
      // spin: start at the same moment as the other workers
    }
    for (let i = 0; i < job.count; i++) {
      appendObservation(
        job.path,
        { params: { worker: job.worker, i }, score: i, cost: 1, isFailure: false, timestamp: new Date().toISOString() },
        { header },
      );
    }
    process.send!({ done: job.worker });
  } catch (error) {
    process.send!({ error: String((error as Error).stack ?? error) });
  }
});
