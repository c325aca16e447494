/**
 * The orchestrator behind `protein-sweep run`: asks the study for trials, launches each as a
 * child process, reads its metrics, records the outcome, and keeps going until the budget,
 * the grid, or an interrupt ends the sweep.
 *
 * Records: the study's journal (`<output_dir>/journal.jsonl`, or a PostgreSQL study) is the
 * sweep's record; every event is durable before the runner acts on it. Beside it:
 * `runs/<trial>/<attempt>/{log,params.json,result.json}` and `runs.csv`.
 *
 * Resume (automatic when the storage already holds the study): finished trials stay; trials
 * that were running belong to a dead runner — their leftover process groups are ended and
 * each is failed with `retry` ("runner restarted"), so the next ask() runs it again; the
 * suggester continues from the recorded state, so no configuration is proposed twice.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { basename, extname, join, resolve } from "node:path";
import { Protein } from "../protein";
import { SearchSpace, flattenParams } from "../space/search-space";
import type { NestedParams } from "../space/search-space";
import { Study } from "../study";
import type { RunInfo, Trial } from "../study";
import { buildCommand, checkExecutable } from "./command";
import { DevicePool } from "./devices";
import { RunnerError } from "./errors";
import { HyperbandRule } from "./hyperband";
import { RunProcess, groupAlive, signalGroup, type RunOutcome } from "./launch";
import { type Metrics, readResultFile } from "./metrics";
import { applyConstraints, constrainedGrid, randomPoint } from "./plan";
import { summaryJson, type SweepSummary } from "../report/summary";
import { runsCsv } from "./records";
import type { SweepFile } from "./sweep-file";

/**
 * The end-of-sweep summary measures parameter importance (GP + Sobol indices, src/report) when
 * the sweep has at most this many finished runs. Measured with `npm run bench:report -- --sizes
 * 24,200,1000` on 2 heavily shared cores: 0.07 s at 24 runs, 0.7 s at 200, 4.7 s at 1,000
 * (docs/benchmarks.md). Up to 200 it adds under a second to a sweep that ran for minutes at
 * least; beyond, seconds, so it is left out there and `protein-sweep summary` / `report`
 * measure it on demand.
 */
export const END_IMPORTANCE_MAX_RUNS = 200;

/** What the display hears about. */
export type SweepEvent =
  | { type: "start"; name: string; outputDir: string; journal: string; resumed: boolean; trials: number; method: string; maxConcurrent: number }
  | { type: "recovered"; trial: string; action: string }
  | { type: "launch"; trial: Trial; argv: string[]; device?: number; attempt: number }
  | { type: "progress"; trial: string; metrics: Metrics }
  | { type: "end"; trial: Trial; outcome: string; seconds: number }
  | { type: "warning"; message: string }
  | { type: "interrupt"; count: number; running: number }
  | { type: "done"; summary: SweepSummary; outputDir: string; journal: string; csv: string; reason: string };

export interface SweepOptions {
  readonly file: SweepFile;
  /** The command after `--` on the command line (wins over the file's). */
  readonly command?: readonly string[];
  readonly outputDir?: string;
  /** A PostgreSQL URL (or another journal path); default `<output_dir>/journal.jsonl`. */
  readonly storage?: string;
  readonly maxConcurrent?: number;
  readonly onEvent?: (event: SweepEvent) => void;
  /** Log polling interval (ms). */
  readonly pollMs?: number;
  /** Grace between SIGTERM and SIGKILL when ending runs (ms). */
  readonly killGraceMs?: number;
  /**
   * Join this already opened study as one more worker (`protein-sweep agent`): other workers'
   * running trials are left alone (only reaped once stale), and live runs heartbeat.
   */
  readonly study?: Study;
  /** As an agent: another worker's running trial with no heartbeat for this long is failed (retried per run.retries). @default 300 */
  readonly staleAfter?: number;
  /** Heartbeat interval of live runs (ms). @default 30000 */
  readonly heartbeatMs?: number;
  /** As an agent: at most this many trials launched by this process (`agent -n`), besides the study's budget. */
  readonly ownMaxTrials?: number;
}

