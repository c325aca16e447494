/**
 * One sweep step of a GP with its hyperparameters kept: setData with one more row, then the LML
 * (which factors K) — as the default's non-refitting suggest() does for each of its two GPs — with
 * the factor's rows kept from the previous step (the GP as a sweep holds it) against a GP that
 * factors from scratch (a fresh one, same hyperparameters). Same data, alternating, one run.
 *
 *   npx tsx bench/gp-step.ts [--sizes 750,1500,3000] [--steps 8]
 */
import { cpus, loadavg } from "node:os";
import { GaussianProcess } from "../src/gp/index";
import { createRng } from "../src/random/index";
import { smoothProblem } from "./gp-problem";
import { arg } from "./suggest-setup";

const d = 11;
const steps = Number(arg("--steps", "8"));
process.stdout.write(`GP step (setData n + 1 rows, then factor), d = ${d}, Matérn 3/2 + linear; ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}\n\n`);
process.stdout.write("| n | kept rows: median ms | from scratch: median ms | ratio | load |\n|---:|---:|---:|---:|---:|\n");
for (const n of arg("--sizes", "750,1500,3000").split(",").map(Number)) {
  const { X, y } = smoothProblem(n + steps, d, 4, createRng(5));
  const make = (): GaussianProcess => new GaussianProcess({ dim: d, kernel: "matern32", linear: true, normalizeY: "none" });
  const kept = make();
  kept.setData(X.subarray(0, n * d), y.subarray(0, n));
  kept.logMarginalLikelihood();
  const theta = kept.getLogParams();
  const a: number[] = [];
  const b: number[] = [];
  for (let s = 1; s <= steps; s++) {
    const m = n + s;
    let t0 = performance.now();
    kept.setData(X.subarray(0, m * d), y.subarray(0, m));
    const l1 = kept.logMarginalLikelihood();
    a.push(performance.now() - t0);
    const fresh = make();
    fresh.setLogParams(theta);
    t0 = performance.now();
    fresh.setData(X.subarray(0, m * d), y.subarray(0, m));
    const l2 = fresh.logMarginalLikelihood();
    b.push(performance.now() - t0);
    if (l1 !== l2) throw new Error(`the kept factor's LML ${l1} differs from the fresh one's ${l2}`);
  }
  const med = (v: number[]): number => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)];
  process.stdout.write(`| ${n} | ${med(a).toFixed(1)} | ${med(b).toFixed(1)} | ${(med(b) / med(a)).toFixed(1)}× | ${loadavg()[0].toFixed(1)} |\n`);
}
