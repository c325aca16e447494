/**
 * Runner overhead, measured on real child processes and the real journal:
 *
 * 1. time from a run's exit to the next launch (recording its result, asking for the next
 *    trial, writing its launch record, spawning), one run at a time with a no-op trainer —
 *    `random` (no suggest() at all) and `protein` (its ask() holds suggest(), reported apart);
 * 2. 32 concurrent no-op runs (each waits 500 ms) until 64 trials are done.
 *
 *   npx tsx bench/runner-overhead.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { Sweep } from "../src/runner/sweep";
import { parseSweepDocument } from "../src/runner/sweep-file";

const TRAINER = join(import.meta.dirname, "runner-noop.mjs");

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

async function sweep(run: Record<string, unknown>, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "protein-sweep-bench-"));
  try {
    const file = parseSweepDocument(
      { metric: "score", parameters: { x: { distribution: "uniform", min: 0, max: 1 }, y: { distribution: "log_normal", min: 1e-4, max: 1 } }, run: { command: [process.execPath, TRAINER], env, ...run } },
      join(dir, "sweep.yaml"),
    );
    const s = await Sweep.open({ file, outputDir: join(dir, "out") });
    const start = performance.now();
    const summary = await s.run();
    return { seconds: (performance.now() - start) / 1000, summary, overhead: s.overheadMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}`);
for (const method of ["random", "protein"]) {
  const r = await sweep({ method, max_trials: 60, max_concurrent: 1 });
  const total = r.overhead.map((o) => o.total);
  const withoutAsk = r.overhead.map((o) => o.total - o.ask);
  console.log(
    `${method.padEnd(8)} exit → next launch over ${total.length} gaps: median ${median(total).toFixed(1)} ms (p90 ${quantile(total, 0.9).toFixed(1)}), ` +
      `excluding ask()/suggest(): median ${median(withoutAsk).toFixed(1)} ms (p90 ${quantile(withoutAsk, 0.9).toFixed(1)})`,
  );
}
const c = await sweep({ method: "random", max_trials: 64, max_concurrent: 32 }, { SLEEP_MS: "500" });
console.log(`32 concurrent no-op runs (500 ms each), 64 trials: ${c.summary.counts.finished} finished, ${c.summary.counts.failed} failed, in ${c.seconds.toFixed(1)} s`);
