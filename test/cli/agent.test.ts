/**
 * `protein-sweep run --storage` and two `protein-sweep agent` processes on one journal file at
 * once: every trial is claimed by one worker only, the study's budget holds over all of them
 * (and follows a resume that changes it), and each configuration runs once.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configKey } from "../../src/runner/plan";
import { NODE, TRAINER, readSeen, tempDir } from "../runner/helpers";
import { Study } from "../../src/study/index";
import { cli, cliInProcess, startCli, until } from "./helpers";

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir("protein-sweep-agent-"));
});
afterEach(() => cleanup());

describe("protein-sweep agent", () => {
  it("run --storage creates the study, two agents join: max_trials over all workers, none claimed twice, no params repeated; a changed budget reaches every agent; -n caps one agent", async () => {
    const record = join(dir, "seen.jsonl");
    const file = join(dir, "shared.yaml");
    const journal = join(dir, "study", "journal.jsonl");
    writeFileSync(file, `metric: score\nparameters:\n  x: { distribution: uniform, min: 0, max: 1 }\n  y: { distribution: uniform, min: 0, max: 1 }\nrun: ${JSON.stringify({ command: [NODE, TRAINER], max_trials: 8 })}\n`);
    const env = { TRAINER_RECORD: record, TRAINER_STEPS: "6", TRAINER_STEP_MS: "100" };
    const runner = startCli(["run", file, "-o", join(dir, "out"), "--storage", journal, "-j", "1", "--quiet"], { env });
    await until(() => existsSync(journal), 30000, "the study's journal");
    // No -n: the agents read the budget (max_trials 8) from the study.
    const agents = [1, 2].map((k) => startCli(["agent", "--storage", journal, "-j", "1", "-o", join(dir, `agent${k}`), "--quiet", "--", NODE, TRAINER], { env }));
    const results = await Promise.all([runner.result, ...agents.map((a) => a.result)]);
    for (const r of results) {
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }
    const exported = async () => JSON.parse(`[${(await cliInProcess(["export", journal, "--jsonl"])).stdout.trim().split("\n").join(",")}]`) as Array<{ id: string; state: string; params: Record<string, unknown>; worker: string }>;
    let trials = await exported();
    expect(trials).toHaveLength(8);
    expect(trials.every((t) => t.state === "finished")).toBe(true);
    expect(new Set(trials.map((t) => configKey(t.params))).size).toBe(8);
    const seen = readSeen(record);
    expect(seen).toHaveLength(8);
    expect(new Set(seen.map((s) => s.trial)).size).toBe(8);

    // The budget is spent: an agent that joins now runs nothing.
    const late = await cli(["agent", "--storage", journal, "-o", join(dir, "agent3"), "--quiet", "--", NODE, TRAINER], { env: { ...env, TRAINER_STEPS: "1" } });
    expect(late.code).toBe(0);
    expect(await exported()).toHaveLength(8);

    // A resume with a larger budget records it for every worker; an agent's -n caps that agent only.
    const resumed = await cli(["run", file, "-o", join(dir, "out"), "--storage", journal, "--resume", "-n", "9", "--quiet"], { env: { ...env, TRAINER_STEPS: "1" } });
    expect(resumed.code).toBe(0);
    expect(await exported()).toHaveLength(9);
    const budgets = readFileSync(journal, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { e?: string; budget?: unknown }).filter((e) => e.e === "budget");
    expect(budgets.map((e) => e.budget)).toEqual([{ maxTrials: 8 }, { maxTrials: 9 }]);
    const study = await Study.open({ storage: journal });
    expect(study.budget).toEqual({ maxTrials: 9 });
    expect(await study.setBudget({ maxTrials: 13 })).toBe(true);
    expect(await study.setBudget({ maxTrials: 13 })).toBe(false);
    await study.close();
    const capped = await cli(["agent", "--storage", journal, "-n", "2", "-o", join(dir, "agent4"), "--quiet", "--", NODE, TRAINER], { env: { ...env, TRAINER_STEPS: "1" } });
    expect(capped.code).toBe(0);
    trials = await exported();
    expect(trials).toHaveLength(11);
    const rest = await cli(["agent", "--storage", journal, "-o", join(dir, "agent5"), "--quiet", "--", NODE, TRAINER], { env: { ...env, TRAINER_STEPS: "1" } });
    expect(rest.code).toBe(0);
    trials = await exported();
    expect(trials).toHaveLength(13);
    expect(new Set(trials.map((t) => configKey(t.params))).size).toBe(13);
  });

  it("refuses to join a study without a budget unless -n is given, naming the fix", async () => {
    const journal = join(dir, "nobudget.jsonl");
    const study = await Study.create({ storage: journal, name: "open-ended", config: { metric: "score", parameters: { x: { distribution: "uniform", min: 0, max: 1 } } } });
    await study.close();
    const r = await cli(["agent", "--storage", journal, "-o", join(dir, "a"), "--quiet", "--", NODE, TRAINER]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('study "open-ended" has no budget, so this agent would never stop');
    expect(r.stderr).toContain("pass -n N");
    expect(readFileSync(journal, "utf8").trim().split("\n")).toHaveLength(1);
  });
});
