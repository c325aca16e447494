/**
 * The candidate search with and without the variance pruning (variances solved only for the candidates whose
 * rating bound can reach the top 8), from the same restored sweep, in one process: CPU time per suggest()
 * (user + system, less sensitive to other processes than wall time), the share of candidates whose variance
 * was solved, and a check that both give the same suggestions.
 *
 *   npx tsx bench/variance-pruning.ts [--sizes 300,750,3000] [--steps 8]
 *
 * The steps start from a sweep restored at n observations, fitted once; the first call of each run refits
 * only when the schedule says so (the same in both runs).
 */
import { cpus, loadavg } from "node:os";
import { Protein } from "../src/protein";
import { setVariancePruning, variancePruningCount } from "../src/protein/candidate-search";
import { arg, d, evaluate, prepareSweep } from "./suggest-setup";

const sizes = arg("--sizes", "300,750,3000").split(",").map(Number);
const steps = Number(arg("--steps", "8"));

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;

process.stdout.write(
  `variance pruning: d = ${d} + cost; ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}\n\n| n | pruning | calls | p50 CPU ms | mean CPU ms | p50 CPU ms, logEI calls | p50 CPU ms, mean-only calls | variances solved | same suggestions | load |\n|---:|---|---:|---:|---:|---:|---:|---:|---|---:|\n`,
);
for (const n of sizes) {
  const snapshot = prepareSweep(n, {});
  const results: Record<string, string[]> = {};
  for (const on of [true, false]) {
    setVariancePruning(on);
    variancePruningCount(true);
    const protein = Protein.restore(snapshot);
    const cpu: number[] = [];
    const ei: number[] = [];
    const exploit: number[] = [];
    const params: string[] = [];
    for (let s = 0; s < steps; s++) {
      const c0 = process.cpuUsage();
      const sug = protein.suggest();
      const c = process.cpuUsage(c0);
      const ms = (c.user + c.system) / 1000;
      cpu.push(ms);
      (sug.info.acquisition === "protein" ? exploit : ei).push(ms);
      params.push(JSON.stringify(sug.params));
      const { score, cost } = evaluate(sug.params);
      protein.observe(sug.params, score, cost);
    }
    results[String(on)] = params;
    const count = variancePruningCount(true);
    const same = on ? "—" : JSON.stringify(results.true) === JSON.stringify(params) ? "yes" : "NO";
    process.stdout.write(
      `| ${n} | ${on ? "on" : "off"} | ${steps} | ${median(cpu).toFixed(0)} | ${mean(cpu).toFixed(0)} | ${ei.length ? median(ei).toFixed(0) : "—"} | ${exploit.length ? median(exploit).toFixed(0) : "—"} | ${count.solved} / ${count.rated} (${((100 * count.solved) / Math.max(1, count.rated)).toFixed(1)} %) | ${same} | ${loadavg()[0].toFixed(1)} |\n`,
    );
  }
}
setVariancePruning(true);
