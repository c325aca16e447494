/**
 * Reads result files of the baselines harness (`../shared/baselines/run_baselines.py --out X.json`;
 * several files are merged, later ones win per (problem, optimizer, seed)) and writes what its own
 * tables leave out:
 *
 *   - per problem and optimizer: median and IQR of the final simple regret; median regret after
 *     spending 25 %, 50 % and 100 % of the problem's cost budget (`meta.problems[p].cost_budget`,
 *     the cumulative cost of the runs taken in order; "—" until the first run fits); the median
 *     total cost; and the share of suggestions that put at least one continuous parameter other than
 *     the cost parameter exactly on a bound of its range (with the share of (suggestion, parameter)
 *     pairs on a bound);
 *   - one SVG per cost-aware problem: median regret (IQR shaded) against cumulative cost spent.
 *
 *   npx tsx tools/harness-report.ts --svg-dir docs/img /tmp/baselines/results/main-8seeds.json /tmp/ts.json
 *
 * With a cost budget, `--compare NAME` adds, per fraction of the budget, a 95 % interval of each median
 * (bootstrap over seeds, 4 000 resamples, seeded) and the two-sided Mann–Whitney p of each optimizer against
 * NAME; `--per-seed` lists each seed's regret at 25 / 50 / 100 % and at the end (for pooling runs later);
 * `--name old=new` renames an optimizer in the tables and plots. Files may also be a run's `.partial.jsonl`
 * (one run per line; the problem's budget then comes from another file given, e.g. the harness's recorded run).
 *
 * Prints markdown on stdout. Regret is the harness's (true, noise-free score of the evaluated points).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderLinePlot } from "../bench/quality/plot";
import { mannWhitneyP, medianInterval, quantileOf } from "../bench/quality/summary";

interface HarnessRun {
  problem: string;
  optimizer: string;
  seed: number;
  ok: boolean;
  params?: Array<Record<string, number | string>>;
  costs: number[];
  regret: number[];
}
interface Spec {
  distribution?: string;
  min?: number;
  max?: number;
}
interface HarnessProblem {
  cost_budget?: number | null;
  cost_param?: string | null;
  space: Record<string, unknown>;
}
interface HarnessFile {
  meta: { problems: Record<string, HarnessProblem> };
  runs: HarnessRun[];
}

/** Best-so-far regret once `spent` cost has been used (Infinity before the first run ends). */
export function regretAtCost(run: Pick<HarnessRun, "costs" | "regret">, spent: number): number {
  let total = 0;
  let regret = Infinity;
  for (let i = 0; i < run.costs.length; i++) {
    total += run.costs[i];
    if (total > spent) break;
    regret = run.regret[i];
  }
  return regret;
}

/** Continuous parameters (uniform, log_normal, logit_normal) of a flat harness space: name → [min, max]. Integer and power-of-two ones are left out: their bounds are ordinary values. */
/** Each continuous parameter's range, and whether it is measured on a log scale (log_normal). */
function numericBounds(space: Record<string, unknown>): Map<string, [number, number, boolean]> {
  const out = new Map<string, [number, number, boolean]>();
  for (const [key, value] of Object.entries(space)) {
    const spec = value as Spec;
    if (typeof value !== "object" || value === null || typeof spec.min !== "number" || typeof spec.max !== "number") continue;
    if (!["uniform", "log_normal", "logit_normal"].includes(spec.distribution ?? "")) continue;
    out.set(key, [spec.min, spec.max, spec.distribution === "log_normal"]);
  }
  return out;
}

/**
 * Share of suggestions with some parameter on a bound, and share of (suggestion, parameter) pairs on one: within
 * 1e-9 of the range, in the parameter's own scale (the logarithm for log_normal, where a tolerance in raw units
 * would be about 1 % of the range's lower decade for a range like 1e-6..10).
 */
