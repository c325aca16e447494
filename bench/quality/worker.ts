/**
 * Worker process of the quality runner: receives tasks over IPC, runs each with
 * `runTask`, and replies with the record or the error message. Started by `runSuite`.
 */

import { runTask, type WorkerReply, type WorkerRequest } from "./core";

process.on("message", (message: WorkerRequest) => {
  if (message.type !== "task") return;
  runTask(message.task).then(
    (record) => send({ type: "result", index: message.index, record }),
    (error: unknown) =>
      send({
        type: "error",
        index: message.index,
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
  );
});

function send(reply: WorkerReply): void {
  process.send?.(reply);
}
