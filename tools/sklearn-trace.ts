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
 * --one-step NAME=SETTINGS (repeatable; see oneStep) rates the recorded states with variants of the settings;
 * with --faces it also compares the score model at the box's faces with the interior on each state (see facesProbe).
 *
 *   npx tsx tools/sklearn-trace.ts --faces --one-step default={} RESULTS.json
 * Prints one line per such suggestion and a summary per problem.
 */
import { readFileSync } from "node:fs";
import { Protein } from "../src/index";
import { CandidateSearch } from "../src/protein/candidate-search";
import { SearchSpace } from "../src/space/search-space";
import { logExpectedImprovement } from "../src/acquisition/analytic";
import { createRng } from "../src/random";

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
let facesSeed = 1;
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
  if (facesProblem) {
    const space = (this as unknown as { space: SearchSpace }).space;
    facesNames.set(facesProblem, [...space.keys]);
    facesProbe((args[0] as { models: ProbeModels }).models, d, [...space.continuousDims], facesSeed++);
  }
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
    else if (argv[i] === "--faces") faces = true;
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
  const rows = new Map<string, { n: number; near: number; on: number; anyOn: number; fromRefine: number; per: Map<string, [number, number]> }>();
  for (const run of runs.values()) {
    const params = specsOf(meta[run.problem].space);
    const config = { metric: "score", goal: meta[run.problem].goal, parameters: params };
    const cont = Object.entries(params).filter(([, sp]) => CONTINUOUS.includes(sp.distribution));
    for (const [name, settings] of variants) {
      const key = `${run.problem} ${name}`;
      const row = rows.get(key) ?? { n: 0, near: 0, on: 0, anyOn: 0, fromRefine: 0, per: new Map(cont.map(([k]) => [k, [0, 0] as [number, number]])) };
      rows.set(key, row);
      for (let t = 10; t < run.params.length; t++) {
        const p = new Protein(config as never, { seed: run.seed * 1000 + t, ...settings });
        for (let i = 0; i < t; i++) p.observe(run.params[i], run.scores[i], run.costs[i]);
        facesProblem = faces ? run.problem : "";
        const got = p.suggest().params as Record<string, number>;
        facesProblem = "";
        const us = cont.map(([k, sp]) => unit(got[k], sp));
        row.n++;
        cont.forEach(([k], j) => {
          const c = row.per.get(k)!;
          if (us[j] <= 0.01) c[0]++;
          if (us[j] >= 0.99) c[1]++;
        });
        if (us.some((u) => u <= 0.01 || u >= 0.99)) {
          row.near++;
          if (lastSource.startsWith("refine")) row.fromRefine++;
        }
        if (us.some((u) => u <= 1e-9 || u >= 1 - 1e-9)) row.on++;
        if (Object.entries(params).some(([k, sp]) => Math.abs(got[k] - sp.min) <= 1e-9 * Math.max(1, Math.abs(sp.min)) || Math.abs(got[k] - sp.max) <= 1e-9 * Math.max(1, Math.abs(sp.max)))) row.anyOn++;
      }
    }
  }
  console.log("| problem | variant | one-step suggestions | continuous within 1 % of a bound | of these, refined | per parameter: ≤ 1 % from its minimum / maximum | exactly on a bound | any parameter on a bound (integers included) |");
  console.log("|---|---|---:|---:|---:|---|---:|---:|");
  for (const [key, r] of rows) {
    const [prob, name] = key.split(" ");
    const per = [...r.per].map(([k, [lo, hi]]) => `${k} ${((100 * lo) / r.n).toFixed(0)} / ${((100 * hi) / r.n).toFixed(0)} %`).join(", ");
    console.log(`| ${prob} | ${name} | ${r.n} | ${((100 * r.near) / r.n).toFixed(1)} % | ${r.near ? ((100 * r.fromRefine) / r.near).toFixed(0) : "–"} % | ${per} | ${((100 * r.on) / r.n).toFixed(1)} % | ${((100 * r.anyOn) / r.n).toFixed(1)} % |`);
  }
  if (faces) printFaces();
}

// --faces: the score model at the box's faces against the interior, on every one-step state.
let faces = false;
let facesProblem = "";
/** Per problem and coordinate: sums over states × probe points of σ ratio, mean gap, log-EI gap, and the count. */
const facesAcc = new Map<string, Map<number, { sdRatio: number; meanGap: number; eiGap: number; eiWins: number; n: number }>>();
const FACE_POINTS = 128;

/**
 * At FACE_POINTS points drawn uniformly in [−0.9, 0.9]^d (a fixed generator per state), for each continuous
 * coordinate j: the posterior σ and mean with x_j moved to the nearer face (±1) against at x, and log EI (the
 * plain acquisition, no cost terms) at the face against at x.
 */
function facesProbe(models: ProbeModels, d: number, contDims: number[], seed: number): void {
  const rng = createRng(seed);
  const X = new Float64Array(FACE_POINTS * d);
  for (let i = 0; i < X.length; i++) X[i] = 0.9 * (2 * rng.random() - 1);
  let best = -Infinity;
  for (let i = 0; i < models.data.n; i++) best = Math.max(best, models.targets.yNorm[i]);
  const base = models.scoreGp.predict(X, { variance: true, includeNoise: false });
  const baseEi = logExpectedImprovement(base.mean, base.variance!, best);
  const acc = facesAcc.get(facesProblem) ?? new Map();
  facesAcc.set(facesProblem, acc);
  for (const j of contDims) {
    const F = Float64Array.from(X);
    for (let i = 0; i < FACE_POINTS; i++) F[i * d + j] = F[i * d + j] < 0 ? -1 : 1;
    const f = models.scoreGp.predict(F, { variance: true, includeNoise: false });
    const fEi = logExpectedImprovement(f.mean, f.variance!, best);
    const a = acc.get(j) ?? { sdRatio: 0, meanGap: 0, eiGap: 0, eiWins: 0, n: 0 };
    acc.set(j, a);
    for (let i = 0; i < FACE_POINTS; i++) {
      a.sdRatio += Math.sqrt(Math.max(f.variance![i], 1e-300) / Math.max(base.variance![i], 1e-300));
      a.meanGap += f.mean[i] - base.mean[i];
      const gap = fEi[i] - baseEi[i];
      if (Number.isFinite(gap)) a.eiGap += gap;
      if (fEi[i] > baseEi[i]) a.eiWins++;
      a.n++;
    }
  }
}

function printFaces(): void {
  console.log("\n| problem | coordinate | mean σ(face) / σ(interior) | mean μ(face) − μ(interior) (normalized score) | mean log EI(face) − log EI(interior) | face rated higher |");
  console.log("|---|---|---:|---:|---:|---:|");
  for (const [prob, acc] of facesAcc) {
    for (const [j, a] of acc) {
      console.log(`| ${prob} | ${facesNames.get(prob)?.[j] ?? j} | ${(a.sdRatio / a.n).toFixed(3)} | ${(a.meanGap / a.n).toFixed(3)} | ${(a.eiGap / a.n).toFixed(2)} | ${((100 * a.eiWins) / a.n).toFixed(0)} % |`);
    }
  }
}
const facesNames = new Map<string, string[]>();

main(process.argv.slice(2));
