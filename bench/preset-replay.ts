/**
 * Run-for-run comparison of `preset: "metta"` with the Python Protein on the baselines harness's `trainrun`
 * (issue 14, round 4). Reads a trace of an instrumented Python run (one JSON per seed: the 60 params, scores and
 * costs the harness fed it, and for every model step its observations, front, candidates, the score and cost GP
 * predictions at those candidates, the target t and the chosen index; the driver lives outside the project, see
 * docs/benchmarks.md "Issue 14, round 4") and replays the same observation history into the preset, one step at a time: before
 * suggestion i the preset has observed exactly what the Python Protein had, and its `suggest()` fits the score GP
 * on those rows (warm from its previous fits, as the Python one) and sets up the cost GP. Then, per model step:
 *
 * - the rows: the preset's normalized observations against the Python ones (max |Δ|);
 * - the fits: both GPs' predictions at the Python run's own candidates (ŷ normalized to [0, 1] over the
 *   observed scores, ĉ the normalized log-cost), mean |Δ|, and the hyperparameters;
 * - the decision on the Python candidates and target with the preset's predictions (same winner or not, and its
 *   cost coordinate) — what is left when the candidates and t are shared;
 * - the preset's own suggestion's cost coordinate (its own candidates and t: the generators differ).
 *
 *   npx tsx bench/preset-replay.ts /tmp/ref2/py0.json [/tmp/ref2/py1.json …] [--steps]
 */
import { readFileSync } from "node:fs";
import type { GaussianProcess } from "../src/gp";
import { Protein } from "../src/protein";
import { referenceObservations } from "../src/protein/reference";
import { quantileOf } from "./quality/summary";

interface PyHp {
  noise: number;
  lin_var: number;
  lin_bias: number;
  mat_var: number;
  lengthscale: number[];
}
interface PyStep {
  index: number;
  n: number;
  X: number[][];
  y: number[];
  cost: number[];
  front: number[];
  candidates: number[][];
  mu_norm: number[];
  cnorm: number[];
  target: number;
  best: number;
  chosen: number[];
  score_hp: PyHp;
  cost_hp: PyHp;
}
interface PyTrace {
  params: Array<Record<string, number>>;
  scores: number[];
  costs: number[];
  phase: string[];
  steps: PyStep[];
}

const args = process.argv.slice(2);
const files = args.filter((a) => !a.startsWith("--"));
const showSteps = args.includes("--steps");
const COST = 4; // total_timesteps, the fifth coordinate

const config = {
  metric: "score",
  goal: "maximize",
  parameters: {
    learning_rate: { distribution: "log_normal", min: 1e-5, max: 1e-1, mean: 1e-3, scale: "auto" },
    batch_size: { distribution: "uniform_pow2", min: 16, max: 1024, mean: 128, scale: "auto" },
    gamma: { distribution: "uniform", min: 0.9, max: 0.999, mean: 0.9495, scale: "auto" },
    num_layers: { distribution: "int_uniform", min: 1, max: 8, mean: 4.5, scale: "auto" },
    total_timesteps: { distribution: "log_normal", min: 1e6, max: 1e9, mean: Math.sqrt(1e6 * 1e9), scale: "auto" },
  },
};

const quantiles = (v: number[]): string =>
  v.length === 0 ? "—" : `${quantileOf(v, 0.25).toFixed(2)} / ${quantileOf(v, 0.5).toFixed(2)} / ${quantileOf(v, 0.75).toFixed(2)}`;
const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
const f3 = (x: number): string => x.toFixed(3);

/** The decision rule of protein.py:528–534 on given predictions: argmax of ŷ·max(0, 1 − |t − ĉ|) (maximize). */
function decide(yNorm: ArrayLike<number>, cNorm: ArrayLike<number>, t: number): number {
  let best = 0;
  let bestV = -Infinity;
  for (let i = 0; i < yNorm.length; i++) {
    const v = yNorm[i] * Math.max(0, 1 - Math.abs(t - cNorm[i]));
    if (v > bestV) (bestV = v), (best = i);
  }
  return best;
}

interface Internals {
  reference: { scoreGp: GaussianProcess | null; costGp: GaussianProcess | null };
}

