/**
 * Core of the optimization-quality runner: one run (optimizer × problem × seed) and a
 * suite of runs spread over worker processes. The CLI (`run.ts`) and the smoke test
 * call `runSuite` directly.
 *
 * Regret is judged on the noise-free objective of every evaluated point, so noisy
 * problems are scored fairly: bestRegret[i] = min over runs j ≤ i of regret(objective(x_j)).
 *
 * Two protocols:
 *   evaluations  a fixed number of runs (default 60 for d ≤ 4, 100 for d ≥ 5)
 *   cost         runs are taken until the next one would overspend the total cost budget
 *                (`costBudgetProtocol`, counted with `runsWithinBudget`), at most maxRuns
 */

import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createRng } from "../../src/random";
import { parseSweepConfig } from "../../src/config";
import { SearchSpace } from "../../src/space/search-space";
import { costBudgetProtocol, getProblem, runsWithinBudget, type QualityProblem } from "./problems/index";
import { optimizerFactory, optimizerLabel, type Optimizer, type OptimizerFactory } from "./optimizers";

/** Which stopping rule a run follows. */
export type Protocol = "evaluations" | "cost";

/** One unit of work: an optimizer on a problem with a seed. */
export interface QualityTask {
  /** Optimizer name as given (`protein-ei`, `external:…`). */
  optimizer: string;
  problem: string;
  seed: number;
  protocol: Protocol;
  /** Evaluations (evaluations protocol) or total cost (cost protocol). */
  budget: number;
  /** Cost protocol only: cap on the number of runs. */
  maxRuns?: number;
}

/** Everything recorded about one run. Arrays have one entry per counted evaluation. */
export interface RunRecord {
  /** Optimizer label (tables, plots). */
  optimizer: string;
  problem: string;
  seed: number;
  protocol: Protocol;
  budget: number;
  /** Observed (possibly noisy) scores. */
  scores: number[];
  /** Noise-free objective values of the evaluated points. */
  values: number[];
  /** Cost of each run as the problem reported it (1 when it reports none). */
  costs: number[];
  /** Best-so-far regret of the noise-free values: non-increasing, ≥ 0. */
  bestRegret: number[];
  /** Wall time of each `suggest()` call, in milliseconds. */
  suggestMs: number[];
  /**
   * Per suggestion: 1 when some continuous parameter sits exactly on a bound of its range (normalized
   * coordinate ±1), else 0. Integer and categorical parameters are left out (their ends are ordinary values).
   */
  onBound?: number[];
  /** Wall time of the whole run, in seconds. */
  seconds: number;
}

/** Default evaluation budget of a problem: 60 for d ≤ 4, 100 for d ≥ 5. */
export function defaultBudget(problem: QualityProblem): number {
  return problem.dim <= 4 ? 60 : 100;
}

/** Seed of the noise stream of a (problem, seed) pair: the same for every optimizer. */
export function noiseSeed(problem: string, seed: number): string {
  return `quality-noise/${problem}/${seed}`;
}

/**
 * Runs one task to its end.
 * @param task - what to run.
 * @param factory - how to make the optimizer (default: resolved from `task.optimizer`).
 * @returns the run's record.
 * @throws {Error} when the optimizer or the problem throws; the message names the optimizer,
 *   problem, seed and evaluation, and the original error is the `cause`.
 */
