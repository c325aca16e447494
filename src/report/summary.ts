/**
 * The sweep summary: one data object (`summaryJson`, for machines and for `--json`) and its
 * rendering as plain text for a terminal of a given width (`renderSummary`). Pure: the caller
 * passes the runs, the sweep's info and the width, and prints the result.
 */
import type { ParamValue } from "../space/parameters";
import { flattenParams } from "../space/search-space";
import type { Trial } from "../study/types";
import { ReportError } from "./errors";
import { importance as measureImportance, type ImportanceResult } from "./importance";
import { paretoFront, top } from "./rank";
import { countStates, direction, failedGates, formatGate, hasScore, parseGates, toTrials, type StateCounts, type SweepInfo, type SweepRecords } from "./records";

/** One run as the summary shows it: params flattened to dotted keys. */
export interface RunSummary {
  id: string;
  number: number;
  state: Trial["state"];
  score: number | null;
  cost: number | null;
  params: Record<string, ParamValue>;
  metrics: Record<string, number>;
}

/** Everything the summary says, JSON-serializable (what `--json` prints). */
export interface SweepSummary {
  /** The sweep's name, when given. */
  name: string | null;
  goal: SweepInfo["goal"];
  /** Name of the score. */
  metric: string;
  /** When the summary was made (ISO 8601). */
  generatedAt: string;
  counts: StateCounts;
  /** The gates as text. */
  gates: string[];
  /** Finished runs with a score that pass every gate (the ones that rank). */
  ranked: number;
  /** Finished runs with a score that fail a gate (kept, never ranked), in trial order, with the gates each fails. */
  gated: Array<{ id: string; number: number; failed: string[] }>;
  /** The cost of every run that recorded one (failed and stopped runs too): what the sweep spent. */
  totalCost: number;
  best: RunSummary | null;
  top: RunSummary[];
  /** The (score, cost) Pareto front, cheapest first. */
  front: RunSummary[];
  /** Parameter importance, or null when not asked for. */
  importance: ImportanceResult | null;
}

/** Options of {@link summaryJson} and {@link renderSummary}. */
export interface SummaryOptions {
  /** How many runs the top list holds. @default 5 */
  top?: number;
  /** A result of `importance()` to show, `false` to leave importance out, or undefined to measure it here (about a second for a few hundred runs). */
  importance?: ImportanceResult | false;
  /** Seed for the importance measurement. @default 0 */
  seed?: number;
  /** The time to stamp (for reproducible output). @default now */
  now?: Date;
}

function runSummary(t: Trial): RunSummary {
  const params: Record<string, ParamValue> = {};
  for (const [k, v] of flattenParams(t.params as Record<string, unknown>)) params[k] = v as ParamValue;
  return { id: t.id, number: t.number, state: t.state, score: t.score, cost: t.cost, params, metrics: { ...t.metrics } };
}

/**
 * The summary as data: counts by state, the gates, the best run, the top k, the front and the
 * importance of each parameter.
 * @param records study trials or observations
 * @param info goal (required), metric, space, gates, name
 * @param options top k, importance (precomputed / false / measured here), seed, now
 * @throws {ReportError} on an unknown goal, a bad gate or a bad `top`
 * @example JSON.stringify(summaryJson(study.trials(), { goal: "maximize", metric: "return" }), null, 2)
 */
export function summaryJson(records: SweepRecords, info: SweepInfo, options: SummaryOptions = {}): SweepSummary {
  direction(info.goal);
  const k = options.top ?? 5;
  const trials = toTrials(records);
  const gates = parseGates(info.gates);
  const metric = info.metric ?? "score";
  const topRuns = top(trials, k, info);
  const gated = trials
    .filter(hasScore)
    .map((t) => ({ t, failed: failedGates(t, gates, metric) }))
    .filter((g) => g.failed.length > 0)
    .sort((a, b) => a.t.number - b.t.number);
  let totalCost = 0;
  for (const t of trials) if (t.cost !== null && Number.isFinite(t.cost)) totalCost += t.cost;
  const imp = options.importance === false ? null : (options.importance ?? measureImportance(trials, info, { seed: options.seed ?? 0 }));
  return {
    name: info.name ?? null,
    goal: info.goal,
    metric,
    generatedAt: (options.now ?? new Date()).toISOString(),
    counts: countStates(trials),
    gates: gates.map(formatGate),
    ranked: trials.filter(hasScore).length - gated.length,
    gated: gated.map(({ t, failed }) => ({ id: t.id, number: t.number, failed: failed.map(formatGate) })),
    totalCost,
    best: topRuns.length > 0 ? runSummary(topRuns[0]) : null,
    top: topRuns.map(runSummary),
    front: paretoFront(trials, info).map(runSummary),
    importance: imp,
  };
}

