/**
 * The optimizers the quality runner compares, behind one small ask/tell interface.
 *
 *   random             uniform in the normalized box [−1, 1]^d, snapped to each parameter's grid
 *   sobol              scrambled Sobol points mapped to the box the same way
 *   protein-reference  Protein as PROTEIN.md describes it (`REFERENCE_SETTINGS`: cost-weighted mean
 *                      rating, Adam fit, Protein kernel and noise prior, no global candidates or local search)
 *   protein-metta | protein-pufferlib   the presets that reproduce Metta's / PufferLib 2.0's Python Protein
 *   protein            Protein with the library's defaults (log-EI)
 *   protein-ei | protein-logei | protein-ucb | protein-rating   the library defaults with another
 *                      acquisition (`protein-rating`: Protein's cost-weighted mean)
 *   optuna-tpe         Optuna's TPE through `tools/optuna_adapter.py` (needs /usr/bin/python3 + python3-optuna)
 *   external:<command> or external:<label>=<command>   any program speaking the JSON-lines protocol
 *
 * JSON-lines protocol of an external optimizer (one request per line on its stdin, one
 * reply per line on its stdout): `{"op":"init","config":…,"seed":n}` → `{"ok":true}`,
 * `{"op":"suggest"}` → `{"params":{…}}`, `{"op":"observe","params":…,"score":x,"cost":c}`
 * → `{"ok":true}`; a reply `{"error":"…"}` fails the run.
 */

import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { parseSweepConfig } from "../../src/config";
import { ProteinError } from "../../src/errors";
import type { Protein } from "../../src/protein";
import { createRng, SobolSequence, type Rng } from "../../src/random";
import { REFERENCE_SETTINGS, type ProteinOptions } from "../../src/settings";
import { SearchSpace } from "../../src/space/search-space";

/** Params as an optimizer returns them (nested the way the config writes them, or dotted). */
export type Params = Record<string, unknown>;

/** One optimizer under test. Every method may be synchronous or return a promise. */
export interface Optimizer {
  /** Label used in tables, plots and results. */
  readonly name: string;
  /** Starts a fresh sweep on `config` (Metta object format) with a seed. Called once. */
  init(config: Record<string, unknown>, seed: number): void | Promise<void>;
  /** Next params to evaluate. */
  suggest(): Params | Promise<Params>;
  /** Reports the result of evaluating `params`. */
  observe(params: Params, score: number, cost: number): void | Promise<void>;
  /** Releases resources (external processes). Called once, also after a failure. */
  close?(): void | Promise<void>;
}

/** Makes a fresh optimizer for one run. */
export type OptimizerFactory = () => Optimizer;

/** Command of the Optuna TPE adapter, relative to the repository root. */
export const OPTUNA_COMMAND = "/usr/bin/python3 tools/optuna_adapter.py";

/** Built-in optimizers, in table order (external ones are added by name). */
export const BUILTIN_OPTIMIZERS = [
  "random",
  "sobol",
  "protein-reference",
  "protein",
  "protein-ei",
  "protein-logei",
  "protein-ucb",
  "protein-rating",
] as const;

/** Maps a normalized coordinate row in [−1, 1]^d to params, snapping discrete coordinates first. */
function paramsOfRow(space: SearchSpace, row: Float64Array): Params {
  space.snap(row);
  return space.fromVector(row);
}

/**
 * Random search: each coordinate uniform on [−1, 1] (2u − 1) in the normalized space,
 * snapped to integers, powers of two and categories, then mapped back to params.
 */
export class RandomSearch implements Optimizer {
  readonly name = "random";
  private space: SearchSpace | null = null;
  private rng: Rng | null = null;

  init(config: Record<string, unknown>, seed: number): void {
    this.space = SearchSpace.fromConfig(parseSweepConfig(config));
    this.rng = createRng(seed);
  }

  suggest(): Params {
    const space = need(this.space, this.name);
    const rng = need(this.rng, this.name);
    const row = new Float64Array(space.dim);
    for (let j = 0; j < space.dim; j++) row[j] = 2 * rng.random() - 1;
    return paramsOfRow(space, row);
  }

