/**
 * Replays protein-sweep runs recorded by the baselines harness (`tools/sklearn_harness.py run … --out X.json`)
 * and says, for every model-phase suggestion that puts a continuous parameter within 1 % of a bound (in its
 * natural scale), where in the candidate search the winner came from: the draws around the search centres,
 * the uniform global draws, or a step of the local refinement (half-width 0.1 / 0.03 / 0.01), and which
 * acquisition rated it. The replay suggests with the same settings and seed and observes the recorded scores,
 * so it is exact only when the run used the settings given here (checked: a mismatch stops the replay).
 *
 *   npx tsx tools/sklearn-trace.ts [--settings '{"key":value}'] [--optimizer protein-ts] [--probe PROBLEM/SEED/INDEX] RESULTS.json [more.json …]
 *
 * --probe prints, at that suggestion (1-based index), the score model's mean, standard deviation and
 * z = (mean − best)/sd along each normalized coordinate through the winner.
 * Prints one line per such suggestion and a summary per problem.
 */
import { readFileSync } from "node:fs";
import { Protein } from "../src/index";
import { CandidateSearch } from "../src/protein/candidate-search";
import { SearchSpace } from "../src/space/search-space";

interface Spec {
  distribution: string;
  min: number;
  max: number;
}
interface Run {
  problem: string;
  optimizer: string;
  seed: number;
  ok: boolean;
  params: Array<Record<string, number>>;
  scores: number[];
  costs: number[];
}
interface File {
  meta: { problems: Record<string, { space: Record<string, unknown>; goal: string }> };
  runs: Run[];
}

const CONTINUOUS = ["uniform", "log_normal", "logit_normal"];

function unit(v: number, s: Spec): number {
  if (s.distribution === "log_normal") return Math.log(v / s.min) / Math.log(s.max / s.min);
  if (s.distribution === "logit_normal") return Math.log((1 - v) / (1 - s.min)) / Math.log((1 - s.max) / (1 - s.min));
  return (v - s.min) / (s.max - s.min);
}

// Instrumentation: every batch the space samples during one search, tagged by call order.
let batches: Array<{ tag: string; rows: Float64Array }> | undefined;
const origSample = SearchSpace.prototype.sample;
SearchSpace.prototype.sample = function (this: SearchSpace, n, rng, options = {}) {
  const out = origSample.call(this, n, rng, options);
  if (batches) {
    const sc = options.scale;
    const tag = typeof sc === "object" && sc.length > 0 && sc.every((v) => v === sc[0]) && sc[0] < 1 ? `refine ${sc[0]}` : batches.length === 0 ? "centres" : "global";
    batches.push({ tag, rows: out });
  }
  return out;
};
let lastSource = "";
// --probe: the score model along each coordinate through the winner, at one chosen suggestion.
let probeNow = false;
let probeOut: string[] = [];
interface ProbeModels {
  scoreGp: { predict(X: Float64Array, o: { variance: boolean; includeNoise: boolean }): { mean: Float64Array; variance?: Float64Array } };
  targets: { yNorm: Float64Array };
  data: { n: number };
}
const proto = CandidateSearch.prototype as unknown as { search: (...a: unknown[]) => { x: Float64Array } };
const origSearch = proto.search;
proto.search = function (this: unknown, ...args: unknown[]) {
  batches = [];
  const res = origSearch.apply(this, args);
  const d = res.x.length;
  lastSource = "?";
  for (const b of batches) {
    for (let i = 0; i < b.rows.length / d; i++) {
      let eq = true;
      for (let j = 0; j < d && eq; j++) eq = b.rows[i * d + j] === res.x[j];
      if (eq) {
        lastSource = b.tag;
        break;
      }
    }
    if (lastSource !== "?") break;
  }
  batches = undefined;
  if (probeNow) {
    const models = (args[0] as { models: ProbeModels }).models;
    let best = -Infinity;
    for (let i = 0; i < models.data.n; i++) best = Math.max(best, models.targets.yNorm[i]);
    for (let j = 0; j < d; j++) {
      const steps = 11;
      const X = new Float64Array(steps * d);
      for (let t = 0; t < steps; t++) {
        X.set(res.x, t * d);
        X[t * d + j] = -1 + (2 * t) / (steps - 1);
      }
      const pr = models.scoreGp.predict(X, { variance: true, includeNoise: false });
      const cells = [];
      for (let t = 0; t < steps; t++) {
        const sd = Math.sqrt(Math.max(pr.variance![t], 0));
        const z = (pr.mean[t] - best) / sd;
        cells.push(`${X[t * d + j].toFixed(1)}: μ ${pr.mean[t].toFixed(2)} σ ${sd.toFixed(2)} z ${z.toFixed(1)}`);
      }
      probeOut.push(`  coordinate ${j} (winner at ${res.x[j].toFixed(3)}; best normalized score ${best.toFixed(2)}):\n    ${cells.join("\n    ")}`);
    }
  }
  return res;
};

