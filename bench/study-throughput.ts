/**
 * Throughput and latency of a shared study (issue 11 acceptance), on each backend:
 *
 * A. ask() + tell() per second with 1, 4 and 16 worker processes and a no-op objective,
 *    n up to `--trials` (default 1000) trials; p50/p95 ask() latency as the workers saw it
 *    (lock waits included). The suggester stays in its random phase (numRandomSamples above
 *    the trial count), so the numbers are the study's cost, not the GP's.
 * B. The storage overhead of an ask beyond suggest() itself at n = 1000: a study prefilled
 *    with 1000 finished trials, then one worker asks `--asks` times with model-phase
 *    suggestions; overhead = ask() wall time − suggest() wall time (lock, reading and
 *    replaying events, state export, append + fsync/commit).
 *
 *   npx tsx bench/study-throughput.ts [--backends journal,postgres] [--workers 1,4,16] [--trials 1000] [--asks 40]
 */
import { cpus, loadavg } from "node:os";
import { Study } from "../src/study/index";
import { createRng } from "../src/random";
import { CONFIG, startWorker } from "../test/study/helpers";
import { arg, fmt, locationFor, quantileOf } from "./study-common";

const backends = arg("backends", "journal,postgres").split(",");
const workerCounts = arg("workers", "1,4,16").split(",").map(Number);
const total = Number(arg("trials", "1000"));
const asks = Number(arg("asks", "40"));
const prefill = Number(arg("prefill", "1000"));

async function throughput(backend: string, workers: number): Promise<string> {
  const where = locationFor(backend);
  try {
    const study = await Study.create({ storage: where.location, name: "tp", config: CONFIG, settings: { numRandomSamples: total * 10, seed: 1 }, worker: "bench" });
    const per = Math.ceil(total / workers);
    const procs = Array.from({ length: workers }, (_, i) => startWorker({ location: where.location, name: "tp", trials: per, worker: `w${i}` }));
    // Time from the moment every worker has opened the study (process start-up excluded).
    await Promise.all(procs.map((p) => p.waitFor((l) => l.ev === "ready")));
    const t0 = performance.now();
    const exits = await Promise.all(procs.map((p) => p.exited));
    const seconds = (performance.now() - t0) / 1000;
    if (exits.some((e) => e.code !== 0)) throw new Error(exits.map((e) => e.stderr).join("\n"));
    const trials = await study.refresh();
    await study.close();
    const ask = procs.flatMap((p) => p.lines.filter((l) => l.ev === "asked").map((l) => l.askMs as number));
    const tell = procs.flatMap((p) => p.lines.filter((l) => l.ev === "told").map((l) => l.tellMs as number));
    const finished = trials.filter((t) => t.state === "finished").length;
    return `| ${backend} | ${workers} | ${finished} | ${fmt(seconds, 1)} | ${fmt(finished / seconds, 0)} | ${fmt(quantileOf(ask, 0.5))} | ${fmt(quantileOf(ask, 0.95))} | ${fmt(quantileOf(tell, 0.5))} | ${fmt(quantileOf(tell, 0.95))} |`;
  } finally {
    await where.cleanup();
  }
}

async function overhead(backend: string): Promise<string> {
  const where = locationFor(backend);
  try {
    const settings = { numRandomSamples: 10, seed: 2, gpMaxObs: 200, suggestionsPerPareto: 16, globalCandidates: 64, localSearch: false };
    const study = await Study.create({ storage: where.location, name: "oh", config: CONFIG, settings, worker: "prefill" });
    const rng = createRng(9);
    for (let i = 0; i < prefill; i++) {
      const t = await study.ask({ params: { x: rng.random(), y: rng.random() } });
      const p = t.params as { x: number; y: number };
      await study.tell(t.id, -((p.x - 0.3) ** 2) - (p.y - 0.6) ** 2, 1 + p.x);
    }
    await study.close();
    const w = startWorker({ location: where.location, name: "oh", trials: asks, worker: "w0" });
    const exit = await w.exited;
    if (exit.code !== 0) throw new Error(exit.stderr);
    const asked = w.lines.filter((l) => l.ev === "asked");
    const ask = asked.map((l) => l.askMs as number);
    const suggest = asked.map((l) => l.suggestMs as number);
    const over = asked.map((l) => (l.askMs as number) - (l.suggestMs as number));
    const tell = w.lines.filter((l) => l.ev === "told").map((l) => l.tellMs as number);
    return `| ${backend} | ${prefill}–${prefill + asks} | ${asks} | ${fmt(quantileOf(suggest, 0.5))} | ${fmt(quantileOf(ask, 0.5))} | ${fmt(quantileOf(over, 0.5))} | ${fmt(quantileOf(over, 0.95))} | ${fmt(Math.max(...over))} | ${fmt(quantileOf(tell, 0.5))} | ${fmt(quantileOf(tell, 0.95))} |`;
  } finally {
    await where.cleanup();
  }
}

async function main(): Promise<void> {
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, Node ${process.version}, load average at start ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  console.log("\nA. ask()+tell() throughput (no-op objective, random-phase suggestions)\n");
  console.log("| backend | workers | trials | seconds | trials/s | ask p50 ms | ask p95 ms | tell p50 ms | tell p95 ms |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const backend of backends) for (const w of workerCounts) console.log(await throughput(backend, w));
  console.log(`\nB. storage overhead of ask() beyond suggest() at n = ${prefill} (one worker, model-phase suggestions)\n`);
  console.log("| backend | n | asks | suggest p50 ms | ask p50 ms | overhead p50 ms | overhead p95 ms | overhead max ms | tell p50 ms | tell p95 ms |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const backend of backends) console.log(await overhead(backend));
  console.log(`\nload average at end ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
}

await main();
