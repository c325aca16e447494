/**
 * Does `candidateScaleRows` (fewer candidates on many training rows) cost quality? Each run loads a prior of N
 * observations of a suite problem (as a later phase of a sweep does), then makes K suggest → observe steps, once
 * with the full candidate set and once with the candidates scaled by R/rows; same seed, same prior. Reported per
 * problem: median and IQR of log10 regret of the best of the K new suggestions, and CPU ms per suggestion.
 *
 *   npx tsx bench/candidate-scale-quality.ts --n 750 --k 20 --seeds 8 --prior uniform|top [--scale-rows 375]
 *     [--problems hartmann6,ackley5,levy4,rosenbrock4,mixed-training] [--out /tmp/cs.jsonl]
 *
 * Priors: "uniform" draws N points uniformly in the normalized box (an exploration phase); "top" keeps the N best
 * of 10·N uniform points (a phase that already concentrated on the good regions).
 */
import { appendFileSync } from "node:fs";
import { Protein } from "../src/protein";
import { createRng } from "../src/random";
import { getProblem } from "./quality/problems/index";
import { noiseSeed } from "./quality/core";
import { arg } from "./suggest-setup";

const N = Number(arg("--n", "750"));
const K = Number(arg("--k", "20"));
const seeds = Number(arg("--seeds", "8"));
const firstSeed = Number(arg("--first-seed", "0"));
const priorKind = arg("--prior", "uniform");
const R = Number(arg("--scale-rows", "375"));
const names = arg("--problems", "hartmann6,ackley5,levy4,rosenbrock4,mixed-training").split(",");
const out = arg("--out", `/tmp/candidate-scale-${priorKind}-${N}.jsonl`);

interface Row { problem: string; seed: number; arm: string; logRegretNew: number; logRegretAll: number; cpuMs: number; candidates: number }
const rows: Row[] = [];

for (const name of names) {
  const problem = getProblem(name);
  for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
    // The prior: the same points and noisy scores for both arms.
    const probe = new Protein(structuredClone(problem.config), { seed });
    const rng = createRng(`candidate-scale/${name}/${seed}`);
    const noise = createRng(noiseSeed(name, seed));
    const draws = priorKind === "top" ? 10 * N : N;
    const points = Array.from({ length: draws }, () => {
      const x = Float64Array.from({ length: probe.space.dim }, () => rng.uniform(-1, 1));
      const params = probe.space.fromVector(x);
      return { params, value: problem.objective(params) };
    });
    if (priorKind === "top") points.sort((a, b) => (problem.goal === "minimize" ? a.value - b.value : b.value - a.value));
    const prior = points.slice(0, N).map(({ params }) => {
      const { score, cost } = problem.evaluate(params, noise);
      return { params, score, cost: cost ?? 1, isFailure: false, timestamp: "2026-01-01T00:00:00.000Z" };
    });
    const priorBest = Math.min(...points.slice(0, N).map((p) => problem.regret(p.value)));
    for (const [arm, scaleRows] of [["full", 0], [`scaled-${R}`, R]] as const) {
      const protein = new Protein(structuredClone(problem.config), { seed, candidateScaleRows: scaleRows });
      protein.loadPrior(prior);
      const stepNoise = createRng(`${noiseSeed(name, seed)}/steps`);
      let bestNew = Infinity;
      let cpu = 0;
      let candidates = 0;
      for (let i = 0; i < K; i++) {
        const c0 = process.cpuUsage();
        const { params, info } = protein.suggest();
        const c = process.cpuUsage(c0);
        cpu += (c.user + c.system) / 1000;
        candidates += info.candidates ?? 0;
        const { score, cost } = problem.evaluate(params, stepNoise);
        bestNew = Math.min(bestNew, problem.regret(problem.objective(params)));
        protein.observe(params, score, cost ?? 1);
      }
      const row: Row = {
        problem: name, seed, arm,
        logRegretNew: Math.log10(Math.max(bestNew, 1e-12)),
        logRegretAll: Math.log10(Math.max(Math.min(bestNew, priorBest), 1e-12)),
        cpuMs: cpu / K, candidates: candidates / K,
      };
      rows.push(row);
      appendFileSync(out, JSON.stringify({ n: N, k: K, prior: priorKind, ...row }) + "\n");
      process.stdout.write(`${name} seed ${seed} ${arm}: log10 regret of the new ${row.logRegretNew.toFixed(2)} (with the prior ${row.logRegretAll.toFixed(2)}), ${row.cpuMs.toFixed(0)} CPU ms/suggest, ${row.candidates.toFixed(0)} candidates\n`);
    }
  }
}

const q = (v: number[], p: number): number => {
  const s = [...v].sort((a, b) => a - b);
  const pos = p * (s.length - 1);
  const lo = Math.floor(pos);
  return s[lo] + (pos - lo) * ((s[Math.min(lo + 1, s.length - 1)]) - s[lo]);
};
console.log(`\nN = ${N} (${priorKind} prior), K = ${K}, seeds ${firstSeed}…${firstSeed + seeds - 1}: log10 regret of the best new suggestion, median [IQR]; CPU ms per suggest\n`);
console.log("| problem | full | scaled (R = " + R + ") | CPU full | CPU scaled | candidates full / scaled |\n|---|---:|---:|---:|---:|---:|");
for (const name of names) {
  const cell = (arm: string, f: (r: Row) => number): number[] => rows.filter((r) => r.problem === name && r.arm === arm).map(f);
  const a = cell("full", (r) => r.logRegretNew);
  const b = cell(`scaled-${R}`, (r) => r.logRegretNew);
  const fmt = (v: number[]): string => `${q(v, 0.5).toFixed(2)} [${q(v, 0.25).toFixed(2)}, ${q(v, 0.75).toFixed(2)}]`;
  console.log(`| ${name} | ${fmt(a)} | ${fmt(b)} | ${q(cell("full", (r) => r.cpuMs), 0.5).toFixed(0)} | ${q(cell(`scaled-${R}`, (r) => r.cpuMs), 0.5).toFixed(0)} | ${q(cell("full", (r) => r.candidates), 0.5).toFixed(0)} / ${q(cell(`scaled-${R}`, (r) => r.candidates), 0.5).toFixed(0)} |`);
}
