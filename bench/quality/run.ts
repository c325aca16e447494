/**
 * Optimization-quality runner (CLI).
 *
 *   npx tsx bench/quality/run.ts [flags]          (npm run bench:quality -- [flags])
 *
 *   --problems a,b | all | none   problems of the fixed-evaluation protocol (default all)
 *   --optimizers a,b | all        optimizers (default all = the built-ins; add optuna-tpe or
 *                                 external:<label>=<command> by name)
 *   --seeds N                     seeds 0 … N−1 (default 20)
 *   --first-seed K                seeds K … K+N−1 instead (split a long suite; merge with --from)
 *   --budget N                    evaluations per run (default 60 for d ≤ 4, 100 for d ≥ 5)
 *   --cost-protocol               also run the cost-budget protocol (mixed-training, 25 000 s)
 *   --cost-budget X, --max-runs N override the cost protocol's budget and run cap
 *   --workers N                   worker processes (default 2)
 *   --out DIR                     results folder (default bench/quality/results/<timestamp>)
 *   --plots DIR                   SVG plots folder (default docs/img; <out>/img with --quick)
 *   --quick                       CI smoke run: 3 seeds, 15 evaluations, cost protocol at
 *                                 2 000 s / 15 runs, plots kept in the results folder
 *   --from a.json,b.jsonl         run nothing: merge saved results.json files (or the runs.jsonl
 *                                 an unfinished suite leaves) and re-render the table and plots
 *
 * Writes <out>/runs.jsonl (each run as it finishes), <out>/results.json (every run's trace),
 * <out>/table.md, and one SVG per problem
 * (quality-<problem>.svg; the cost protocol's plot is quality-<problem>-cost.svg).
 */

import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem, platform, arch } from "node:os";
import { join } from "node:path";
import { runSuite, type RunRecord } from "./core";
import { BUILTIN_OPTIMIZERS } from "./optimizers";
import { problemPlot } from "./plot";
import { problems as allProblems } from "./problems/index";
import { renderTable, summarize } from "./summary";

interface CliOptions {
  problems: string[];
  optimizers: string[];
  seeds: number;
  firstSeed: number;
  budget?: number;
  costProtocol: boolean;
  costBudget?: number;
  maxRuns?: number;
  workers: number;
  out: string;
  plots: string;
  from: string[];
}

/** Layout of results.json. */
interface ResultsFile {
  format: "protein-sweep/quality-results";
  version: 1;
  createdAt: string;
  command: string | string[];
  machine: Machine;
  seconds: number;
  options: unknown;
  summaries: unknown;
  runs: RunRecord[];
}

interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
}

const USAGE = `usage: npx tsx bench/quality/run.ts [--problems a,b|all|none] [--optimizers a,b|all] [--seeds N] [--first-seed K] [--budget N]
       [--cost-protocol] [--cost-budget X] [--max-runs N] [--workers N] [--out DIR] [--plots DIR] [--quick]
       [--from results.json,…]`;

function timestamp(): string {
  return new Date().toISOString().replace(/[:]/g, "-").replace(/\..*$/, "");
}

function positiveInt(flag: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} needs a positive integer, got ${text}\n${USAGE}`);
  return value;
}

function parseArgs(argv: readonly string[]): CliOptions {
  const quick = argv.includes("--quick");
  const out = join("bench", "quality", "results", timestamp());
  const options: CliOptions = {
    problems: allProblems.map((p) => p.name),
    optimizers: [...BUILTIN_OPTIMIZERS],
    seeds: quick ? 3 : 20,
    firstSeed: 0,
    budget: quick ? 15 : undefined,
    costProtocol: quick,
    costBudget: quick ? 2000 : undefined,
    maxRuns: quick ? 15 : undefined,
    workers: 2,
    out,
    plots: "",
    from: [],
  };
  let plots: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case "--problems": {
        const v = value();
        options.problems = v === "all" ? allProblems.map((p) => p.name) : v === "none" ? [] : v.split(",");
        break;
      }
      case "--optimizers": {
        const v = value();
        options.optimizers = v === "all" ? [...BUILTIN_OPTIMIZERS] : v.split(",");
        break;
      }
      case "--seeds":
        options.seeds = positiveInt(flag, value());
        break;
      case "--first-seed":
        options.firstSeed = Number(value());
        if (!Number.isInteger(options.firstSeed) || options.firstSeed < 0) throw new Error(`--first-seed needs an integer ≥ 0\n${USAGE}`);
        break;
      case "--budget":
        options.budget = positiveInt(flag, value());
        break;
      case "--cost-protocol":
        options.costProtocol = true;
        break;
      case "--cost-budget":
        options.costBudget = Number(value());
        break;
      case "--max-runs":
        options.maxRuns = positiveInt(flag, value());
        break;
      case "--workers":
        options.workers = positiveInt(flag, value());
        break;
      case "--out":
        options.out = value();
        break;
      case "--plots":
        plots = value();
        break;
      case "--quick":
        break;
      case "--from":
        options.from = value().split(",");
        break;
      case "--help":
      case "-h":
        process.stdout.write(USAGE + "\n");
        process.exit(0);
        break;
      default:
        throw new Error(`unknown flag ${flag}\n${USAGE}`);
    }
  }
  options.plots = plots ?? (quick ? join(options.out, "img") : join("docs", "img"));
  return options;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/**
 * Progress on stderr: a single redrawn line on a TTY, otherwise a line every 5 % of the
 * tasks or every 30 s, whichever comes first.
 */
class Progress {
  private readonly started = performance.now();
  private lastLine = 0;
  private lastPercent = -1;
  private readonly tty = process.stderr.isTTY === true;

  constructor(private readonly total: number) {}

  update(done: number, record: RunRecord): void {
    const elapsed = (performance.now() - this.started) / 1000;
    const eta = done === 0 ? Infinity : (elapsed / done) * (this.total - done);
    const fraction = done / this.total;
    const text = `${done}/${this.total} runs ${(100 * fraction).toFixed(0).padStart(3)}%  elapsed ${formatDuration(elapsed)}  ETA ${formatDuration(eta)}  last: ${record.optimizer} on ${record.problem} #${record.seed} (${record.seconds.toFixed(1)}s)`;
    if (this.tty) {
      const width = 24;
      const filled = Math.round(fraction * width);
      const bar = "█".repeat(filled) + "░".repeat(width - filled);
      const columns = process.stderr.columns ?? 120;
      process.stderr.write(`\r${`[${bar}] ${text}`.slice(0, columns - 1).padEnd(columns - 1)}`);
      if (done === this.total) process.stderr.write("\n");
      return;
    }
    const percent = Math.floor(fraction * 20);
    if (percent !== this.lastPercent || elapsed - this.lastLine >= 30 || done === this.total) {
      this.lastPercent = percent;
      this.lastLine = elapsed;
      process.stderr.write(text + "\n");
    }
  }
}