/** Options of {@link renderSummary}. */
export interface RenderSummaryOptions extends SummaryOptions {
  /** Terminal width in columns; every line fits in it. Narrower than 40 is treated as 40. @default 80 */
  width?: number;
}

/** A number in at most ~9 characters: 4 significant digits, exponent form when very large or small. */
export function formatNumber(x: number | null | undefined): string {
  if (x === null || x === undefined) return "—";
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "-∞";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-3) return x.toExponential(2).replace(/\.?0+e/, "e").replace("e+", "e");
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(4)));
}

function formatValue(v: ParamValue): string {
  return typeof v === "number" ? formatNumber(v) : String(v);
}

/** Cuts a line to `width` columns, ending in "…" when cut. */
function fit(line: string, width: number): string {
  const chars = [...line];
  return chars.length <= width ? line : chars.slice(0, width - 1).join("") + "…";
}

function pad(text: string, width: number, right = false): string {
  const cut = fit(text, width);
  const fill = " ".repeat(Math.max(0, width - [...cut].length));
  return right ? fill + cut : cut + fill;
}

/** Shortest unambiguous names: the last segment of each dotted key, or the full key when two share it. */
function shortNames(keys: readonly string[]): Map<string, string> {
  const last = (k: string) => k.slice(k.lastIndexOf(".") + 1);
  const uses = new Map<string, number>();
  for (const k of keys) uses.set(last(k), (uses.get(last(k)) ?? 0) + 1);
  return new Map(keys.map((k) => [k, uses.get(last(k)) === 1 ? last(k) : k]));
}

/** Words joined by two spaces into lines of at most `width` columns (a word longer than that is cut). */
function wrap(words: readonly string[], width: number, indent: string, gap = "  "): string[] {
  const lines: string[] = [];
  let line = "";
  for (const w of words) {
    const next = line === "" ? w : `${line}${gap}${w}`;
    if ([...(indent + next)].length <= width) line = next;
    else {
      if (line !== "") lines.push(indent + line);
      line = w;
    }
  }
  if (line !== "") lines.push(indent + line);
  return lines.map((l) => fit(l, width));
}

/** How many gated runs the text names (`--json` lists them all). */
const GATED_SHOWN = 8;

