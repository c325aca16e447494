/**
 * The HTML report: one self-contained file (styles, the charting library, the data and the
 * page's script all inline; a Content-Security-Policy that forbids any network request), so it
 * opens offline, e.g. copied off a cluster.
 *
 * Charts are drawn by Apache ECharts, read from the installed package's minified build
 * (`echarts/dist/echarts.min.js`) when the report is made. The runs are embedded once, as
 * compact JSON rows (numbers to PAGE_DIGITS significant digits: the page shows 4); the page's
 * script (./client.ts) builds every chart and the table from them.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { ParameterSpace } from "../space/parameters";
import { flattenParams, type SearchSpace } from "../space/search-space";
import type { Trial } from "../study/types";
import { CLIENT_SCRIPT, REPORT_STYLE } from "./client";
import { importance as measureImportance, inferSpace, type ImportanceResult } from "./importance";
import { paretoFront, top } from "./rank";
import { countStates, direction, formatGate, hasScore, parseGates, passesGates, toTrials, type SweepInfo, type SweepRecords } from "./records";

/** What {@link renderReportHtml} needs besides the runs. */
export interface ReportMeta extends SweepInfo {
  /** The time the report says it was made. @default now */
  now?: Date;
  /** A result of `importance()` to show, `false` to leave it out, or undefined to measure it here. */
  importance?: ImportanceResult | false;
  /** Seed of the importance measurement. @default 0 */
  seed?: number;
  /** The charting library's source to inline, instead of reading echarts from node_modules. */
  echartsSource?: string;
}

/** How the page draws one parameter's axis. */
export type AxisKind = "log" | "log2" | "linear" | "category";

/** The embedded data the page's script reads (one JSON block). */
export interface ReportData {
  meta: {
    title: string;
    goal: SweepInfo["goal"];
    metric: string;
    generatedAt: string;
    counts: ReturnType<typeof countStates>;
    gates: string[];
    /** Finished runs with a score that pass the gates. */
    ranked: number;
    /** One per parameter, in the space's order: dotted key, axis kind, categories (for "category"). */
    params: Array<{ key: string; axis: AxisKind; values?: Array<string | number | boolean>; min?: number; max?: number }>;
    /** Metric names besides the score, sorted. */
    metrics: string[];
    /** Trial number of the best run, or null. */
    best: number | null;
  };
  /**
   * One row per run, in trial-number order:
   * [number, id, state, score, cost, passesGates (0|1), onFront (0|1), reason, ...params, ...metrics]
   * (a missing param or metric is null).
   */
  runs: Array<Array<string | number | boolean | null>>;
  importance: ImportanceResult | null;
}

/** Significant digits the page keeps of every number (it shows 4; 8 keep sorting exact enough and the file small). */
export const PAGE_DIGITS = 8;

function keep(x: number): number {
  return Number(x.toPrecision(PAGE_DIGITS));
}

/** Columns of a run row before the params. */
export const RUN_FIELDS = ["number", "id", "state", "score", "cost", "passes", "front", "reason"] as const;

function axisOf(space: ParameterSpace): { axis: AxisKind; values?: Array<string | number | boolean> } {
  switch (space.distribution) {
    case "log_normal":
      return { axis: "log" };
    case "uniform_pow2":
      return { axis: "log2" };
    case "categorical":
      return { axis: "category", values: [...(space.toSpec().values ?? [])] };
    default:
      return { axis: "linear" };
  }
}

/**
 * The data block of the report (exported for tests and for tools that draw their own charts).
 * @throws {ReportError} on an unknown goal or a bad gate
 */