const summary: string[] = [];
for (const file of files) {
  const trace = JSON.parse(readFileSync(file, "utf8")) as PyTrace;
  const p = new Protein(config, { preset: "metta", seed: 0 });
  const d = 5;
  const stepsByIndex = new Map(trace.steps.map((s) => [s.index, s]));
  const rows: string[] = [];
  const dRows: number[] = [];
  const dY: number[] = [];
  const dC: number[] = [];
  const dCAtBest: number[] = [];
  let sameWinner = 0;
  const pyCostU: number[] = [];
  const tsOnPyCandU: number[] = [];
  const tsOwnU: number[] = [];
  for (let k = 0; k < trace.params.length; k++) {
    const index = k + 1;
    const sug = p.suggest();
    const py = stepsByIndex.get(index);
    if (py !== undefined) {
      if (sug.info.phase !== "model") throw new Error(`step ${index}: the preset's phase is ${sug.info.phase}, the Python run's model`);
      const { scoreGp, costGp } = (p as unknown as Internals).reference;
      if (scoreGp === null || costGp === null) throw new Error("no GPs");
      // Rows: the preset's observations (as the Python Protein keeps them) against the Python rows.
      const all = (p as unknown as { successData(): Parameters<typeof referenceObservations>[0] }).successData();
      const tsData = referenceObservations(all, d, 1e-6);
      if (tsData.n !== py.n) throw new Error(`step ${index}: ${tsData.n} rows here, ${py.n} in the Python run`);
      let dr = 0;
      for (let i = 0; i < py.n; i++) for (let j = 0; j < d; j++) dr = Math.max(dr, Math.abs(tsData.X[i * d + j] - py.X[i][j]));
      dRows.push(dr);
      // Predictions at the Python candidates.
      const m = py.candidates.length;
      const C = new Float64Array(m * d);
      py.candidates.forEach((r, i) => C.set(r, i * d));
      const yRaw = py.y;
      const yMean = mean(yRaw);
      const yStd = Math.sqrt(mean(yRaw.map((v) => (v - yMean) ** 2))) + 1e-12;
      const yMin = Math.min(...yRaw);
      const yMax = Math.max(...yRaw);
      const yNorm = Array.from(scoreGp.predict(C).mean, (v) => (v * yStd + yMean - yMin) / (Math.abs(yMax - yMin) + 1e-12));
      const cNorm = Array.from(costGp.predict(C).mean);
      dY.push(mean(yNorm.map((v, i) => Math.abs(v - py.mu_norm[i]))));
      dC.push(mean(cNorm.map((v, i) => Math.abs(v - py.cnorm[i]))));
      dCAtBest.push(cNorm[py.best] - py.cnorm[py.best]);
      const tsBest = decide(yNorm, cNorm, py.target);
      const pyBest = decide(py.mu_norm, py.cnorm, py.target);
      if (pyBest !== py.best) throw new Error(`step ${index}: the trace's winner ${py.best} is not its rule's ${pyBest}`);
      if (tsBest === py.best) sameWinner++;
      pyCostU.push(py.candidates[py.best][COST]);
      tsOnPyCandU.push(py.candidates[tsBest][COST]);
      const ownX = (p as unknown as { space: { toVector(v: unknown): Float64Array } }).space.toVector(sug.params);
      tsOwnU.push(ownX[COST]);
      const sh = py.score_hp;
      const ch = py.cost_hp;
      const hs = scoreGp.hyperparameters;
      const hc = costGp.hyperparameters;
      rows.push(
        `| ${index} | ${py.n} | ${py.front.length} | ${dr.toExponential(1)} | ${f3(dY[dY.length - 1])} | ${f3(dC[dC.length - 1])} | ${f3(py.target)} | ${tsBest === py.best ? "same" : "other"} | ${f3(py.candidates[py.best][COST])} / ${f3(py.candidates[tsBest][COST])} / ${f3(ownX[COST])} | ${sh.noise.toExponential(1)} / ${hs.noise.toExponential(1)} | ${ch.noise.toExponential(1)} / ${hc.noise.toExponential(1)} | ${Math.min(...sh.lengthscale).toFixed(2)}–${Math.max(...sh.lengthscale).toFixed(2)} / ${Math.min(...hs.lengthscales).toFixed(2)}–${Math.max(...hs.lengthscales).toFixed(2)} |`,
      );
    }
    p.observe(trace.params[k], trace.scores[k], trace.costs[k]);
  }
  if (showSteps) {
    console.log(`\n${file}\n`);
    console.log("| i | n | front | max \\|Δrow\\| | mean \\|Δŷ\\| | mean \\|Δĉ\\| | t | winner on Python candidates | cost u: Python / preset on Python cand. / preset own | score noise Py / TS | cost noise Py / TS | score ℓ Py / TS |");
    console.log("|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|---|");
    for (const r of rows) console.log(r);
  }
  summary.push(
    `| ${file} | ${dY.length} | ${Math.max(...dRows).toExponential(1)} | ${f3(mean(dY))} | ${f3(mean(dC))} | ${f3(mean(dCAtBest))} | ${sameWinner}/${dY.length} | ${quantiles(pyCostU)} | ${quantiles(tsOnPyCandU)} | ${quantiles(tsOwnU)} |`,
  );
}
console.log("\n| trace | model steps | max \\|Δrow\\| | mean \\|Δŷ\\| | mean \\|Δĉ\\| | mean Δĉ at the Python winner | same winner (Python candidates and t) | winner's cost u, Python (q1/med/q3) | preset on Python candidates | preset's own |");
console.log("|---|---:|---:|---:|---:|---:|---:|---|---|---|");
for (const s of summary) console.log(s);