  observe(): void {}
}

/** Scrambled Sobol points (u ∈ [0, 1)^d → 2u − 1), snapped and mapped like random search. */
export class SobolSearch implements Optimizer {
  readonly name = "sobol";
  private space: SearchSpace | null = null;
  private sequence: SobolSequence | null = null;

  init(config: Record<string, unknown>, seed: number): void {
    this.space = SearchSpace.fromConfig(parseSweepConfig(config));
    this.sequence = new SobolSequence(Math.max(1, this.space.dim), { scramble: createRng(seed) });
  }

  suggest(): Params {
    const space = need(this.space, this.name);
    const u = need(this.sequence, this.name).next();
    const row = new Float64Array(space.dim);
    for (let j = 0; j < space.dim; j++) row[j] = 2 * u[j] - 1;
    return paramsOfRow(space, row);
  }

  observe(): void {}
}

/** Protein with fixed settings (seed added per run). */
export class ProteinOptimizer implements Optimizer {
  private protein: Protein | null = null;

  /**
   * @param name - label of this variant.
   * @param options - Protein settings other than the seed.
   */
  constructor(
    readonly name: string,
    private readonly options: ProteinOptions,
  ) {}

  async init(config: Record<string, unknown>, seed: number): Promise<void> {
    // Loaded on first use so that the baselines run without the model code.
    const { Protein: ProteinClass } = await import("../../src/protein");
    this.protein = new ProteinClass(config, { ...this.options, seed });
  }

  suggest(): Params {
    return need(this.protein, this.name).suggest().params;
  }

  observe(params: Params, score: number, cost: number): void {
    need(this.protein, this.name).observe(params, score, cost);
  }
}

/**
 * Settings of each Protein variant (the seed is added per run). The library's default
 * acquisition is log-EI, so `protein` and `protein-logei` make the same suggestions
 * (log is monotone: the same candidate wins); both names are kept for clarity.
 */
