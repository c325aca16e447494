/**
 * Beyond `gpMaxObs`: does the capped training set (the default: 750–797 rows, docs/algorithm.md §3) lose
 * optimization quality against a model on every observation, at n = 1 500 and 3 000?
 *
 *   npx tsx bench/large-n-quality.ts [--problems hartmann6,levy4,ackley5,styblinski-tang8,mixed-training]
 *     [--sizes 1500,3000] [--priors sobol,converged] [--arms capped,exact] [--seeds 10] [--seed-offset 0]
 *     [--steps 20] [--out FILE.json] [--summarize FILE.json[,FILE2.json]]
 *
 * Scenario (what a user with a long sweep does): a new phase loads N observations of an earlier one with
 * `loadPrior`, then runs K (`--steps`) suggest → observe steps. The prior is, per (problem, N, kind, seed):
 *
 *   sobol      N scrambled Sobol points over the whole box (an earlier phase that explored);
 *   converged  N points drawn around a centre c = x* + 0.2·u (x* the known optimum in normalized coordinates
 *              [−1, 1]^d, u a random unit vector): point i is c + σ_i·z, z standard normal, σ_i falling
 *              geometrically from 0.6 to 0.05 over the phase, folded back into the box at the bounds, snapped
 *              to the grid (an earlier phase that converged near, not on, the optimum; its latest points are
 *              its tightest).
 *
 * Each prior point is scored with the problem's noisy `evaluate` (noise stream per prior), and the K steps draw
 * their noise from a stream of their own, so every arm of a seed sees the same prior and the same noise draws.
 *
 * Arms (settings on top of the defaults; the seed is the run's seed):
 *
 *   capped         {}                                   the default: GPs on the capped training set
 *   exact          { gpMaxObs: 1e6 }                    every observation in both GPs: the cold fit on a
 *                                                       200-row subset (`coldFitRows`), then the warm refit on
 *                                                       ALL rows spread 5 iterations per suggestion (up to 50)
 *   exact-subset   { gpMaxObs: 1e6, fitIterations: 1 }  every observation in the posterior; the hyperparameters
 *                                                       are those of the 200-row subset cold fit (plus one warm
 *                                                       L-BFGS iteration on all rows)
 *   capped-subset  { fitIterations: 1 }                 the capped training set with the same hyperparameter
 *                                                       treatment as exact-subset (pairs with it)
 *   posterior      { posteriorMaxObs: 4000 }            every observation in the posterior, the hyperparameters
 *                                                       fitted on the capped set (the setting of that name)
 *   exact-subset-full  exact-subset with every candidate    (candidateScaleRows 0: the reference for the default of
 *                                                       now, whose candidate scaling would leave ~1/8 of them on all rows)
 *   capped-full    { candidateScaleRows: 0 }            the capped training set with every candidate
 *   capped-subset-full { fitIterations: 1, candidateScaleRows: 0 }  capped-subset with every candidate
 *   cap-1500       { gpMaxObs: 1500 }                   a cap twice the default's
 *
 * (`fitIterations` caps only warm refits; the cold subset fit runs up to `coldFitIterations` = 500. With N ≥ 1 500
 * and K ≤ 30 no scheduled refit falls inside the K steps: it needs 5 % growth.)
 *
 * Metrics per run (regrets of the noise-free objective): the prior's best regret; the best regret after the K
 * steps (prior and new points); the best regret among the K new points alone; CPU time (user + system of this
 * process) and wall time of each suggest(), and the score GP's training rows.
 *
 * The runs are written to --out after each one (and skipped when already there, so a killed run resumes).
 */
import { cpus, loadavg } from "node:os";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseSweepConfig } from "../src/config";
import { Protein } from "../src/protein";
import { createRng, SobolSequence } from "../src/random";
import type { ProteinOptions } from "../src/settings";
import { SearchSpace } from "../src/space/search-space";
import { getProblem, type QualityProblem } from "./quality/problems/index";
import { quantileOf } from "./quality/summary";
import { arg } from "./suggest-setup";

