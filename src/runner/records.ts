/**
 * The table a sweep leaves besides its journal: `runs.csv` (one row per trial). The end
 * summary (best run passing the gates, top k, the (score, cost) Pareto front, importance) is
 * the report's (`summaryJson` / `formatSummary` in src/report/summary.ts), so the end of `run`
 * and `protein-sweep summary JOURNAL` print the same thing.
 */
import { flattenParams } from "../space/search-space";
import type { Trial } from "../study";
import { formatValue } from "./command";

/** Wall seconds of a trial's latest attempt, when it ended. */
export function trialSeconds(t: Trial): number | undefined {
  if (t.startedAt === undefined || t.finishedAt === undefined) return undefined;
  return (Date.parse(t.finishedAt) - Date.parse(t.startedAt)) / 1000;
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
