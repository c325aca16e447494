/**
 * Summaries of quality runs: medians and interquartile ranges of log10 regret, the
 * evaluations needed to reach a regret threshold, suggest times, and the markdown table.
 *
 * Glossary:
 *   r_i          best-so-far regret after i + 1 evaluations (RunRecord.bestRegret[i])
 *   log10 r      log10(max(r, REGRET_FLOOR)); the floor keeps exact hits finite
 *   τ_p          regret threshold of problem p: THRESHOLD_FRACTION × (median regret of a
 *                uniformly random point), i.e. 99 % of the gap between a typical random
 *                point and the optimum is closed
 *   Q1, Q3       25 % and 75 % quantiles (linear interpolation between order statistics)
 */

import { normalCdf } from "../../src/acquisition/safe-math";
import { createRng } from "../../src/random";
import { getProblem } from "./problems/index";
import { RandomSearch } from "./optimizers";
import type { RunRecord } from "./core";

/** Regrets below this count as this in log10 (published optima carry ~6 digits). */
export const REGRET_FLOOR = 1e-8;
/** τ_p = THRESHOLD_FRACTION × median random regret. */
export const THRESHOLD_FRACTION = 0.01;
/** Points used to estimate the median random regret of a problem. */
const RANDOM_PROBE_POINTS = 2001;
/** Fractions of the cost budget at which the cost protocol reports regret. */
export const COST_FRACTIONS = [0.25, 0.5, 1] as const;

/** log10 of a regret, floored at REGRET_FLOOR. */
export function log10Regret(regret: number): number {
  return Math.log10(Math.max(regret, REGRET_FLOOR));
}

/**
 * Quantile of a sample (type 7: linear interpolation between order statistics).
 * @param values - the sample; Infinity is allowed (sorts last), NaN is not.
 * @param q - in [0, 1].
 * @returns the quantile, NaN for an empty sample.
 */
export function quantileOf(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  if (lo === hi || sorted[hi] === sorted[lo]) return sorted[lo];
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

const probeCache = new Map<string, number>();

/**
 * Two-sided p of the Mann–Whitney U test between two samples: the normal approximation with the tie
 * correction and a continuity correction (scipy's `mannwhitneyu(..., method="asymptotic")`, its choice when
 * there are ties). Infinite values rank as the largest.
 */
export function mannWhitneyP(a: readonly number[], b: readonly number[]): number {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return Number.NaN;
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => (x.v < y.v ? -1 : x.v > y.v ? 1 : 0));
  const n = n1 + n2;
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && all[j + 1].v === all[i].v) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (all[k].g === 0) rankSumA += rank;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (sd === 0) return 1;
  const z = (Math.abs(u - mean) - 0.5) / sd;
  return Math.min(1, 2 * normalCdf(-Math.max(z, 0)));
}

/** 95 % interval of the median by bootstrap over the values (percentiles of `resamples` resampled medians). */
export function medianInterval(values: readonly number[], resamples = 4000, seed = 1): [number, number] {
  const rng = createRng(seed);
  const medians: number[] = [];
  const draw: number[] = new Array(values.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < values.length; i++) draw[i] = values[rng.int(0, values.length - 1)];
    medians.push(quantileOf(draw, 0.5));
  }
  return [quantileOf(medians, 0.025), quantileOf(medians, 0.975)];
}

/**
 * Median regret of a uniformly random point of a problem's box (fixed seed, so the
 * value is the same in every run of the runner).
 */
export function medianRandomRegret(problemName: string): number {
  const cached = probeCache.get(problemName);
  if (cached !== undefined) return cached;
  const problem = getProblem(problemName);
  const search = new RandomSearch();
  search.init(structuredClone(problem.config), 20240611);
  const regrets: number[] = [];
  for (let i = 0; i < RANDOM_PROBE_POINTS; i++) regrets.push(problem.regret(problem.objective(search.suggest())));
  const median = quantileOf(regrets, 0.5);
  probeCache.set(problemName, median);
  return median;
}

/** Regret threshold τ_p of a problem. */
export function regretThreshold(problemName: string): number {
  return THRESHOLD_FRACTION * medianRandomRegret(problemName);
}

/** Summary of one optimizer on one problem. */
export interface OptimizerSummary {
  optimizer: string;
  runs: number;
  /** Median, Q1 and Q3 of log10 regret at the end of the budget. */
  medianLog10Regret: number;
  q1Log10Regret: number;
  q3Log10Regret: number;
  /** Median evaluations to reach r ≤ τ (unreached runs count as never); null when the median run never does. */
  medianEvalsToThreshold: number | null;
  /** Runs that reached r ≤ τ. */
  reached: number;
  /** Median wall time of one suggest() over every call, ms. */
  medianSuggestMs: number;
  /** Mean wall time of one suggest() over every call, ms (dominated by the model-based ones). */
  meanSuggestMs: number;
  /** Share of all suggestions with a continuous parameter exactly on a bound (NaN when not recorded). */
  onBoundShare: number;
  /** Per evaluation (evaluations protocol) or per cost grid point (cost protocol): median, Q1, Q3 of log10 regret. */
  curve: { x: number[]; median: number[]; q1: number[]; q3: number[] };
  /** Cost protocol only. */
  cost?: {
    /** Median runs counted within the budget. */
    medianRuns: number;
    /** Median total cost spent. */
    medianSpent: number;
    /** Median log10 regret after spending each fraction of COST_FRACTIONS of the budget. */
    medianLog10RegretAt: number[];
    /** Median best noise-free score within the budget. */
    medianBestValue: number;
  };
}

