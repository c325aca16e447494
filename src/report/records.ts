/**
 * What every report function takes: the runs of a sweep (study trials, or a plain list of
 * observations turned into trials), the direction of the score, and the gates a run must pass
 * to be called best.
 *
 * Glossary
 *   trial       one run of the sweep (src/study/types.ts); only `finished` ones rank
 *   s′ = dir·s  direction-adjusted score, larger is better (dir = +1 maximize, −1 minimize)
 *   gate        a condition on one metric, e.g. `mass_err < 0.01`; a run that fails one is
 *               kept and shown, but never reported as best, in the top k or on the front
 */
import type { Observation } from "../observations/record";
import type { Goal } from "../pareto";
import type { SearchSpace } from "../space/search-space";
import type { Trial, TrialState } from "../study/types";
import { ReportError } from "./errors";

/** Comparison operators a gate may use (text may also write `=` for `==`). */
export type GateOp = "<" | "<=" | ">" | ">=" | "==" | "!=";

/** A condition on one metric: the run passes when `metrics[metric] op value` holds. */
export interface Gate {
  /** The metric's name (`score`, or the sweep's metric name, reads the trial's score). */
  readonly metric: string;
  readonly op: GateOp;
  readonly value: number;
}

/** A gate as an object, or as text such as `"mass_err < 0.01"`. */
export type GateInput = Gate | string;

/** What the report needs to know about the sweep besides its runs. */
export interface SweepInfo {
  /** Whether a larger ("maximize") or a smaller ("minimize") score is better. */
  readonly goal: Goal;
  /** Name of the score's metric, for labels. @default "score" */
  readonly metric?: string;
  /** The sweep's search space: parameter order, log axes, categories, and the box importance is measured over. Inferred from the runs when absent. */
  readonly space?: SearchSpace;
  /** Conditions a run must meet to rank (best, top k, front). @default [] */
  readonly gates?: readonly GateInput[];
  /** A title for the sweep (e.g. the study's name). */
  readonly name?: string;
}

/** What the report functions accept as runs: study trials, or observations (direction comes from `SweepInfo.goal`). */
export type SweepRecords = readonly Trial[] | readonly Observation[];

const OPS: readonly GateOp[] = ["<=", ">=", "==", "!=", "<", ">"];

/** `"maximize"` → +1, `"minimize"` → −1; anything else is a ReportError naming `goal`. */
export function direction(goal: Goal): 1 | -1 {
  if (goal === "maximize") return 1;
  if (goal === "minimize") return -1;
  throw new ReportError("the sweep's goal must be \"maximize\" or \"minimize\"", {
    key: "goal",
    value: goal,
    allowed: "\"maximize\" | \"minimize\"",
    fix: "pass the goal of the sweep config (sweep.goal), e.g. { goal: \"maximize\" }",
  });
}

/**
 * Reads one gate. Text takes the form `<metric> <op> <number>`, op one of < <= > >= == != (a
 * single `=` reads as `==`). This is the one gate reader of the package: the runner's `gates:`
 * and the report's both come through it.
 * @param gate the gate, as text or as an object
 * @param key where it came from, for the error message (e.g. `gates[1]`)
 * @throws {ReportError} naming `key` when the text or object cannot be read
 * @example parseGate("mass_err < 0.01") // { metric: "mass_err", op: "<", value: 0.01 }
 */
export function parseGate(gate: GateInput, key = "gate"): Gate {
  const allowed = "\"<metric> <op> <number>\" with op one of < <= > >= == !=, or { metric, op, value }";
  if (typeof gate === "string") {
    const match = /^\s*([A-Za-z_][\w.\-/]*)\s*(<=|>=|==|!=|=|<|>)\s*(\S+)\s*$/.exec(gate);
    const value = match ? Number(match[3]) : Number.NaN;
    if (!match || !Number.isFinite(value)) {
      throw new ReportError(`cannot read the gate ${JSON.stringify(gate)}`, {
        key,
        value: gate,
        allowed,
        fix: "write it as e.g. \"mass_err < 0.01\"",
      });
    }
    return { metric: match[1], op: (match[2] === "=" ? "==" : match[2]) as GateOp, value };
  }
  if (
    typeof gate !== "object" ||
    gate === null ||
    typeof gate.metric !== "string" ||
    gate.metric === "" ||
    !OPS.includes(gate.op) ||
    typeof gate.value !== "number" ||
    !Number.isFinite(gate.value)
  ) {
    throw new ReportError("a gate must name a metric, an operator and a finite number", {
      key,
      value: gate,
      allowed,
      fix: "e.g. { metric: \"mass_err\", op: \"<\", value: 0.01 }",
    });
  }
  return { metric: gate.metric, op: gate.op, value: gate.value };
}

/** All gates of a sweep, read (`gates[i]` names a bad one). */
export function parseGates(gates: readonly GateInput[] | undefined): Gate[] {
  if (gates === undefined) return [];
  if (!Array.isArray(gates)) {
    throw new ReportError("gates must be a list", { key: "gates", value: gates, allowed: "an array of gates", fix: "wrap the gate in [ ]" });
  }
  return gates.map((g, i) => parseGate(g, `gates[${i}]`));
}

