/**
 * Repeated configurations across worker processes (issue 11: no two trials with identical
 * params unless the space is exhausted). A 10 × 10 integer space, where Protein's candidates
 * round onto values already run, so a repeat that ask() did not redraw shows up within a run;
 * the continuous space of study-scale.ts repeats only at its bounds (rarely).
 *
 *   npx tsx bench/study-repeats.ts --backend journal|postgres [--runs 5] [--workers 8] [--trials 10]
 */
import { Study } from "../src/study/index";
import { startWorker } from "../test/study/helpers";
import { arg, locationFor } from "./study-common";

const backend = arg("backend", "journal");
const runs = Number(arg("runs", "5"));
const workers = Number(arg("workers", "8"));
const perWorker = Number(arg("trials", "10"));
const CONFIG = {
  sweep: {
    metric: "score",
    goal: "maximize",
    parameters: {
      x: { distribution: "int_uniform", min: 0, max: 9, mean: 5, scale: "auto" },
      y: { distribution: "int_uniform", min: 0, max: 9, mean: 5, scale: "auto" },
    },
  },
};
const SETTINGS = { numRandomSamples: 8, suggestionsPerPareto: 16, globalCandidates: 32, localSearch: false };

async function main(): Promise<void> {
  let trialsTotal = 0;
  let repeatsTotal = 0;
  let redrawnTotal = 0;
  let failedWorkers = 0;
  for (let r = 0; r < runs; r++) {
    const where = locationFor(backend);
    try {
      const study = await Study.create({ storage: where.location, name: "repeats", config: CONFIG, settings: { ...SETTINGS, seed: 1000 + r }, worker: "bench" });
      const procs = Array.from({ length: workers }, (_, i) => startWorker({ location: where.location, name: "repeats", trials: perWorker, worker: `w${i}` }));
      const exits = await Promise.all(procs.map((p) => p.exited));
      failedWorkers += exits.filter((e) => e.code !== 0).length;
      const trials = await study.refresh();
      const keys = trials.map((t) => JSON.stringify(t.params));
      const repeats = keys.length - new Set(keys).size;
      const redrawn = trials.filter((t) => (t.info as { redrawn?: number } | undefined)?.redrawn !== undefined).length;
      console.log(`run ${r + 1}: ${trials.length} trials, ${repeats} repeated params, ${redrawn} trials needed a redraw`);
      trialsTotal += trials.length;
      repeatsTotal += repeats;
      redrawnTotal += redrawn;
      await study.close();
    } finally {
      await where.cleanup();
    }
  }
  console.log(JSON.stringify({ backend, runs, workers, perWorker, space: 100, trials: trialsTotal, repeats: repeatsTotal, trialsRedrawn: redrawnTotal, failedWorkers }));
  if (repeatsTotal > 0 || failedWorkers > 0) process.exitCode = 1;
}

await main();
