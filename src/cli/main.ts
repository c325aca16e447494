/**
 * The `protein-sweep` command (commander for argument parsing).
 *
 *   protein-sweep run SWEEP_FILE [-- COMMAND ...]   run a sweep (resumes when the output dir has a journal)
 *   protein-sweep summary JOURNAL|--storage URL      best run, top k, Pareto front, importance (terminal or --json)
 *   protein-sweep report JOURNAL|--storage URL -o F  one self-contained HTML report
 *   protein-sweep export JOURNAL --csv|--jsonl       one row / line per trial
 *   protein-sweep suggest JOURNAL                    one trial as JSON, recorded as started (for SLURM arrays)
 *   protein-sweep observe JOURNAL TRIAL SCORE        record its result (or --failed REASON)
 *
 * Exit codes: 0 done, 1 bad input or a failure to record, 130 interrupted.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import packageJson from "../../package.json";
import { ProteinError } from "../errors";
import { renderReportHtml } from "../report/html";
import type { SweepInfo } from "../report/records";
import { formatSummary, summaryJson } from "../report/summary";
import { formatValue, runValues } from "../runner/command";
import { RunnerError } from "../runner/errors";
import { constrainedGrid } from "../runner/plan";
import { runsCsv } from "../runner/records";
import { type SweepFile, loadSweepFile, parseSweepDocument } from "../runner/sweep-file";
import { Sweep, defaultOutputDir, dryRunCommands } from "../runner/sweep";
import { Study, copyStudy } from "../study";
import { Display, type DisplayMode } from "./display";

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

function finiteNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError("expected a finite number");
  return n;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

interface RunFlags {
  outputDir?: string;
  resume?: boolean;
  dryRun?: boolean;
  maxConcurrent?: number;
  quiet?: boolean;
  json?: boolean;
  storage?: string;
  maxTrials?: number;
}

async function runCommand(sweepFile: string, command: string[], flags: RunFlags): Promise<number> {
  const loaded: SweepFile = loadSweepFile(sweepFile);
  const file: SweepFile = flags.maxTrials !== undefined ? { ...loaded, run: { ...loaded.run, maxTrials: flags.maxTrials } } : loaded;
  const out = process.stdout;
  if (flags.dryRun) {
    const commands = dryRunCommands(file, { command, ...(flags.maxConcurrent !== undefined ? { maxConcurrent: flags.maxConcurrent } : {}), ...(flags.outputDir !== undefined ? { outputDir: resolve(flags.outputDir) } : {}) });
    if (flags.json) out.write(`${JSON.stringify({ method: file.run.method, commands })}\n`);
    else {
      const what = file.run.method === "grid" ? `all ${commands.length} grid runs` : `the first ${commands.length} ${file.run.method === "random" ? "random draws" : "suggestions"}`;
      out.write(`dry run (${what}; nothing is run or recorded):\n`);
      for (const argv of commands) out.write(`${argv.map(quote).join(" ")}\n`);
    }
    return 0;
  }
  const outputDir = resolve(flags.outputDir ?? defaultOutputDir(file));
  if (flags.resume && flags.storage === undefined && !existsSync(join(outputDir, "journal.jsonl"))) {
    throw new RunnerError(`nothing to resume: ${join(outputDir, "journal.jsonl")} does not exist`, {
      key: "--resume",
      value: outputDir,
      allowed: "an output directory a previous run of this sweep wrote",
      fix: "pass the --output-dir of that run, or drop --resume to start the sweep",
    });
  }
  const display = makeDisplay(file, flags);
  const sweep = await Sweep.open({
    file,
    command,
    outputDir,
    ...(flags.storage !== undefined ? { storage: flags.storage } : {}),
    ...(flags.maxConcurrent !== undefined ? { maxConcurrent: flags.maxConcurrent } : {}),
    onEvent: (e) => display.handle(e),
  });
  return runSweep(sweep);
}

/** Columns to fit terminal text in: the terminal's width on a TTY, else 80. */
function terminalWidth(): number {
  return process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : 80;
}

function makeDisplay(file: SweepFile, flags: { json?: boolean; quiet?: boolean }): Display {
  const mode: DisplayMode = flags.json ? "json" : flags.quiet ? "quiet" : process.stdout.isTTY ? "tty" : "plain";
  return new Display({
    mode,
    width: terminalWidth(),
    metric: file.config.metric,
    goal: file.config.goal,
    gates: file.run.gates,
    ...(file.run.maxTrials !== undefined ? { maxTrials: file.run.maxTrials } : {}),
    ...(file.run.maxCost !== undefined ? { maxCost: file.run.maxCost } : {}),
    ...(file.run.maxTime !== undefined ? { maxTime: file.run.maxTime } : {}),
    ...(file.run.method === "grid" ? { gridSize: constrainedGrid(file.config, file.run.constraints, file.fixed).length * (file.run.seeds?.length ?? 1) } : {}),
  });
}

