/**
 * A shared study: many workers (processes, machines) running one sweep through one storage.
 *
 * The study is event-sourced (types.ts): each worker keeps its own `Protein` and trial table
 * in sync by replaying the events it has not seen yet. Suggesting happens under the study's
 * lock: read the new events, replay them (others' new trials become pending suggestions of
 * this Protein, results become observations), take over the suggester state recorded with
 * the latest suggestion (so the random phase, the Sobol sequence and the suggestion ids run
 * over the whole study, not per worker), suggest, and append. Every event is durable before
 * the call returns.
 */
import { hostname } from "node:os";
import { ObservationError } from "../errors";
import { Protein } from "../protein";
import type { ProteinOptions } from "../settings";
import type { NestedParams, SearchSpace } from "../space/search-space";
import { paramsError } from "../space/search-space";
import { StudyConflictError, StudyError } from "./errors";
import { parseEvent } from "./schema";
import { createRng } from "../random";
import { openStorage } from "./storage";
import type { Metrics, RunInfo, StoredEvent, StudyBudget, StudyHeader, StudyStorage, Trial, TrialEvent, TrialLifecycleEvent } from "./types";

/** The name a study gets when none is given. */
export const DEFAULT_STUDY_NAME = "default";

type ProteinState = Parameters<Protein["importState"]>[0];

export interface StudyCreateOptions {
  /** A journal path, a `postgres://` URL, or an opened storage (then `close()` leaves it open). */
  storage: string | StudyStorage;
  /** @default "default" */
  name?: string;
  /** The sweep config: YAML/INI text or an object (any format the library reads). */
  config: string | object;
  /** Protein settings (camelCase), as for `new Protein(config, settings)`. */
  settings?: Record<string, unknown>;
  /** The runner's block (method, constraints …), stored with the study and compared on resume. */
  run?: Record<string, unknown>;
  /**
   * What the whole study may spend. Not part of the compared header: when it differs from the
   * study's current budget (a resume with another max_trials), a `budget` event records the
   * new one, and every worker follows it from its next refresh.
   */
  budget?: StudyBudget;
  /** This worker's name. @default "<hostname>:<pid>" */
  worker?: string;
}

export interface StudyOpenOptions {
  storage: string | StudyStorage;
  /** @default the only study of the storage, else "default" */
  name?: string;
  worker?: string;
}

export interface AskOptions {
  /** Run these params instead of a suggestion (grid points, random search, repeats); recorded as given. */
  params?: NestedParams;
  /** Grid point or repeat the trial belongs to. */
  group?: string;
  /** Raw value of the cost parameter to suggest at (Protein's `fixedCost`). */
  fixedCost?: number;
  /** Changes a new suggestion before it is recorded (the runner's constraints); the trial's params are its result. */
  transform?: (params: NestedParams) => NestedParams;
  /**
   * The study's trial budget: a trial that was never started (a new one, or a queued point) is
   * started only while fewer than this many trials have started, counted over every worker under
   * the study lock; otherwise ask() resolves undefined. Retries of started trials are not capped.
   */
  maxTrials?: number;
}

/** 32-bit FNV-1a of a string: the default seed of a study (the same in every worker). */
function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function nowIso(): string {
  return new Date().toISOString();
}

function defaultWorker(): string {
  return `${hostname()}:${process.pid}`;
}

