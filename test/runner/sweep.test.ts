/**
 * The sweep loop with real child processes (the fixture trainer): grid + constraints +
 * repeats, devices round-robin, failures and retries, timeouts, early stopping of a live
 * run, gates, a metric no run prints, budgets, and the records it leaves.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { flattenParams } from "../../src/space/search-space";
import { Sweep, type SweepEvent } from "../../src/runner/sweep";
import { parseSweepDocument } from "../../src/runner/sweep-file";
import { NODE, TRAINER, readSeen, tempDir } from "./helpers";

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

async function sweep(doc: Record<string, unknown>, env: Record<string, string> = {}) {
  const record = join(dir, "seen.jsonl");
  const run = (doc.run ?? {}) as Record<string, unknown>;
  const file = parseSweepDocument({ ...doc, run: { command: [NODE, TRAINER], ...run, env: { TRAINER_RECORD: record, ...env, ...((run.env as object) ?? {}) } } }, join(dir, "sweep.yaml"));
  const events: SweepEvent[] = [];
  const s = await Sweep.open({ file, outputDir: join(dir, "out"), onEvent: (e) => events.push(e), pollMs: 20, killGraceMs: 500 });
  const summary = await s.run();
  return { summary, events, seen: readSeen(record), trials: s.trials, out: join(dir, "out") };
}

describe("sweep", () => {
  it("grid × constraints × repeats: every point in grid order, constrained before launch and recorded as run, each with its seed", async () => {
    const { seen, trials, summary } = await sweep({
      metric: "score",
      parameters: { opt: { values: ["adam", "sgd"] }, momentum: { values: [0.0, 0.5, 0.9] }, x: { values: [1, 2] } },
      run: { method: "grid", constraints: ["opt=adam -> momentum=0.0"], seeds: [11, 22], max_concurrent: 2 },
    });
    // adam × {0, 0.5, 0.9} collapse to adam × 0: 2 + 6 points, each with 2 seeds.
    const expected = [
      ["adam", 0, 1],
      ["adam", 0, 2],
      ["sgd", 0, 1],
      ["sgd", 0, 2],
      ["sgd", 0.5, 1],
      ["sgd", 0.5, 2],
      ["sgd", 0.9, 1],
      ["sgd", 0.9, 2],
    ];
    expect(trials.map((t) => [t.params.opt, t.params.momentum, t.params.x])).toEqual(expected.flatMap((p) => [p, p]));
    expect(trials.map((t) => t.run?.seed)).toEqual(expected.flatMap(() => [11, 22]));
    expect(trials.every((t) => t.state === "finished")).toBe(true);
    expect(seen).toHaveLength(16);
    const launched = seen.map((s) => [s.params.opt, Number(s.params.momentum), Number(s.params.x), Number(s.seed)]).sort();
    expect(launched).toEqual(expected.flatMap((p) => [[...p, 11], [...p, 22]]).sort());
    expect(seen.every((s) => s.argv.includes(`seed=${s.seed}`))).toBe(true);
    expect(summary.counts.finished).toBe(16);
    expect(summary.best?.params.x).toBe(2);
  });

  it("devices round-robin through CUDA_VISIBLE_DEVICES, never two runs on a device at once", async () => {
    const { seen, trials } = await sweep(
      { metric: "score", parameters: { x: { distribution: "uniform", min: 0, max: 1 } }, run: { method: "random", max_trials: 6, devices: [0, 1, 2], max_concurrent: 8 } },
      { TRAINER_STEPS: "3", TRAINER_STEP_MS: "60" },
    );
    expect(seen).toHaveLength(6);
    // Launch order is trial order (the processes may start in another order on a busy machine).
    expect(trials.slice(0, 3).map((t) => t.run?.device)).toEqual(["0", "1", "2"]);
    for (const s of seen) expect(["0", "1", "2"]).toContain(s.cuda);
    // The device each trial recorded is the one its process saw.
    const byTrial = new Map(seen.map((s) => [s.trial, s.cuda]));
    for (const t of trials) expect(t.run?.device).toBe(byTrial.get(t.id));
    // At most 3 at once (the pool's capacity), and each device busy with one run at a time.
    const log = seen.map((s) => ({ cuda: s.cuda, start: s.start, end: Date.parse(trials.find((t) => t.id === s.trial)?.finishedAt ?? "") }));
    for (const a of log) {
      const overlapping = log.filter((b) => b !== a && b.start < a.end && a.start < b.end);
      expect(overlapping.filter((b) => b.cuda === a.cuda)).toEqual([]);
    }
  });

  it("runs_per_device lets more runs share a device", async () => {
    const { seen } = await sweep(
      { metric: "score", parameters: { x: { distribution: "uniform", min: 0, max: 1 } }, run: { method: "random", max_trials: 4, devices: [5, 7], runs_per_device: 2, max_concurrent: 4 } },
      { TRAINER_STEPS: "3", TRAINER_STEP_MS: "100" },
    );
    expect(seen.map((s) => s.cuda).sort()).toEqual(["5", "5", "7", "7"]);
  });

  it("failed runs are retried with the reason recorded, then recorded as failed", async () => {
    const { trials, seen, summary } = await sweep({ metric: "score", parameters: { x: { distribution: "uniform", min: 0, max: 1 } }, run: { max_trials: 2, retries: 1 } }, { TRAINER_EXIT: "3" });
    expect(seen).toHaveLength(4);
    expect(trials.map((t) => [t.state, t.attempts, t.reason])).toEqual([
      ["failed", 2, "exit code 3"],
      ["failed", 2, "exit code 3"],
    ]);
    expect(summary.best).toBeNull();
    const journal = readFileSync(join(dir, "out", "journal.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    expect(journal.filter((e) => e.e === "failed").map((e) => e.retry)).toEqual([true, false, true, false]);
  });

  it("a run past its timeout is ended and recorded with the reason", async () => {
    const { trials } = await sweep({ metric: "score", parameters: { x: { distribution: "uniform", min: 0, max: 1 } }, run: { max_trials: 1, timeout: 0.5 } }, { TRAINER_HANG: "1" });
    expect(trials[0].state).toBe("failed");
    expect(trials[0].reason).toBe("timeout after 0.5 s");
  });

  it("hyperband stops a live run that falls behind; it is recorded as stopped with its last metric and cost", async () => {
    const { trials, seen } = await sweep(
      { metric: "score", parameters: { x: { values: [3, 1, 2] } }, early_terminate: { type: "hyperband", min_iter: 2, eta: 2 }, run: { method: "grid" } },
      { TRAINER_STEPS: "8", TRAINER_STEP_MS: "80" },
    );
    expect(seen).toHaveLength(3);
    const [first, second] = trials;
    expect(first.state).toBe("finished");
    expect(first.score).toBe(3);
    expect(second.state).toBe("stopped");
    expect(second.reason).toMatch(/^early stop \(hyperband\) after 2 reports, score=0\.25/);
    expect(second.score).toBeCloseTo(0.25);
    expect(second.metrics.step).toBeLessThan(8);
    expect(second.cost).toBeGreaterThan(0);
  });

  it("a run failing a gate is kept in the record but never reported as best", async () => {
    const { summary, trials, out } = await sweep({
      metric: "score",
      parameters: { x: { values: [1, 3] }, m_err: { values: [0.001, 0.5] } },
      run: { method: "grid", constraints: ["x=3 -> m_err=0.5"], gates: ["err < 0.01"] },
    });
    expect(trials).toHaveLength(3);
    expect(summary.best?.params).toEqual({ x: 1, m_err: 0.001 });
    const byId = new Map(trials.map((t) => [t.id, t]));
    expect(summary.gated.map((g) => byId.get(g.id)?.params.x)).toEqual([1, 3]);
    expect(summary.gated[1].failed).toEqual(["err < 0.01"]);
    expect(summary.ranked).toBe(1);
    expect(summary.top.every((t) => t.metrics.err < 0.01)).toBe(true);
    const csv = readFileSync(join(out, "runs.csv"), "utf8").split("\n");
    expect(csv[0]).toBe("id,status,x,m_err,err,score,cost,seconds,device,seed,attempts,reason,command");
    expect(csv).toHaveLength(5);
  });

  it("a metric no run prints is warned about after the first run, naming what it printed and the fix", async () => {
    const { events, trials } = await sweep({ metric: "reward", parameters: { x: { distribution: "uniform", min: 0, max: 1 } }, run: { max_trials: 2 } }, { TRAINER_METRIC: "return" });
    const warnings = events.filter((e): e is Extract<SweepEvent, { type: "warning" }> => e.type === "warning");
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toContain('the run printed no "reward" (the sweep\'s metric); it printed: return');
    expect(warnings[0].message).toContain('Fix: print "METRIC reward=<value>"');
    expect(trials.map((t) => t.reason)).toEqual(['no metric "reward" reported', 'no metric "reward" reported']);
  });

  it("reads a result file and a JSON line; cost from a named metric or from the cost parameter", async () => {
    const a = await sweep({ metric: "score", parameters: { x: { values: [2] } }, run: { method: "grid", cost: { metric: "tokens" } } }, { TRAINER_RESULT_FILE: "1", TRAINER_EXTRA: '{"tokens": 1234}' });
    expect(a.trials[0]).toMatchObject({ state: "finished", score: 2, cost: 1234, metrics: { score: 2, tokens: 1234 } });
    cleanup();
    ({ dir, cleanup } = tempDir());
    const b = await sweep({ metric: "score", parameters: { x: { values: [5, 7] } }, run: { method: "grid", cost: { param: "x" } } }, { TRAINER_JSON: "1" });
    expect(b.trials.map((t) => [t.score, t.cost])).toEqual([
      [5, 5],
      [7, 7],
    ]);
  });

  it("max_cost ends the sweep once spent; the records name where they are", async () => {
    const { trials, events, out } = await sweep({ metric: "score", parameters: { x: { distribution: "uniform", min: 1, max: 2 } }, run: { method: "random", cost: { param: "x" }, max_cost: 3 } });
    expect(trials.length).toBeGreaterThanOrEqual(2);
    expect(trials.slice(0, -1).reduce((c, t) => c + (t.cost ?? 0), 0)).toBeLessThan(3);
    expect(trials.reduce((c, t) => c + (t.cost ?? 0), 0)).toBeGreaterThanOrEqual(3);
    const done = events.at(-1) as Extract<SweepEvent, { type: "done" }>;
    expect(done.reason).toBe("max_cost (3) spent");
    expect(existsSync(join(out, "runs.csv"))).toBe(true);
    expect(existsSync(join(out, "runs", trials[0].id, "1", "log"))).toBe(true);
    expect(readFileSync(join(out, "runs", trials[0].id, "1", "log"), "utf8")).toContain("METRIC score=");
    expect(flattenParams(JSON.parse(readFileSync(join(out, "runs", trials[0].id, "1", "params.json"), "utf8"))).get("x")).toBe(trials[0].params.x);
  });

  it("constraints apply to Protein's suggestions before launch, and the trial records the params as run", async () => {
    const { trials, seen } = await sweep({
      metric: "score",
      parameters: { opt: { values: ["adam", "sgd"] }, momentum: { distribution: "uniform", min: 0, max: 0.9 }, x: { distribution: "uniform", min: 0, max: 1 } },
      protein: { num_random_samples: 3 },
      run: { max_trials: 6, seed: 5, constraints: ["opt=adam -> momentum=0.0"] },
    });
    const adam = trials.filter((t) => t.params.opt === "adam");
    expect(adam.length).toBeGreaterThan(0);
    for (const t of adam) expect(t.params.momentum).toBe(0);
    for (const s of seen) if (s.params.opt === "adam") expect(s.params.momentum).toBe("0");
    expect(trials.some((t) => t.params.opt === "sgd" && t.params.momentum !== 0)).toBe(true);
  });

  it("Protein's shouldStop ends a hopeless live run once the study has 30 results; it is recorded as stopped", async () => {
    const record = join(dir, "seen.jsonl");
    const doc = (run: Record<string, unknown>) =>
      parseSweepDocument(
        {
          metric: "score",
          parameters: { x: { distribution: "uniform", min: 0, max: 1 }, steps: { distribution: "int_uniform", min: 30, max: 60 } },
          run: { command: [NODE, TRAINER], cost: { metric: "step" }, max_concurrent: 4, seed: 3, ...run },
        },
        join(dir, "sweep.yaml"),
      );
    const first = await Sweep.open({ file: doc({ method: "random", max_trials: 30, env: { TRAINER_RECORD: record, TRAINER_STEP_MS: "0" } }), outputDir: join(dir, "out"), pollMs: 20 });
    expect((await first.run()).counts.finished).toBe(30);
    // Same sweep, resumed with early stopping on and a run that reports a hopeless score from its first step.
    const second = await Sweep.open({ file: doc({ method: "random", max_trials: 31, early_stop: "protein", env: { TRAINER_RECORD: record, TRAINER_STEP_MS: "20", TRAINER_BAD: "1" } }), outputDir: join(dir, "out"), pollMs: 20 });
    await second.run();
    const last = second.trials.at(-1);
    expect(last?.state).toBe("stopped");
    expect(last?.reason).toMatch(/^early stop \(protein\) at cost \d+, score=-/);
    expect(last?.score).toBeLessThan(-100);
    expect(last?.metrics.step).toBeLessThan(Number(last?.params.steps));
    expect(last?.cost).toBe(last?.metrics.step);
  });

  it("the wall-time limit ends the running runs, keeps them for a resume, and launches nothing more", async () => {
    const { trials, events } = await sweep({ metric: "score", parameters: { x: { distribution: "uniform", min: 0, max: 1 } }, run: { max_trials: 5, max_concurrent: 2, max_time: 1 } }, { TRAINER_HANG: "1" });
    expect(trials).toHaveLength(2);
    expect(trials.map((t) => [t.state, t.reason])).toEqual([
      ["pending", "wall-time limit"],
      ["pending", "wall-time limit"],
    ]);
    expect((events.at(-1) as Extract<SweepEvent, { type: "done" }>).reason).toBe("wall-time limit (1 s) reached");
  });
});
