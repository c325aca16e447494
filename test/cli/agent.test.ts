/**
 * Two `protein-sweep agent` processes on one journal file at once: every trial is claimed by
 * one worker only, the study-wide budget holds, and each configuration runs once.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configKey } from "../../src/runner/plan";
import { NODE, TRAINER, readSeen, tempDir } from "../runner/helpers";
import { cli, cliInProcess, startCli } from "./helpers";

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir("protein-sweep-agent-"));
});
afterEach(() => cleanup());

describe("protein-sweep agent", () => {
  it("two agents share one journal: 8 trials in all, none claimed twice", async () => {
    const record = join(dir, "seen.jsonl");
    const file = join(dir, "shared.yaml");
    writeFileSync(file, `metric: score\nparameters:\n  x: { distribution: uniform, min: 0, max: 1 }\n  y: { distribution: uniform, min: 0, max: 1 }\nrun: ${JSON.stringify({ command: [NODE, TRAINER], max_trials: 1 })}\n`);
    const env = { TRAINER_RECORD: record, TRAINER_STEPS: "2", TRAINER_STEP_MS: "50" };
    const first = await cli(["run", file, "-o", join(dir, "out"), "--quiet"], { env });
    expect(first.code).toBe(0);
    const journal = join(dir, "out", "journal.jsonl");
    const agents = [1, 2].map((k) => startCli(["agent", "--storage", journal, "-n", "8", "-j", "2", "-o", join(dir, `agent${k}`), "--quiet", "--", NODE, TRAINER], { env }));
    const results = await Promise.all(agents.map((a) => a.result));
    for (const r of results) {
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }
    const seen = readSeen(record);
    expect(seen).toHaveLength(8);
    expect(new Set(seen.map((s) => s.trial)).size).toBe(8);
    const trials = JSON.parse(`[${(await cliInProcess(["export", journal, "--jsonl"])).stdout.trim().split("\n").join(",")}]`) as Array<{ state: string; params: Record<string, unknown>; worker: string }>;
    expect(trials).toHaveLength(8);
    expect(trials.every((t) => t.state === "finished")).toBe(true);
    expect(new Set(trials.map((t) => configKey(t.params))).size).toBe(8);
  });
});
