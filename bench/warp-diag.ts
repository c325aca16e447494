/**
 * What `outputWarping` chooses along one sweep of a quality-suite problem (the suite's evaluation loop, one seed):
 * the count of each transform at the model suggestions, its orientation and λ, the range of the gaps' Box–Cox λ
 * (`info.outputWarping.gapLambda`) under each choice, and the final regret.
 *
 *   npx tsx bench/warp-diag.ts --problem mixed-training --seed 4 [--setting auto] [--budget 100]
 */
import { Protein } from "../src/protein";
import { createRng } from "../src/random";
import { getProblem } from "./quality/problems/index";
import { noiseSeed } from "./quality/core";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const problem = getProblem(flag("problem", "mixed-training"));
const seed = Number(flag("seed", "4"));
const setting = flag("setting", "auto") as "auto";
const budget = Number(flag("budget", problem.dim <= 4 ? "60" : "100"));
const protein = new Protein(structuredClone(problem.config), { seed, outputWarping: setting });
const noise = createRng(noiseSeed(problem.name, seed));
const counts = new Map<string, number>();
const lambdas: number[] = [];
const floors: number[] = [];
const gapLambdas = new Map<string, number[]>();
let best = Infinity;
for (let i = 0; i < budget; i++) {
  const { params, info } = protein.suggest();
  const w = (info as { outputWarping?: { kind: string; orientation?: string; lambda: number; noiseFloor?: number; gapLambda?: number } }).outputWarping;
  if (w?.gapLambda !== undefined) gapLambdas.set(w.kind, [...(gapLambdas.get(w.kind) ?? []), w.gapLambda]);
  if (w?.noiseFloor !== undefined) floors.push(w.noiseFloor);
  if (w) {
    const key = `${w.kind}${w.orientation ? `/${w.orientation}` : ""}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (w.kind === "box-cox") lambdas.push(w.lambda);
  }
  const { score, cost } = problem.evaluate(params, noise);
  best = Math.min(best, problem.regret(problem.objective(params)));
  protein.observe(params, score, cost ?? 1);
}
console.log(
  `${problem.name} seed ${seed} ${setting}: ${[...counts].map(([k, v]) => `${k} ${v}`).join(", ")}` +
    (lambdas.length ? `; box-cox λ ${Math.min(...lambdas).toFixed(2)}…${Math.max(...lambdas).toFixed(2)}` : "") +
    [...gapLambdas].map(([k, v]) => `; gap λ under ${k} ${Math.min(...v).toFixed(2)}…${Math.max(...v).toFixed(2)} (median ${[...v].sort((a, b) => a - b)[v.length >> 1].toFixed(2)})`).join("") +
    (floors.length ? `; a noise floor of δ in force on ${floors.length} (${Math.min(...floors).toExponential(1)}…${Math.max(...floors).toExponential(1)})` : "") +
    `; log10 regret ${Math.log10(best).toFixed(2)}`,
);