/** The gate as text, e.g. `mass_err < 0.01`. */
export function formatGate(gate: Gate): string {
  return `${gate.metric} ${gate.op} ${gate.value}`;
}

/** The value a gate reads from a trial: a metric of that name, else the score when the name is the score's. */
export function gateValue(trial: Trial, metricName: string, scoreName: string): number | undefined {
  const v = trial.metrics[metricName];
  if (typeof v === "number") return v;
  if ((metricName === scoreName || metricName === "score") && trial.score !== null) return trial.score;
  return undefined;
}

function holds(x: number, op: GateOp, v: number): boolean {
  switch (op) {
    case "<":
      return x < v;
    case "<=":
      return x <= v;
    case ">":
      return x > v;
    case ">=":
      return x >= v;
    case "==":
      return x === v;
    case "!=":
      return x !== v;
  }
}

/** The gates a trial fails, in the order given. A run that did not report a gated metric fails that gate. */
export function failedGates<G extends Gate>(trial: Trial, gates: readonly G[], scoreName = "score"): G[] {
  return gates.filter((g) => {
    const x = gateValue(trial, g.metric, scoreName);
    return x === undefined || Number.isNaN(x) || !holds(x, g.op, g.value);
  });
}

/** Whether a trial passes every gate. A run that did not report a gated metric does not pass. */
export function passesGates(trial: Trial, gates: readonly Gate[], scoreName = "score"): boolean {
  return failedGates(trial, gates, scoreName).length === 0;
}

function isObservation(r: Trial | Observation): r is Observation {
  return typeof (r as Observation).isFailure === "boolean" && (r as Trial).state === undefined;
}

/**
 * Turns report input into trials: trials pass through; an observation becomes a finished trial
 * (or a failed one when `isFailure` or its score is not finite), numbered in list order, with
 * its id the suggestion id when it has one. Metrics of an observation come from
 * `metadata.metrics` when that is an object of numbers.
 * @throws {ReportError} when an element is neither a trial nor an observation (names `records[i]`)
 */
export function toTrials(records: SweepRecords): Trial[] {
  if (!Array.isArray(records)) {
    throw new ReportError("the runs must be a list of trials or observations", {
      key: "records",
      value: records,
      allowed: "an array of Trial (study.trials()) or Observation (loadObservations().observations)",
      fix: "pass study.trials(), or the observations array",
    });
  }
  return (records as ReadonlyArray<Trial | Observation>).map((r, i) => {
    if (typeof r !== "object" || r === null || typeof r.params !== "object" || r.params === null) {
      throw new ReportError("a run is neither a trial nor an observation", {
        key: `records[${i}]`,
        value: r,
        allowed: "a Trial ({ id, number, state, params, score, cost, metrics, … }) or an Observation ({ params, score, cost, isFailure, timestamp })",
        fix: "pass study.trials(), or the observations array",
      });
    }
    if (!isObservation(r)) {
      if (!STATES.includes((r as Trial).state)) {
        throw new ReportError("a trial has an unknown state", {
          key: `records[${i}].state`,
          value: (r as Trial).state,
          allowed: STATES.map((s) => JSON.stringify(s)).join(" | "),
          fix: "pass trials as the study returns them",
        });
      }
      const t = r as Trial;
      // A trial from an older or hand-written record may lack metrics; the report reads them everywhere.
      return typeof t.metrics === "object" && t.metrics !== null ? t : { ...t, metrics: {} };
    }
    const failed = r.isFailure || r.score === null || !Number.isFinite(r.score);
    const meta = r.metadata?.metrics;
    const metrics: Record<string, number> = {};
    if (typeof meta === "object" && meta !== null) {
      for (const [k, v] of Object.entries(meta)) if (typeof v === "number") metrics[k] = v;
    }
    const trial: Trial = {
      id: r.suggestionId ?? `o${i + 1}`,
      number: i + 1,
      state: failed ? "failed" : "finished",
      params: r.params,
      score: failed ? null : r.score,
      cost: Number.isFinite(r.cost) ? r.cost : null,
      metrics,
      attempts: 1,
      createdAt: r.timestamp,
      finishedAt: r.timestamp,
    };
    return trial;
  });
}

const STATES: readonly TrialState[] = ["pending", "running", "finished", "failed", "stopped"];

/** How many runs are in each state. */
export type StateCounts = Record<TrialState, number> & { total: number };

/** Counts runs by state. */
export function countStates(trials: readonly Trial[]): StateCounts {
  const counts: StateCounts = { total: trials.length, pending: 0, running: 0, finished: 0, failed: 0, stopped: 0 };
  for (const t of trials) counts[t.state]++;
  return counts;
}

/** A finished trial with a finite score: the only kind that ranks. */
export function hasScore(t: Trial): t is Trial & { score: number } {
  return t.state === "finished" && typeof t.score === "number" && Number.isFinite(t.score);
}