export const PROTEIN_VARIANTS: Readonly<Record<string, ProteinOptions>> = {
  // PROTEIN.md's reference algorithm: cost-weighted posterior mean, 50 Adam steps,
  // linear + Matérn 3/2, Protein's noise prior, candidates only around the centres.
  "protein-reference": { ...REFERENCE_SETTINGS },
  // The default: log-EI, with Protein's rating on every 2nd suggestion (exploitEvery: 2).
  protein: {},
  // The default's model and candidates with one acquisition throughout (no exploitation steps);
  // protein-logei was the default before exploitEvery was measured.
  "protein-logei": { acquisition: "logei", exploitEvery: 0 },
  "protein-ei": { acquisition: "ei", exploitEvery: 0 },
  "protein-ucb": { acquisition: "ucb", exploitEvery: 0 },
  "protein-exploit4": { exploitEvery: 4 },
  // The library's model and candidate search with Protein's cost-weighted mean rating.
  "protein-rating": { acquisition: "protein" },
  // Issue 14: the default with the earlier candidate bounds (clipping, global draws at twice the scale around
  // the search centre), and with the earlier cap of a cold GP fit (fitIterations).
  "protein-clip": { candidateBounds: "clip" },
  "protein-cold50": { coldFitIterations: 50 },
  "protein-reflect-except-cost": { candidateBounds: "reflect-except-cost" },
  // Issue 14, round 2 (cost): EI per unit cost with cost cooling (costCooling α0, costCoolingRuns K), with and
  // without the deck's cost weight on the EI steps (costWeightPower). The default is costCooling 1, costWeightPower 0;
  // protein-before-cost is the default before it (no cooling, log EI + log w).
  "protein-before-cost": { costCooling: 0, costWeightPower: 1 },
  "protein-cool1": { costCooling: 1, costWeightPower: 1 },
  "protein-cool1-nw": { costCooling: 1, costWeightPower: 0 },
  "protein-cool05-nw": { costCooling: 0.5, costWeightPower: 0 },
  "protein-cool2-nw": { costCooling: 2, costWeightPower: 0 },
  "protein-cool1-k5-nw": { costCooling: 1, costCoolingRuns: 5, costWeightPower: 0 },
  "protein-cool1-k20-nw": { costCooling: 1, costCoolingRuns: 20, costWeightPower: 0 },
  // Issue 14, round 2: the presets that reproduce the Python Protein (src/presets.ts), run by name.
  "protein-metta": { preset: "metta" },
  "protein-pufferlib": { preset: "pufferlib" },
  // Issue 14, rounds 2–4: output warping (docs/benchmarks.md). "auto" was the default for part of round 3 (the
  // suite tables of that round call it "protein"), "none" again after it, and "auto" since round 4.
  "protein-warp-auto": { outputWarping: "auto" },
  "protein-warp-log": { outputWarping: "log" },
  "protein-warp-box-cox": { outputWarping: "box-cox" },
  "protein-warp-yeo-johnson": { outputWarping: "yeo-johnson" },
  "protein-warp-none": { outputWarping: "none" },
  // Issue 14, round 3 (bounds): the local refinement stops 2.5 % of each continuous range short of the faces (opt-in).
  "protein-refine-margin": { refineMargin: 0.025 },
  "protein-no-refine-margin": { refineMargin: 0 },
  // Issue 14, stop 20: candidates that copy a search centre and redraw one or two coordinates over their range.
  "protein-sub256": { subspaceCandidates: 256 },
  "protein-sub512": { subspaceCandidates: 512 },
  "protein-sub1024": { subspaceCandidates: 1024 },
  // Issue 14, stop 22: the score GP's prior mean with a trend that is lower toward the faces of the box: a quadratic
  // over the whole box ("bowl"), or over the last eighth of each range ("edges", the default since stop 23, so
  // protein-edges now runs the default); protein-constant is the default before stop 23 (no trend).
  "protein-bowl": { scoreMean: "bowl" },
  "protein-edges": { scoreMean: "edges" },
  "protein-constant": { scoreMean: "constant" },
  // Issue 14, stop 24: spend pacing (a suggestion's predicted cost at most this share of the cost spent so far).
  "protein-pace25": { costPacing: 0.25 },
  "protein-pace35": { costPacing: 0.35 },
  "protein-pace0": { costPacing: 0 },
  // Ablations of the default, run by name (not in the default set): docs/benchmarks.md "Optimization quality".
  // They were measured when the default had no exploitation steps, hence exploitEvery: 0.
  "ablate-no-global": { globalCandidates: 0, exploitEvery: 0 },
  "ablate-global256": { globalCandidates: 256, exploitEvery: 0 },
  "ablate-no-local": { localSearch: false, exploitEvery: 0 },
  "ablate-protein-noise": { noisePrior: "protein", exploitEvery: 0 },
};

/** Reply of an external optimizer. */
interface ExternalReply {
  ok?: boolean;
  params?: Params;
  error?: string;
}

/**
 * An optimizer in another process speaking the JSON-lines protocol (see the file header).
 * The command is split on whitespace (no shell) and run from `cwd`.
 */
export class ExternalOptimizer implements Optimizer {
  private child: ChildProcessWithoutNullStreams | null = null;
  private readonly waiting: Array<{ resolve: (reply: ExternalReply) => void; reject: (error: Error) => void }> = [];
  private stderrTail = "";
  private exited: Error | null = null;

  /**
   * @param name - label in tables.
   * @param command - program and arguments: a string split on whitespace, e.g.
   *   `/usr/bin/python3 tools/optuna_adapter.py`, or an argv array.
   * @param cwd - working directory of the process (default: the current one).
   */
  constructor(
    readonly name: string,
    readonly command: string | readonly string[],
    private readonly cwd: string = process.cwd(),
  ) {}

