/**
 * Why did the old reference mode (REFERENCE_SETTINGS) stick to the bounds on Branin while the Python Protein does
 * not (issue 14)? Runs Branin as the baselines harness poses it (x0 ∈ [−5, 10], x1 ∈ [0, 15], mean at the box
 * centre, scale "auto", 60 evaluations, minimize, seeds 0..S−1 passed as the Protein seed, as the harness's
 * external protocol does) for variants that swap one part at a time between the old reference and the "metta"
 * preset, and prints per variant: median final regret [IQR], the share of model-step suggestions with a
 * coordinate exactly on a bound, the longest run of consecutive suggestions with x1 = 0, and the median over seeds
 * of the last score fit's lengthscales and noise (normalized units).
 *
 *   npx tsx bench/reference-bounds.ts [--seeds 8] [--seed-offset 0] [--evals 60] [--only name,name]
 */
import { Protein } from "../src/protein";
import { REFERENCE_SETTINGS, type ProteinOptions } from "../src/settings";
import { braninValue } from "./quality/problems/synthetic";

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const seeds = Number(arg("seeds", "8"));
const evals = Number(arg("evals", "60"));
const only = arg("only", "").split(",").filter(Boolean);
const seedOffset = Number(arg("seed-offset", "0"));

const VARIANTS: Record<string, ProteinOptions> = {
  "old reference (REFERENCE_SETTINGS)": { ...REFERENCE_SETTINGS },
  "old reference, candidates reflected": { ...REFERENCE_SETTINGS, candidateBounds: "reflect" },
  "old reference, 1000 AMSGrad steps (lr 1e-3)": { ...REFERENCE_SETTINGS, fitIterations: 1000 },
  "old reference, pyro fit (1000 Adam steps, lr 1e-2)": { ...REFERENCE_SETTINGS, fitMethod: "pyro", fitIterations: 1000 },
  "old reference, weak noise prior": { ...REFERENCE_SETTINGS, noisePrior: "weak" },
  "old reference, 1000 AMSGrad steps, weak noise prior": { ...REFERENCE_SETTINGS, fitIterations: 1000, noisePrior: "weak" },
  "old reference, L-BFGS fit to convergence": { ...REFERENCE_SETTINGS, fitMethod: "lbfgs", fitIterations: 1000 },
  "metta preset": { preset: "metta" },
  "metta preset, 50 Adam steps": { preset: "metta", fitIterations: 50 },
  "metta preset, old fit (50 AMSGrad steps, lr 1e-3)": { preset: "metta", fitMethod: "adam", fitIterations: 50 },
};

const config = {
  metric: "score",
  goal: "minimize",
  parameters: {
    x0: { distribution: "uniform", min: -5, max: 10, mean: 2.5, scale: "auto" },
    x1: { distribution: "uniform", min: 0, max: 15, mean: 7.5, scale: "auto" },
  },
};
const BOX = { x0: [-5, 10], x1: [0, 15] } as const;
const OPTIMUM = 0.397887;
const branin = braninValue;

const quantile = (v: number[], q: number): number => {
  const s = [...v].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
};
const fmt = (x: number): string => (x === 0 ? "0" : Math.abs(x) >= 0.01 && Math.abs(x) < 1000 ? x.toPrecision(3) : x.toExponential(2));

console.log(`Branin, seeds ${seedOffset}..${seedOffset + seeds - 1} × ${evals} evaluations (${new Date().toISOString()})\n`);
console.log("| variant | median regret [IQR] | model-step suggestions on a bound | longest run of x1 = 0 (median, max) | last fit: lengthscales (median min–max) | last fit: noise (median) | CPU s/run |");
console.log("|---|---:|---:|---:|---:|---:|---:|");
for (const [name, settings] of Object.entries(VARIANTS)) {
  // --only: a variant's exact name, or else any variant whose name contains the text.
  if (only.length > 0 && !only.some((o) => (o in VARIANTS ? name === o : name.includes(o)))) continue;
  const regrets: number[] = [];
  const runs: number[] = [];
  let model = 0;
  let onBound = 0;
  const lsMin: number[] = [];
  const lsMax: number[] = [];
  const noise: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let seed = seedOffset; seed < seedOffset + seeds; seed++) {
    const p = new Protein<{ x0: number; x1: number }>(config, { ...settings, seed });
    let best = Infinity;
    let run = 0;
    let longest = 0;
    let last;
    for (let i = 0; i < evals; i++) {
      const s = p.suggest();
      const { x0, x1 } = s.params;
      const f = branin(x0, x1);
      best = Math.min(best, f);
      run = x1 === 0 ? run + 1 : 0;
      longest = Math.max(longest, run);
      if (s.info.phase === "model") {
        model++;
        if (x0 === BOX.x0[0] || x0 === BOX.x0[1] || x1 === BOX.x1[0] || x1 === BOX.x1[1]) onBound++;
        if (s.info.scoreModel) last = s.info.scoreModel;
      }
      p.observe(s.params, f, 1);
    }
    regrets.push(best - OPTIMUM);
    runs.push(longest);
    if (last) {
      lsMin.push(last.lengthscaleRange[0]);
      lsMax.push(last.lengthscaleRange[1]);
      noise.push(last.noise);
    }
  }
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `| ${name} | ${fmt(quantile(regrets, 0.5))} [${fmt(quantile(regrets, 0.25))} – ${fmt(quantile(regrets, 0.75))}] | ${((100 * onBound) / Math.max(1, model)).toFixed(1)} % of ${model} | ${quantile(runs, 0.5)}, ${Math.max(...runs)} | ${fmt(quantile(lsMin, 0.5))} – ${fmt(quantile(lsMax, 0.5))} | ${fmt(quantile(noise, 0.5))} | ${((cpu.user + cpu.system) / 1e6 / seeds).toFixed(1)} |`,
  );
}