/**
 * Reads a results.json, or the runs.jsonl an unfinished suite leaves (one RunRecord per
 * line; the machine is then taken to be this one and the command is unknown).
 */
function readResults(name: string): ResultsFile {
  const text = readFileSync(name, "utf8");
  if (name.endsWith(".jsonl")) {
    const runs = text.split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line) as RunRecord);
    return {
      format: "protein-sweep/quality-results",
      version: 1,
      createdAt: new Date().toISOString(),
      command: `(partial runs from ${name})`,
      machine: currentMachine(),
      seconds: runs.reduce((total, run) => total + run.seconds, 0),
      options: null,
      summaries: null,
      runs,
    };
  }
  return JSON.parse(text) as ResultsFile;
}

function currentMachine(): Machine {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? "unknown",
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${platform()}-${arch()}`,
  };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const seeds = Array.from({ length: options.seeds }, (_, i) => options.firstSeed + i);
  let runs: RunRecord[];
  let seconds: number;
  let machine: Machine;
  let commands: string[];
  if (options.from.length > 0) {
    const files = options.from.map((name) => readResults(name));
    for (const [i, file] of files.entries()) {
      if (file.format !== "protein-sweep/quality-results") throw new Error(`${options.from[i]} is not a quality results file`);
    }
    runs = files.flatMap((file) => file.runs);
    seconds = files.reduce((total, file) => total + file.seconds, 0);
    machine = files[0].machine;
    commands = files.flatMap((file) => file.command);
  } else {
    const total =
      (options.problems.length + (options.costProtocol ? 1 : 0)) * options.optimizers.length * seeds.length;
    process.stderr.write(
      `quality: ${total} runs (${options.problems.length} problems${options.costProtocol ? " + cost protocol" : ""} × ${options.optimizers.length} optimizers × ${seeds.length} seeds) on ${options.workers} worker(s)\n`,
    );
    const progress = new Progress(total);
    mkdirSync(options.out, { recursive: true });
    const partial = join(options.out, "runs.jsonl");
    writeFileSync(partial, "");
    const result = await runSuite({
      problems: options.problems,
      optimizers: options.optimizers,
      seeds,
      budget: options.budget,
      costProtocol: options.costProtocol,
      costBudget: options.costBudget,
      maxRuns: options.maxRuns,
      workers: options.workers,
      onProgress: (done, _total, record) => {
        appendFileSync(partial, JSON.stringify(record) + "\n"); // kept if the suite is stopped early
        progress.update(done, record);
      },
    });
    runs = result.runs;
    seconds = result.seconds;
    machine = currentMachine();
    commands = [`npx tsx bench/quality/run.ts ${process.argv.slice(2).join(" ")}`.trim()];
  }
  const summaries = summarize(runs);
  mkdirSync(options.out, { recursive: true });
  mkdirSync(options.plots, { recursive: true });
  const file: ResultsFile = {
    format: "protein-sweep/quality-results",
    version: 1,
    createdAt: new Date().toISOString(),
    command: commands.length === 1 ? commands[0] : commands,
    machine,
    seconds,
    options: { ...options, seeds },
    summaries,
    runs,
  };
  writeFileSync(join(options.out, "results.json"), JSON.stringify(file));
  const header = [
    `# Optimization quality`,
    "",
    ...commands.map((command) => `Command: \`${command}\`  `),
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node} (${machine.platform}); wall time ${formatDuration(seconds)}.`,
    "",
  ].join("\n");
  const table = header + "\n" + renderTable(summaries);
  writeFileSync(join(options.out, "table.md"), table);
  const plots: string[] = [];
  for (const s of summaries) {
    const plotFile = join(options.plots, `quality-${s.problem}${s.protocol === "cost" ? "-cost" : ""}.svg`);
    writeFileSync(plotFile, problemPlot(s));
    plots.push(plotFile);
  }
  process.stdout.write(table + "\n");
  process.stderr.write(`quality: wrote ${join(options.out, "results.json")}, ${join(options.out, "table.md")} and ${plots.length} plot(s) in ${options.plots}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`\nquality: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
