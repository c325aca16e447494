/**
 * The record subcommands on a real sweep's journal: summary, export --csv/--jsonl, and the
 * suggest / observe pair for schedulers that launch runs themselves. The sweep runs as a real
 * process; the record subcommands run through the same `main` in this process.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NODE, TRAINER, tempDir } from "../runner/helpers";
import { cli, cliInProcess } from "./helpers";

let dir: string;
let cleanup: () => void;
let journal: string;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir("protein-sweep-records-"));
  const file = join(dir, "sweep.yaml");
  writeFileSync(
    file,
    `metric: score\ngoal: maximize\nparameters:\n  x: { values: [1, 2, 3] }\n  m_err: { values: [0.001, 0.5] }\nrun: ${JSON.stringify({ command: [NODE, TRAINER], method: "grid", constraints: ["x=3 -> m_err=0.5", "x=2 -> m_err=0.001"], gates: ["err < 0.01"] })}\n`,
  );
  const r = await cli(["run", file, "-o", join(dir, "out"), "--quiet"]);
  expect(r.code).toBe(0);
  journal = join(dir, "out", "journal.jsonl");
});
afterAll(() => cleanup());

describe("records subcommands", () => {
  it("summary: best run passing the gates, top k, Pareto front, gated runs named, importance unless --no-importance", async () => {
    const r = await cliInProcess(["summary", journal]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^4 runs: 4 finished; cost spent [\d.]+$/m);
    expect(r.stdout).toMatch(/^Best run: p\d \(#\d\) {2}score 2 {2}cost [\d.]+\n {2}x=2 {2}m_err=0\.001$/m);
    expect(r.stdout).toMatch(/^gates: err < 0\.01 \(2 of 4 finished pass\)$/m);
    expect(r.stdout).toMatch(/^failed a gate \(kept, never best\): p\d \[err < 0\.01\], p\d \[err < 0\.01\]$/m);
    // Importance by default: 4 finished runs are too few to measure, and the summary says so.
    expect(r.stdout).toContain("Importance: not measured (needs at least 5 finished runs");
    expect((await cliInProcess(["summary", journal, "--no-importance"])).stdout).not.toContain("Importance");
    const json = JSON.parse((await cliInProcess(["summary", journal, "--json", "--top", "1"])).stdout);
    expect(json.best.params).toEqual({ x: 2, m_err: 0.001 });
    expect(json.top.map((t: { params: { x: number } }) => t.params.x)).toEqual([2]);
    expect(json.gated).toHaveLength(2);
    expect(json.importance.parameters).toEqual([]);
    const all = JSON.parse((await cliInProcess(["summary", "--storage", journal, "--json", "--no-importance"])).stdout);
    expect(all.top.map((t: { params: { x: number } }) => t.params.x)).toEqual([2, 1]);
    expect(all.importance).toBeNull();
  });

  it("summary --width fits every line in the columns given (80 when not a terminal)", async () => {
    for (const width of [40, 60, 100]) {
      const r = await cliInProcess(["summary", journal, "--width", String(width)]);
      for (const line of r.stdout.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(width);
    }
    const plain = await cliInProcess(["summary", journal]);
    expect(Math.max(...plain.stdout.split("\n").map((l) => [...l].length))).toBeLessThanOrEqual(80);
    const both = await cliInProcess(["summary", journal, "--storage", journal]);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain("summary reads one sweep: give JOURNAL or --storage, not both");
    const none = await cliInProcess(["summary"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("summary needs a sweep to read");
  });

  it("export --csv matches runs.csv columns; --jsonl has one trial per line", async () => {
    const csv = await cliInProcess(["export", journal, "--csv"]);
    expect(csv.stdout.split("\n")[0]).toBe("id,status,x,m_err,err,score,cost,seconds,device,seed,attempts,reason,command");
    expect(csv.stdout).toBe(readFileSync(join(dir, "out", "runs.csv"), "utf8"));
    const lines = (await cliInProcess(["export", journal, "--jsonl"])).stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines.every((t: { state: string }) => t.state === "finished")).toBe(true);
    const none = await cliInProcess(["export", journal]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("export needs a format");
  });

  it("suggest prints one trial as JSON and records it; observe records its result", async () => {
    const s = await cliInProcess(["suggest", journal]);
    expect(s.code).toBe(0);
    const trial = JSON.parse(s.stdout);
    expect(trial.trial).toMatch(/^s\d+$/);
    expect(trial.args.every((a: string) => a.startsWith("--"))).toBe(true);
    expect(readFileSync(journal, "utf8")).toContain(`"trial":"${trial.trial}"`);
    const o = await cliInProcess(["observe", journal, trial.trial, "1.5", "--cost", "2", "--metric", "err=0.001"]);
    expect(o.code).toBe(0);
    expect(JSON.parse(o.stdout)).toEqual({ trial: trial.trial, state: "finished", score: 1.5, cost: 2 });
    const f = JSON.parse((await cliInProcess(["suggest", journal])).stdout);
    const failed = await cliInProcess(["observe", journal, f.trial, "--failed", "node lost"]);
    expect(JSON.parse(failed.stdout).state).toBe("failed");
    const missing = await cliInProcess(["summary", join(dir, "nope.jsonl")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no journal at");
  });

  it("run --json prints one JSON event per line: start, launch, end, done with the summary", async () => {
    const file = join(dir, "json.yaml");
    writeFileSync(file, `metric: score\nparameters:\n  x: { values: [4, 5] }\nrun: ${JSON.stringify({ command: [NODE, TRAINER], method: "grid" })}\n`);
    const r = await cliInProcess(["run", file, "-o", join(dir, "json-out"), "--json"]);
    expect(r.code).toBe(0);
    const all = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    // Each METRIC line a run prints is a progress event too.
    expect(all.filter((e) => e.type === "progress").map((e) => e.metrics.score)).toEqual([4, 5]);
    const events = all.filter((e) => e.type !== "progress");
    expect(events.map((e) => e.type)).toEqual(["start", "launch", "end", "launch", "end", "done"]);
    expect(events[2]).toMatchObject({ type: "end", state: "finished", score: 4 });
    expect(events[5].summary.best).toMatchObject({ score: 5, params: { x: 5 } });
    // A small sweep's end summary asks for importance (2 runs: too few, and it says why).
    expect(events[5].summary.importance.reason).toContain("needs at least 5 finished runs");
    expect(events[5].csv).toBe(join(dir, "json-out", "runs.csv"));
  });

  it("running the sweep again with a different definition is refused, naming what differs; nothing is written", async () => {
    const before = readFileSync(journal, "utf8");
    const file = join(dir, "sweep.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace('"method":"grid"', '"method":"random"'));
    const r = await cliInProcess(["run", file, "-o", join(dir, "out")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('run.method: stored "grid", given "random"');
    expect(r.stderr).toContain("fix: resume with the config, settings and run block the study was created with");
    expect(readFileSync(journal, "utf8")).toBe(before);
  });
});