export function boundShare(params: ReadonlyArray<Record<string, number | string>>, bounds: Map<string, [number, number, boolean]>): { any: number; pairs: number } {
  let any = 0;
  let pairs = 0;
  let total = 0;
  for (const p of params) {
    let on = false;
    for (const [key, [min, max, log]] of bounds) {
      const raw = Number(p[key]);
      const [v, lo, hi] = log ? [Math.log(raw), Math.log(min), Math.log(max)] : [raw, min, max];
      total++;
      const tol = 1e-9 * (hi - lo);
      if (Math.abs(v - lo) <= tol || Math.abs(v - hi) <= tol) {
        pairs++;
        on = true;
      }
    }
    if (on) any++;
  }
  return { any: params.length === 0 ? Number.NaN : any / params.length, pairs: total === 0 ? Number.NaN : pairs / total };
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return x === Infinity ? "—" : "n/a";
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? x.toExponential(2) : Number(x.toPrecision(3)).toString();
}

function main(argv: string[]): void {
  let svgDir: string | undefined;
  let compare: string | undefined;
  let perSeed = false;
  const rename = new Map<string, string>();
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--svg-dir") svgDir = argv[++i];
    else if (argv[i] === "--compare") compare = argv[++i];
    else if (argv[i] === "--per-seed") perSeed = true;
    else if (argv[i] === "--name") {
      const [from, to] = (argv[++i] ?? "").split("=");
      if (!from || !to) throw new Error(`--name takes old=new, got "${argv[i]}"`);
      rename.set(from, to);
    } else files.push(argv[i]);
  }
  if (files.length === 0) throw new Error("usage: npx tsx tools/harness-report.ts [--svg-dir DIR] [--compare NAME] [--per-seed] [--name old=new …] results.json|run.partial.jsonl …");
  const problems: Record<string, HarnessProblem> = {};
  const runs = new Map<string, HarnessRun>();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const data: HarnessFile = file.endsWith(".jsonl")
      ? { meta: { problems: {} }, runs: text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as HarnessRun) }
      : (JSON.parse(text) as HarnessFile);
    Object.assign(problems, data.meta.problems);
    for (const run of data.runs) {
      if (!run.ok) continue;
      const optimizer = rename.get(run.optimizer) ?? run.optimizer;
      runs.set(`${run.problem}\u0000${optimizer}\u0000${run.seed}`, { ...run, optimizer });
    }
  }
  const byProblem = new Map<string, Map<string, HarnessRun[]>>();
  for (const run of runs.values()) {
    const m = byProblem.get(run.problem) ?? new Map<string, HarnessRun[]>();
    byProblem.set(run.problem, m);
    const list = m.get(run.optimizer) ?? [];
    m.set(run.optimizer, list);
    list.push(run);
  }
  const lines: string[] = [];
  for (const [problem, byOpt] of byProblem) {
    const meta = problems[problem];
    const budget = meta?.cost_budget ?? null;
    const bounds = numericBounds(meta?.space ?? {});
    // The cost parameter is left out: its best value is often its maximum (a longer run scores higher).
    if (meta?.cost_param) bounds.delete(meta.cost_param);
    const seeds = Math.max(...[...byOpt.values()].map((l) => l.length));
    lines.push(`#### ${problem} (${seeds} seeds${budget ? `, cost budget ${fmt(budget)}` : ""})`, "");
    const costCols = budget ? " regret @25 % | @50 % | @100 % of the cost budget | median total cost |" : "";
    lines.push(`| optimizer | median regret | IQR |${costCols} suggestions with a continuous parameter (not the cost parameter) on a bound | pairs on a bound |`);
    lines.push(`|---|---:|---:|${budget ? "---:|---:|---:|---:|" : ""}---:|---:|`);
    const series = [];
    const optimizers = [...byOpt.entries()].sort(([a], [b]) => a.localeCompare(b));
    for (const [optimizer, list] of optimizers) {
      const finals = list.map((r) => r.regret[r.regret.length - 1]);
      let cells = `| ${optimizer} | ${fmt(quantileOf(finals, 0.5))} | ${fmt(quantileOf(finals, 0.25))} – ${fmt(quantileOf(finals, 0.75))} |`;
      if (budget) {
        for (const f of [0.25, 0.5, 1]) cells += ` ${fmt(quantileOf(list.map((r) => regretAtCost(r, f * budget)), 0.5))} |`;
        cells += ` ${fmt(quantileOf(list.map((r) => r.costs.reduce((a, b) => a + b, 0)), 0.5))} |`;
        const x: number[] = [];
        const med: number[] = [];
        const lo: number[] = [];
        const hi: number[] = [];
        for (let k = 1; k <= 100; k++) {
          const spent = (budget * k) / 100;
          const col = list.map((r) => Math.log10(Math.max(regretAtCost(r, spent), 1e-8)));
          x.push(spent);
          med.push(quantileOf(col, 0.5));
          lo.push(quantileOf(col, 0.25));
          hi.push(quantileOf(col, 0.75));
        }
        series.push({ name: optimizer, x, y: med, lo, hi });
      }
      const withParams = list.filter((r) => Array.isArray(r.params));
      const share = boundShare(withParams.flatMap((r) => r.params ?? []), bounds);
      cells += ` ${(100 * share.any).toFixed(1)} % | ${(100 * share.pairs).toFixed(1)} % |`;
      lines.push(cells);
    }
    lines.push("");
    if (budget && compare !== undefined) {
      const base = byOpt.get(compare);
      if (!base) throw new Error(`--compare ${compare}: no such optimizer on ${problem} (${[...byOpt.keys()].join(", ")})`);
      lines.push(`95 % intervals of the median regret (bootstrap over seeds) and Mann–Whitney p against ${compare}:`, "");
      lines.push("| optimizer | seeds | @25 % [95 % interval] | p | @50 % | p | @100 % | p |", "|---|---:|---:|---:|---:|---:|---:|---:|");
      for (const [optimizer, list] of optimizers) {
        let cells = `| ${optimizer} | ${list.length} |`;
        for (const f of [0.25, 0.5, 1]) {
          const col = list.map((r) => regretAtCost(r, f * budget));
          const [lo, hi] = medianInterval(col);
          const p = optimizer === compare ? "" : mannWhitneyP(col, base.map((r) => regretAtCost(r, f * budget))).toFixed(2);
          cells += ` ${fmt(quantileOf(col, 0.5))} [${fmt(lo)}, ${fmt(hi)}] | ${p} |`;
        }
        lines.push(cells);
      }
      lines.push("");
    }
    if (perSeed) {
      for (const [optimizer, list] of optimizers) {
        const fields = [...list]
          .sort((a, b) => a.seed - b.seed)
          .map((r) => `${r.seed}: ${budget ? [0.25, 0.5, 1].map((f) => fmt(regretAtCost(r, f * budget))).join(" / ") + " / " : ""}${fmt(r.regret[r.regret.length - 1])}`);
        lines.push(`${optimizer}, per seed (${budget ? "regret @25 / 50 / 100 % of the budget / " : ""}final regret): ${fields.join("; ")}`, "");
      }
    }
    if (budget && svgDir) {
      const finite = series.map((s) => ({ ...s, y: s.y.map((v) => (Number.isFinite(v) ? v : Number.NaN)), lo: s.lo.map((v) => (Number.isFinite(v) ? v : Number.NaN)), hi: s.hi.map((v) => (Number.isFinite(v) ? v : Number.NaN)) }));
      const svg = renderLinePlot({ title: `harness ${problem}: median log10 regret against cost spent (IQR shaded; ${seeds} seeds)`, xLabel: "cumulative cost spent", yLabel: "log10 best regret (noise-free)", series: finite });
      const path = join(svgDir, `harness-${problem}-cost.svg`);
      writeFileSync(path, svg);
      lines.push(`Plot: \`${path}\``, "");
    }
  }
  process.stdout.write(lines.join("\n") + "\n");
}

main(process.argv.slice(2));
