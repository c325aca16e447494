/**
 * A study worker as a real child process (conformance and fault tests, bench/study-*.ts):
 * asks for trials, optionally "runs" each for runMs with heartbeats, tells a score.
 * Argument: one JSON object (WorkerArgs). Prints one JSON line per step, so the parent
 * knows which trial it holds when it kills it.
 */
import { existsSync } from "node:fs";
import { Study, StudyError } from "../../src/study/index";
import { type WorkerArgs, objective } from "./helpers";

/** This attempt was reaped as stale (heartbeats paused, e.g. during a server restart) and another attempt ended the trial. */
const SUPERSEDED = /it is (finished|failed|stopped)/;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]) as WorkerArgs;
  const study = await Study.open({ storage: args.location, name: args.name, worker: args.worker });
  const out = (o: object): void => {
    process.stdout.write(`${JSON.stringify(o)}\n`);
  };
  // Time spent in suggest() itself, to tell the storage's share of an ask apart (bench/study-*.ts).
  let suggestMs = 0;
  const protein = study.protein;
  const suggest = protein.suggest.bind(protein);
  protein.suggest = (options) => {
    const t0 = performance.now();
    try {
      return suggest(options);
    } finally {
      suggestMs = performance.now() - t0;
    }
  };
  out({ ev: "ready" });
  for (let i = 0; i < args.trials; i++) {
    if (args.stopFile !== undefined && existsSync(args.stopFile)) break;
    if (args.untilFinished !== undefined && (await study.refresh()).filter((t) => t.state === "finished").length >= args.untilFinished) break;
    if (args.staleAfter !== undefined) await study.reapStale(args.staleAfter, { retries: args.retries ?? 0 });
    out({ ev: "asking" });
    suggestMs = 0;
    const t0 = performance.now();
    const trial = await study.ask();
    const askMs = performance.now() - t0;
    out({ ev: "asked", id: trial.id, attempt: trial.attempts, params: trial.params, phase: (trial.info as { phase?: string } | undefined)?.phase, askMs, suggestMs });
    let superseded = false;
    if (args.runMs) {
      const end = Date.now() + args.runMs;
      while (Date.now() < end && !superseded) {
        await sleep(Math.min(args.heartbeatMs ?? args.runMs, end - Date.now()));
        if (Date.now() >= end) break;
        try {
          await study.heartbeat(trial.id, { cost: 1 });
        } catch (error) {
          if (!(error instanceof StudyError && SUPERSEDED.test(error.message))) throw error;
          superseded = true;
        }
      }
    }
    if (superseded) {
      out({ ev: "late", id: trial.id });
      continue;
    }
    const score = objective(trial.params);
    out({ ev: "telling", id: trial.id });
    const t1 = performance.now();
    try {
      await study.tell(trial.id, score, 1 + Number((trial.params as { x: number }).x), { loss: -score });
    } catch (error) {
      // This attempt was reaped as stale (a heartbeat came too late) and another attempt finished the trial first.
      if (error instanceof StudyError && SUPERSEDED.test(error.message)) {
        out({ ev: "late", id: trial.id });
        continue;
      }
      throw error;
    }
    out({ ev: "told", id: trial.id, score, tellMs: performance.now() - t1 });
  }
  await study.close();
  out({ ev: "done" });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