/** A JSON round trip, refused when it would change the value (NaN, Infinity, undefined in arrays, functions, class instances). */
function jsonValue<T>(value: T, key: string, what: string): T {
  const text = JSON.stringify(value);
  const back: unknown = text === undefined ? undefined : JSON.parse(text);
  if (!deepEqual(back, value)) {
    throw new StudyError(`${what} must be plain JSON data`, {
      key,
      value,
      allowed: "objects, arrays, strings, finite numbers, booleans and null",
      fix: "pass values a JSON file can hold (no NaN/Infinity, functions, Dates or class instances)",
    });
  }
  return back as T;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (Object.getPrototypeOf(a) !== Object.prototype && !Array.isArray(a)) return false;
  if (Object.getPrototypeOf(b) !== Object.prototype && !Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Suggestions identical to an earlier trial's params that ask() redraws before it records a repeat. */
export const MAX_REDRAWS = 8;
/** Uniform draws tried after the redraws, before a repeat is recorded. */
const UNIFORM_DRAWS = 64;

/** The params as a key that is equal for equal values (keys sorted at every level). */
function paramsKey(params: unknown): string {
  return JSON.stringify(params, (_key, value: unknown) =>
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

/** A budget as stored: only the limits given, each a positive number (max_trials an integer). */
function checkBudget(budget: StudyBudget): StudyBudget {
  if (typeof budget !== "object" || budget === null || Array.isArray(budget)) {
    throw new StudyError("the budget must be an object", { key: "budget", value: budget, allowed: "{ maxTrials?, maxCost?, maxTime? }", fix: "pass e.g. { maxTrials: 100 }" });
  }
  const out: StudyBudget = {};
  const limits: Array<[keyof StudyBudget, string, boolean]> = [
    ["maxTrials", "max_trials", true],
    ["maxCost", "max_cost", false],
    ["maxTime", "max_time", false],
  ];
  for (const key of Object.keys(budget)) {
    if (!limits.some(([k]) => k === key)) {
      throw new StudyError(`unknown budget key "${key}"`, { key: `budget.${key}`, value: (budget as Record<string, unknown>)[key], allowed: "maxTrials, maxCost, maxTime", fix: "leave the key out" });
    }
  }
  for (const [key, name, integer] of limits) {
    const v = budget[key];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
      throw new StudyError(`budget.${key} (${name}) must be ${integer ? "a positive integer" : "a positive number"}`, {
        key: `budget.${key}`,
        value: v,
        allowed: integer ? "an integer ≥ 1" : "a finite number > 0",
        fix: `pass a positive ${name}, or leave it out for no limit`,
      });
    }
    out[key] = v;
  }
  return out;
}

function copyTrial(t: Trial): Trial {
  return { ...t, params: structuredClone(t.params), metrics: { ...t.metrics }, ...(t.run ? { run: structuredClone(t.run) } : {}) };
}

export class Study {
  readonly name: string;
  readonly header: StudyHeader;
  readonly worker: string;
  /** The in-process suggester, kept in sync with the study's events. */
  readonly protein: Protein;

  private readonly storage: StudyStorage;
  private readonly ownsStorage: boolean;
  /** Seq of the last event replayed. */
  private seq = 0;
  private readonly byId = new Map<string, Trial>();
  private readonly order: Trial[] = [];
  /** Trials this Protein knows as pending (its own suggestions and replayed ones). */
  private readonly inProtein = new Set<string>();
  /** paramsKey of every trial's params (repeats of them are redrawn by ask()). */
  private readonly paramsSeen = new Set<string>();
  /** Trials whose result this Protein has observed. */
  private readonly observed = new Set<string>();
  /** The suggester state of the latest suggestion, and whether this Protein is already in it. */
  private latestState: ProteinState | undefined;
  private latestStateApplied = true;
  /**
   * In-process order of this object's asks and enqueues. The storage lock orders processes (and
   * connections); this orders the calls of one Study, whose one Protein cannot compute two
   * suggestions at once, whatever the storage's lock does within a process.
   */
  private serial: Promise<unknown> = Promise.resolve();
  /** As of the latest `budget` event. */
  private currentBudget: StudyBudget = {};
  private closed = false;

  private constructor(storage: StudyStorage, ownsStorage: boolean, header: StudyHeader, worker: string) {
    this.storage = storage;
    this.ownsStorage = ownsStorage;
    this.header = header;
    this.name = header.name;
    this.worker = worker;
    this.protein = Study.makeProtein(header);
  }

  get space(): SearchSpace {
    return this.protein.space;
  }

  get goal(): "maximize" | "minimize" {
    return this.protein.config.goal;
  }

  get metric(): string {
    return this.protein.config.metric;
  }

  private static makeProtein(header: StudyHeader): Protein {
    const settings = { ...header.settings } as ProteinOptions & Record<string, unknown>;
    // Without a given seed every worker still builds the same generator.
    if (settings.seed === undefined) settings.seed = hashSeed(`${header.name}\n${header.createdAt}`);
    return new Protein(header.config as object, settings);
  }

  private static async resolveStorage(storage: string | StudyStorage): Promise<{ storage: StudyStorage; owns: boolean }> {
    if (typeof storage === "string") return { storage: await openStorage(storage), owns: true };
    return { storage, owns: false };
  }

  private static checkName(name: string): string {
    if (typeof name !== "string" || name.trim() === "" || name !== name.trim()) {
      throw new StudyError("a study name must be a non-empty string without surrounding spaces", {
        key: "name",
        value: name,
        allowed: 'e.g. "lr-sweep"',
        fix: "pass another name",
      });
    }
    return name;
  }

  /**
   * Creates the study, or opens it when one of that name exists with an equal config,
   * settings and run block (resume). A different one → StudyError naming each difference;
   * nothing is written then. An invalid config → ConfigError before anything is written.
   */
  static async create(opts: StudyCreateOptions): Promise<Study> {
    const name = Study.checkName(opts.name ?? DEFAULT_STUDY_NAME);
    const settings = jsonValue(opts.settings ?? {}, "settings", "the study's settings");
    const run = opts.run === undefined ? undefined : jsonValue(opts.run, "run", "the study's run block");
    const budget = opts.budget === undefined ? undefined : checkBudget(opts.budget);
    // Validates the config and settings (ConfigError / ProteinError) before anything is stored.
    const probe = new Protein(opts.config, settings as ProteinOptions);
    const config = jsonValue(probe.config.source, "config", "the sweep config");
    const { storage, owns } = await Study.resolveStorage(opts.storage);
    try {
      const header: StudyHeader = {
        format: "protein-sweep/journal",
        version: 1,
        name,
        config,
        settings,
        ...(run !== undefined ? { run } : {}),
        createdAt: nowIso(),
      };
      const stored = await storage.createStudy(header);
      const study = new Study(storage, owns, stored, opts.worker ?? defaultWorker());
      await study.pull();
      if (budget !== undefined) await study.setBudget(budget);
      return study;
    } catch (error) {
      if (owns) await storage.close();
      throw error;
    }
  }

  /** Joins an existing study. Unknown name → StudyError listing the studies of the storage. */
  static async open(opts: StudyOpenOptions): Promise<Study> {
    const { storage, owns } = await Study.resolveStorage(opts.storage);
    try {
      let name = opts.name;
      const names = await storage.listStudies();
      if (name === undefined) name = names.length === 1 ? names[0] : DEFAULT_STUDY_NAME;
      const header = await storage.getStudy(name);
      if (header === undefined) {
        const where = typeof opts.storage === "string" ? opts.storage : "the storage";
        throw new StudyError(`no study named "${name}" in ${where}`, {
          key: "study",
          value: name,
          allowed: names.length > 0 ? names.map((n) => `"${n}"`).join(", ") : "none yet: this storage holds no study",
          fix: names.length > 0 ? "pass one of the names listed (--study NAME)" : "create the study first (Study.create, or protein-sweep run with --storage)",
        });
      }
      const study = new Study(storage, owns, header, opts.worker ?? defaultWorker());
      await study.pull();
      return study;
    } catch (error) {
      if (owns) await storage.close();
      throw error;
    }
  }

  // ---------------------------------------------------------------- replay

  private replayError(seq: number, error: unknown): StudyError {
    const e = error as Error;
    return new StudyError(`study "${this.name}" event ${seq} cannot be replayed: ${e.message}`, {
      key: `events.${seq}`,
      fix: "the record was edited or written by an incompatible version; repair or remove that event",
    });
  }

  private unknownTrial(id: string): StudyError {
    return new StudyError(`no trial "${id}" in study "${this.name}"`, {
      key: "trial",
      value: id,
      allowed: this.order.length > 0 ? `an id of this study (${this.order.slice(-3).map((t) => t.id).join(", ")}, …)` : "none yet: ask() for a trial first",
      fix: "pass the id of the Trial that ask() returned",
    });
  }

  private apply(stored: StoredEvent, own: boolean): void {
    const ev = stored.event;
    try {
      if (ev.e === "created") {
        if (this.byId.has(ev.trial)) throw new StudyError(`trial "${ev.trial}" is created twice`, { key: "trial", value: ev.trial });
        const trial: Trial = {
          id: ev.trial,
          number: this.order.length + 1,
          state: "pending",
          params: ev.params,
          ...(ev.info !== undefined ? { info: ev.info } : {}),
          ...(ev.group !== undefined ? { group: ev.group } : {}),
          score: null,
          cost: null,
          metrics: {},
          attempts: 0,
          worker: ev.worker,
          createdAt: ev.t,
        };
        this.byId.set(trial.id, trial);
        this.order.push(trial);
        this.paramsSeen.add(paramsKey(trial.params));
        if (!this.inProtein.has(trial.id)) {
          this.protein.addPending(trial.id, trial.params);
          this.inProtein.add(trial.id);
        }
        if (ev.state !== undefined) {
          this.latestState = ev.state as ProteinState;
          this.latestStateApplied = own;
        }
        return;
      }
      if (ev.e === "budget") {
        this.currentBudget = { ...ev.budget };
        return;
      }
      const trial = this.byId.get(ev.trial);
      if (trial === undefined) throw new StudyError(`an event names the trial "${ev.trial}", which was never created`, { key: "trial", value: ev.trial });
      switch (ev.e) {
        case "started":
          if (ev.attempt === trial.attempts && trial.state === "running" && trial.worker === ev.worker) {
            // The same attempt again: the launch details of recordRun().
            if (ev.run !== undefined) trial.run = ev.run;
            return;
          }
          trial.state = "running";
          trial.attempts = ev.attempt;
          trial.worker = ev.worker;
          trial.startedAt = ev.t;
          delete trial.heartbeatAt;
          delete trial.reason;
          if (ev.run !== undefined) trial.run = ev.run;
          else delete trial.run;
          return;
        case "heartbeat":
          // Only the worker running the current attempt keeps it alive (a reaped attempt's late heartbeat does not).
          if (trial.state !== "running" || ev.worker !== trial.worker) return;
          trial.heartbeatAt = ev.t;
          if (ev.metrics) Object.assign(trial.metrics, ev.metrics);
          if (ev.cost !== undefined) trial.cost = ev.cost;
          return;
        case "finished":
          trial.state = "finished";
          trial.score = ev.score;
          trial.cost = ev.cost;
          Object.assign(trial.metrics, ev.metrics);
          trial.finishedAt = ev.t;
          delete trial.reason;
          this.observe(trial, ev.score, ev.cost, ev.t);
          return;
        case "failed":
          trial.reason = ev.reason;
          if (ev.cost !== undefined) trial.cost = ev.cost;
          if (ev.metrics) Object.assign(trial.metrics, ev.metrics);
          trial.finishedAt = ev.t;
          if (ev.retry) {
            trial.state = "pending"; // stays pending in Protein too
          } else {
            trial.state = "failed";
            this.observe(trial, Number.NaN, ev.cost ?? trial.cost ?? undefined, ev.t);
          }
          return;
        case "stopped":
          trial.state = "stopped";
          trial.reason = ev.reason;
          trial.score = ev.score;
          trial.cost = ev.cost;
          Object.assign(trial.metrics, ev.metrics);
          trial.finishedAt = ev.t;
          this.observe(trial, ev.score ?? Number.NaN, ev.cost, ev.t);
          return;
      }
    } catch (error) {
      throw this.replayError(stored.seq, error);
    }
  }

  private observe(trial: Trial, score: number, cost: number | undefined, t: string): void {
    if (this.observed.has(trial.id)) return;
    this.observed.add(trial.id);
    this.protein.observe(trial.params, score, cost, {
      suggestionId: trial.id,
      timestamp: t,
      ...(Number.isFinite(score) ? {} : { isFailure: true }),
    });
  }

  private applyAll(events: readonly StoredEvent[], own: boolean): void {
    for (const stored of events) {
      if (stored.seq <= this.seq) continue;
      if (stored.seq !== this.seq + 1) {
        throw new StudyError(`study "${this.name}": event ${this.seq + 1} is missing (next stored is ${stored.seq})`, {
          key: "seq",
          value: stored.seq,
          fix: "the storage lost events; restore it from a backup",
        });
      }
      this.apply(stored, own);
      this.seq = stored.seq;
    }
  }

  /** Appends events and applies them here (reading back whatever others appended in between). */
  private async write(events: TrialEvent[]): Promise<void> {
    const normalized = events.map((e, i) => parseEvent(JSON.parse(JSON.stringify(e)), `event ${i + 1} to write`));
    const last = await this.storage.append(this.name, normalized);
    if (last === this.seq + normalized.length) {
      this.applyAll(
        normalized.map((event, i) => ({ seq: this.seq + 1 + i, event })),
        true,
      );
    } else {
      await this.pull();
    }
  }

  /** Runs `fn` after every earlier call of this object's asks and enqueues has settled. */
  private inOrder<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serial.then(fn, fn);
    this.serial = run.catch(() => undefined);
    return run;
  }

  private checkOpen(): void {
    if (this.closed) throw new StudyError(`study "${this.name}" is closed`, { fix: "open it again (Study.open)" });
  }

  /** Reads and replays the events appended since the last read. */
  private async pull(): Promise<void> {
    this.applyAll(await this.storage.read(this.name, this.seq), false);
  }

  /** Reads new events; returns all trials in creation order. */
  async refresh(): Promise<readonly Trial[]> {
    this.checkOpen();
    await this.pull();
    return this.trials();
  }

  /** All trials as of the last refresh/ask/tell, in creation order. */
  trials(): readonly Trial[] {
    return this.order.map(copyTrial);
  }

  /** One trial as of the last refresh, or undefined. */
  trial(id: string): Trial | undefined {
    const t = this.byId.get(id);
    return t ? copyTrial(t) : undefined;
  }

  private validParams(params: NestedParams, key: string): NestedParams {
    if (typeof params !== "object" || params === null || Array.isArray(params)) {
      throw new ObservationError("params must be an object of parameter values", { key, value: params, allowed: "nested or dotted keys of the sweep's parameters", fix: "pass e.g. { trainer: { lr: 0.001 } }" });
    }
    const fatal = this.space.check(params).find((p) => p.kind !== "out-of-range");
    if (fatal) throw paramsError(fatal);
    return jsonValue(params, key, "params");
  }

  // ---------------------------------------------------------------- workers

  /**
   * A trial to run now, `running` and owned by this worker: the oldest pending trial (a retry,
   * an enqueued point) or else a new one, from `opts.params` or from the study's Protein with
   * every other worker's pending trials visible. Serialized per study. With `maxTrials`, undefined
   * once that many trials have started (the check and the start are one step under the lock).
   */
  async ask(opts?: AskOptions & { maxTrials?: undefined }): Promise<Trial>;
  async ask(opts: AskOptions): Promise<Trial | undefined>;
  async ask(opts: AskOptions = {}): Promise<Trial | undefined> {
    this.checkOpen();
    const given = opts.params === undefined ? undefined : this.validParams(opts.params, "params");
    return this.inOrder(() => this.storage.withLock(this.name, async () => {
      for (;;) {
        await this.pull();
        const claimed = this.order.find((x) => x.state === "pending");
        // Checked under the lock, so two workers asking at once never start more than the budget.
        const capped = opts.maxTrials !== undefined && this.order.filter((x) => x.attempts > 0).length >= opts.maxTrials;
        if (capped && (claimed === undefined || claimed.attempts === 0)) return undefined;
        if (claimed !== undefined) {
          // Results and heartbeats do not take the study lock: check again under the write lock.
          const id = claimed.id;
          const ok = await this.storage.withWriteLock(this.name, async () => {
            await this.pull();
            const trial = this.byId.get(id) as Trial;
            if (trial.state !== "pending") return false;
            await this.write([{ e: "started", trial: id, t: nowIso(), worker: this.worker, attempt: trial.attempts + 1 }]);
            return true;
          });
          if (ok) return copyTrial(this.byId.get(id) as Trial);
          continue;
        }
        const t = nowIso();
        let created: TrialEvent & { e: "created" };
        let suggested = false;
        if (given !== undefined) {
          created = { e: "created", trial: `p${this.order.length + 1}`, t, worker: this.worker, params: given, ...(opts.group !== undefined ? { group: opts.group } : {}) };
        } else {
          if (this.latestState !== undefined && !this.latestStateApplied) {
            this.protein.importState(this.latestState);
            this.latestStateApplied = true;
          }
          let suggestion;
          let params: NestedParams;
          // Protein keeps new suggestions away from pending ones, not from trials already run: where
          // rounding (discrete parameters) or clipping (a range's bounds) maps a candidate onto the
          // values of an earlier trial, it proposes them again. A repeat is redrawn with the repeat
          // held as a pending fantasy (so the search keeps away from it); after MAX_REDRAWS, uniform
          // draws over the space look for an unrun configuration; only when none is found (the space
          // is all but exhausted) is the repeat recorded. A resampling suggestion (resampleFrequency)
          // repeats a front member on purpose and is kept.
          const redrawn: string[] = [];
          let fallback = false;
          try {
            for (;;) {
              // On a worker thread: heartbeats, timers and child processes keep being served meanwhile.
              suggestion = await this.protein.suggestAsync(opts.fixedCost !== undefined ? { fixedCost: opts.fixedCost } : {});
              params = opts.transform ? this.validParams(opts.transform(structuredClone(suggestion.params)), "params") : suggestion.params;
              if (suggestion.info.phase === "resample" || !this.paramsSeen.has(paramsKey(params))) break;
              if (redrawn.length >= MAX_REDRAWS) {
                const found = this.uniformUnseen(suggestion.id, opts.transform);
                if (found !== undefined) {
                  params = found;
                  fallback = true;
                  // Protein's pending row is where the trial runs.
                  this.protein.abandon(suggestion.id);
                  this.protein.addPending(suggestion.id, params);
                }
                break;
              }
              redrawn.push(suggestion.id);
            }
          } catch (error) {
            for (const id of redrawn) this.protein.abandon(id);
            if (suggestion !== undefined && !redrawn.includes(suggestion.id)) this.protein.abandon(suggestion.id);
            if (this.latestState !== undefined) this.latestStateApplied = false;
            throw error;
          }
          for (const id of redrawn) this.protein.abandon(id);
          suggested = true;
          this.inProtein.add(suggestion.id);
          created = {
            e: "created",
            trial: suggestion.id,
            t,
            worker: this.worker,
            params,
            info: { ...suggestion.info, ...(redrawn.length > 0 ? { redrawn: redrawn.length } : {}), ...(fallback ? { phase: "uniform", reason: `${redrawn.length + 1} suggestions repeated earlier trials; drawn uniformly instead` } : {}) },
            ...(opts.group !== undefined ? { group: opts.group } : {}),
            state: this.protein.exportState(),
          };
        }
        const id = created.trial;
        try {
          if (this.byId.has(id)) {
            throw new StudyError(`the suggester issued the id "${id}", which the study already holds`, {
              key: "trial",
              value: id,
              fix: "the study's suggester state is inconsistent (an edited record?); start a new study",
            });
          }
          // New trials are made under the study lock only, so nothing can claim this one first.
          await this.write([created, { e: "started", trial: id, t, worker: this.worker, attempt: 1 }]);
        } catch (error) {
          if (suggested && !this.byId.has(id)) {
            // Nothing was recorded: forget the suggestion, and take the study's state back before the next one.
            this.protein.abandon(id);
            this.inProtein.delete(id);
            if (this.latestState !== undefined) this.latestStateApplied = false;
          }
          // Another worker created this trial first (this one had lost the lock): read again and retry.
          if (error instanceof StudyConflictError) continue;
          throw error;
        }
        return copyTrial(this.byId.get(id) as Trial);
      }
    }));
  }

  /** Up to UNIFORM_DRAWS uniform points of the space, the first whose params no trial holds yet. */
  private uniformUnseen(id: string, transform: AskOptions["transform"]): NestedParams | undefined {
    const rng = createRng(hashSeed(`${this.name}\n${this.header.createdAt}\n${id}`));
    const d = this.space.dim;
    for (let i = 0; i < UNIFORM_DRAWS; i++) {
      const x = new Float64Array(d);
      for (let j = 0; j < d; j++) x[j] = 2 * rng.random() - 1;
      let params = this.space.fromVector(this.space.snap(x), this.protein.settings.layout);
      if (transform) params = this.validParams(transform(params), "params");
      if (!this.paramsSeen.has(paramsKey(params))) return params;
    }
    return undefined;
  }

  /** A pending trial with these params, for any worker's ask() to claim. */
  async enqueue(params: NestedParams, opts: { group?: string } = {}): Promise<Trial> {
    this.checkOpen();
    const given = this.validParams(params, "params");
    return this.inOrder(() => this.storage.withLock(this.name, async () => {
      await this.pull();
      const id = `p${this.order.length + 1}`;
      await this.write([{ e: "created", trial: id, t: nowIso(), worker: this.worker, params: given, ...(opts.group !== undefined ? { group: opts.group } : {}) }]);
      return copyTrial(this.byId.get(id) as Trial);
    }));
  }

  private requireState(id: string, allowed: readonly Trial["state"][], action: string): Trial {
    const trial = this.byId.get(id);
    if (trial === undefined) throw this.unknownTrial(id);
    if (!allowed.includes(trial.state)) {
      const superseded = trial.worker !== undefined && trial.worker !== this.worker && trial.attempts > 1;
      throw new StudyError(
        `cannot ${action} trial "${id}": it is ${trial.state}${trial.reason ? ` (${trial.reason})` : ""}${superseded ? ` by attempt ${trial.attempts} of worker ${trial.worker}` : ""}; nothing was written`,
        {
          key: "trial",
          value: id,
          allowed: `a trial that is ${allowed.join(" or ")}`,
          fix:
            trial.state === "finished" || trial.state === "stopped" || trial.state === "failed"
              ? `its result is already recorded${superseded ? " (this attempt was reaped as stale and superseded: end the run; make stale_after longer than any pause in heartbeats)" : ""}; ask() for a new trial`
              : "ask() for the trial first",
        },
      );
    }
    return trial;
  }

  private checkNumber(value: unknown, key: string, allowed: string, fix: string, min?: number): number {
    if (typeof value !== "number" || !Number.isFinite(value) || (min !== undefined && value < min)) {
      throw new StudyError(`${key} must be ${allowed}`, { key, value, allowed, fix });
    }
    return value;
  }

  private checkMetrics(metrics: Metrics | undefined): Metrics {
    if (metrics === undefined) return {};
    if (typeof metrics !== "object" || metrics === null || Array.isArray(metrics)) {
      throw new StudyError("metrics must be an object of numbers", { key: "metrics", value: metrics, allowed: "{ name: finite number }", fix: "pass e.g. { loss: 0.3 }" });
    }
    for (const [k, v] of Object.entries(metrics)) this.checkNumber(v, `metrics.${k}`, "a finite number", "leave a metric out when the run did not report a finite value");
    return { ...metrics };
  }

  /** Records the launch details (device, command, log) of the trial's current attempt. */
  async recordRun(trialId: string, run: RunInfo): Promise<void> {
    this.checkOpen();
    const info = jsonValue(run, "run", "the run info");
    await this.storage.withWriteLock(this.name, async () => {
      await this.pull();
      const trial = this.requireState(trialId, ["running"], "record the run of");
      await this.write([{ e: "started", trial: trialId, t: trial.startedAt ?? nowIso(), worker: trial.worker ?? this.worker, attempt: trial.attempts, run: info }]);
    });
  }

  /** Marks the trial alive (and records progress). Takes only the short write lock: it never waits for a suggestion. */
  async heartbeat(trialId: string, progress: { metrics?: Metrics; cost?: number } = {}): Promise<void> {
    this.checkOpen();
    const metrics = progress.metrics === undefined ? undefined : this.checkMetrics(progress.metrics);
    if (progress.cost !== undefined) this.checkNumber(progress.cost, "cost", "a finite number ≥ 0", "pass the cost spent so far", 0);
    await this.storage.withWriteLock(this.name, async () => {
      await this.pull();
      this.requireState(trialId, ["running", "pending"], "heartbeat");
      await this.write([
        { e: "heartbeat", trial: trialId, t: nowIso(), worker: this.worker, ...(metrics ? { metrics } : {}), ...(progress.cost !== undefined ? { cost: progress.cost } : {}) },
      ]);
    });
  }

  /** Records the trial's result: it is `finished`. */
  async tell(trialId: string, score: number, cost: number, metrics?: Metrics): Promise<Trial> {
    this.checkOpen();
    this.checkNumber(score, "score", "a finite number", "report a failed or diverged run with fail(id, reason) instead");
    this.checkNumber(cost, "cost", "a finite number ≥ 0", "pass what the run cost (e.g. seconds)", 0);
    const m = this.checkMetrics(metrics);
    return this.storage.withWriteLock(this.name, async () => {
      await this.pull();
      this.requireState(trialId, ["running", "pending"], "tell");
      await this.write([{ e: "finished", trial: trialId, t: nowIso(), score, cost, metrics: m }]);
      return copyTrial(this.byId.get(trialId) as Trial);
    });
  }

  /** Records a failed attempt; with `retry` the trial goes back to pending for another attempt. */
  async fail(trialId: string, reason: string, opts: { retry?: boolean; cost?: number; metrics?: Metrics } = {}): Promise<Trial> {
    this.checkOpen();
    if (typeof reason !== "string") throw new StudyError("reason must be a string", { key: "reason", value: reason, fix: 'say why, e.g. "exit code 1"' });
    if (opts.cost !== undefined) this.checkNumber(opts.cost, "cost", "a finite number ≥ 0", "pass what the attempt cost, or leave it out", 0);
    const m = opts.metrics === undefined ? undefined : this.checkMetrics(opts.metrics);
    return this.storage.withWriteLock(this.name, async () => {
      await this.pull();
      this.requireState(trialId, ["running", "pending"], "fail");
      await this.write([
        { e: "failed", trial: trialId, t: nowIso(), reason, retry: opts.retry === true, ...(opts.cost !== undefined ? { cost: opts.cost } : {}), ...(m ? { metrics: m } : {}) },
      ]);
      return copyTrial(this.byId.get(trialId) as Trial);
    });
  }

  /** Records a run ended on purpose (early stopping, budget) with its last metric and cost. */
  async stop(trialId: string, reason: string, last: { score: number | null; cost: number; metrics?: Metrics }): Promise<Trial> {
    this.checkOpen();
    if (last.score !== null) this.checkNumber(last.score, "score", "a finite number or null", "pass the last reported value of the metric, or null when there was none");
    this.checkNumber(last.cost, "cost", "a finite number ≥ 0", "pass the cost spent when the run stopped", 0);
    const m = this.checkMetrics(last.metrics);
    return this.storage.withWriteLock(this.name, async () => {
      await this.pull();
      this.requireState(trialId, ["running", "pending"], "stop");
      await this.write([{ e: "stopped", trial: trialId, t: nowIso(), reason, score: last.score, cost: last.cost, metrics: m }]);
      return copyTrial(this.byId.get(trialId) as Trial);
    });
  }

  /** The study's budget as of the last refresh ({} when none was set): the limits of every worker together. */
  get budget(): StudyBudget {
    return { ...this.currentBudget };
  }

  /**
   * Replaces the study's budget (every worker reads it at its next refresh). Returns false,
   * writing nothing, when it equals the current one.
   */
  async setBudget(budget: StudyBudget): Promise<boolean> {
    this.checkOpen();
    const next = checkBudget(budget);
    return this.storage.withWriteLock(this.name, async () => {
      await this.pull();
      if (deepEqual(next, this.currentBudget)) return false;
      await this.write([{ e: "budget", t: nowIso(), worker: this.worker, budget: next }]);
      return true;
    });
  }

  /**
   * Why the study's budget allows no new trial (max_trials started, max_cost recorded, over all
   * workers), or undefined while it does; as of the last refresh. Wall time is each worker's own.
   */
  budgetSpent(): string | undefined {
    const { maxTrials, maxCost } = this.currentBudget;
    if (maxTrials !== undefined && this.order.filter((t) => t.attempts > 0).length >= maxTrials) return `max_trials (${maxTrials}) reached`;
    if (maxCost !== undefined) {
      let cost = 0;
      for (const t of this.order) cost += t.cost ?? 0;
      if (cost >= maxCost) return `max_cost (${maxCost}) spent`;
    }
    return undefined;
  }

  /** Protein's early-stopping rule on a live run's progress (as of the last refresh). */
  shouldStop(score: number, cost: number): boolean {
    return this.protein.shouldStop(score, cost);
  }

  /**
   * Running trials whose last heartbeat (or start) is older than `staleAfterSeconds` are
   * recorded as failed — back to pending while their attempts ≤ `retries`. Whichever worker
   * calls it first does it; returns the trials it reaped (after the change).
   */
  async reapStale(staleAfterSeconds: number, opts: { retries?: number } = {}): Promise<Trial[]> {
    this.checkOpen();
    this.checkNumber(staleAfterSeconds, "staleAfterSeconds", "a finite number > 0 of seconds", "pass e.g. 60 (a few heartbeat intervals)", 0);
    const retries = opts.retries ?? 0;
    if (!Number.isInteger(retries) || retries < 0) throw new StudyError("retries must be an integer ≥ 0", { key: "retries", value: retries, fix: "pass e.g. 1" });
    const staleNow = (now: number): Array<{ trial: Trial; age: number }> =>
      this.order
        .filter((trial) => trial.state === "running")
        .map((trial) => ({ trial, age: (now - Date.parse(trial.heartbeatAt ?? trial.startedAt ?? trial.createdAt)) / 1000 }))
        .filter(({ age }) => age > staleAfterSeconds);
    // A look without the lock first: reaping is polled often, and usually finds nothing.
    await this.pull();
    if (staleNow(Date.now()).length === 0) return [];
    return this.storage.withWriteLock(this.name, async () => {
      await this.pull();
      const now = Date.now();
      const events: TrialLifecycleEvent[] = staleNow(now).map(({ trial, age }) => ({
        e: "failed" as const,
        trial: trial.id,
        t: new Date(now).toISOString(),
        reason: `stale: no heartbeat for ${age.toFixed(1)} s (worker ${trial.worker ?? "?"}, attempt ${trial.attempts}; stale after ${staleAfterSeconds} s)`,
        retry: trial.attempts <= retries,
      }));
      if (events.length === 0) return [];
      await this.write(events);
      return events.map((e) => copyTrial(this.byId.get(e.trial) as Trial));
    });
  }

  /** Closes the storage when the study opened it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsStorage) await this.storage.close();
  }
}

