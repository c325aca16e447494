/**
 * A study worker as a real child process (conformance and fault tests, bench/study-*.ts):
 * asks for trials, optionally "runs" each for runMs with heartbeats, tells a score.
 * Argument: one JSON object (WorkerArgs). Prints one JSON line per step, so the parent
 * knows which trial it holds when it kills it.
 */
import { Study } from "../../src/study/index";
import { objective } from "./helpers";

interface WorkerArgs {
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
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]) as WorkerArgs;
  const study = await Study.open({ storage: args.location, name: args.name, worker: args.worker });
  const out = (o: object): void => {
    process.stdout.write(`${JSON.stringify(o)}\n`);
  };
  out({ ev: "ready" });
  for (let i = 0; i < args.trials; i++) {
    if (args.untilFinished !== undefined && (await study.refresh()).filter((t) => t.state === "finished").length >= args.untilFinished) break;
    if (args.staleAfter !== undefined) await study.reapStale(args.staleAfter, { retries: args.retries ?? 0 });
    out({ ev: "asking" });
    const trial = await study.ask();
    out({ ev: "asked", id: trial.id, attempt: trial.attempts, params: trial.params, phase: (trial.info as { phase?: string } | undefined)?.phase });
    if (args.runMs) {
      const end = Date.now() + args.runMs;
      while (Date.now() < end) {
        await sleep(Math.min(args.heartbeatMs ?? args.runMs, end - Date.now()));
        if (Date.now() < end) await study.heartbeat(trial.id, { cost: 1 });
      }
    }
    const score = objective(trial.params);
    out({ ev: "telling", id: trial.id });
    await study.tell(trial.id, score, 1 + Number((trial.params as { x: number }).x), { loss: -score });
    out({ ev: "told", id: trial.id, score });
  }
  await study.close();
  out({ ev: "done" });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