export function reportData(records: SweepRecords, meta: ReportMeta): ReportData {
  direction(meta.goal);
  const trials = toTrials(records).slice().sort((a, b) => a.number - b.number);
  const gates = parseGates(meta.gates);
  const metric = meta.metric ?? "score";
  const space: SearchSpace = meta.space ?? inferSpace(trials);
  const extraKeys = new Set<string>();
  for (const t of trials) for (const k of flattenParams(t.params as Record<string, unknown>).keys()) if (space.indexOf(k) === undefined) extraKeys.add(k);
  const params: ReportData["meta"]["params"] = space.entries.map((e) => ({ key: e.key, ...axisOf(e.space) }));
  for (const k of [...extraKeys].sort()) params.push({ key: k, axis: "linear" });
  // Numeric axes span the space's range, widened to any recorded value outside it.
  params.forEach((p, j) => {
    if (p.axis === "category") return;
    const spec = j < space.dim ? space.entries[j].space.toSpec() : undefined;
    let lo = spec?.min ?? Number.POSITIVE_INFINITY;
    let hi = spec?.max ?? Number.NEGATIVE_INFINITY;
    for (const t of trials) {
      const v = flattenParams(t.params as Record<string, unknown>).get(p.key);
      if (typeof v === "number" && Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (lo <= hi) {
      p.min = lo;
      p.max = hi;
    }
  });
  const metricNames = [...new Set(trials.flatMap((t) => Object.keys(t.metrics)))].filter((m) => m !== metric).sort();
  const front = new Set(paretoFront(trials, meta).map((t) => t.id));
  const best = top(trials, 1, meta)[0];
  const runs = trials.map((t: Trial) => {
    const flat = flattenParams(t.params as Record<string, unknown>);
    const row: Array<string | number | boolean | null> = [
      t.number,
      t.id,
      t.state,
      t.score !== null && Number.isFinite(t.score) ? keep(t.score) : null,
      t.cost !== null && Number.isFinite(t.cost) ? keep(t.cost) : null,
      passesGates(t, gates, metric) ? 1 : 0,
      front.has(t.id) ? 1 : 0,
      t.reason ?? null,
    ];
    for (const p of params) {
      const v = flat.get(p.key);
      row.push(typeof v === "number" ? (Number.isFinite(v) ? keep(v) : null) : typeof v === "string" || typeof v === "boolean" ? v : null);
    }
    for (const m of metricNames) {
      const v = t.metrics[m];
      row.push(typeof v === "number" && Number.isFinite(v) ? keep(v) : null);
    }
    return row;
  });
  const scored = trials.filter(hasScore);
  const imp = meta.importance === false || scored.length === 0 ? null : (meta.importance ?? measureImportance(trials, { space }, { seed: meta.seed ?? 0 }));
  return {
    meta: {
      title: meta.name ?? "protein-sweep report",
      goal: meta.goal,
      metric,
      generatedAt: (meta.now ?? new Date()).toISOString(),
      counts: countStates(trials),
      gates: gates.map(formatGate),
      ranked: scored.filter((t) => passesGates(t, gates, metric)).length,
      params,
      metrics: metricNames,
      best: best ? best.number : null,
    },
    runs,
    importance: imp,
  };
}

let echartsCache: string | undefined;

/** The minified ECharts build from node_modules, read once. */
export function echartsSource(): string {
  if (echartsCache === undefined) {
    const require = createRequire(import.meta.url);
    echartsCache = readFileSync(require.resolve("echarts/dist/echarts.min.js"), "utf8");
  }
  return echartsCache;
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text for HTML element content or attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Inline script text: no `</script` or `<!--` can end or confuse the element. */
function inlineScript(source: string): string {
  return source.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:";

/**
 * The sweep's report as one self-contained HTML page: best score so far against trial number
 * and against cumulative cost, the (score, cost) scatter with the Pareto front, parallel
 * coordinates coloured by score, one slice plot per parameter (log axes for log parameters),
 * importance, and a sortable table of every run (failed and stopped ones marked, with their
 * reason; gates shown when the sweep has them). With no finished run yet it is a page that says
 * so (and lists the runs there are). It states when it was made and how many runs it holds.
 * Makes no network request (enforced by its Content-Security-Policy).
 * @param records study trials or observations
 * @param meta goal (required), metric, space, gates, name; now, importance, seed
 * @returns the HTML text (write it to a file as UTF-8)
 * @throws {ReportError} on an unknown goal or a bad gate
 * @example fs.writeFileSync("report.html", renderReportHtml(study.trials(), { goal: study.goal, metric: study.metric, space: study.space }))
 */
export function renderReportHtml(records: SweepRecords, meta: ReportMeta): string {
  const data = reportData(records, meta);
  const hasCharts = data.runs.some((r) => r[2] === "finished" && r[3] !== null);
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  const title = escapeHtml(data.meta.title);
  const made = data.meta.generatedAt.replace("T", " ").replace(/\.\d+Z$/, " UTC");
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="protein-sweep report">`,
    `<title>${title} · ${data.meta.counts.total} runs · ${escapeHtml(made)}</title>`,
    `<style>${REPORT_STYLE}</style>`,
    "</head>",
    "<body>",
    '<main id="app"></main>',
    `<script type="application/json" id="report-data">${json}</script>`,
    hasCharts ? `<script>${inlineScript(meta.echartsSource ?? echartsSource())}</script>` : "",
    `<script>${inlineScript(CLIENT_SCRIPT)}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
