/**
 * Summarizes the traces written by tools/harness-trace-external.mjs (TRACE_DIR) together with the harness's result
 * file (for the true scores): per seed, the final regret and the transforms the output warping chose; per (transform,
 * rating) of the model steps, how many, the share of costly runs (cost ≥ 3/5 of the costliest one seen), the mean true
 * score, and the share that improved the best true score so far; and, at each warped step, the Box–Cox λ̂ of the gaps
 * to the best (observed scores, δ as the surrogate takes it) and the profile log-likelihood at λ = 0 minus λ = 1.
 *
 *   npx tsx tools/harness-trace-summary.ts /tmp/trace-auto.json /tmp/trace-auto trainrun
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { boxCoxLambda, boxCoxLogLikelihood } from "../src/protein/output-warping";

interface Run {
  problem: string;
  seed: number;
  scores: number[];
  true_scores: number[];
  costs: number[];
  regret: number[];
}
interface Line {
  op: string;
  goal?: string;
  info?: { phase: string; acquisition?: string; costCoolingAlpha?: number; outputWarping?: { kind: string; noiseFloor?: number } };
}

const [resultFile, traceDir, problem = "trainrun"] = process.argv.slice(2);
if (!resultFile || !traceDir) {
  console.error("usage: npx tsx tools/harness-trace-summary.ts RESULT.json TRACE_DIR [problem]");
  process.exit(2);
}
const runs = (JSON.parse(readFileSync(resultFile, "utf8")) as { runs: Run[] }).runs.filter((r) => r.problem === problem);
const groups = new Map<string, { n: number; costly: number; score: number; improved: number }>();
const warped: string[] = [];
for (const run of runs.sort((a, b) => a.seed - b.seed)) {
  const lines = readFileSync(join(traceDir, `${problem}-s${run.seed}.jsonl`), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Line);
  const sign = lines[0].goal === "minimize" ? -1 : 1;
  const steps = lines.filter((l) => l.op === "suggest");
  const kinds = new Map<string, number>();
  steps.forEach((step, i) => {
    const info = step.info!;
    if (info.phase !== "model") return;
    const kind = info.outputWarping?.kind ?? "none";
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    const key = `${kind} / ${info.acquisition ?? "?"}`;
    const g = groups.get(key) ?? { n: 0, costly: 0, score: 0, improved: 0 };
    const best = Math.max(...run.true_scores.slice(0, i).map((v) => sign * v));
    g.n++;
    g.costly += run.costs[i] >= 0.6 * Math.max(...run.costs) ? 1 : 0;
    g.score += run.true_scores[i];
    g.improved += sign * run.true_scores[i] > best ? 1 : 0;
    groups.set(key, g);
    if (kind === "log" || kind === "box-cox") {
      // The gaps to the best of the observed scores so far, δ = max(gap from the best to the third best, noise floor).
      const s = run.scores.slice(0, i).map((v) => sign * v);
      const v = s.map((x) => -x).sort((a, b) => a - b);
      const delta = Math.max(v[Math.min(2, v.length - 1)] - v[0], info.outputWarping?.noiseFloor ?? 0);
      const x = s.map((si) => -si - (v[0] - delta));
      const lambda = boxCoxLambda(x).lambda;
      warped.push(`seed ${run.seed} step ${i}: ${kind}, λ̂ ${lambda.toFixed(2)}, llf(0) − llf(1) ${(boxCoxLogLikelihood(x, 0) - boxCoxLogLikelihood(x, 1)).toFixed(2)}, δ ${delta.toPrecision(2)}${info.outputWarping?.noiseFloor ? ` (floor ${info.outputWarping.noiseFloor.toPrecision(2)})` : ""}, α ${(info.costCoolingAlpha ?? 0).toFixed(2)}`);
    }
  });
  console.log(`seed ${run.seed}: final regret ${run.regret[run.regret.length - 1].toPrecision(3)}; model steps ${[...kinds].map(([k, n]) => `${k} ${n}`).join(", ")}`);
}
console.log("\n| transform / rating | model steps | costly runs | mean true score | improved the best |\n|---|---:|---:|---:|---:|");
for (const [key, g] of [...groups].sort()) console.log(`| ${key} | ${g.n} | ${((100 * g.costly) / g.n).toFixed(0)} % | ${(g.score / g.n).toFixed(3)} | ${((100 * g.improved) / g.n).toFixed(0)} % |`);
if (warped.length) console.log(`\nwarped steps (${warped.length}):\n${warped.join("\n")}`);