const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/** A horizontal bar of `fraction` (0–1) of `width` columns, in eighths of a column. */
function bar(fraction: number, width: number): string {
  const eighths = Math.round(Math.max(0, Math.min(1, fraction)) * width * 8);
  return "█".repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

function runTable(runs: readonly RunSummary[], metric: string, names: Map<string, string>, width: number, withRank: boolean): string[] {
  const idW = Math.max(3, ...runs.map((r) => r.id.length));
  const scoreW = Math.max(9, Math.min(16, metric.length));
  const costW = 9;
  const rankW = withRank ? 5 : 0;
  const fixed = 2 + rankW + idW + 2 + scoreW + 2 + costW + 2;
  const paramsW = width - fixed;
  const head =
    "  " + (withRank ? pad("rank", rankW) : "") + pad("run", idW) + "  " + pad(metric, scoreW, true) + "  " + pad("cost", costW, true) + (paramsW >= 12 ? "  params" : "");
  const lines = [fit(head, width)];
  runs.forEach((r, i) => {
    let line = "  " + (withRank ? pad(String(i + 1), rankW) : "") + pad(r.id, idW) + "  " + pad(formatNumber(r.score), scoreW, true) + "  " + pad(formatNumber(r.cost), costW, true);
    if (paramsW >= 12) {
      line += "  " + Object.entries(r.params).map(([k, v]) => `${names.get(k) ?? k}=${formatValue(v)}`).join(" ");
    }
    lines.push(fit(line, width));
  });
  return lines;
}

/**
 * Renders a summary (from {@link summaryJson}) as plain text lines no wider than `width`.
 * @param summary what to show
 * @param width columns (at least 40)
 */
export function formatSummary(summary: SweepSummary, width = 80): string {
  if (!Number.isFinite(width) || width <= 0) {
    throw new ReportError("the terminal width must be a positive number of columns", { key: "width", value: width, allowed: "a number ≥ 1 (below 40 counts as 40)", fix: "pass process.stdout.columns, or omit it for 80" });
  }
  const W = Math.max(40, Math.floor(width));
  const out: string[] = [];
  const c = summary.counts;
  const title = `protein-sweep summary${summary.name ? `: ${summary.name}` : ""} (${summary.goal} ${summary.metric})`;
  out.push(fit(title, W));
  const parts = (["finished", "failed", "stopped", "running", "pending"] as const).filter((s) => c[s] > 0).map((s) => `${c[s]} ${s}`);
  let counts = `${c.total} run${c.total === 1 ? "" : "s"}${parts.length ? `: ${parts.join(", ")}` : ""}`;
  if (summary.totalCost > 0) counts += `; cost spent ${formatNumber(summary.totalCost)}`;
  out.push(...wrap(counts.split(" "), W, "", " "));
  if (summary.gates.length > 0) {
    out.push(...wrap(["gates:", ...summary.gates.map((g, i) => (i < summary.gates.length - 1 ? `${g},` : g)), `(${summary.ranked} of ${c.finished} finished pass)`], W, "", " "));
    if (summary.gated.length > 0) {
      const shown = summary.gated.slice(0, GATED_SHOWN).map((g) => `${g.id} [${g.failed.join("; ")}]`);
      const more = summary.gated.length - shown.length;
      const words = ["failed a gate (kept, never best):", ...shown.map((w, i) => (i < shown.length - 1 || more > 0 ? `${w},` : w)), ...(more > 0 ? [`… and ${more} more`] : [])];
      out.push(...wrap(words, W, "", " "));
    }
  }
  out.push("");
  const allKeys = [...new Set([...summary.top, ...summary.front].flatMap((r) => Object.keys(r.params)))];
  const names = shortNames(allKeys);
  // Tables list the params most important first, so a narrow terminal cuts the least important.
  const rank = new Map((summary.importance?.parameters ?? []).map((p, i) => [p.key, i]));
  const byImportance = (r: RunSummary): RunSummary => ({
    ...r,
    params: Object.fromEntries(Object.entries(r.params).sort(([a], [b]) => (rank.get(a) ?? rank.size) - (rank.get(b) ?? rank.size))),
  });
  if (summary.best === null) {
    out.push(fit(c.finished === 0 ? "No finished runs yet." : "No finished run passes the gates yet.", W));
  } else {
    const b = summary.best;
    out.push(fit(`Best run: ${b.id} (#${b.number})  ${summary.metric} ${formatNumber(b.score)}  cost ${formatNumber(b.cost)}`, W));
    out.push(...wrap(Object.entries(b.params).map(([k, v]) => `${k}=${formatValue(v)}`), W, "  "));
    const metrics = Object.entries(b.metrics).filter(([k]) => k !== summary.metric);
    if (metrics.length > 0) out.push(...wrap(metrics.map(([k, v]) => `${k}=${formatNumber(v)}`), W, "  "));
    out.push("");
    out.push(fit(`Top ${summary.top.length}`, W));
    out.push(...runTable(summary.top.map(byImportance), summary.metric, names, W, true));
    out.push("");
    out.push(fit(`Pareto front of ${summary.metric} and cost (${summary.front.length} run${summary.front.length === 1 ? "" : "s"}, cheapest first)`, W));
    out.push(...runTable(summary.front.map(byImportance), summary.metric, names, W, false));
  }
  const imp = summary.importance;
  if (imp !== null) {
    out.push("");
    if (imp.parameters.length === 0) {
      out.push(...wrap(`Importance: not measured (${imp.reason ?? "no parameters"})`.split(" "), W, "", " "));
    } else {
      out.push(fit(`Importance (share of the score's variance, GP + Sobol indices, ${imp.runs} runs)`, W));
      const nameW = Math.min(Math.max(...imp.parameters.map((p) => p.key.length)), Math.floor(W * 0.4));
      const barW = W - 2 - nameW - 2 - 5;
      for (const p of imp.parameters) {
        const pct = (p.importance > 0 && p.importance < 0.005 ? "<1%" : `${(100 * p.importance).toFixed(0)}%`).padStart(4);
        out.push(fit(`  ${pad(p.key, nameW)}  ${pad(bar(p.importance, barW), barW)} ${pct}`, W));
      }
    }
  }
  return out.join("\n") + "\n";
}

/**
 * The terminal summary of a sweep: counts, gates, the best run, the top k, the Pareto front and
 * importance bars, every line at most `options.width` columns. Pure: returns the text.
 * @param records study trials or observations
 * @param info goal (required), metric, space, gates, name
 * @param options width (default 80), top (default 5), importance, seed, now
 * @throws {ReportError} on an unknown goal, a bad gate, a bad `top` or width
 * @example process.stdout.write(renderSummary(trials, { goal: "maximize" }, { width: process.stdout.columns ?? 80 }))
 */
export function renderSummary(records: SweepRecords, info: SweepInfo, options: RenderSummaryOptions = {}): string {
  return formatSummary(summaryJson(records, info, options), options.width ?? 80);
}