export const ARMS: Readonly<Record<string, ProteinOptions>> = {
  capped: {},
  exact: { gpMaxObs: 1_000_000 },
  "exact-subset": { gpMaxObs: 1_000_000, fitIterations: 1 },
  "capped-subset": { fitIterations: 1 },
  posterior: { posteriorMaxObs: 4000 },
  "exact-subset-full": { gpMaxObs: 1_000_000, fitIterations: 1, candidateScaleRows: 0 },
  "capped-full": { candidateScaleRows: 0 },
  "capped-subset-full": { fitIterations: 1, candidateScaleRows: 0 },
  "cap-1500": { gpMaxObs: 1500 },
};

export type PriorKind = "sobol" | "converged";

export interface LargeNRun {
  problem: string;
  n: number;
  prior: PriorKind;
  arm: string;
  seed: number;
  steps: number;
  priorBestRegret: number;
  /** Best regret over the prior and the K new points. */
  finalRegret: number;
  /** Best regret among the K new points. */
  bestNewRegret: number;
  newRegrets: number[];
  cpuMs: number[];
  wallMs: number[];
  /** Score GP training rows at each step (absent on a non-model step). */
  rows: Array<number | null>;
}

/** Folds v back into [−1, 1] (repeatedly, for large excursions). */
function reflect(v: number): number {
  let x = v;
  for (let k = 0; k < 8 && (x < -1 || x > 1); k++) x = x < -1 ? -2 - x : 2 - x;
  return Math.min(1, Math.max(-1, x));
}

/**
 * The N normalized prior rows of one (problem, N, kind, seed), snapped to the parameters' grids.
 * @throws {Error} for an unknown kind.
 */
export function priorRows(problem: QualityProblem, space: SearchSpace, n: number, kind: PriorKind, seed: number): Float64Array {
  const d = space.dim;
  const X = new Float64Array(n * d);
  const rng = createRng(`large-n/prior/${problem.name}/${n}/${kind}/${seed}`);
  if (kind === "sobol") {
    const sobol = new SobolSequence(Math.max(1, d), { scramble: rng });
    for (let i = 0; i < n; i++) {
      const u = sobol.next();
      for (let j = 0; j < d; j++) X[i * d + j] = 2 * u[j] - 1;
    }
  } else if (kind === "converged") {
    const opt = space.toVector(problem.optimumLocations[0] as Record<string, unknown>);
    const u = Float64Array.from({ length: d }, () => rng.normal());
    const norm = Math.hypot(...u) || 1;
    const centre = Float64Array.from(opt, (v, j) => reflect(v + (0.2 * u[j]) / norm));
    for (let i = 0; i < n; i++) {
      const sigma = 0.6 * Math.pow(0.05 / 0.6, n === 1 ? 1 : i / (n - 1));
      for (let j = 0; j < d; j++) X[i * d + j] = reflect(centre[j] + sigma * rng.normal());
    }
  } else {
    throw new Error(`unknown prior kind ${String(kind)}`);
  }
  return space.snap(X);
}

