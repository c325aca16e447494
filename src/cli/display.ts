/**
 * What `protein-sweep run` shows while a sweep runs.
 *
 * - a terminal: one line per launch and per end, and under them a live status line
 *   (running / done / failed, best so far, cost spent, ETA) redrawn in place (log-update);
 * - not a terminal (CI logs, a pipe): the same lines, plain, with the counts on each end line;
 * - `--json`: one JSON object per event (newline-delimited), for programs;
 * - `--quiet`: warnings and the final summary only.
 * Colours (picocolors) only on a terminal that has them.
 */
import logUpdate from "log-update";
import pc from "picocolors";
import { passesGates } from "../report/records";
import { formatSummary } from "../report/summary";
import { formatValue } from "../runner/command";
import type { Gate } from "../runner/run-block";
import { END_IMPORTANCE_MAX_RUNS, type SweepEvent } from "../runner/sweep";
import { flattenParams } from "../space/search-space";

export type DisplayMode = "tty" | "plain" | "json" | "quiet";

export interface DisplayOptions {
  readonly mode: DisplayMode;
  readonly metric: string;
  readonly goal: "maximize" | "minimize";
  readonly gates: readonly Gate[];
  readonly maxTrials?: number;
  readonly maxCost?: number;
  readonly maxTime?: number;
  readonly gridSize?: number;
  /** Columns the final summary fits in. @default 80 */
  readonly width?: number;
  readonly out?: NodeJS.WritableStream;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.round((seconds % 3600) / 60)).padStart(2, "0")}m`;
}

function short(x: number | null | undefined): string {
  if (x === null || x === undefined) return "-";
  return Math.abs(x) >= 1e5 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(3) : String(Number(x.toPrecision(5)));
}

export class Display {
  private running = 0;
  private done = 0;
  private failed = 0;
  private stopped = 0;
  private best: { id: string; score: number } | undefined;
  private cost = 0;
  private readonly startedAt = performance.now();
  private readonly durations: number[] = [];
  private maxConcurrent = 1;
  private name = "";
  private initial = 0;
  private ticker: NodeJS.Timeout | undefined;
  private readonly out: NodeJS.WritableStream;

  constructor(private readonly options: DisplayOptions) {
    this.out = options.out ?? process.stdout;
  }

  private color(): boolean {
    return this.options.mode === "tty" && pc.isColorSupported;
  }

  private line(text: string): void {
    if (this.options.mode === "tty") {
      logUpdate.clear();
      this.out.write(`${text}\n`);
      logUpdate(this.status());
    } else {
      this.out.write(`${text}\n`);
    }
  }

  /** running / done / failed, best so far, cost spent, ETA. */
  status(): string {
    const c = this.color();
    const elapsed = (performance.now() - this.startedAt) / 1000;
    const parts = [
      `${c ? pc.cyan(String(this.running)) : this.running} running`,
      `${c ? pc.green(String(this.done)) : this.done} done`,
      `${c && this.failed > 0 ? pc.red(String(this.failed)) : this.failed} failed`,
      ...(this.stopped > 0 ? [`${this.stopped} stopped`] : []),
      `best ${this.best ? `${this.options.metric}=${short(this.best.score)} (${this.best.id})` : "-"}`,
      `cost ${short(this.cost)}`,
      `elapsed ${duration(elapsed)}`,
    ];
    const eta = this.eta(elapsed);
    if (eta !== undefined) parts.push(`ETA ${duration(eta)}`);
    return parts.join(" · ");
  }

  private eta(elapsed: number): number | undefined {
    const estimates: number[] = [];
    const ended = this.done + this.failed + this.stopped;
    const total = this.options.gridSize ?? this.options.maxTrials;
    if (total !== undefined && this.durations.length > 0) {
      const mean = this.durations.reduce((a, b) => a + b, 0) / this.durations.length;
      const left = Math.max(0, total - this.initial - ended - this.running);
      estimates.push((Math.ceil(left / this.maxConcurrent) + (this.running > 0 ? 1 : 0)) * mean);
    }
    if (this.options.maxCost !== undefined && this.cost > 0) estimates.push(((this.options.maxCost - this.cost) / this.cost) * elapsed);
    if (this.options.maxTime !== undefined) estimates.push(this.options.maxTime - elapsed);
    return estimates.length > 0 ? Math.max(0, Math.min(...estimates)) : undefined;
  }

  private better(score: number): boolean {
    return this.best === undefined || (this.options.goal === "maximize" ? score > this.best.score : score < this.best.score);
  }

  handle(event: SweepEvent): void {
    const mode = this.options.mode;
    if (mode === "json") {
      const data = event.type === "done" ? { type: "done", reason: event.reason, outputDir: event.outputDir, journal: event.journal, csv: event.csv, summary: event.summary } : event.type === "launch" ? { type: "launch", trial: event.trial.id, attempt: event.attempt, argv: event.argv, device: event.device ?? null } : event.type === "end" ? { type: "end", trial: event.trial.id, state: event.trial.state, score: event.trial.score, cost: event.trial.cost, metrics: event.trial.metrics, outcome: event.outcome, seconds: event.seconds } : event;
      this.out.write(`${JSON.stringify(data)}\n`);
      return;
    }
    const c = this.color();
    switch (event.type) {
      case "start":
        this.maxConcurrent = event.maxConcurrent;
        this.name = event.name;
        this.initial = event.trials;
        if (mode !== "quiet") {
          this.line(`${event.resumed ? "resuming" : "starting"} sweep "${event.name}" (${event.method}, up to ${event.maxConcurrent} at once${event.resumed ? `, ${event.trials} trials in the record` : ""})`);
          this.line(`records: ${event.outputDir}`);
        }
        if (mode === "tty") this.ticker = setInterval(() => logUpdate(this.status()), 1000).unref();
        break;
      case "recovered":
        if (mode !== "quiet") this.line(`${event.trial}: ${event.action}`);
        break;
      case "launch": {
        this.running++;
        if (mode === "quiet") break;
        const params = [...flattenParams(event.trial.params)].map(([k, v]) => `${k}=${formatValue(v)}`).join(" ");
        this.line(`${c ? pc.dim("launch") : "launch"} ${event.trial.id}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ""}${event.device !== undefined ? ` on device ${event.device}` : ""}: ${params}`);
        break;
      }
      case "progress":
        break;
      case "end": {
        this.running--;
        const t = event.trial;
        this.cost += t.cost ?? 0;
        this.durations.push(event.seconds);
        if (t.state === "finished") {
          this.done++;
          if (t.score !== null && this.better(t.score) && passesGates(t, this.options.gates, this.options.metric)) this.best = { id: t.id, score: t.score };
        } else if (t.state === "stopped") this.stopped++;
        else if (t.state === "failed") this.failed++;
        if (mode === "quiet") break;
        const what = t.state === "finished" ? `${this.options.metric}=${short(t.score)} cost=${short(t.cost)}` : event.outcome;
        const tag = t.state === "finished" ? (c ? pc.green("done") : "done") : t.state === "stopped" ? (c ? pc.yellow("stop") : "stop") : c ? pc.red("fail") : "fail";
        this.line(`${tag}   ${t.id} ${what} (${event.seconds.toFixed(1)} s)${mode === "plain" ? `  [${this.status()}]` : ""}`);
        break;
      }
      case "warning":
        this.line(`${c ? pc.yellow("warning:") : "warning:"} ${event.message}`);
        break;
      case "interrupt":
        this.line(event.count === 1 ? `interrupted: launching nothing more, waiting for ${event.running} running run(s); Ctrl-C again ends them` : `interrupted again: ending ${event.running} running run(s)`);
        break;
      case "done": {
        if (this.ticker) clearInterval(this.ticker);
        if (mode === "tty") logUpdate.clear();
        const text = formatSummary(event.summary, this.options.width ?? 80);
        const skipped = event.summary.importance === null ? `importance: left out above ${END_IMPORTANCE_MAX_RUNS} finished runs; protein-sweep summary ${event.journal}${/^postgres(ql)?:/.test(event.journal) ? ` --study ${this.name}` : ""} measures it\n` : "";
        this.out.write(`\nsweep ended: ${event.reason}\n${text}${skipped}records: journal ${event.journal}\n         runs table ${event.csv}\n         logs ${event.outputDir}/runs/<trial>/<attempt>/log\n`);
        break;
      }
    }
  }
}
