/**
 * best / top / paretoFront over trials and over observations: direction-aware, gated, and
 * blind to runs that did not finish.
 */
import { describe, expect, it } from "vitest";
import type { Observation } from "../../src/observations/record";
import type { Trial } from "../../src/study/types";
import { best, failedGates, paretoFront, parseGate, passesGates, top, toTrials, ReportError } from "../../src/report";

function trial(number: number, state: Trial["state"], score: number | null, cost: number | null, metrics: Record<string, number> = {}): Trial {
  return { id: `s${number}`, number, state, params: { lr: number / 100 }, score, cost, metrics, attempts: 1, createdAt: "2026-01-01T00:00:00Z" };
}

const TRIALS: Trial[] = [
  trial(1, "finished", 0.5, 10, { err: 0.01 }),
  trial(2, "finished", 0.9, 50, { err: 0.2 }), // best score, fails the gate err < 0.05
  trial(3, "failed", null, 5),
  trial(4, "stopped", 0.95, 4, { err: 0.0 }), // a partial result never ranks
  trial(5, "finished", 0.7, 20, { err: 0.03 }),
  trial(6, "finished", 0.2, 2, { err: 0.04 }),
  trial(7, "running", null, null),
  trial(8, "finished", 0.7, 15, { err: 0.02 }), // ties 5 on score, cheaper
  trial(9, "finished", 0.6, 30), // no err metric: does not pass the gate
];

describe("best / top / paretoFront", () => {
  it("best is the highest finished score for maximize and the lowest for minimize", () => {
    expect(best(TRIALS, { goal: "maximize" })?.id).toBe("s2");
    expect(best(TRIALS, { goal: "minimize" })?.id).toBe("s6");
  });

  it("a run that fails a gate, or lacks the gated metric, is never best", () => {
    expect(best(TRIALS, { goal: "maximize", gates: ["err < 0.05"] })?.id).toBe("s8");
    expect(top(TRIALS, 10, { goal: "maximize", gates: [{ metric: "err", op: "<", value: 0.05 }] }).map((t) => t.id)).toEqual(["s8", "s5", "s1", "s6"]);
  });

  it("top k is ordered best first, ties to the cheaper run, and stops at what ranks", () => {
    expect(top(TRIALS, 3, { goal: "maximize" }).map((t) => t.id)).toEqual(["s2", "s8", "s5"]);
    expect(top(TRIALS, 3, { goal: "minimize" }).map((t) => t.id)).toEqual(["s6", "s1", "s9"]);
    expect(top(TRIALS, 50, { goal: "maximize" })).toHaveLength(6);
    expect(top([...TRIALS].reverse(), 3, { goal: "maximize" }).map((t) => t.id)).toEqual(["s2", "s8", "s5"]);
  });

  it("the front holds the runs nothing beats on both score and cost, cheapest first", () => {
    expect(paretoFront(TRIALS, { goal: "maximize" }).map((t) => t.id)).toEqual(["s6", "s1", "s8", "s2"]);
    // minimize: the cheapest run also has the lowest score, so it alone is the front.
    expect(paretoFront(TRIALS, { goal: "minimize" }).map((t) => t.id)).toEqual(["s6"]);
    expect(paretoFront(TRIALS, { goal: "maximize", gates: ["err < 0.05"] }).map((t) => t.id)).toEqual(["s6", "s1", "s8"]);
  });

  it("an empty sweep, or one with nothing finished, has no best, no top and no front", () => {
    expect(best([], { goal: "maximize" })).toBeUndefined();
    expect(top([trial(1, "failed", null, 1)], 5, { goal: "maximize" })).toEqual([]);
    expect(paretoFront([trial(1, "running", null, null)], { goal: "maximize" })).toEqual([]);
  });

  it("takes a list of observations: failures never rank, direction from the goal", () => {
    const obs: Observation[] = [
      { params: { lr: 0.1 }, score: 3, cost: 1, isFailure: false, timestamp: "2026-01-01T00:00:00Z", suggestionId: "a" },
      { params: { lr: 0.2 }, score: null, cost: 1, isFailure: true, timestamp: "2026-01-01T00:00:01Z" },
      { params: { lr: 0.3 }, score: 1, cost: 2, isFailure: false, timestamp: "2026-01-01T00:00:02Z", metadata: { metrics: { err: 0.5 } } },
    ];
    expect(best(obs, { goal: "maximize" })?.id).toBe("a");
    expect(best(obs, { goal: "minimize" })?.id).toBe("o3");
    const trials = toTrials(obs);
    expect(trials.map((t) => t.state)).toEqual(["finished", "failed", "finished"]);
    expect(trials[2].metrics).toEqual({ err: 0.5 });
    expect(paretoFront(obs, { goal: "maximize" }).map((t) => t.id)).toEqual(["a"]);
    expect(paretoFront(obs, { goal: "minimize" }).map((t) => t.id)).toEqual(["a", "o3"]);
  });

  it("gates read metrics, or the score by its name", () => {
    const t = trial(1, "finished", 0.5, 1, { err: 0.02 });
    expect(passesGates(t, [parseGate("err <= 0.02")])).toBe(true);
    expect(passesGates(t, [parseGate("err < 0.02")])).toBe(false);
    expect(passesGates(t, [parseGate("return >= 0.5")], "return")).toBe(true);
    expect(passesGates(t, [parseGate("missing > 0")])).toBe(false);
    expect(parseGate(" mass_err!=1e-3 ")).toEqual({ metric: "mass_err", op: "!=", value: 0.001 });
    // A single "=" (as the runner's gates: have always accepted) reads as "==".
    expect(parseGate("layers = 4")).toEqual({ metric: "layers", op: "==", value: 4 });
    expect(passesGates(trial(1, "finished", 0.5, 1, { layers: 4 }), [parseGate("layers=4")])).toBe(true);
    expect(failedGates(t, [parseGate("err < 1"), parseGate("err < 0.01"), parseGate("missing > 0")]).map((g) => g.metric)).toEqual(["err", "missing"]);
    // A trial recorded without metrics fails a metric gate instead of breaking the report.
    const bare = { ...TRIALS[0], metrics: undefined } as unknown as Trial;
    expect(best([bare], { goal: "maximize", gates: ["err < 1"] })).toBeUndefined();
    expect(best([bare], { goal: "maximize" })?.id).toBe("s1");
  });

  it("bad input is a ReportError naming the key, the value, what is allowed and the fix", () => {
    expect(() => best(TRIALS, { goal: "max" as never })).toThrow(
      'the sweep\'s goal must be "maximize" or "minimize"\n  key: goal\n  got: "max"\n  allowed: "maximize" | "minimize"\n  fix: pass the goal of the sweep config (sweep.goal), e.g. { goal: "maximize" }',
    );
    expect(() => top(TRIALS, 0, { goal: "maximize" })).toThrow("top(k) needs a positive whole number of runs\n  key: k\n  got: 0\n  allowed: an integer ≥ 1");
    expect(() => best(TRIALS, { goal: "maximize", gates: ["err < 0.05", "err ~ 3"] })).toThrow(
      'cannot read the gate "err ~ 3"\n  key: gates[1]\n  got: "err ~ 3"\n  allowed: "<metric> <op> <number>" with op one of < <= > >= == !=, or { metric, op, value }\n  fix: write it as e.g. "mass_err < 0.01"',
    );
    expect(() => best([{ nope: 1 }] as never, { goal: "maximize" })).toThrow(ReportError);
    expect(() => best([{ ...TRIALS[0], state: "done" }] as never, { goal: "maximize" })).toThrow("a trial has an unknown state\n  key: records[0].state");
  });
});