  async init(config: Record<string, unknown>, seed: number): Promise<void> {
    const [program, ...args] = typeof this.command === "string" ? this.command.trim().split(/\s+/) : this.command;
    const child = spawn(program, args, { cwd: this.cwd, stdio: ["pipe", "pipe", "pipe"] });
    this.child = child;
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-2000);
    });
    const fail = (error: Error): void => {
      this.exited = error;
      for (const w of this.waiting.splice(0)) w.reject(error);
    };
    child.on("error", (e) => fail(new Error(`${this.name}: cannot run "${String(this.command)}": ${e.message}`)));
    child.on("exit", (code, signal) =>
      fail(new Error(`${this.name}: process exited (code ${code}, signal ${signal}). stderr: ${this.stderrTail.trim()}`)),
    );
    createInterface({ input: child.stdout }).on("line", (line) => {
      const w = this.waiting.shift();
      if (w === undefined) return;
      try {
        w.resolve(JSON.parse(line) as ExternalReply);
      } catch {
        w.reject(new Error(`${this.name}: reply is not JSON: ${line.slice(0, 200)}`));
      }
    });
    await this.request({ op: "init", config, seed });
  }

  async suggest(): Promise<Params> {
    const reply = await this.request({ op: "suggest" });
    if (reply.params === undefined || reply.params === null || typeof reply.params !== "object") {
      throw new Error(`${this.name}: suggest reply has no params object`);
    }
    return reply.params;
  }

  async observe(params: Params, score: number, cost: number): Promise<void> {
    await this.request({ op: "observe", params, score, cost });
  }

  close(): void {
    if (this.child !== null && this.child.exitCode === null) {
      this.child.stdin.end();
      this.child.kill();
    }
    this.child = null;
  }

  private request(message: Record<string, unknown>): Promise<ExternalReply> {
    const child = this.child;
    if (child === null) return Promise.reject(new Error(`${this.name}: not initialized`));
    if (this.exited !== null) return Promise.reject(this.exited);
    return new Promise<ExternalReply>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      child.stdin.write(JSON.stringify(message) + "\n");
    }).then((reply) => {
      if (typeof reply.error === "string") throw new Error(`${this.name}: ${String(message.op)} failed: ${reply.error}`);
      return reply;
    });
  }
}

/**
 * Resolves an optimizer name to a factory.
 * Names: the {@link BUILTIN_OPTIMIZERS}, `optuna-tpe`, `external:<command>` or
 * `external:<label>=<command>`.
 * @throws {ProteinError} for an unknown name (the message lists the known ones).
 */
export function optimizerFactory(name: string): OptimizerFactory {
  if (name === "random") return () => new RandomSearch();
  if (name === "sobol") return () => new SobolSearch();
  const variant = PROTEIN_VARIANTS[name];
  if (variant !== undefined && Object.prototype.hasOwnProperty.call(PROTEIN_VARIANTS, name)) {
    return () => new ProteinOptimizer(name, variant);
  }
  if (name === "optuna-tpe") return () => new ExternalOptimizer(name, OPTUNA_COMMAND);
  if (name.startsWith("external:")) {
    const body = name.slice("external:".length);
    const eq = body.indexOf("=");
    const label = eq > 0 ? body.slice(0, eq) : name;
    const command = eq > 0 ? body.slice(eq + 1) : body;
    if (command.trim() === "") throw unknownOptimizer(name);
    return () => new ExternalOptimizer(label, command);
  }
  throw unknownOptimizer(name);
}

/** Display label of an optimizer name (`external:<label>=<cmd>` → label). */
export function optimizerLabel(name: string): string {
  if (name.startsWith("external:")) {
    const body = name.slice("external:".length);
    const eq = body.indexOf("=");
    return eq > 0 ? body.slice(0, eq) : name;
  }
  return name;
}

function unknownOptimizer(name: string): ProteinError {
  return new ProteinError("Unknown optimizer", {
    key: "optimizer",
    value: name,
    allowed: [...BUILTIN_OPTIMIZERS, "optuna-tpe", "external:<command>", "external:<label>=<command>"].join(", "),
    fix: "use one of the allowed names",
  });
}

function need<T>(value: T | null, name: string): T {
  if (value === null) throw new Error(`${name}: init() was not called`);
  return value;
}