interface Live {
  trial: Trial;
  proc: RunProcess;
  device?: number;
  params: NestedParams;
  attemptDir: string;
  resultFile: string;
  pidFile: string;
  lastHeartbeat: number;
  heartbeatBusy: boolean;
  /** Why the runner ended it, when it did on purpose. */
  endedBy?: "early-stop" | "interrupt" | "wall-time";
}

/** The parts of the run block that define the sweep (a resume must not change them). */
function identity(file: SweepFile): Record<string, unknown> {
  const r = file.run;
  return {
    method: r.method,
    ...(r.seeds ? { seeds: [...r.seeds] } : {}),
    constraints: r.constraints.map((c) => c.text),
    gates: r.gates.map((g) => g.text),
    cost: r.cost.kind === "seconds" ? "seconds" : r.cost.kind === "metric" ? { metric: r.cost.name } : { param: r.cost.key },
  };
}

function finite(metrics: Metrics): Metrics {
  return Object.fromEntries(Object.entries(metrics).filter(([, v]) => Number.isFinite(v)));
}

/** The default output directory of a sweep file: `runs/<file name without extension>`. */
export function defaultOutputDir(file: SweepFile): string {
  return resolve(file.run.outputDir ?? join("runs", basename(file.path, extname(file.path))));
}

/** The command template of a sweep: `-- COMMAND` wins over run.command / W&B program. */
export function commandTemplate(file: SweepFile, command?: readonly string[]): readonly string[] {
  if (command && command.length > 0) return command;
  if (file.run.command) return file.run.command;
  throw new RunnerError("no command to run", {
    key: "run.command",
    value: undefined,
    allowed: "run.command in the sweep file, W&B program:/command:, or `-- COMMAND ...` on the command line",
    fix: "e.g. protein-sweep run sweep.yaml -- python train.py",
  });
}

/** Seed index of a trial from its group (`<base>#<i>`). */
function seedIndex(trial: Trial): number | undefined {
  const m = /#(\d+)$/.exec(trial.group ?? "");
  return m ? Number(m[1]) : undefined;
}

/** The commands a dry run prints: every grid point, or the first max_concurrent suggestions / draws. */
export function dryRunCommands(file: SweepFile, options: { command?: readonly string[]; maxConcurrent?: number; outputDir?: string } = {}): string[][] {
  const template = commandTemplate(file, options.command);
  const run = file.run;
  const k = options.maxConcurrent ?? run.maxConcurrent;
  let configs: NestedParams[];
  if (run.method === "grid") configs = constrainedGrid(file.config, run.constraints, file.fixed);
  else if (run.method === "random") {
    const space = SearchSpace.fromConfig(file.config);
    configs = Array.from({ length: k }, (_, i) => randomPoint(space, run.seed ?? 0, i));
  } else {
    const protein = new Protein(file.config, run.seed !== undefined ? { seed: run.seed } : {});
    configs = Array.from({ length: k }, () => protein.suggest().params);
  }
  const seeds = run.seeds ?? [undefined];
  const out = options.outputDir ?? defaultOutputDir(file);
  const cwd = run.cwd ?? process.cwd();
  const commands: string[][] = [];
  configs.forEach((params, i) => {
    const constrained = applyConstraints(params, run.constraints, file.fixed).params;
    for (const seed of seeds) {
      const dir = join(out, "runs", `dry${i + 1}`, "1");
      const built = buildCommand({
        template,
        style: run.overrides,
        jsonKeys: run.jsonKeys,
        fixed: file.fixed,
        params: constrained,
        ...(seed !== undefined ? { seed: { key: run.seedKey, value: seed } } : {}),
        ...(run.program !== undefined ? { program: run.program } : {}),
        paramsFile: join(dir, "params.json"),
        resultFile: join(dir, "result.json"),
        trialId: `dry${i + 1}`,
        cwd,
      });
      commands.push(built.argv);
    }
  });
  return commands;
}