/** Runs a sweep with Ctrl-C wired to it; the exit code. */
async function runSweep(sweep: Sweep): Promise<number> {
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    sweep.interrupt();
  };
  const onTerm = () => {
    interrupted = true;
    sweep.interrupt();
    sweep.interrupt();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onTerm);
  try {
    await sweep.run();
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onTerm);
  }
  return interrupted ? 130 : 0;
}

async function withStudy<T>(journal: string, name: string | undefined, fn: (study: Study) => Promise<T>): Promise<T> {
  if (!journal.startsWith("postgres") && !existsSync(journal)) {
    throw new RunnerError(`no journal at ${journal}`, { key: "JOURNAL", value: journal, allowed: "a journal.jsonl written by protein-sweep run, or a postgres:// URL", fix: "pass <output_dir>/journal.jsonl of a sweep" });
  }
  const study = await Study.open({ storage: journal, ...(name !== undefined ? { name } : {}) });
  try {
    return await fn(study);
  } finally {
    await study.close();
  }
}

/** The one storage a record subcommand reads: the JOURNAL argument or --storage URL (not both). */
function sourceOf(journal: string | undefined, storage: string | undefined, command: string): string {
  if ((journal === undefined) === (storage === undefined)) {
    throw new RunnerError(journal === undefined ? `${command} needs a sweep to read` : `${command} reads one sweep: give JOURNAL or --storage, not both`, {
      key: "JOURNAL | --storage",
      value: journal ?? storage,
      allowed: "a journal.jsonl path, or --storage postgres://... (with --study NAME when it holds several)",
      fix: `protein-sweep ${command} runs/<sweep>/journal.jsonl`,
    });
  }
  return (journal ?? storage) as string;
}