function main(argv: string[]): void {
  let settings: Record<string, unknown> = {};
  let optimizer = "protein-ts";
  let probe = "";
  const variants: Array<[string, Record<string, unknown>]> = [];
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--settings") settings = JSON.parse(argv[++i]);
    else if (argv[i] === "--optimizer") optimizer = argv[++i];
    else if (argv[i] === "--probe") probe = argv[++i];
    else if (argv[i] === "--one-step") {
      const [name, json] = argv[++i].split(/=(.*)/s);
      variants.push([name, JSON.parse(json || "{}")]);
    }
    else files.push(argv[i]);
  }
  const runs = new Map<string, Run>();
  const meta: File["meta"]["problems"] = {};
  for (const f of files) {
    const data = JSON.parse(readFileSync(f, "utf8")) as File;
    Object.assign(meta, data.meta.problems);
    for (const r of data.runs) if (r.optimizer === optimizer && r.ok) runs.set(`${r.problem}/${r.seed}`, r);
  }
  if (variants.length > 0) return oneStep(runs, meta, variants);
  const summary = new Map<string, Map<string, number>>();
  for (const run of runs.values()) {
    const space = meta[run.problem].space as Record<string, Spec | string>;
    const params: Record<string, Spec> = {};
    for (const [k, v] of Object.entries(space)) if (typeof v === "object") params[k] = v as Spec;
    const config = { metric: "score", goal: meta[run.problem].goal, parameters: params };
    const p = new Protein(config as never, { seed: run.seed, ...settings });
    const sum = summary.get(run.problem) ?? new Map<string, number>();
    summary.set(run.problem, sum);
    for (let i = 0; i < run.params.length; i++) {
      probeNow = probe === `${run.problem}/${run.seed}/${i + 1}`;
      probeOut = [];
      const s = p.suggest();
      if (probeNow) console.log(`probe ${probe}: score model (normalized, higher is better) along each coordinate through the winner\n${probeOut.join("\n")}`);
      const got = s.params as Record<string, number>;
      for (const k of Object.keys(params)) {
        const a = got[k];
        const b = run.params[i][k];
        if (Math.abs(a - b) > 1e-6 * Math.max(1, Math.abs(b))) throw new Error(`${run.problem} seed ${run.seed} #${i}: replay differs at ${k} (${a} vs ${b}); were the settings the same?`);
      }
      const near = Object.entries(params)
        .filter(([, sp]) => CONTINUOUS.includes(sp.distribution))
        .map(([k, sp]) => [k, unit(got[k], sp)] as const)
        .filter(([, u]) => u <= 0.01 || u >= 0.99);
      if (s.info.phase === "model") {
        const key = `${s.info.acquisition} ${lastSource}`;
        sum.set(`all: ${key}`, (sum.get(`all: ${key}`) ?? 0) + 1);
        if (near.length > 0) sum.set(`near: ${key}`, (sum.get(`near: ${key}`) ?? 0) + 1);
      } else if (near.length > 0) sum.set(`near: ${s.info.phase}`, (sum.get(`near: ${s.info.phase}`) ?? 0) + 1);
      if (near.length > 0) {
        const where = near.map(([k, u]) => `${k}@${u.toFixed(4)}`).join(" ");
        const pred = s.info.predictedScore !== undefined ? ` predicted ${s.info.predictedScore.toPrecision(4)}` : "";
        console.log(`${run.problem} seed ${run.seed} #${i + 1} ${s.info.phase} ${s.info.acquisition ?? ""} from ${s.info.phase === "model" ? lastSource : "-"}: ${where}${pred} observed ${run.scores[i].toPrecision(4)}`);
      }
      p.observe(run.params[i], run.scores[i], run.costs[i]);
    }
  }
  for (const [prob, sum] of summary) {
    console.log(`\n${prob}: model-phase suggestions by acquisition and source (all / within 1 % of a bound)`);
    const keys = [...new Set([...sum.keys()].map((k) => k.replace(/^(all|near): /, "")))].sort();
    for (const k of keys) console.log(`  ${k}: ${sum.get(`all: ${k}`) ?? 0} / ${sum.get(`near: ${k}`) ?? 0}`);
  }
}

function specsOf(space: Record<string, unknown>): Record<string, Spec> {
  const params: Record<string, Spec> = {};
  for (const [k, v] of Object.entries(space)) if (typeof v === "object" && v !== null) params[k] = v as Spec;
  return params;
}

/**
 * --one-step NAME=SETTINGS (repeatable): at every state of the recorded runs from observation 10 on, a fresh
 * Protein with those settings is given the recorded observations and makes one suggestion (a model step rated
 * by the acquisition, log EI by default). Prints per problem and variant the share of these suggestions with a
 * continuous parameter within 1 % of a bound, and exactly on one. No evaluation is needed, so variants of the
 * candidate search can be compared on the same states.
 */
function oneStep(runs: Map<string, Run>, meta: File["meta"]["problems"], variants: Array<[string, Record<string, unknown>]>): void {
  const rows = new Map<string, { n: number; near: number; on: number }>();
  for (const run of runs.values()) {
    const params = specsOf(meta[run.problem].space);
    const config = { metric: "score", goal: meta[run.problem].goal, parameters: params };
    const cont = Object.entries(params).filter(([, sp]) => CONTINUOUS.includes(sp.distribution));
    for (const [name, settings] of variants) {
      const key = `${run.problem} ${name}`;
      const row = rows.get(key) ?? { n: 0, near: 0, on: 0 };
      rows.set(key, row);
      for (let t = 10; t < run.params.length; t++) {
        const p = new Protein(config as never, { seed: run.seed * 1000 + t, ...settings });
        for (let i = 0; i < t; i++) p.observe(run.params[i], run.scores[i], run.costs[i]);
        const got = p.suggest().params as Record<string, number>;
        const us = cont.map(([k, sp]) => unit(got[k], sp));
        row.n++;
        if (us.some((u) => u <= 0.01 || u >= 0.99)) row.near++;
        if (us.some((u) => u <= 1e-9 || u >= 1 - 1e-9)) row.on++;
      }
    }
  }
  console.log("| problem | variant | one-step suggestions | continuous within 1 % of a bound | exactly on a bound |");
  console.log("|---|---|---:|---:|---:|");
  for (const [key, r] of rows) {
    const [prob, name] = key.split(" ");
    console.log(`| ${prob} | ${name} | ${r.n} | ${((100 * r.near) / r.n).toFixed(1)} % | ${((100 * r.on) / r.n).toFixed(1)} % |`);
  }
}

main(process.argv.slice(2));