export class Sweep {
  readonly outputDir: string;
  readonly journal: string;
  private readonly file: SweepFile;
  private readonly template: readonly string[];
  private readonly maxConcurrent: number;
  private readonly emit: (event: SweepEvent) => void;
  private readonly options: SweepOptions;
  private readonly live = new Map<string, Live>();
  private readonly pool?: DevicePool;
  private readonly hyperband?: HyperbandRule;
  private interrupts = 0;
  private stopReason: string | undefined;
  private wake: (() => void) | undefined;
  private warnedMetric = false;
  private sawMetric = false;
  private csvTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** Study calls of this process, one at a time (the journal's lock is between processes). */
  private queue: Promise<unknown> = Promise.resolve();
  /** Time from a run's exit to the next launch (ms), and the part of it spent in the study's ask() (which holds suggest()), for the overhead benchmark. */
  readonly overheadMs: Array<{ total: number; ask: number }> = [];
  private pendingExitAt: number | undefined;
  /** Attempts this process launched (an agent's own cap, `-n`). */
  private launched = 0;
  private askMs = 0;

  private constructor(
    private readonly study: Study,
    options: SweepOptions,
    outputDir: string,
    journal: string,
  ) {
    this.file = options.file;
    this.outputDir = outputDir;
    this.journal = journal;
    this.template = commandTemplate(options.file, options.command);
    const run = options.file.run;
    this.pool = run.devices ? new DevicePool(run.devices, run.runsPerDevice) : undefined;
    this.maxConcurrent = Math.min(options.maxConcurrent ?? run.maxConcurrent, this.pool?.capacity ?? Number.POSITIVE_INFINITY);
    if (run.earlyStop === "hyperband" && run.hyperband) this.hyperband = new HyperbandRule(run.hyperband.bands, run.hyperband.eta, study.goal);
    this.emit = options.onEvent ?? (() => {});
    this.options = options;
  }

  /** Runs a study call after the ones already queued by this process. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Opens (or creates) the sweep's study and output directory, and checks the command
   * before anything runs.
   * @throws ConfigError / RunnerError / StudyError before any run starts.
   */
  static async open(options: SweepOptions): Promise<Sweep> {
    const file = options.file;
    const outputDir = resolve(options.outputDir ?? (options.study ? join("runs", options.study.name) : defaultOutputDir(file)));
    const template = commandTemplate(file, options.command);
    const cwd = file.run.cwd ?? process.cwd();
    // The command must exist before anything is recorded.
    const probe = buildCommand({
      template,
      style: file.run.overrides,
      jsonKeys: file.run.jsonKeys,
      fixed: file.fixed,
      params: {},
      ...(file.run.program !== undefined ? { program: file.run.program } : {}),
      paramsFile: "params.json",
      resultFile: "result.json",
      trialId: "check",
      cwd,
    });
    checkExecutable(probe.argv, cwd, { ...process.env, ...file.run.env });
    mkdirSync(join(outputDir, "runs"), { recursive: true });
    if (options.study) return new Sweep(options.study, options, outputDir, options.storage ?? "(the study's storage)");
    Sweep.claimOutputDir(outputDir);
    const journal = options.storage ?? join(outputDir, "journal.jsonl");
    const name = file.run.name ?? basename(file.path, extname(file.path));
    let study: Study;
    try {
      study = await Study.create({
        storage: journal,
        name,
        config: file.document as object,
        settings: file.run.seed !== undefined ? { seed: file.run.seed } : {},
        run: identity(file),
        // The budget is the study's (agents follow it); a resume with another one replaces it.
        budget: {
          ...(file.run.maxTrials !== undefined ? { maxTrials: file.run.maxTrials } : {}),
          ...(file.run.maxCost !== undefined ? { maxCost: file.run.maxCost } : {}),
          ...(file.run.maxTime !== undefined ? { maxTime: file.run.maxTime } : {}),
        },
        worker: `${hostname()}:${process.pid}`,
      });
    } catch (error) {
      Sweep.releaseOutputDir(outputDir);
      throw error;
    }
    return new Sweep(study, options, outputDir, journal);
  }

  /** Who holds a runner lock: pid and the process's start time (so a reused pid is not taken for the runner). */
  private static processIdentity(pid: number): string | undefined {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Field 22 (starttime), counted after the parenthesized command name.
      return `${pid} ${stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]}`;
    } catch {
      return undefined;
    }
  }