/** Summary of one problem (one protocol). */
export interface ProblemSummary {
  problem: string;
  dim: number;
  protocol: RunRecord["protocol"];
  budget: number;
  threshold: number;
  optimizers: OptimizerSummary[];
}

/** Best-so-far regret once `spent` cost has been used (Infinity before the first run ends). */
function regretAtCost(run: RunRecord, spent: number): number {
  let total = 0;
  let regret = Infinity;
  for (let i = 0; i < run.costs.length; i++) {
    total += run.costs[i];
    if (total > spent) break;
    regret = run.bestRegret[i];
  }
  return regret;
}

/**
 * Groups runs by protocol × problem × optimizer (in first-seen order) and summarizes them.
 */
export function summarize(runs: readonly RunRecord[]): ProblemSummary[] {
  const groups = new Map<string, Map<string, RunRecord[]>>();
  for (const run of runs) {
    const key = `${run.protocol}\u0000${run.problem}`;
    let byOptimizer = groups.get(key);
    if (byOptimizer === undefined) groups.set(key, (byOptimizer = new Map()));
    let list = byOptimizer.get(run.optimizer);
    if (list === undefined) byOptimizer.set(run.optimizer, (list = []));
    list.push(run);
  }
  const out: ProblemSummary[] = [];
  for (const [key, byOptimizer] of groups) {
    const [protocol, problemName] = key.split("\u0000") as [RunRecord["protocol"], string];
    const problem = getProblem(problemName);
    const threshold = regretThreshold(problemName);
    const first = byOptimizer.values().next().value as RunRecord[];
    const budget = first[0].budget;
    const optimizers: OptimizerSummary[] = [];
    for (const [optimizer, list] of byOptimizer) optimizers.push(summarizeOptimizer(optimizer, list, threshold, protocol, budget));
    out.push({ problem: problemName, dim: problem.dim, protocol, budget, threshold, optimizers });
  }
  return out;
}

function summarizeOptimizer(
  optimizer: string,
  list: RunRecord[],
  threshold: number,
  protocol: RunRecord["protocol"],
  budget: number,
): OptimizerSummary {
  const finals = list.map((run) => log10Regret(run.bestRegret.length === 0 ? Infinity : run.bestRegret[run.bestRegret.length - 1]));
  const toThreshold = list.map((run) => {
    const i = run.bestRegret.findIndex((r) => r <= threshold);
    return i < 0 ? Infinity : i + 1;
  });
  const medianEvals = quantileOf(toThreshold, 0.5);
  const suggestMs = list.flatMap((run) => run.suggestMs);
  const summary: OptimizerSummary = {
    optimizer,
    runs: list.length,
    medianLog10Regret: quantileOf(finals, 0.5),
    q1Log10Regret: quantileOf(finals, 0.25),
    q3Log10Regret: quantileOf(finals, 0.75),
    medianEvalsToThreshold: Number.isFinite(medianEvals) ? medianEvals : null,
    reached: toThreshold.filter(Number.isFinite).length,
    medianSuggestMs: quantileOf(suggestMs, 0.5),
    meanSuggestMs: suggestMs.length === 0 ? Number.NaN : suggestMs.reduce((a, b) => a + b, 0) / suggestMs.length,
    curve: { x: [], median: [], q1: [], q3: [] },
    onBoundShare: share(list.flatMap((run) => run.onBound ?? [])),
  };
  if (protocol === "evaluations") {
    const length = Math.max(...list.map((run) => run.bestRegret.length));
    for (let i = 0; i < length; i++) {
      const column = list.map((run) => log10Regret(run.bestRegret[Math.min(i, run.bestRegret.length - 1)] ?? Infinity));
      pushCurve(summary.curve, i + 1, column);
    }
  } else {
    const points = 100;
    for (let k = 1; k <= points; k++) {
      const spent = (budget * k) / points;
      pushCurve(summary.curve, spent, list.map((run) => log10Regret(regretAtCost(run, spent))));
    }
    const bestValues = list.map((run) => {
      const problem = getProblem(run.problem);
      const sign = problem.goal === "maximize" ? 1 : -1;
      return run.values.length === 0 ? Number.NaN : sign * Math.max(...run.values.map((v) => sign * v));
    });
    summary.cost = {
      medianRuns: quantileOf(list.map((run) => run.costs.length), 0.5),
      medianSpent: quantileOf(list.map((run) => run.costs.reduce((a, b) => a + b, 0)), 0.5),
      medianLog10RegretAt: COST_FRACTIONS.map((f) => quantileOf(list.map((run) => log10Regret(regretAtCost(run, f * budget))), 0.5)),
      medianBestValue: quantileOf(bestValues, 0.5),
    };
  }
  return summary;
}