/** One run: a fresh sweep of `arm` with the prior loaded, then `steps` suggest → observe steps. */
export function runOne(problemName: string, n: number, prior: PriorKind, arm: string, seed: number, steps: number): LargeNRun {
  const problem = getProblem(problemName);
  const options = ARMS[arm];
  if (options === undefined) throw new Error(`unknown arm ${arm} (${Object.keys(ARMS).join(", ")})`);
  const space = SearchSpace.fromConfig(parseSweepConfig(structuredClone(problem.config)));
  const d = space.dim;
  const X = priorRows(problem, space, n, prior, seed);
  const priorNoise = createRng(`large-n/prior-noise/${problem.name}/${n}/${prior}/${seed}`);
  const earlier = new Protein(structuredClone(problem.config), { seed: 0 });
  let priorBest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const params = space.fromVector(X.subarray(i * d, i * d + d));
    const { score, cost } = problem.evaluate(params, priorNoise);
    earlier.observe(params, score, cost ?? 1);
    priorBest = Math.min(priorBest, problem.regret(problem.objective(params)));
  }
  const protein = new Protein(structuredClone(problem.config), { ...options, seed });
  protein.loadPrior(earlier.observations as Parameters<Protein["loadPrior"]>[0]);
  const noise = createRng(`large-n/step-noise/${problem.name}/${n}/${prior}/${seed}`);
  const run: LargeNRun = { problem: problemName, n, prior, arm, seed, steps, priorBestRegret: priorBest, finalRegret: priorBest, bestNewRegret: Number.POSITIVE_INFINITY, newRegrets: [], cpuMs: [], wallMs: [], rows: [] };
  for (let k = 0; k < steps; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const { params, info } = protein.suggest();
    run.wallMs.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    run.cpuMs.push((c.user + c.system) / 1000);
    run.rows.push(info.scoreModel?.observations ?? null);
    const { score, cost } = problem.evaluate(params as Record<string, unknown>, noise);
    protein.observe(params, score, cost ?? 1);
    const regret = problem.regret(problem.objective(params as Record<string, unknown>));
    run.newRegrets.push(regret);
    run.bestNewRegret = Math.min(run.bestNewRegret, regret);
    run.finalRegret = Math.min(run.finalRegret, regret);
  }
  return run;
}

const fmt = (v: number): string => (v === 0 ? "0" : Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? v.toPrecision(3) : v.toExponential(2));
const med = (a: number[]): number => quantileOf(a, 0.5);
const iqr = (a: number[]): string => `${fmt(med(a))} [${fmt(quantileOf(a, 0.25))}, ${fmt(quantileOf(a, 0.75))}]`;

/**
 * Markdown tables of runs: per (problem, N, prior) and arm, the medians and IQRs of the regrets, CPU per suggest;
 * then each arm against `capped` on the same seeds: seeds where capped is better / equal / worse, median paired
 * difference of the final regret, and whether capped's median lies within the other arm's IQR or below it.
 */