/** What the report functions need of a study: goal, metric, space, the gates of its run block, its name. */
function sweepInfo(study: Study): SweepInfo {
  const run = (study.header.run ?? {}) as { gates?: unknown };
  const gates = Array.isArray(run.gates) ? run.gates.filter((g): g is string => typeof g === "string") : [];
  return { goal: study.goal, metric: study.metric, space: study.space, gates, name: study.name };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("protein-sweep")
    .version(packageJson.version)
    .description("Run hyperparameter sweeps with Protein's cost-aware Gaussian-process search.")
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command("run")
    .description("run a sweep: launch the command once per trial with the trial's values, read its METRIC lines, record everything")
    .argument("<sweep-file>", "sweep config (Metta/Protein YAML, PufferLib YAML/INI, W&B sweep YAML) with an optional run: block")
    .argument("[command...]", "the training command, after -- (wins over the file's run.command / W&B program)")
    .option("-o, --output-dir <dir>", "where the journal, runs.csv and logs go (default: runs/<sweep file name>)")
    .option("--resume", "continue the sweep recorded in the output dir (also automatic when it has a journal)")
    .option("--dry-run", "print the commands that would run, run nothing")
    .option("-j, --max-concurrent <n>", "runs at once (overrides run.max_concurrent)", positiveInt)
    .option("-n, --max-trials <n>", "stop after this many trials (overrides run.max_trials / W&B run_cap)", positiveInt)
    .option("-q, --quiet", "print only warnings and the final summary")
    .option("--json", "newline-delimited JSON events on stdout, for programs")
    .option("--storage <url>", "record the study in PostgreSQL (postgres://...) or another journal file instead of <output-dir>/journal.jsonl")
    .action(async (sweepFile: string, command: string[], flags: RunFlags) => {
      process.exitCode = await runCommand(sweepFile, command, flags);
    });

  program
    .command("summary")
    .description("the best run (passing the gates), the top k, the (score, cost) Pareto front and parameter importance of a sweep")
    .argument("[journal]", "a sweep's journal.jsonl (or use --storage)")
    .option("--storage <url>", "read the study from PostgreSQL (postgres://...) or a journal path")
    .option("--study <name>", "study name (default: the only one)")
    .option("--json", "as JSON")
    .option("-k, --top <k>", "how many runs the top list holds (default 5)", positiveInt)
    .option("--no-importance", "leave parameter importance out (it takes about a second at a few hundred runs)")
    .option("--width <columns>", "fit lines in this many columns (default: the terminal's width, else 80)", positiveInt)
    .action(async (journal: string | undefined, flags: { storage?: string; study?: string; json?: boolean; top?: number; importance: boolean; width?: number }) => {
      await withStudy(sourceOf(journal, flags.storage, "summary"), flags.study, async (study) => {
        const trials = await study.refresh();
        const summary = summaryJson(trials, sweepInfo(study), { ...(flags.top !== undefined ? { top: flags.top } : {}), ...(flags.importance ? {} : { importance: false }) });
        process.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary, flags.width ?? terminalWidth()));
      });
    });

  program
    .command("report")
    .description("write a sweep's report: one self-contained HTML file (charts, table, importance; opens offline); works while the sweep runs")
    .argument("[journal]", "a sweep's journal.jsonl (or use --storage)")
    .requiredOption("-o, --output <file>", "the HTML file to write, e.g. report.html")
    .option("--storage <url>", "read the study from PostgreSQL (postgres://...) or a journal path")
    .option("--study <name>", "study name (default: the only one)")
    .option("--no-importance", "leave parameter importance out")
    .action(async (journal: string | undefined, flags: { output: string; storage?: string; study?: string; importance: boolean }) => {
      await withStudy(sourceOf(journal, flags.storage, "report"), flags.study, async (study) => {
        const trials = await study.refresh();
        const html = renderReportHtml(trials, { ...sweepInfo(study), ...(flags.importance ? {} : { importance: false }) });
        const file = resolve(flags.output);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, html);
        const finished = trials.filter((t) => t.state === "finished").length;
        const live = trials.filter((t) => t.state === "running" || t.state === "pending").length;
        process.stdout.write(`wrote ${file}: ${plural(trials.length, "run")} (${finished} finished${live > 0 ? `, ${live} still running or pending` : ""}), ${(Buffer.byteLength(html) / 1e6).toFixed(2)} MB\n`);
      });
    });

  program
    .command("export")
    .description("every trial of a sweep as CSV (runs.csv columns) or JSON lines")
    .argument("<journal>", "a sweep's journal.jsonl (or a postgres:// URL with --study)")
    .addOption(new Option("--csv", "CSV: id, status, parameters, metrics, cost, seconds, device, command").conflicts("jsonl"))
    .addOption(new Option("--jsonl", "one JSON trial per line").conflicts("csv"))
    .option("--study <name>", "study name (default: the only one)")
    .option("-o, --output <file>", "write to a file instead of stdout")
    .action(async (journal: string, flags: { csv?: boolean; jsonl?: boolean; study?: string; output?: string }) => {
      if (!flags.csv && !flags.jsonl) throw new RunnerError("export needs a format", { key: "--csv | --jsonl", value: undefined, allowed: "--csv or --jsonl", fix: "add --csv or --jsonl" });
      await withStudy(journal, flags.study, async (study) => {
        const trials = await study.refresh();
        const text = flags.csv ? runsCsv(trials, study.space.keys) : trials.map((t) => JSON.stringify(t)).join("\n") + (trials.length > 0 ? "\n" : "");
        if (flags.output) writeFileSync(flags.output, text);
        else process.stdout.write(text);
      });
    });

  program
    .command("suggest")
    .description("one trial to run, as JSON, recorded in the journal as started (for schedulers that launch runs themselves)")
    .argument("<journal>", "a sweep's journal.jsonl (or a postgres:// URL with --study)")
    .option("--study <name>", "study name (default: the only one)")
    .action(async (journal: string, flags: { study?: string }) => {
      await withStudy(journal, flags.study, async (study) => {
        const trial = await study.ask();
        const values = runValues(new Map(), trial.params);
        process.stdout.write(`${JSON.stringify({ trial: trial.id, params: trial.params, args: [...values].map(([k, v]) => `--${k}=${formatValue(v)}`), overrides: [...values].map(([k, v]) => `${k}=${formatValue(v)}`) })}\n`);
      });
    });

  program
    .command("observe")
    .description("record the result of a trial from `suggest` (its score, or --failed REASON)")
    .argument("<journal>", "a sweep's journal.jsonl (or a postgres:// URL with --study)")
    .argument("<trial>", "the trial id `suggest` printed")
    .argument("[score]", "the sweep metric's value", finiteNumber)
    .option("--cost <n>", "what the run cost (default 1)", finiteNumber)
    .option("--metric <name=value...>", "other metrics to record")
    .option("--failed <reason>", "the run failed: record why instead of a score")
    .option("--retry", "with --failed: put the trial back for another attempt")
    .option("--study <name>", "study name (default: the only one)")
    .action(async (journal: string, trialId: string, score: number | undefined, flags: { cost?: number; metric?: string[]; failed?: string; retry?: boolean; study?: string }) => {
      const metrics: Record<string, number> = {};
      for (const pair of flags.metric ?? []) {
        const [k, v] = pair.split("=");
        const n = Number(v);
        if (!k || v === undefined || !Number.isFinite(n)) throw new RunnerError("a metric must be NAME=NUMBER", { key: "--metric", value: pair, allowed: "NAME=NUMBER, e.g. loss=0.31", fix: "write the metric as name=value" });
        metrics[k] = n;
      }
      await withStudy(journal, flags.study, async (study) => {
        if (flags.failed !== undefined) await study.fail(trialId, flags.failed, { retry: flags.retry === true, ...(flags.cost !== undefined ? { cost: flags.cost } : {}), metrics });
        else {
          if (score === undefined) throw new RunnerError("observe needs a score (or --failed REASON)", { key: "score", value: undefined, allowed: "a finite number", fix: `protein-sweep observe ${journal} ${trialId} 0.93 --cost 120` });
          await study.tell(trialId, score, flags.cost ?? 1, metrics);
        }
        const t = study.trial(trialId);
        process.stdout.write(`${JSON.stringify({ trial: trialId, state: t?.state, score: t?.score ?? null, cost: t?.cost ?? null })}\n`);
      });
    });

  program
    .command("agent")
    .description("join a shared study as one more worker: claim trials, run them, record the results (many agents, one study)")
    .argument("[command...]", "the training command, after -- (default: the study's W&B program/command, if any)")
    .requiredOption("--storage <url>", "the study's storage: postgres://... (many machines) or a journal file (one machine)")
    .option("--study <name>", "study name (default: the only one)")
    .option("-n, --max-trials <n>", "run at most this many trials on this agent (the study's own budget, set by `run`, counts every worker's)", positiveInt)
    .option("-o, --output-dir <dir>", "where this agent's run logs go (default: runs/<study>)")
    .option("-j, --max-concurrent <n>", "runs at once on this agent", positiveInt)
    .option("--stale-after <seconds>", "another worker's running trial with no heartbeat for this long is failed and retried (default 300)", finiteNumber)
    .option("-q, --quiet", "print only warnings and the final summary")
    .option("--json", "newline-delimited JSON events on stdout")
    .action(async (command: string[], flags: { storage: string; study?: string; maxTrials?: number; outputDir?: string; maxConcurrent?: number; staleAfter?: number; quiet?: boolean; json?: boolean }) => {
      const study = await Study.open({ storage: flags.storage, ...(flags.study !== undefined ? { name: flags.study } : {}) });
      let sweep: Sweep;
      try {
        // The sweep as its creator defined it: the stored config and the run block's defining keys.
        // The budget is the study's (max_trials and max_cost over every worker; max_time per worker); -n caps this agent.
        const stored = (study.header.run ?? {}) as Record<string, unknown>;
        const budget = study.budget;
        if (budget.maxTrials === undefined && budget.maxCost === undefined && budget.maxTime === undefined && flags.maxTrials === undefined && stored.method !== "grid") {
          throw new RunnerError(`study "${study.name}" has no budget, so this agent would never stop`, {
            key: "--max-trials",
            value: flags.maxTrials,
            allowed: "a study created with max_trials / max_cost / max_time, or -n N for this agent",
            fix: "pass -n N, or set the budget: protein-sweep run SWEEP --storage URL --resume -n TOTAL",
          });
        }
        const file = parseSweepDocument(
          {
            ...(study.header.config as object),
            run: {
              ...stored,
              ...(budget.maxTrials !== undefined ? { max_trials: budget.maxTrials } : {}),
              ...(budget.maxCost !== undefined ? { max_cost: budget.maxCost } : {}),
              ...(budget.maxTime !== undefined ? { max_time: budget.maxTime } : {}),
            },
          },
          `${study.name}.yaml`,
        );
        const display = makeDisplay(file, flags);
        sweep = await Sweep.open({
          file,
          command,
          study,
          storage: flags.storage,
          ...(flags.outputDir !== undefined ? { outputDir: resolve(flags.outputDir) } : {}),
          ...(flags.maxConcurrent !== undefined ? { maxConcurrent: flags.maxConcurrent } : {}),
          ...(flags.staleAfter !== undefined ? { staleAfter: flags.staleAfter } : {}),
          ...(flags.maxTrials !== undefined ? { ownMaxTrials: flags.maxTrials } : {}),
          onEvent: (e) => display.handle(e),
        });
      } catch (error) {
        await study.close();
        throw error;
      }
      process.exitCode = await runSweep(sweep);
    });

  program
    .command("import")
    .description("copy a sweep's journal into another storage (e.g. PostgreSQL), to continue it there with agents")
    .argument("<journal>", "a sweep's journal.jsonl")
    .requiredOption("--storage <url>", "the target: postgres://... or another journal file")
    .option("--study <name>", "study name (default: the only one)")
    .action(async (journal: string, flags: { storage: string; study?: string }) => {
      if (!existsSync(journal)) throw new RunnerError(`no journal at ${journal}`, { key: "JOURNAL", value: journal, allowed: "a journal.jsonl written by protein-sweep run", fix: "pass <output_dir>/journal.jsonl of a sweep" });
      const report = await copyStudy(journal, flags.storage, flags.study !== undefined ? { name: flags.study } : {});
      process.stdout.write(`${JSON.stringify(report)}\n`);
    });

  return program;
}

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    if (error instanceof ProteinError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}