function share(flags: readonly number[]): number {
  return flags.length === 0 ? Number.NaN : flags.reduce((a, b) => a + b, 0) / flags.length;
}

function pushCurve(curve: OptimizerSummary["curve"], x: number, column: number[]): void {
  curve.x.push(x);
  curve.median.push(quantileOf(column, 0.5));
  curve.q1.push(quantileOf(column, 0.25));
  curve.q3.push(quantileOf(column, 0.75));
}

function fmt(value: number, digits = 2): string {
  if (value === Infinity) return "∞";
  if (value === -Infinity) return "−∞";
  if (Number.isNaN(value)) return "—";
  return value.toFixed(digits).replace(/^-/, "−");
}

function fmtShare(x: number): string {
  return Number.isNaN(x) ? "—" : `${(100 * x).toFixed(1)} %`;
}

function fmtMs(ms: number): string {
  if (Number.isNaN(ms)) return "—";
  return ms < 1 ? ms.toFixed(3) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}

function fmtThreshold(t: number): string {
  return t >= 0.1 && t < 1e4 ? t.toPrecision(3) : t.toExponential(2);
}

/**
 * Renders the summaries as markdown: one table per problem (evaluations protocol), then
 * the cost-protocol table if any. The best median per problem is in bold.
 */
export function renderTable(summaries: readonly ProblemSummary[]): string {
  const lines: string[] = [];
  const evalSummaries = summaries.filter((s) => s.protocol === "evaluations");
  if (evalSummaries.length > 0) {
    lines.push(
      `Regret is measured on the noise-free objective of each evaluated point (best so far). ` +
        `log10 regret is floored at ${Math.log10(REGRET_FLOOR)}. ` +
        `τ = ${THRESHOLD_FRACTION} × the median regret of a uniformly random point; ` +
        `"evals to τ" is the median over seeds (a run that never reaches τ counts as never; "—" when the median run never does), ` +
        `with the number of runs that reached τ in parentheses.`,
      "",
    );
  }
  for (const s of evalSummaries) {
    const runs = s.optimizers[0]?.runs ?? 0;
    lines.push(`### ${s.problem} (d = ${s.dim}, ${s.budget} evaluations, ${runs} seeds, τ = ${fmtThreshold(s.threshold)})`, "");
    lines.push("| optimizer | median log10 regret | IQR | evals to τ | on a bound | suggest ms (median / mean) |");
    lines.push("|---|---:|---:|---:|---:|---:|");
    const best = Math.min(...s.optimizers.map((o) => o.medianLog10Regret));
    for (const o of s.optimizers) {
      const median = fmt(o.medianLog10Regret);
      const cell = o.medianLog10Regret === best ? `**${median}**` : median;
      const evals = o.medianEvalsToThreshold === null ? "—" : fmt(o.medianEvalsToThreshold, 0);
      lines.push(
        `| ${o.optimizer} | ${cell} | [${fmt(o.q1Log10Regret)}, ${fmt(o.q3Log10Regret)}] | ${evals} (${o.reached}/${o.runs}) | ${fmtShare(o.onBoundShare)} | ${fmtMs(o.medianSuggestMs)} / ${fmtMs(o.meanSuggestMs)} |`,
      );
    }
    lines.push("");
  }
  for (const s of summaries.filter((x) => x.protocol === "cost")) {
    const runs = s.optimizers[0]?.runs ?? 0;
    lines.push(`### Cost protocol: ${s.problem} (total cost budget ${s.budget} s, ${runs} seeds)`, "");
    lines.push(
      "Median log10 regret of the best noise-free score after spending a quarter, half and all of the budget; the runs counted and the cost spent are medians over seeds.",
      "",
    );
    lines.push(
      "| optimizer | log10 regret @25% | @50% | @100% | IQR @100% | best score | runs | cost spent (s) | on a bound | suggest ms (median / mean) |",
    );
    lines.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    const best = Math.min(...s.optimizers.map((o) => o.medianLog10Regret));
    for (const o of s.optimizers) {
      const c = o.cost;
      if (c === undefined) continue;
      const at = c.medianLog10RegretAt.map((v) => fmt(v));
      if (o.medianLog10Regret === best) at[at.length - 1] = `**${at[at.length - 1]}**`;
      lines.push(
        `| ${o.optimizer} | ${at.join(" | ")} | [${fmt(o.q1Log10Regret)}, ${fmt(o.q3Log10Regret)}] | ${fmt(c.medianBestValue, 4)} | ${fmt(c.medianRuns, 0)} | ${fmt(c.medianSpent, 0)} | ${fmtShare(o.onBoundShare)} | ${fmtMs(o.medianSuggestMs)} / ${fmtMs(o.meanSuggestMs)} |`,
      );
    }
    lines.push("");
  }
  return lines.join("\n");
}
