/**
 * suggest() wall time inside a running sweep, d = 10 (+ a cost parameter), for the default settings
 * and the reference mode (REFERENCE_SETTINGS), plus the first suggest() after loadPrior.
 *
 *   npm run bench:suggest     (npx tsx bench/suggest-timing.ts [--sizes 100,300,750,3000,10000] [--repeats 3]
 *                              [--modes default,reference,warp-auto,warp-none,scale-0,scale-375,scale-500,all-rows-1it,exact-4000] [--reference-max 750] [--prior 10000] [--prior-mode default] [--async])
 *
 * Windows (n ≤ --window-max, default 750): a single suggest() after a restore would time only one path:
 * the default refits the GP hyperparameters above 100 observations only when the data grew by
 * `refitGrowth` (5 %), and updates the data alone otherwise. So each measurement is a window of
 * consecutive sweep steps (observe one run, suggest the next) long enough to hold one refit,
 * ceil(0.05·n/0.95) + 2 steps, from a sweep restored at n observations; every suggest() is timed.
 * The mean over the window is the amortized cost a sweep pays. (The reference mode refits on every
 * call, so 3 steps suffice there.)
 *
 * Amortized (n > --window-max): such a window would be 160 steps at n = 3,000. Instead the sweep is
 * restored with its last fit marked as due, so the first call refits, then `--steps` (default 6)
 * calls that do not; the amortized mean is (refit + (W − 1)·mean(others)) / W with W the calls
 * between two refits, ceil(0.05·n/0.95) + 1. Beyond `gpMaxObs` (750) the GPs see a capped training set of
 * 750–797 rows (the default; docs/algorithm.md §3), so "every observation in the model" does not hold there.
 *
 * Peak memory: the process's maximum resident set size (process.resourceUsage().maxRSS) after each row.
 */
import { Protein, type ProteinSnapshot } from "../src/protein";
import { REFERENCE_SETTINGS, type ProteinOptions } from "../src/settings";
import { cpus, loadavg } from "node:os";
import { arg, config, d, evaluate, observeRandom, prepareSweep } from "./suggest-setup";

interface Row {
  mode: string;
  n: number;
  how: string;
  calls: number[];
  refitCalls: number[];
  amortized: number;
}

function mean(a: number[]): number {
  return a.length === 0 ? Number.NaN : a.reduce((s, v) => s + v, 0) / a.length;
}

/** CPU time of this process's suggest() calls (user + system, ms): less sensitive than wall time to other processes on a shared machine. */
const cpuMs: number[] = [];

async function step(protein: Protein, useAsync: boolean): Promise<{ ms: number; refitted: boolean }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const { params, info } = useAsync ? await protein.suggestAsync() : protein.suggest();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  cpuMs.push((c.user + c.system) / 1000);
  const { score, cost } = evaluate(params);
  protein.observe(params, score, cost);
  return { ms, refitted: info.scoreModel?.refitted === true };
}

async function windows(mode: string, options: ProteinOptions, snapshot: ProteinSnapshot, n: number, repeats: number, useAsync: boolean): Promise<Row> {
  // The sweep was fitted at n rows and refits when the rows m reach m − n ≥ ceil(0.05·m), i.e. within
  // ceil(0.05·n/0.95) + 1 steps; the window is one step longer, so it holds exactly one refit.
  const steps = options.refitGrowth === 0 ? 3 : Math.ceil((0.05 * n) / 0.95) + 2;
  const calls: number[] = [];
  const refitCalls: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const protein = Protein.restore(snapshot);
    for (let s = 0; s < steps; s++) {
      const { ms, refitted } = await step(protein, useAsync);
      calls.push(ms);
      if (refitted) refitCalls.push(ms);
    }
  }
  return { mode, n, how: `${repeats} windows of ${steps}`, calls, refitCalls, amortized: mean(calls) };
}

