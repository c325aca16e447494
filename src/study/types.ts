/**
 * The shared-study contract: trials, their lifecycle events, and the storage interface
 * every backend (the embedded journal file, PostgreSQL) implements.
 *
 * A study is event-sourced. Its record is a header (the sweep config, settings, run
 * block) followed by an append-only sequence of trial events. The state of every trial,
 * and the `Protein` that suggests the next one, are functions of that sequence, so a
 * runner that crashed, a second process on the same machine and a worker on another
 * machine all see one sweep. Each event is durable before anyone acts on it.
 *
 * Layering (ARCHITECTURE.md): study → protein. Nothing here spawns processes or draws
 * on a terminal; backends know nothing of GPs.
 */
import type { NestedParams } from "../space/search-space";

/** Where a trial stands. `pending`: suggested, not yet launched (or waiting for a retry). */
export type TrialState = "pending" | "running" | "finished" | "failed" | "stopped";

/** Numbers a run reported besides (or including) its score, by name. */
export type Metrics = Record<string, number>;

/** How the runner launched one attempt of a trial (what the journal keeps for the table). */
export interface RunInfo {
  /** The device(s) of this attempt, as put in CUDA_VISIBLE_DEVICES. */
  device?: string;
  /** The command line, argv form. */
  command?: string[];
  /** Seed passed to the command (repeats / seeds). */
  seed?: number;
  /** Path of this attempt's log file. */
  log?: string;
}

/** One trial: a configuration, its attempts, and its result. */
export interface Trial {
  /** Unique in the study (the suggestion id, e.g. "s12"). */
  id: string;
  /** 1-based creation order in the study. */
  number: number;
  state: TrialState;
  /** The parameters as run (nested as the config writes them; constraints applied). */
  params: NestedParams;
  /** How the suggestion was made (`SuggestionInfo` of Protein, as JSON), when it came from one. */
  info?: Record<string, unknown>;
  /** Grid point or repeat this trial belongs to, when the method makes groups. */
  group?: string;
  /** The score (the config's metric); null until finished, or for a failure. */
  score: number | null;
  /** What the run cost; null until known. */
  cost: number | null;
  /** Every metric the run reported (last value of each). */
  metrics: Metrics;
  /** Attempts started so far (a retry is another attempt of the same trial). */
  attempts: number;
  /** The worker that runs or ran the latest attempt. */
  worker?: string;
  /** Why the trial failed or was stopped (the latest reason). */
  reason?: string;
  /** The latest attempt's launch details. */
  run?: RunInfo;
  /** ISO 8601 times. */
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  heartbeatAt?: string;
}

/** The lifecycle events of a trial, one JSON line (or row) each. `t` is an ISO 8601 time. */
export type TrialEvent =
  | {
      e: "created";
      trial: string;
      t: string;
      worker: string;
      params: NestedParams;
      info?: Record<string, unknown>;
      group?: string;
      /** The suggester's state after this suggestion (`Protein.exportState()`), so any worker continues it. */
      state?: unknown;
    }
  /** An attempt begins (`attempt` = 1, 2, …). Repeated with the same attempt and worker, it records that attempt's launch details (`Study.recordRun`). */
  | { e: "started"; trial: string; t: string; worker: string; attempt: number; run?: RunInfo }
  | { e: "heartbeat"; trial: string; t: string; worker: string; metrics?: Metrics; cost?: number }
  | { e: "finished"; trial: string; t: string; score: number; cost: number; metrics: Metrics }
  /** `retry: true` puts the trial back to pending for another attempt; otherwise the failure is final. */
  | { e: "failed"; trial: string; t: string; reason: string; retry: boolean; cost?: number; metrics?: Metrics }
  /** Ended early on purpose (early stopping, budget); keeps the last metric as its result. */
  | { e: "stopped"; trial: string; t: string; reason: string; score: number | null; cost: number; metrics: Metrics }
  /** The study's budget from here on (replaces the previous one; names no trial). */
  | { e: "budget"; t: string; worker: string; budget: StudyBudget };

/** The events that name a trial (every event but `budget`). */
export type TrialLifecycleEvent = Exclude<TrialEvent, { e: "budget" }>;

/**
 * What the whole study may spend, counted over every worker: trials started (retries of a
 * trial not counted again), the cost recorded, and each worker's wall time (seconds from
 * its start). Kept in `budget` events, so a resumed sweep can change it for every agent.
 */
export interface StudyBudget {
  maxTrials?: number;
  maxCost?: number;
  maxTime?: number;
}

/** What a study stores once, at creation. */
export interface StudyHeader {
  format: "protein-sweep/journal";
  version: 1;
  /** The study's name (unique per storage). */
  name: string;
  /** The sweep config as given (its `source`), so every worker builds the same space. */
  config: unknown;
  /** Constructor settings of Protein (camelCase), JSON. */
  settings: Record<string, unknown>;
  /** The runner's block (budget, method, command …), JSON, when a runner created the study. */
  run?: Record<string, unknown>;
  createdAt: string;
}

/** One event with its position in the study's sequence (1-based, gap-free per study). */
export interface StoredEvent {
  seq: number;
  event: TrialEvent;
}

/**
 * A backend. Every method is safe to call from many processes (and, for PostgreSQL, many
 * machines) at once. Appends are atomic per call: all the events of one call become
 * visible together, in order, or none do.
 */
export interface StudyStorage {
  /** Creates a study; if one of that name exists with an equal header (config, settings, run) it is returned unchanged, else a StudyError names what differs and nothing is written. */
  createStudy(header: StudyHeader): Promise<StudyHeader>;
  /** The header of a study, or undefined when there is none of that name. */
  getStudy(name: string): Promise<StudyHeader | undefined>;
  listStudies(): Promise<string[]>;
  /** Appends events; returns the seq of the last one. */
  append(name: string, events: readonly TrialEvent[]): Promise<number>;
  /** Events with seq > after, in order. */
  read(name: string, after: number): Promise<StoredEvent[]>;
  /** Runs fn while holding the study's exclusive lock (serializes ask() across processes and machines). */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Runs fn while holding the study's write lock: a short lock around check-then-append
   * (tell, fail, stop, heartbeat, reaping, and the final claim of ask()), so that results
   * and heartbeats never wait for a suggestion in progress. Taken inside `withLock`, never
   * the other way round.
   */
  withWriteLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