export async function runTask(task: QualityTask, factory?: OptimizerFactory): Promise<RunRecord> {
  const problem = getProblem(task.problem);
  const optimizer: Optimizer = (factory ?? optimizerFactory(task.optimizer))();
  const noise = createRng(noiseSeed(task.problem, task.seed));
  const record: RunRecord = {
    optimizer: optimizerLabel(task.optimizer),
    problem: task.problem,
    seed: task.seed,
    protocol: task.protocol,
    budget: task.budget,
    scores: [],
    values: [],
    costs: [],
    bestRegret: [],
    suggestMs: [],
    onBound: [],
    seconds: 0,
  };
  const maxRuns = task.protocol === "cost" ? (task.maxRuns ?? costBudgetProtocol.maxRuns) : task.budget;
  const started = performance.now();
  let step = "init";
  try {
    await optimizer.init(structuredClone(problem.config), task.seed);
    const space = SearchSpace.fromConfig(parseSweepConfig(structuredClone(problem.config)));
    let best = Infinity;
    for (let i = 0; i < maxRuns; i++) {
      step = `suggestion ${i + 1}`;
      const t0 = performance.now();
      const params = await optimizer.suggest();
      const ms = performance.now() - t0;
      step = `evaluation ${i + 1}`;
      const { score, cost: reported } = problem.evaluate(params, noise);
      const cost = reported ?? 1;
      if (task.protocol === "cost") {
        record.costs.push(cost);
        if (runsWithinBudget(record.costs, task.budget, maxRuns) < record.costs.length) {
          record.costs.pop(); // this run would overspend: discarded, the sweep ends
          break;
        }
      } else {
        record.costs.push(cost);
      }
      record.onBound!.push(touchesBound(space, params));
      const value = problem.objective(params);
      const regret = problem.regret(value);
      if (!(regret >= 0)) throw new Error(`regret is ${regret} for value ${value}`);
      if (regret < best) best = regret;
      record.scores.push(score);
      record.values.push(value);
      record.bestRegret.push(best);
      record.suggestMs.push(ms);
      step = `observation ${i + 1}`;
      await optimizer.observe(params, score, cost);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${record.optimizer} on ${task.problem} (seed ${task.seed}) failed at ${step}: ${message}`,
      { cause: error },
    );
  } finally {
    await optimizer.close?.();
  }
  record.seconds = (performance.now() - started) / 1000;
  return record;
}

/** What a suite runs. */
export interface SuiteOptions {
  /** Problem names. */
  problems: readonly string[];
  /** Optimizer names (see `optimizerFactory`), or keys of `factories`. */
  optimizers: readonly string[];
  /** Seeds to run (each optimizer × problem gets every seed). */
  seeds: readonly number[];
  /** Evaluations per run; default per problem (`defaultBudget`). Ignored by the cost protocol. */
  budget?: number;
  /** Also run the cost-budget protocol on its problem (after the fixed-evaluation runs of `problems`). */
  costProtocol?: boolean;
  /** Cost protocol: total budget (default `costBudgetProtocol.budget`). */
  costBudget?: number;
  /** Cost protocol: run cap (default `costBudgetProtocol.maxRuns`). */
  maxRuns?: number;
  /** Parallel worker processes (1 = run in this process). @default 1 */
  workers?: number;
  /** Optimizers by name, used instead of `optimizerFactory` (in-process only). */
  factories?: Readonly<Record<string, OptimizerFactory>>;
  /** Called after each finished run. */
  onProgress?: (done: number, total: number, record: RunRecord) => void;
}

/** Result of a suite: the tasks in their order and one record per task. */
export interface SuiteResult {
  tasks: QualityTask[];
  runs: RunRecord[];
  seconds: number;
}

/**
 * Lists the tasks of a suite: for each problem, each optimizer, each seed (evaluations
 * protocol); then, with `costProtocol`, the protocol's problem for each optimizer and seed.
 * @throws {ProteinError} for an unknown problem name.
 */
export function planTasks(options: SuiteOptions): QualityTask[] {
  const tasks: QualityTask[] = [];
  for (const name of options.problems) {
    const problem = getProblem(name);
    const budget = options.budget ?? defaultBudget(problem);
    for (const optimizer of options.optimizers) {
      for (const seed of options.seeds) tasks.push({ optimizer, problem: name, seed, protocol: "evaluations", budget });
    }
  }
  if (options.costProtocol === true) {
    const problem = getProblem(costBudgetProtocol.problem);
    for (const optimizer of options.optimizers) {
      for (const seed of options.seeds) {
        tasks.push({
          optimizer,
          problem: problem.name,
          seed,
          protocol: "cost",
          budget: options.costBudget ?? costBudgetProtocol.budget,
          maxRuns: options.maxRuns ?? costBudgetProtocol.maxRuns,
        });
      }
    }
  }
  return tasks;
}

/**
 * Runs every optimizer × problem × seed, in this process or over `workers` child
 * processes, and fails on the first run that throws.
 * @throws {Error} the first failing run's error (other workers are stopped);
 *   also when `factories` is combined with `workers > 1`.
 */
export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const tasks = planTasks(options);
  const workers = Math.max(1, Math.min(options.workers ?? 1, tasks.length));
  const started = performance.now();
  for (const name of options.optimizers) {
    if (options.factories?.[name] === undefined) optimizerFactory(name); // fail early on a typo
  }
  const runs =
    workers === 1 ? await runInProcess(tasks, options) : await runInWorkers(tasks, workers, options);
  return { tasks, runs, seconds: (performance.now() - started) / 1000 };
}

async function runInProcess(tasks: QualityTask[], options: SuiteOptions): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  for (const task of tasks) {
    const record = await runTask(task, options.factories?.[task.optimizer]);
    runs.push(record);
    options.onProgress?.(runs.length, tasks.length, record);
  }
  return runs;
}

/** Rough relative cost of a task, to start the longest ones first (model-based optimizers, big budgets). */
function taskWeight(task: QualityTask): number {
  const modelBased = task.optimizer.startsWith("protein") ? 1 : 0.05;
  const n = task.protocol === "cost" ? (task.maxRuns ?? costBudgetProtocol.maxRuns) / 2 : task.budget;
  return modelBased * n * n;
}

/** Messages between the runner and a worker process. */
export type WorkerRequest = { type: "task"; index: number; task: QualityTask };
export type WorkerReply =
  | { type: "result"; index: number; record: RunRecord }
  | { type: "error"; index: number; message: string };

async function runInWorkers(tasks: QualityTask[], workers: number, options: SuiteOptions): Promise<RunRecord[]> {
  if (options.factories !== undefined) {
    throw new Error("runSuite: custom optimizer factories run in-process only; use workers: 1");
  }
  const order = tasks.map((_, i) => i).sort((a, b) => taskWeight(tasks[b]) - taskWeight(tasks[a]));
  const results: Array<RunRecord | undefined> = new Array(tasks.length);
  const workerPath = fileURLToPath(new URL("./worker.ts", import.meta.url));
  const children: ChildProcess[] = [];
  let next = 0;
  let done = 0;
  return new Promise<RunRecord[]>((resolve, reject) => {
    let failed = false;
    const stopAll = (): void => {
      for (const child of children) if (child.exitCode === null) child.kill();
    };
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      stopAll();
      reject(error);
    };
    const feed = (child: ChildProcess): void => {
      if (failed) return;
      if (next >= order.length) {
        child.disconnect();
        return;
      }
      const index = order[next++];
      const request: WorkerRequest = { type: "task", index, task: tasks[index] };
      child.send(request);
    };
    for (let w = 0; w < workers; w++) {
      const child = forkWorker(workerPath);
      children.push(child);
      child.on("message", (message: WorkerReply) => {
        if (message.type === "error") {
          fail(new Error(message.message));
          return;
        }
        results[message.index] = message.record;
        done++;
        options.onProgress?.(done, tasks.length, message.record);
        if (done === tasks.length) {
          stopAll();
          resolve(results as RunRecord[]);
        } else feed(child);
      });
      child.on("exit", (code) => {
        if (!failed && done < tasks.length && code !== 0) fail(new Error(`quality worker exited with code ${code}`));
      });
      child.on("error", (e) => fail(e));
      feed(child);
    }
  });
}

/**
 * Starts one worker process running `worker.ts` the way this process runs TypeScript:
 * under tsx, `fork` reuses this process's execArgv (the tsx loader carries over); under
 * vite-node (`npx vite-node bench/quality/run.ts -- …`), the vite-node CLI runs the worker.
 */
function forkWorker(workerPath: string): ChildProcess {
  const stdio: ["ignore", "inherit", "inherit", "ipc"] = ["ignore", "inherit", "inherit", "ipc"];
  const launcher = process.argv[1] ?? "";
  if (/vite-node/.test(launcher)) return fork(launcher, [workerPath], { stdio });
  return fork(workerPath, [], { stdio });
}

/** 1 when some continuous coordinate of the params lies on a bound of its range (|u| = 1), else 0. */
export function touchesBound(space: SearchSpace, params: Record<string, unknown>): number {
  const u = space.toVector(params as Parameters<SearchSpace["toVector"]>[0]);
  for (let j = 0; j < space.dim; j++) {
    if (space.entries[j].space.kind === "continuous" && Math.abs(u[j]) >= 1 - 1e-12) return 1;
  }
  return 0;
}