async function amortized(mode: string, snapshot: ProteinSnapshot, n: number, steps: number, useAsync: boolean): Promise<Row> {
  const due = structuredClone(snapshot);
  due.gp.lastFitSize = { score: 1, cost: 1 }; // grown by far more than refitGrowth: the next call refits
  const protein = Protein.restore(due);
  const calls: number[] = [];
  const refitCalls: number[] = [];
  for (let s = 0; s <= steps; s++) {
    const { ms, refitted } = await step(protein, useAsync);
    if (refitted) refitCalls.push(ms);
    else calls.push(ms);
  }
  const W = Math.ceil((0.05 * n) / 0.95) + 1;
  return { mode, n, how: `1 refit + ${calls.length} calls, W = ${W}`, calls: [...refitCalls, ...calls], refitCalls, amortized: (mean(refitCalls) + (W - 1) * mean(calls)) / W };
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

const sizes = arg("--sizes", "100,300,750,3000,10000").split(",").map(Number);
const repeats = Number(arg("--repeats", "3"));
const windowMax = Number(arg("--window-max", "750"));
const referenceMax = Number(arg("--reference-max", "750"));
const amortSteps = Number(arg("--steps", "6"));
const prior = Number(arg("--prior", "10000"));
/** Settings of the sweep the prior is loaded into (a --modes name). */
const priorMode = arg("--prior-mode", "default");
const useAsync = process.argv.includes("--async");
const modeNames = arg("--modes", "default,reference").split(",");
const allModes: Record<string, ProteinOptions> = { default: {}, reference: { ...REFERENCE_SETTINGS }, "warp-auto": { outputWarping: "auto" }, "warp-none": { outputWarping: "none" }, "scale-0": { candidateScaleRows: 0 }, "scale-375": { candidateScaleRows: 375 }, "scale-500": { candidateScaleRows: 500 }, "all-rows-1it": { gpMaxObs: 1_000_000, fitIterations: 1 }, "exact-4000": { posteriorMaxObs: 4000 } };

const mib = (kb: number): string => (kb / 1024).toFixed(0);
process.stdout.write(
  `suggest() timing${useAsync ? " (suggestAsync)" : ""}: d = ${d} + cost; ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}, load average at start ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}\n\n`,
);
process.stdout.write("| mode | n | calls | p50 ms | mean ms (refits amortized) | max ms | refit call(s) ms | p50 CPU ms | mean CPU ms | peak RSS MiB | load |\n|---|---:|---|---:|---:|---:|---|---:|---:|---:|---|\n");
for (const n of sizes) {
  for (const mode of modeNames) {
    if (mode === "reference" && n > referenceMax) continue;
    const options = allModes[mode];
    cpuMs.length = 0;
    const snapshot = prepareSweep(n, options);
    const row = n <= windowMax || options.refitGrowth === 0 ? await windows(mode, options, snapshot, n, repeats, useAsync) : await amortized(mode, snapshot, n, amortSteps, useAsync);
    const sorted = [...row.calls].sort((a, b) => a - b);
    process.stdout.write(
      `| ${mode} | ${n} | ${row.how} | ${quantile(sorted, 0.5).toFixed(0)} | ${row.amortized.toFixed(0)} | ${sorted[sorted.length - 1].toFixed(0)} | ${row.refitCalls.map((v) => v.toFixed(0)).join(", ")} | ${quantile([...cpuMs].sort((a, b) => a - b), 0.5).toFixed(0)} | ${(cpuMs.reduce((a, b) => a + b, 0) / cpuMs.length).toFixed(0)} | ${mib(process.resourceUsage().maxRSS)} | ${loadavg()[0].toFixed(1)} |\n`,
    );
  }
}

if (prior > 0 && !(priorMode in allModes)) throw new Error(`--prior-mode ${priorMode}: not a mode (${Object.keys(allModes).join(", ")})`);
if (prior > 0) {
  // A new phase: `prior` observations of an earlier one loaded, then the first suggest() (cold fits).
  const earlier = new Protein(config, { seed: 3 });
  observeRandom(earlier, prior, 4);
  const records = earlier.observations as Parameters<Protein["loadPrior"]>[0];
  const protein = new Protein(config, { ...allModes[priorMode], seed: 5 });
  let t0 = performance.now();
  protein.loadPrior(records);
  const load = performance.now() - t0;
  t0 = performance.now();
  const first = useAsync ? await protein.suggestAsync() : protein.suggest();
  const firstMs = performance.now() - t0;
  t0 = performance.now();
  if (useAsync) await protein.suggestAsync();
  else protein.suggest();
  const secondMs = performance.now() - t0;
  process.stdout.write(
    `\nloadPrior of ${prior} observations (${priorMode}): ${load.toFixed(0)} ms; first suggest(): ${firstMs.toFixed(0)} ms (phase ${first.info.phase}, score GP on ${first.info.scoreModel?.observations} rows); second: ${secondMs.toFixed(0)} ms; peak RSS ${mib(process.resourceUsage().maxRSS)} MiB; load ${loadavg()[0].toFixed(1)}\n`,
  );
}
