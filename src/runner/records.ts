/**
 * The records a sweep leaves besides its journal: `runs.csv` (one row per trial) and the
 * end summary (best run passing the gates, top 5, the (score, cost) Pareto front).
 * Everything here is computed from trials, so `protein-sweep summary JOURNAL` and the end
 * of `run` print the same thing.
 */
import { paretoFront } from "../pareto";
import { flattenParams } from "../space/search-space";
import type { Trial } from "../study";
import { formatValue } from "./command";
import { failedGates } from "./plan";
import type { Gate } from "./run-block";

export interface SweepSummary {
  readonly counts: Record<Trial["state"], number> & { total: number };
  /** Finished trials, best first, that pass every gate. */
  readonly ranked: readonly Trial[];
  /** Finished trials that fail a gate (kept, never best), with the gates they fail. */
  readonly gated: ReadonlyArray<{ trial: Trial; failed: string[] }>;
  readonly best?: Trial;
  /** Trials on the (score, cost) front of the finished ones passing the gates, cost-ascending. */
  readonly front: readonly Trial[];
  readonly totalCost: number;
}

/** Wall seconds of a trial's latest attempt, when it ended. */
export function trialSeconds(t: Trial): number | undefined {
  if (t.startedAt === undefined || t.finishedAt === undefined) return undefined;
  return (Date.parse(t.finishedAt) - Date.parse(t.startedAt)) / 1000;
}

export function summarize(trials: readonly Trial[], goal: "maximize" | "minimize", gates: readonly Gate[]): SweepSummary {
  const counts = { pending: 0, running: 0, finished: 0, failed: 0, stopped: 0, total: trials.length };
  let totalCost = 0;
  const passing: Trial[] = [];
  const gated: Array<{ trial: Trial; failed: string[] }> = [];
  for (const t of trials) {
    counts[t.state]++;
    totalCost += t.cost ?? 0;
    if (t.state !== "finished" || t.score === null) continue;
    const failed = failedGates(t.metrics, gates);
    if (failed.length > 0) gated.push({ trial: t, failed: failed.map((g) => g.text) });
    else passing.push(t);
  }
  const sign = goal === "maximize" ? -1 : 1;
  const ranked = [...passing].sort((a, b) => sign * ((a.score as number) - (b.score as number)) || a.number - b.number);
  const front = paretoFront(Float64Array.from(passing, (t) => t.score as number), Float64Array.from(passing, (t) => t.cost ?? 0), goal).map((i) => passing[i]);
  return { counts, ranked, gated, ...(ranked.length > 0 ? { best: ranked[0] } : {}), front, totalCost };
}

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return "";
  const text = typeof value === "string" ? value : formatValue(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** runs.csv: id, status, every parameter, every metric (the score among them), cost, seconds, device, seed, attempts, reason, command. */
export function runsCsv(trials: readonly Trial[], parameterKeys: readonly string[]): string {
  const metricKeys = [...new Set(trials.flatMap((t) => Object.keys(t.metrics)))].sort();
  const fixedColumns = ["id", "status", "cost", "seconds", "device", "seed", "attempts", "reason", "command"];
  // The sweep metric is one of the metric columns; a metric named like another column is prefixed.
  const header = ["id", "status", ...parameterKeys, ...metricKeys.map((k) => (parameterKeys.includes(k) || fixedColumns.includes(k) ? `metric.${k}` : k)), "cost", "seconds", "device", "seed", "attempts", "reason", "command"];
  const rows = [header.map(csvCell).join(",")];
  for (const t of trials) {
    const flat = flattenParams(t.params);
    const seconds = trialSeconds(t);
    rows.push(
      [
        t.id,
        t.state,
        ...parameterKeys.map((k) => flat.get(k)),
        ...metricKeys.map((k) => t.metrics[k]),
        t.cost,
        seconds === undefined ? undefined : Number(seconds.toFixed(3)),
        t.run?.device,
        t.run?.seed,
        t.attempts,
        t.reason,
        t.run?.command?.join(" "),
      ]
        .map(csvCell)
        .join(","),
    );
  }
  return `${rows.join("\n")}\n`;
}

function paramsText(t: Trial): string {
  return [...flattenParams(t.params)].map(([k, v]) => `${k}=${formatValue(v)}`).join(" ");
}

function num(x: number | null | undefined): string {
  if (x === null || x === undefined) return "-";
  return Math.abs(x) >= 1e5 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(3) : String(Number(x.toPrecision(6)));
}

/** The end summary as plain text lines. */
export function summaryText(s: SweepSummary, metric: string, gates: readonly Gate[]): string {
  const lines: string[] = [];
  const c = s.counts;
  lines.push(`trials: ${c.total} (finished ${c.finished}, failed ${c.failed}, stopped ${c.stopped}, running ${c.running}, pending ${c.pending}); cost spent ${num(s.totalCost)}`);
  if (s.best) lines.push(`best: ${s.best.id} ${metric}=${num(s.best.score)} cost=${num(s.best.cost)}  ${paramsText(s.best)}`);
  else lines.push(gates.length > 0 && s.gated.length > 0 ? "best: none (no finished run passes the gates)" : "best: none (no finished run yet)");
  if (s.ranked.length > 0) {
    lines.push(`top ${Math.min(5, s.ranked.length)}:`);
    for (const t of s.ranked.slice(0, 5)) lines.push(`  ${t.id.padEnd(6)} ${metric}=${num(t.score).padEnd(10)} cost=${num(t.cost).padEnd(10)} ${paramsText(t)}`);
  }
  if (s.front.length > 0) lines.push(`pareto front (score, cost): ${s.front.map((t) => `${t.id} (${num(t.score)}, ${num(t.cost)})`).join(", ")}`);
  if (s.gated.length > 0) lines.push(`failed gates (kept, never best): ${s.gated.map((g) => `${g.trial.id} [${g.failed.join("; ")}]`).join(", ")}`);
  return lines.join("\n");
}

/** The summary as JSON data (for --json). */
export function summaryJson(s: SweepSummary): Record<string, unknown> {
  const brief = (t: Trial) => ({ id: t.id, score: t.score, cost: t.cost, params: t.params, metrics: t.metrics });
  return {
    counts: s.counts,
    totalCost: s.totalCost,
    best: s.best ? brief(s.best) : null,
    top: s.ranked.slice(0, 5).map(brief),
    front: s.front.map(brief),
    gated: s.gated.map((g) => ({ id: g.trial.id, failed: g.failed })),
  };
}
