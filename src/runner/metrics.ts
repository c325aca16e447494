/**
 * Reading what a run reports. A run may print, on stdout or stderr:
 *   METRIC name=value [name2=value2 ...]     (space- or comma-separated pairs)
 *   {"name": value, ...}                     (a JSON object on one line; nested keys become dotted)
 * or write a JSON object to the file named by PROTEIN_SWEEP_RESULT_FILE. The last value of
 * each metric wins; earlier values are progress (early stopping, heartbeats).
 */
import { readFileSync } from "node:fs";

export type Metrics = Record<string, number>;

function toNumber(text: string): number | undefined {
  const t = text.trim().replace(/,$/, "");
  if (/^[-+]?(nan)$/i.test(t)) return Number.NaN;
  if (/^[-+]?(inf|infinity)$/i.test(t)) return t.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  return undefined;
}

function numericLeaves(value: unknown, prefix: string, out: Metrics): void {
  if (typeof value === "number") out[prefix] = value;
  else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) numericLeaves(v, prefix === "" ? k : `${prefix}.${k}`, out);
  }
}

/** The metrics one output line reports (empty when it reports none). */
export function parseMetricLine(line: string): Metrics {
  const out: Metrics = {};
  const text = line.trim();
  const metric = /^METRIC\s+(.*)$/.exec(text);
  if (metric) {
    for (const pair of metric[1].split(/[\s,]+/)) {
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const value = toNumber(pair.slice(eq + 1));
      if (value !== undefined) out[pair.slice(0, eq)] = value;
    }
    return out;
  }
  if (text.startsWith("{") && text.endsWith("}")) {
    try {
      numericLeaves(JSON.parse(text), "", out);
    } catch {
      // not JSON: an ordinary log line
    }
  }
  return out;
}

/** Metrics in a result file (a JSON object), or undefined when there is no readable file. */
export function readResultFile(path: string): Metrics | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  const out: Metrics = {};
  try {
    numericLeaves(JSON.parse(text), "", out);
  } catch {
    // A result file may also hold METRIC / JSON lines.
    for (const line of text.split(/\r?\n/)) Object.assign(out, parseMetricLine(line));
  }
  return out;
}

/**
 * Collects metrics from a stream of output text, split into lines across chunk boundaries.
 * `onMetrics` sees each line's metrics as they arrive.
 */
export class MetricReader {
  readonly latest: Metrics = {};
  /** Every value of each metric, in order. */
  readonly history = new Map<string, number[]>();
  private partial = "";

  constructor(private readonly onMetrics?: (metrics: Metrics) => void) {}

  feed(text: string): void {
    const lines = (this.partial + text).split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) this.line(line);
  }

  /** Reads the last line when it had no newline. */
  end(): void {
    if (this.partial !== "") this.line(this.partial);
    this.partial = "";
  }

  add(metrics: Metrics): void {
    for (const [k, v] of Object.entries(metrics)) {
      this.latest[k] = v;
      const h = this.history.get(k);
      if (h) h.push(v);
      else this.history.set(k, [v]);
    }
  }

  private line(line: string): void {
    const metrics = parseMetricLine(line);
    if (Object.keys(metrics).length === 0) return;
    this.add(metrics);
    this.onMetrics?.(metrics);
  }
}