export function summarize(runs: LargeNRun[]): string {
  const groups = new Map<string, LargeNRun[]>();
  for (const r of runs) {
    const key = `${r.problem}|${r.n}|${r.prior}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  let out = "| problem | N | prior | arm | seeds | prior best regret | regret after K: median [IQR] | best of the K new: median [IQR] | CPU ms per suggest: median (first, mean) | score GP rows |\n|---|---:|---|---|---:|---|---|---|---|---|\n";
  let cmp = "| problem | N | prior | capped vs | seeds | final regret: capped better / same / worse | median paired difference (capped − arm) | capped median within the arm's IQR or better | best new: capped better / same / worse |\n|---|---:|---|---|---:|---|---:|---|---|\n";
  for (const [key, list] of groups) {
    const [problem, n, prior] = key.split("|");
    const arms = [...new Set(list.map((r) => r.arm))];
    for (const arm of arms) {
      const rs = list.filter((r) => r.arm === arm);
      const cpu = rs.flatMap((r) => r.cpuMs.slice(1));
      const first = rs.map((r) => r.cpuMs[0]);
      const meanCpu = rs.flatMap((r) => r.cpuMs).reduce((s, v) => s + v, 0) / rs.reduce((s, r) => s + r.cpuMs.length, 0);
      const rows = rs.flatMap((r) => r.rows.filter((v): v is number => v !== null));
      out += `| ${problem} | ${n} | ${prior} | ${arm} | ${rs.length} | ${iqr(rs.map((r) => r.priorBestRegret))} | ${iqr(rs.map((r) => r.finalRegret))} | ${iqr(rs.map((r) => r.bestNewRegret))} | ${med(cpu).toFixed(0)} (${med(first).toFixed(0)}, ${meanCpu.toFixed(0)}) | ${Math.min(...rows)}–${Math.max(...rows)} |\n`;
    }
    const capped = new Map(list.filter((r) => r.arm === "capped").map((r) => [r.seed, r]));
    for (const arm of arms.filter((a) => a !== "capped")) {
      const pairs = list.filter((r) => r.arm === arm && capped.has(r.seed)).map((r) => [capped.get(r.seed)!, r] as const);
      if (pairs.length === 0) continue;
      const tally = (f: (r: LargeNRun) => number): string => {
        const better = pairs.filter(([c, o]) => f(c) < f(o)).length;
        const worse = pairs.filter(([c, o]) => f(c) > f(o)).length;
        return `${better} / ${pairs.length - better - worse} / ${worse}`;
      };
      const other = pairs.map(([, o]) => o.finalRegret);
      const cMed = med(pairs.map(([c]) => c.finalRegret));
      const verdict = cMed <= quantileOf(other, 0.75) ? (cMed < quantileOf(other, 0.25) ? "better (below Q1)" : "yes") : "**no**";
      cmp += `| ${problem} | ${n} | ${prior} | ${arm} | ${pairs.length} | ${tally((r) => r.finalRegret)} | ${fmt(med(pairs.map(([c, o]) => c.finalRegret - o.finalRegret)))} | ${verdict} | ${tally((r) => r.bestNewRegret)} |\n`;
    }
  }
  return `${out}\n${cmp}`;
}

function main(): void {
  const summarizeFiles = arg("--summarize", "");
  if (summarizeFiles !== "") {
    const runs = summarizeFiles.split(",").flatMap((f) => (JSON.parse(readFileSync(f, "utf8")) as { runs: LargeNRun[] }).runs);
    process.stdout.write(summarize(runs));
    return;
  }
  const problems = arg("--problems", "hartmann6,levy4,ackley5,styblinski-tang8,mixed-training").split(",");
  const sizes = arg("--sizes", "1500,3000").split(",").map(Number);
  const priors = arg("--priors", "sobol,converged").split(",") as PriorKind[];
  const arms = arg("--arms", "capped,exact").split(",");
  const seedCount = Number(arg("--seeds", "10"));
  const seedOffset = Number(arg("--seed-offset", "0"));
  const steps = Number(arg("--steps", "20"));
  const outFile = arg("--out", "");
  for (const a of arms) if (!(a in ARMS)) throw new Error(`unknown arm ${a} (${Object.keys(ARMS).join(", ")})`);
  for (const p of problems) getProblem(p);
  const runs: LargeNRun[] = outFile !== "" && existsSync(outFile) ? (JSON.parse(readFileSync(outFile, "utf8")) as { runs: LargeNRun[] }).runs : [];
  const header = { machine: `${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, Node ${process.version}`, started: new Date().toISOString(), argv: process.argv.slice(2).join(" ") };
  process.stderr.write(`${header.machine}; ${header.started}; load ${loadavg().map((l) => l.toFixed(1)).join(" ")}\n`);
  for (const problem of problems) {
    for (const n of sizes) {
      for (const prior of priors) {
        for (let s = 0; s < seedCount; s++) {
          const seed = seedOffset + s;
          for (const arm of arms) {
            if (runs.some((r) => r.problem === problem && r.n === n && r.prior === prior && r.arm === arm && r.seed === seed && r.steps === steps)) continue;
            const run = runOne(problem, n, prior, arm, seed, steps);
            runs.push(run);
            const cpu = run.cpuMs.reduce((a, b) => a + b, 0) / 1000;
            process.stderr.write(`${problem} N=${n} ${prior} ${arm} seed ${seed}: prior ${fmt(run.priorBestRegret)} → ${fmt(run.finalRegret)} (best new ${fmt(run.bestNewRegret)}), suggest CPU ${cpu.toFixed(1)} s (first ${(run.cpuMs[0] / 1000).toFixed(1)} s), load ${loadavg()[0].toFixed(1)}\n`);
            if (outFile !== "") writeFileSync(outFile, JSON.stringify({ ...header, runs }));
          }
        }
      }
    }
  }
  process.stdout.write(summarize(runs));
}

if (process.argv[1]?.endsWith("large-n-quality.ts")) main();
