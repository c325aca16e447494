/**
 * 8 worker processes × 50 trials on one study (issue 11 acceptance): every finished trial
 * recorded exactly once, no two trials with identical params, the random phase exactly
 * numRandomSamples long for the whole study.
 *
 *   npx tsx bench/study-scale.ts --backend journal|postgres [--workers 8] [--trials 50]
 */
import { Study, openStorage } from "../src/study/index";
import { CONFIG, startWorker } from "../test/study/helpers";
import { arg, fmt, locationFor, quantileOf } from "./study-common";

const backend = arg("backend", "journal");
const workers = Number(arg("workers", "8"));
const perWorker = Number(arg("trials", "50"));
const SETTINGS = { numRandomSamples: 20, seed: 5, gpMaxObs: 100, suggestionsPerPareto: 16, globalCandidates: 64, localSearch: false };

async function main(): Promise<void> {
  const where = locationFor(backend);
  try {
    const study = await Study.create({ storage: where.location, name: "scale", config: CONFIG, settings: SETTINGS, worker: "bench" });
    const t0 = Date.now();
    const procs = Array.from({ length: workers }, (_, i) => startWorker({ location: where.location, name: "scale", trials: perWorker, worker: `w${i}` }));
    const exits = await Promise.all(procs.map((p) => p.exited));
    const wall = (Date.now() - t0) / 1000;
    const failedWorkers = exits.filter((e) => e.code !== 0);
    const trials = await study.refresh();
    const storage = await openStorage(where.location);
    const events = await storage.read("scale", 0);
    await storage.close();
    const finishedPerTrial = new Map<string, number>();
    for (const { event } of events) if (event.e === "finished") finishedPerTrial.set(event.trial, (finishedPerTrial.get(event.trial) ?? 0) + 1);
    const told = procs.flatMap((p) => p.lines.filter((l) => l.ev === "told").map((l) => l.id as string));
    const phases = trials.map((t) => (t.info as { phase?: string } | undefined)?.phase);
    const asks = procs.flatMap((p) => p.lines.filter((l) => l.ev === "asked"));
    const askMs = asks.map((l) => l.askMs ?? Number.NaN);
    const overheadMs = asks.map((l) => (l.askMs ?? 0) - (l.suggestMs ?? 0));
    const result = {
      backend,
      workers,
      perWorker,
      workersFailed: failedWorkers.length,
      stderr: failedWorkers.map((e) => e.stderr.slice(0, 500)),
      trials: trials.length,
      finished: trials.filter((t) => t.state === "finished").length,
      toldByWorkers: told.length,
      everyToldTrialFinishedOnce: told.every((id) => finishedPerTrial.get(id) === 1),
      trialsWithMoreThanOneFinished: [...finishedPerTrial.values()].filter((n) => n > 1).length,
      distinctParams: new Set(trials.map((t) => JSON.stringify(t.params))).size,
      duplicates: trials
        .filter((t, i) => trials.findIndex((u) => JSON.stringify(u.params) === JSON.stringify(t.params)) !== i)
        .map((t) => ({ id: t.id, params: t.params, info: t.info, first: trials.find((u) => JSON.stringify(u.params) === JSON.stringify(t.params))?.id })),
      randomPhase: phases.filter((p) => p === "random" || p === "center").length,
      numRandomSamples: SETTINGS.numRandomSamples,
      randomPhaseIsPrefix: phases.slice(0, SETTINGS.numRandomSamples).every((p) => p === "random" || p === "center"),
      wallSeconds: wall,
      trialsPerSecond: trials.length / wall,
      askMs: { p50: quantileOf(askMs, 0.5), p95: quantileOf(askMs, 0.95) },
      overheadMs: { p50: quantileOf(overheadMs, 0.5), p95: quantileOf(overheadMs, 0.95) },
    };
    await study.close();
    console.log(JSON.stringify(result, null, 2));
    const ok =
      result.workersFailed === 0 &&
      result.trials === workers * perWorker &&
      result.finished === result.trials &&
      result.everyToldTrialFinishedOnce &&
      result.toldByWorkers === result.trials &&
      result.trialsWithMoreThanOneFinished === 0 &&
      result.distinctParams === result.trials &&
      result.randomPhase === SETTINGS.numRandomSamples &&
      result.randomPhaseIsPrefix;
    console.log(`${ok ? "PASS" : "FAIL"} ${backend}: ${result.trials} trials by ${workers} workers in ${fmt(wall)} s (${fmt(result.trialsPerSecond, 2)}/s), ask p50 ${fmt(result.askMs.p50)} ms p95 ${fmt(result.askMs.p95)} ms`);
    if (!ok) process.exitCode = 1;
  } finally {
    await where.cleanup();
  }
}

await main();
