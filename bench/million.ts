/**
 * 1,000,000 prior observations: loadPrior, then one suggest() (and one shouldStop()), with the
 * default settings. Prints the time of each step and the peak resident set size.
 *
 *   npx tsx bench/million.ts [--n 1000000]
 *
 * The observations are made in memory (no file), on a 4-parameter space with a cost
 * parameter: x, y uniform, lr log_normal, steps log_normal (the cost). Peak RSS is
 * process.resourceUsage().maxRSS (the kernel's high-water mark, KiB).
 */
import { cpus } from "node:os";
import { Protein } from "../src/protein";
import type { Observation } from "../src/observations/record";

const arg = process.argv.indexOf("--n");
const n = arg > 0 ? Number(process.argv[arg + 1]) : 1_000_000;

const config = {
  sweep: {
    metric: "score",
    goal: "maximize",
    parameters: {
      x: { distribution: "uniform", min: 0, max: 1 },
      y: { distribution: "uniform", min: -1, max: 1 },
      lr: { distribution: "log_normal", min: 1e-5, max: 1e-1, mean: 1e-3, scale: "auto" },
      train: { total_timesteps: { distribution: "log_normal", min: 1e5, max: 1e8, mean: 1e6, scale: "auto" } },
    },
  },
};

function mib(kib: number): string {
  return `${(kib / 1024).toFixed(0)} MiB`;
}
function time<T>(label: string, f: () => T): T {
  const t0 = performance.now();
  const out = f();
  console.log(`${label}: ${((performance.now() - t0) / 1000).toFixed(2)} s (peak RSS so far ${mib(process.resourceUsage().maxRSS)})`);
  return out;
}

console.log(`n = ${n}, node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "?"}`);
const prior = time("make observations", () => {
  const out: Observation[] = new Array(n);
  const golden = 0.6180339887498949;
  for (let i = 0; i < n; i++) {
    const x = (i * golden) % 1;
    const y = ((i * golden * golden) % 1) * 2 - 1;
    const lr = 10 ** (-5 + 4 * ((i * 0.7548776662) % 1));
    const steps = 10 ** (5 + 3 * ((i * 0.5698402910) % 1));
    const score = -((x - 0.3) ** 2) - (y + 0.2) ** 2 - (Math.log10(lr) + 3) ** 2 + 0.1 * Math.log10(steps);
    out[i] = { params: { x, y, lr, train: { total_timesteps: steps } }, score, cost: steps / 1e4, isFailure: false, timestamp: "2026-01-01T00:00:00.000Z" };
  }
  return out;
});
const protein = new Protein(config, { seed: 1 });
const report = time("loadPrior", () => protein.loadPrior(prior));
console.log(`  loaded ${report.loaded} of ${report.given}`);
const s = time("suggest (model phase, first fit)", () => protein.suggest());
console.log(`  phase ${s.info.phase}, params ${JSON.stringify(s.params)}`);
time("shouldStop", () => protein.shouldStop(-1, 500));
console.log(`peak RSS: ${mib(process.resourceUsage().maxRSS)}`);
