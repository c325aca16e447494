/**
 * suggest() wall time inside a running sweep at n = 100, 300, 750 observations, d = 10 (+ a cost
 * parameter), for the default settings and the reference mode (REFERENCE_SETTINGS).
 *
 *   npm run bench:suggest                 (npx tsx bench/suggest-timing.ts [--sizes 100,300] [--repeats 3])
 *
 * A single suggest() after a restore would time only one path: the default refits the GP
 * hyperparameters above 100 observations only when the data grew by `refitGrowth` (5 %), and
 * updates the data alone otherwise. So each measurement is a window of consecutive sweep steps
 * (observe one run, suggest the next) long enough to hold one refit, ceil(0.05·n/0.95) + 2 steps, from a
 * sweep restored at n observations; every suggest() in the window is timed on its own. The table gives
 * (the reference mode refits on every call, so 3 steps suffice there) the median and the mean over all timed calls (the mean is the amortized cost a sweep pays), the
 * slowest call, and how many calls refitted the score GP.
 */
import { Protein, type ProteinSnapshot } from "../src/protein";
import { createRng } from "../src/random";
import { REFERENCE_SETTINGS, type ProteinOptions } from "../src/settings";
import { cpus } from "node:os";

const d = 10;
const parameters: Record<string, unknown> = {};
for (let j = 0; j < d; j++) parameters[`x${j}`] = { distribution: "uniform", min: 0, max: 1 };
parameters.train = { total_timesteps: { distribution: "log_normal", min: 1e6, max: 1e8, scale: "auto" } };
const config = { sweep: { metric: "score", goal: "maximize", parameters } };

/** A smooth objective with a ripple, and a cost that grows with total_timesteps. */
function evaluate(p: Record<string, unknown>): { score: number; cost: number } {
  let s = 0;
  for (let j = 0; j < d; j++) s -= ((p[`x${j}`] as number) - 0.2 - 0.05 * j) ** 2;
  const t = (p.train as { total_timesteps: number }).total_timesteps;
  return { score: s + Math.log10(t) * 0.1 + 0.05 * Math.sin(10 * (p.x0 as number)), cost: t / 1e4 };
}

/** A sweep at n observations (random points), with both GPs fitted once as the previous step would have. */
function prepare(n: number, options: ProteinOptions): ProteinSnapshot {
  const protein = new Protein(config, { seed: 1, numRandomSamples: 10, ...options });
  const rng = createRng(2);
  for (let i = 0; i < n; i++) {
    const x = Float64Array.from({ length: protein.space.dim }, () => rng.uniform(-1, 1));
    const params = protein.space.fromVector(x);
    const { score, cost } = evaluate(params);
    protein.observe(params, score, cost);
  }
  protein.abandon(protein.suggest().id);
  return protein.snapshot();
}

interface Row {
  mode: string;
  n: number;
  calls: number[];
  refits: number;
}

function measure(mode: string, options: ProteinOptions, n: number, repeats: number): Row {
  const snapshot = prepare(n, options);
  // The reference mode refits on every call (refitGrowth 0, 50 Adam steps), so three calls show it.
  // Otherwise the sweep was fitted at n rows and refits when the rows m reach m − n ≥ ceil(0.05·m), i.e. within
  // ceil(0.05·n/0.95) + 1 steps; the window is one step longer, so it holds exactly one refit.
  const steps = options.refitGrowth === 0 ? 3 : Math.ceil((0.05 * n) / 0.95) + 2;
  const calls: number[] = [];
  let refits = 0;
  for (let r = 0; r < repeats; r++) {
    const protein = Protein.restore(snapshot);
    for (let s = 0; s < steps; s++) {
      const t0 = performance.now();
      const { params, info } = protein.suggest();
      calls.push(performance.now() - t0);
      if (info.scoreModel?.refitted === true) refits++;
      const { score, cost } = evaluate(params);
      protein.observe(params, score, cost);
    }
  }
  return { mode, n, calls, refits };
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const sizes = arg("--sizes", "100,300,750").split(",").map(Number);
const repeats = Number(arg("--repeats", "3"));
const modes: Array<[string, ProteinOptions]> = [
  ["default", {}],
  ["reference", { ...REFERENCE_SETTINGS }],
];

process.stdout.write(
  `suggest() timing: d = ${d} + cost, ${repeats} windows of ceil(0.05·n/0.95) + 2 steps per size (3 for the reference); ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}\n\n`,
);
process.stdout.write("| mode | n | calls | median ms | mean ms | max ms | score-GP refits |\n|---|---:|---:|---:|---:|---:|---:|\n");
for (const n of sizes) {
  for (const [mode, options] of modes) {
    const row = measure(mode, options, n, repeats);
    const sorted = [...row.calls].sort((a, b) => a - b);
    const mean = row.calls.reduce((a, b) => a + b, 0) / row.calls.length;
    process.stdout.write(
      `| ${mode} | ${n} | ${row.calls.length} | ${quantile(sorted, 0.5).toFixed(0)} | ${mean.toFixed(0)} | ${sorted[sorted.length - 1].toFixed(0)} | ${row.refits} |\n`,
    );
  }
}