  /** One runner per output directory: a second one would take the first one's runs for dead. */
  private static claimOutputDir(dir: string): void {
    const lock = join(dir, "runner.pid");
    const me = Sweep.processIdentity(process.pid) ?? `${process.pid}`;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(lock, `${me}\n`, { flag: "wx" });
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const holder = readFileSync(lock, "utf8").trim();
      const pid = Number(holder.split(" ")[0]);
      if (holder !== me && Number.isInteger(pid) && pid > 0 && Sweep.processIdentity(pid) === holder) {
        throw new RunnerError(`another runner (pid ${pid}) is using the output directory ${dir}`, {
          key: "--output-dir",
          value: dir,
          allowed: "an output directory no live runner uses",
          fix: `wait for it, stop it (kill -INT ${pid}), or pass another --output-dir; more workers on one study: protein-sweep agent`,
        });
      }
      // The holder is gone (killed): its lock is stale.
      rmSync(lock, { force: true });
    }
    throw new RunnerError(`cannot take the output directory ${dir}`, { key: "--output-dir", value: dir, allowed: "an output directory no live runner uses", fix: "another runner took it at the same moment; try again" });
  }

  private static releaseOutputDir(dir: string): void {
    const lock = join(dir, "runner.pid");
    try {
      if (readFileSync(lock, "utf8").trim() === (Sweep.processIdentity(process.pid) ?? `${process.pid}`)) rmSync(lock);
    } catch {
      // already gone
    }
  }

  /** First call: launch nothing more, wait for running runs. Second: end their process groups. */
  interrupt(): void {
    this.interrupts++;
    this.emit({ type: "interrupt", count: this.interrupts, running: this.live.size });
    if (this.interrupts === 1) this.stopReason ??= "interrupted (Ctrl-C): finished the running runs";
    else {
      this.stopReason = "interrupted (Ctrl-C twice): ended the running runs";
      for (const l of this.live.values()) {
        l.endedBy = "interrupt";
        l.proc.kill("interrupted");
      }
    }
    this.wake?.();
  }

  get trials(): readonly Trial[] {
    return this.study.trials();
  }

  /** Runs the sweep to its end; returns the summary. Always closes the study. */
  async run(): Promise<SweepSummary> {
    try {
      const before = await this.serial(() => this.study.refresh());
      this.emit({ type: "start", name: this.study.name, outputDir: this.outputDir, journal: this.journal, resumed: before.length > 0, trials: before.length, method: this.file.run.method, maxConcurrent: this.maxConcurrent });
      if (this.options.study) await this.reap();
      else await this.recover(before);
      const beat = setInterval(() => this.heartbeatAll(), this.options.heartbeatMs ?? 30000);
      beat.unref();
      this.heartbeatTimer = beat;
      if (this.file.run.method === "grid") await this.enqueueGrid();
      let wallTimer: NodeJS.Timeout | undefined;
      if (this.file.run.maxTime !== undefined) {
        wallTimer = setTimeout(() => {
          this.stopReason = `wall-time limit (${this.file.run.maxTime} s) reached`;
          for (const l of this.live.values()) {
            l.endedBy = "wall-time";
            l.proc.kill("wall-time limit");
          }
          this.wake?.();
        }, this.file.run.maxTime * 1000);
        wallTimer.unref();
      }
      let exhausted = false;
      for (;;) {
        while (this.stopReason === undefined && !exhausted && this.live.size < this.maxConcurrent) {
          const budget = this.budgetLeft();
          if (budget !== undefined) {
            this.stopReason = budget;
            break;
          }
          const askStart = performance.now();
          const trial = await this.next();
          this.askMs = performance.now() - askStart;
          if (trial === undefined) {
            exhausted = true;
            break;
          }
          if (this.stopReason !== undefined) {
            // Interrupted while the trial was being claimed: give it back for a later run.
            await this.serial(() => this.study.fail(trial.id, "interrupted before launch", { retry: true }));
            break;
          }
          await this.launch(trial);
        }
        if (this.live.size === 0) break;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
        exhausted = false;
      }
      if (wallTimer) clearTimeout(wallTimer);
      const trials = await this.serial(() => this.study.refresh());
      this.writeCsv();
      const finished = trials.filter((t) => t.state === "finished").length;
      const summary = summaryJson(
        trials,
        { goal: this.study.goal, metric: this.study.metric, space: this.study.space, gates: this.file.run.gates, name: this.study.name },
        finished > END_IMPORTANCE_MAX_RUNS ? { importance: false } : {},
      );
      this.emit({ type: "done", summary, outputDir: this.outputDir, journal: this.journal, csv: join(this.outputDir, "runs.csv"), reason: this.stopReason ?? (this.file.run.method === "grid" ? "grid complete" : "done") });
      return summary;
    } finally {
      if (this.csvTimer) clearTimeout(this.csvTimer);
      if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
      await this.study.close();
      if (!this.options.study) Sweep.releaseOutputDir(this.outputDir);
    }
  }

  /** As an agent: other workers' trials that stopped heartbeating are failed (and retried per run.retries). */
  private async reap(): Promise<void> {
    const reaped = await this.serial(() => this.study.reapStale(this.options.staleAfter ?? 300, { retries: this.file.run.retries }));
    for (const t of reaped) this.emit({ type: "recovered", trial: t.id, action: `${t.reason ?? "stale"}: ${t.state === "pending" ? "will be retried" : "recorded as failed"}` });
  }

  /** Marks every live run alive in the study (so other workers do not reap it). */
  private heartbeatAll(): void {
    for (const live of this.live.values()) {
      if (live.heartbeatBusy) continue;
      live.heartbeatBusy = true;
      live.lastHeartbeat = performance.now();
      this.serial(() => this.study.heartbeat(live.trial.id, { metrics: finite(live.proc.reader.latest) }))
        .catch(() => {})
        .finally(() => {
          live.heartbeatBusy = false;
        });
    }
  }

  /** Trials left running by a dead runner: end their leftover processes, then retry them. */
  private async recover(trials: readonly Trial[]): Promise<void> {
    for (const t of trials) {
      if (t.state !== "running") continue;
      const dir = join(this.outputDir, "runs", t.id, String(t.attempts));
      const pidFile = join(dir, "pid");
      if (existsSync(pidFile)) {
        const pid = Number(readFileSync(pidFile, "utf8").trim());
        // Only a process that is still this attempt (its environment names this attempt's result file).
        let ours = false;
        try {
          ours = readFileSync(`/proc/${pid}/environ`, "utf8").includes(`PROTEIN_SWEEP_RESULT_FILE=${join(dir, "result.json")}`);
        } catch {
          ours = false;
        }
        if (ours && groupAlive(pid)) signalGroup(pid, "SIGKILL");
        rmSync(pidFile, { force: true });
      }
      await this.serial(() => this.study.fail(t.id, "runner restarted", { retry: true }));
      this.emit({ type: "recovered", trial: t.id, action: `was running when the runner stopped: attempt ${t.attempts} recorded as failed ("runner restarted"), will be retried` });
    }
  }

  /**
   * Enqueues the grid points (× seeds) the study does not hold yet, in grid order. Points that
   * constraints make equal are run once (the first in grid order).
   */
  private async enqueueGrid(): Promise<void> {
    const have = new Set(this.study.trials().map((t) => t.group));
    const seeds = this.file.run.seeds;
    const points = constrainedGrid(this.file.config, this.file.run.constraints, this.file.fixed);
    for (let i = 0; i < points.length; i++) {
      const groups = seeds ? seeds.map((_, s) => `g${i + 1}#${s}`) : [`g${i + 1}`];
      for (const group of groups) if (!have.has(group)) await this.serial(() => this.study.enqueue(points[i], { group }));
    }
  }

  /** Trials started at least once (the unit of max_trials). */
  private startedCount(): number {
    return this.study.trials().filter((t) => t.attempts > 0).length;
  }

  private spent(): number {
    let cost = 0;
    for (const t of this.study.trials()) cost += t.cost ?? 0;
    return cost;
  }

  /** The study's max_trials / max_cost (what every worker follows; the sweep file's when the study holds none). */
  private limits(): { maxTrials?: number; maxCost?: number } {
    const b = this.study.budget;
    const run = this.file.run;
    const maxTrials = b.maxTrials ?? (this.options.study ? undefined : run.maxTrials);
    const maxCost = b.maxCost ?? (this.options.study ? undefined : run.maxCost);
    return { ...(maxTrials !== undefined ? { maxTrials } : {}), ...(maxCost !== undefined ? { maxCost } : {}) };
  }

  /** Why no more trial may start, or undefined while the budget allows one. */
  private budgetLeft(): string | undefined {
    const { maxCost } = this.limits();
    if (maxCost !== undefined && this.spent() >= maxCost) return `max_cost (${maxCost}) spent`;
    if (this.options.ownMaxTrials !== undefined && this.launched >= this.options.ownMaxTrials) return `this agent's -n ${this.options.ownMaxTrials} trials run`;
    return undefined;
  }

  /** The next trial to launch (claimed, running), or undefined when the sweep has no more. */
  private async next(): Promise<Trial | undefined> {
    const run = this.file.run;
    if (this.options.study) await this.reap();
    const trials = await this.serial(() => this.study.refresh());
    const pending = trials.find((t) => t.state === "pending");
    const { maxTrials } = this.limits();
    const capped = maxTrials !== undefined && this.startedCount() >= maxTrials;
    const spent = (): undefined => this.stopWith(`max_trials (${maxTrials}) reached`);
    if (pending !== undefined) {
      // Retries go on past the cap (they were counted when first started); fresh points do not.
      if (capped && pending.attempts === 0) return spent();
      return (await this.serial(() => this.study.ask(maxTrials !== undefined ? { maxTrials } : {}))) ?? spent();
    }
    if (run.method === "grid") return undefined;
    if (capped) return spent();
    const base = `c${trials.length + 1}`;
    const group = run.seeds ? `${base}#0` : undefined;
    let trial: Trial;
    if (run.method === "random") {
      const index = trials.filter((t) => t.attempts > 0 || t.state !== "pending").length;
      // Agents draw from their own stream, so two workers asking at once never draw the same point.
      const stream = this.options.study ? `${run.seed ?? 0}/${this.study.worker}` : (run.seed ?? 0);
      const params = applyConstraints(randomPoint(this.study.space, stream, index), run.constraints, this.file.fixed).params;
      const asked = await this.serial(() => this.study.ask({ params, ...(group ? { group } : {}), ...(maxTrials !== undefined ? { maxTrials } : {}) }));
      if (asked === undefined) return spent();
      trial = asked;
    } else {
      // Constraints change a suggestion before it is recorded: the trial holds what runs.
      const transform = run.constraints.length > 0 ? (p: NestedParams) => applyConstraints(p, run.constraints, this.file.fixed).params : undefined;
      const asked = await this.serial(() => this.study.ask({ ...(group ? { group } : {}), ...(transform ? { transform } : {}), ...(maxTrials !== undefined ? { maxTrials } : {}) }));
      if (asked === undefined) return spent();
      trial = asked;
    }
    if (run.seeds) for (let s = 1; s < run.seeds.length; s++) await this.serial(() => this.study.enqueue(trial.params, { group: `${base}#${s}` }));
    return trial;
  }

  private stopWith(reason: string): undefined {
    if (this.live.size === 0) this.stopReason ??= reason;
    return undefined;
  }

  private costOf(live: Live, outcome: { seconds: number }, metrics: Metrics): number {
    const c = this.file.run.cost;
    if (c.kind === "metric") {
      const v = metrics[c.name];
      if (v !== undefined && Number.isFinite(v) && v >= 0) return v;
      return outcome.seconds;
    }
    if (c.kind === "param") {
      const v = flattenParams(live.params).get(c.key);
      return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : outcome.seconds;
    }
    return outcome.seconds;
  }

  private async launch(trial: Trial): Promise<void> {
    const run = this.file.run;
    this.launched++;
    const params = applyConstraints(trial.params, run.constraints, this.file.fixed).params;
    const attemptDir = join(this.outputDir, "runs", trial.id, String(trial.attempts));
    mkdirSync(attemptDir, { recursive: true });
    const si = seedIndex(trial);
    const seed = si !== undefined && run.seeds ? run.seeds[si] : undefined;
    const resultFile = join(attemptDir, "result.json");
    const paramsFile = join(attemptDir, "params.json");
    const logFile = join(attemptDir, "log");
    rmSync(resultFile, { force: true });
    const cwd = run.cwd ?? process.cwd();
    const built = buildCommand({
      template: this.template,
      style: run.overrides,
      jsonKeys: run.jsonKeys,
      fixed: this.file.fixed,
      params,
      ...(seed !== undefined ? { seed: { key: run.seedKey, value: seed } } : {}),
      ...(run.program !== undefined ? { program: run.program } : {}),
      paramsFile,
      resultFile,
      trialId: trial.id,
      cwd,
      env: run.env,
    });
    writeFileSync(paramsFile, `${built.json}\n`);
    const device = this.pool?.acquire();
    const info: RunInfo = {
      command: built.argv,
      log: logFile,
      ...(device !== undefined ? { device: String(device) } : {}),
      ...(seed !== undefined ? { seed } : {}),
    };
    await this.serial(() => this.study.recordRun(trial.id, info));
    const env = { ...built.env, ...(device !== undefined ? { CUDA_VISIBLE_DEVICES: String(device) } : {}) };
    // Set right after the process starts; its log is first read on a later tick.
    let live: Live | undefined;
    const proc = new RunProcess({
      argv: built.argv,
      env,
      cwd,
      logFile,
      ...(run.timeout !== undefined ? { timeout: run.timeout } : {}),
      ...(this.options.pollMs !== undefined ? { pollMs: this.options.pollMs } : {}),
      ...(this.options.killGraceMs !== undefined ? { killGraceMs: this.options.killGraceMs } : {}),
      onMetrics: (m, reader) => {
        if (live) this.progress(live, m, reader.history.get(this.study.metric));
      },
    });
    const started: Live = { trial, proc, params, attemptDir, resultFile, pidFile: join(attemptDir, "pid"), lastHeartbeat: performance.now(), heartbeatBusy: false, ...(device !== undefined ? { device } : {}) };
    live = started;
    const now = performance.now();
    if (this.pendingExitAt !== undefined) {
      this.overheadMs.push({ total: now - this.pendingExitAt, ask: this.askMs });
      this.pendingExitAt = undefined;
    }
    if (proc.pid !== undefined) writeFileSync(started.pidFile, `${proc.pid}\n`);
    this.live.set(trial.id, started);
    this.emit({ type: "launch", trial, argv: built.argv, attempt: trial.attempts, ...(device !== undefined ? { device } : {}) });
    proc.done.then(
      (outcome) => this.finish(started, outcome),
      (error: unknown) => this.finish(started, { exitCode: undefined, signal: undefined, spawnError: String(error), seconds: proc.elapsed, reader: proc.reader }),
    );
  }

  /** A live run reported metrics: heartbeat now and then, and judge early stopping on the sweep metric. */
  private progress(live: Live, metrics: Metrics, history: number[] | undefined): void {
    this.emit({ type: "progress", trial: live.trial.id, metrics });
    const score = metrics[this.study.metric];
    const now = performance.now();
    if (!live.heartbeatBusy && now - live.lastHeartbeat > 5000) {
      live.heartbeatBusy = true;
      live.lastHeartbeat = now;
      this.serial(() => this.study.heartbeat(live.trial.id, { metrics: finite(live.proc.reader.latest) }))
        .catch(() => {})
        .finally(() => {
          live.heartbeatBusy = false;
        });
    }
    if (score === undefined || live.endedBy !== undefined) return;
    let stop: string | undefined;
    if (this.hyperband && history && this.hyperband.check(history)) stop = `early stop (hyperband) after ${history.length} reports, ${this.study.metric}=${score}`;
    else if (this.file.run.earlyStop === "protein") {
      const cost = this.costOf(live, { seconds: live.proc.elapsed }, live.proc.reader.latest);
      if (this.study.shouldStop(score, cost)) stop = `early stop (protein) at cost ${Number(cost.toPrecision(4))}, ${this.study.metric}=${score}`;
    }
    if (stop) {
      live.endedBy = "early-stop";
      live.proc.kill(stop);
    }
  }

  private async finish(live: Live, outcome: RunOutcome): Promise<void> {
    const exitAt = performance.now();
    const id = live.trial.id;
    try {
      const fromFile = readResultFile(live.resultFile);
      if (fromFile) outcome.reader.add(fromFile);
      const all = outcome.reader.latest;
      const metrics = finite(all);
      const metric = this.study.metric;
      const score = all[metric];
      const cost = this.costOf(live, outcome, all);
      const run = this.file.run;
      const retry = live.trial.attempts <= run.retries;
      let ended: Trial;
      let text: string;
      if (score !== undefined) this.sawMetric = true;
      if (live.endedBy === "early-stop") {
        ended = await this.serial(() => this.study.stop(id, outcome.killedBecause ?? "early stop", { score: score !== undefined && Number.isFinite(score) ? score : null, cost, metrics }));
        text = `stopped: ${outcome.killedBecause}`;
      } else if (live.endedBy === "interrupt" || live.endedBy === "wall-time") {
        ended = await this.serial(() => this.study.fail(id, outcome.killedBecause ?? "interrupted", { retry: true, cost, metrics }));
        text = `ended (${outcome.killedBecause}); will be retried on --resume`;
      } else {
        let reason: string | undefined;
        if (outcome.spawnError !== undefined) reason = `could not start: ${outcome.spawnError}`;
        else if (outcome.killedBecause !== undefined) reason = outcome.killedBecause;
        else if (outcome.exitCode !== 0) reason = outcome.signal ? `killed by ${outcome.signal}` : `exit code ${outcome.exitCode}`;
        else if (score === undefined) {
          reason = `no metric "${metric}" reported`;
          this.warnMissingMetric(all);
        } else if (!Number.isFinite(score)) reason = `${metric} is ${score}`;
        if (reason !== undefined) {
          ended = await this.serial(() => this.study.fail(id, reason, { retry, cost, metrics }));
          text = `failed: ${reason}${retry ? " (will retry)" : ""}`;
        } else {
          ended = await this.serial(() => this.study.tell(id, score as number, cost, metrics));
          text = "finished";
        }
      }
      this.emit({ type: "end", trial: ended, outcome: text, seconds: outcome.seconds });
    } catch (error) {
      this.emit({ type: "warning", message: `recording ${id} failed: ${(error as Error).message}` });
      this.stopReason ??= `recording a result failed: ${(error as Error).message}`;
    } finally {
      rmSync(live.pidFile, { force: true });
      if (live.device !== undefined) this.pool?.release(live.device);
      this.live.delete(id);
      this.pendingExitAt = exitAt;
      this.scheduleCsv();
      this.wake?.();
    }
  }

  private warnMissingMetric(metrics: Metrics): void {
    if (this.warnedMetric || this.sawMetric) return;
    this.warnedMetric = true;
    const names = Object.keys(metrics);
    this.emit({
      type: "warning",
      message:
        `the run printed no "${this.study.metric}" (the sweep's metric)` +
        (names.length > 0 ? `; it printed: ${names.join(", ")}` : "; it printed no METRIC lines at all") +
        `. Fix: print "METRIC ${this.study.metric}=<value>" (or a JSON line / the file in PROTEIN_SWEEP_RESULT_FILE), or set the sweep's metric to the name the run prints.`,
    });
  }

  private scheduleCsv(): void {
    if (this.csvTimer) return;
    this.csvTimer = setTimeout(() => {
      this.csvTimer = undefined;
      this.writeCsv();
    }, 1000);
    this.csvTimer.unref();
  }

  /** runs.csv, replaced atomically. */
  private writeCsv(): void {
    const path = join(this.outputDir, "runs.csv");
    writeFileSync(`${path}.tmp`, runsCsv(this.study.trials(), this.study.space.keys));
    renameSync(`${path}.tmp`, path);
  }
}
