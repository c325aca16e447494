/**
 * One sweep step at n observations, for `node --cpu-prof`: restores a sweep at n (both GPs fitted),
 * then runs `--steps` suggest → observe steps (the first one forced to refit when `--refit` is given).
 *
 *   npx tsx bench/suggest-profile.ts --n 750 --steps 3 [--refit] [--out /tmp/suggest-750.cpuprofile] [--settings '{"candidateScaleRows":0}']
 *
 * Only the timed steps are profiled (node:inspector's CPU profiler, the same data as `node --cpu-prof`),
 * not the preparation of the sweep; open the .cpuprofile in Chrome DevTools or summarize it with
 * `node tools/cpuprofile-summary.cjs FILE`.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { Protein } from "../src/protein";
import { prepareSweep, evaluate, arg } from "./suggest-setup";

const n = Number(arg("--n", "750"));
const steps = Number(arg("--steps", "3"));
const snapshot = prepareSweep(n, JSON.parse(arg("--settings", "{}")));
if (process.argv.includes("--refit")) snapshot.gp.lastFitSize.score = snapshot.gp.lastFitSize.cost = 1;
const protein = Protein.restore(snapshot);
const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 500 });
await session.post("Profiler.start");
for (let s = 0; s < steps; s++) {
  const t0 = performance.now();
  const { params, info } = protein.suggest();
  process.stdout.write(`n=${n} step ${s}: ${(performance.now() - t0).toFixed(0)} ms, refit ${info.scoreModel?.refitted}, candidates ${info.candidates}\n`);
  const { score, cost } = evaluate(params);
  protein.observe(params, score, cost);
}
const { profile } = await session.post("Profiler.stop");
const out = arg("--out", `/tmp/suggest-${n}.cpuprofile`);
writeFileSync(out, JSON.stringify(profile));
process.stdout.write(`profile: ${out}\n`);
