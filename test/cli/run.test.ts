/**
 * The `protein-sweep` command end to end, as a user runs it: real CLI process, real trainers.
 * W&B and Metta sweep files unchanged, dry run, bad input before any run, Ctrl-C once and
 * twice, and kill -9 of the runner at random moments followed by --resume.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRng } from "../../src/random";
import { configKey } from "../../src/runner/plan";
import { NODE, ROOT, TRAINER, alive, groupEmpties, readSeen, tempDir } from "../runner/helpers";
import { cli, cliInProcess, startCli, until } from "./helpers";

const FIXTURES = join(ROOT, "test", "cli", "fixtures");

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir("protein-sweep-cli-"));
});
afterEach(() => cleanup());

interface JournalLine {
  e?: string;
  trial?: string;
  params?: Record<string, unknown>;
  score?: number;
  retry?: boolean;
  reason?: string;
}

function journal(out: string): JournalLine[] {
  const path = join(out, "journal.jsonl");
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.endsWith("}"))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as JournalLine];
      } catch {
        return [];
      }
    });
}

function sweepFile(run: Record<string, unknown>, extra = ""): string {
  const path = join(dir, "sweep.yaml");
  writeFileSync(
    path,
    `metric: score
goal: maximize
parameters:
  x: { distribution: uniform, min: 0, max: 1 }
  y: { distribution: log_normal, min: 0.001, max: 1 }
${extra}
run: ${JSON.stringify({ command: [NODE, TRAINER], ...run })}
`,
  );
  return path;
}

describe("protein-sweep run", () => {
  it("runs a W&B sweep file unchanged (program: run_sweep.py, ${args}, bayes, hyperband block)", async () => {
    const record = join(dir, "seen.jsonl");
    const out = join(dir, "out");
    const r = await cli(["run", join(FIXTURES, "wandb-bayes.yaml"), "--output-dir", out, "--max-trials", "3", "--max-concurrent", "2"], { cwd: FIXTURES, env: { TRAINER_RECORD: record } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const seen = readSeen(record);
    expect(seen).toHaveLength(3);
    for (const s of seen) {
      expect(Object.keys(s.params).sort()).toEqual(["aug_rotation_range", "batch_size", "dropout", "grad_clip", "hidden_dim", "learning_rate", "loss_weight_kl", "num_refinement_steps", "weight_decay"]);
      expect(s.argv.every((a) => a.startsWith("--"))).toBe(true);
      expect(s.params.batch_size).toMatch(/^(16|32|64)$/);
      expect(s.params.aug_rotation_range).toMatch(/^\d+$/);
    }
    expect(r.stdout).toContain("Best run: s");
    expect(r.stdout).toMatch(/val\/hand_mpjpe=\d/);
    expect(readFileSync(join(out, "runs.csv"), "utf8")).toContain("val/hand_mpjpe");
  });

  it("runs a W&B file whose command: places ${args} among fixed arguments", async () => {
    const record = join(dir, "seen.jsonl");
    const text = readFileSync(join(FIXTURES, "wandb-bayes.yaml"), "utf8").replace("program: run_sweep.py", `program: ${TRAINER}\ncommand: ["\${env}", "\${interpreter}", "\${program}", "--epochs=2", "\${args}"]\nrun_cap: 2`);
    writeFileSync(join(dir, "wandb.yaml"), text);
    const r = await cli(["run", join(dir, "wandb.yaml"), "-o", join(dir, "out")], { env: { TRAINER_RECORD: record, TRAINER_METRIC: "val/hand_mpjpe" } });
    expect(r.code).toBe(0);
    const seen = readSeen(record);
    expect(seen).toHaveLength(2);
    expect(seen[0].argv[0]).toBe("--epochs=2");
    expect(seen[0].argv.slice(1).every((a) => /^--\w+=/.test(a))).toBe(true);
  });

  it("runs a Metta sweep file unchanged with Hydra-style overrides, fixed trainer/env settings with every run", async () => {
    const record = join(dir, "seen.jsonl");
    const r = await cli(["run", join(FIXTURES, "metta-quick-test.yaml"), "-o", join(dir, "out"), "-n", "2", "--", NODE, TRAINER], { env: { TRAINER_RECORD: record, TRAINER_METRIC: "reward" } });
    expect(r.code).toBe(0);
    const seen = readSeen(record);
    expect(seen).toHaveLength(2);
    for (const s of seen) {
      expect(s.argv).toEqual(
        expect.arrayContaining(["trainer.total_timesteps=2048", "trainer.evaluate_interval=10", "trainer.minibatch_size=16", "env.game.max_steps=32", "env.game.objects.altar.hp=5", "env.game.objects.altar.cooldown=5"]),
      );
      expect(s.argv.find((a) => a.startsWith("trainer.batch_size="))).toMatch(/^trainer\.batch_size=(32|64|128)$/);
      expect(s.argv.find((a) => a.startsWith("trainer.learning_rate="))).toMatch(/^trainer\.learning_rate=0\.\d+/);
      expect(s.argv.some((a) => a.startsWith("--"))).toBe(false);
    }
  });

  it("--dry-run prints every grid command (or the first max_concurrent suggestions) and runs nothing", async () => {
    const grid = join(dir, "grid.yaml");
    writeFileSync(grid, `metric: score\nparameters:\n  lr: { values: [0.1, 0.01] }\n  warmup: { values: [0, 100] }\nrun: { method: grid, command: [python, train.py], overrides: args }\n`);
    const r = await cliInProcess(["run", grid, "--dry-run", "-o", join(dir, "out")]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual(["dry run (all 4 grid runs; nothing is run or recorded):", "python train.py --lr=0.1 --warmup=0", "python train.py --lr=0.1 --warmup=100", "python train.py --lr=0.01 --warmup=0", "python train.py --lr=0.01 --warmup=100"]);
    expect(existsSync(join(dir, "out"))).toBe(false);
    const p = await cliInProcess(["run", sweepFile({ max_concurrent: 3 }), "--dry-run"]);
    expect(p.stdout.split("\n").filter((l) => l.includes(TRAINER))).toHaveLength(3);
  });

  it("bad input fails before any run starts: unknown run key, missing command, --resume with nothing to resume", async () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "metric: score\nparameters:\n  x: { distribution: uniform, min: 0, max: 1 }\nrun: { comand: [python, train.py] }\n");
    const a = await cliInProcess(["run", bad, "-o", join(dir, "out")]);
    expect(a.code).toBe(1);
    expect(a.stderr).toContain('unknown key in the run block (did you mean "command"?)');
    expect(a.stderr).toContain("key: run.comand");
    const b = await cliInProcess(["run", sweepFile({ command: ["no-such-trainer", "--x"] }), "-o", join(dir, "out")]);
    expect(b.code).toBe(1);
    expect(b.stderr).toContain('the command "no-such-trainer" does not exist');
    expect(existsSync(join(dir, "out", "journal.jsonl"))).toBe(false);
    const c = await cliInProcess(["run", sweepFile({}), "-o", join(dir, "nothing"), "--resume"]);
    expect(c.code).toBe(1);
    expect(c.stderr).toContain("nothing to resume");
  });

  it("first Ctrl-C launches nothing more and waits for the running runs; their results are recorded", async () => {
    const record = join(dir, "seen.jsonl");
    const out = join(dir, "out");
    const { child, result } = startCli(["run", sweepFile({ max_trials: 10, max_concurrent: 2 }), "-o", out], { env: { TRAINER_RECORD: record, TRAINER_STEPS: "10", TRAINER_STEP_MS: "100" } });
    await until(() => readSeen(record).length >= 2, 20000, "two launches");
    const launched = readSeen(record).length;
    child.kill("SIGINT");
    const r = await result;
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/interrupted: launching nothing more, waiting for [12] running run\(s\)/);
    expect(readSeen(record)).toHaveLength(launched);
    const events = journal(out);
    const finished = new Set(events.filter((e) => e.e === "finished").map((e) => e.trial));
    expect(finished.size).toBe(launched);
    // A trial being claimed at the moment of the signal is given back, not launched.
    for (const e of events.filter((x) => x.e === "created" && !finished.has(x.trial))) {
      expect(events.find((x) => x.e === "failed" && x.trial === e.trial)).toMatchObject({ reason: "interrupted before launch", retry: true });
    }
  });

  it("second Ctrl-C ends the runs' process groups (no orphans); --resume runs them again", async () => {
    const record = join(dir, "seen.jsonl");
    const out = join(dir, "out");
    const file = sweepFile({ max_trials: 2, max_concurrent: 2 });
    const { child, result } = startCli(["run", file, "-o", out], { env: { TRAINER_RECORD: record, TRAINER_HANG: "1", TRAINER_CHILD: "1" } });
    await until(() => readSeen(record).length === 2, 20000, "two launches");
    await until(() => readFileSync(join(out, "journal.jsonl"), "utf8").includes('"run"'), 5000, "recorded runs");
    // A second runner on the same output directory is refused while the first lives.
    const second = await cliInProcess(["run", file, "-o", out]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`another runner (pid ${child.pid}) is using the output directory ${out}`);
    child.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 200));
    child.kill("SIGINT");
    const r = await result;
    expect(r.code).toBe(130);
    const pids = readSeen(record).map((s) => s.pid);
    for (const pid of pids) expect(await groupEmpties(pid)).toBe(true);
    const failed = journal(out).filter((e) => e.e === "failed");
    expect(failed.map((e) => [e.reason, e.retry])).toEqual([
      ["interrupted", true],
      ["interrupted", true],
    ]);
    const again = await cli(["run", file, "-o", out, "--resume"], { env: { TRAINER_RECORD: record } });
    expect(again.code).toBe(0);
    const events = journal(out);
    expect(events.filter((e) => e.e === "created")).toHaveLength(2);
    expect(events.filter((e) => e.e === "finished")).toHaveLength(2);
    expect(readSeen(record)).toHaveLength(4);
  });

  it("kill -9 of the runner at 5 random moments, then --resume: no finished result lost, no configuration run twice, no orphans", async () => {
    const record = join(dir, "seen.jsonl");
    const out = join(dir, "out");
    const total = 14;
    // Resampling off: Protein's resample phase re-runs a front member exactly by design.
    const file = sweepFile({ max_trials: total, max_concurrent: 2 }, "protein: { num_random_samples: 4, resample_frequency: 0 }");
    const env = { TRAINER_RECORD: record, TRAINER_STEPS: "4", TRAINER_STEP_MS: "60", TRAINER_OBJECTIVE: "bowl" };
    const rng = createRng(20261129);
    const finishedBefore = new Map<string, number>();
    const kills: number[] = [];
    for (let kill = 0; kill < 5; kill++) {
      const { child, result } = startCli(["run", file, "-o", out], { env });
      // A random moment: after 0–3 more results of this session, plus 0–600 ms (mid-launch, mid-run, mid-record).
      const finishedAtStart = journal(out).filter((e) => e.e === "finished").length;
      const wait = rng.int(0, 3);
      await until(() => journal(out).filter((e) => e.e === "finished").length >= finishedAtStart + wait, 30000, "results");
      await new Promise((r) => setTimeout(r, rng.int(0, 600)));
      child.kill("SIGKILL");
      await result;
      kills.push(journal(out).filter((e) => e.e === "finished").length);
      for (const e of journal(out)) if (e.e === "finished") finishedBefore.set(e.trial as string, e.score as number);
    }
    const last = await cli(["run", file, "-o", out, "--resume"], { env });
    expect(last.code).toBe(0);
    expect(last.stdout).toContain("resuming sweep");
    // The kills fell at different points of the sweep.
    expect(new Set(kills).size).toBeGreaterThan(1);
    const events = journal(out);
    const created = events.filter((e) => e.e === "created");
    const finished = events.filter((e) => e.e === "finished");
    // Every result recorded before a kill is still there, unchanged; each trial finished once.
    for (const [trial, score] of finishedBefore) expect(finished.find((e) => e.trial === trial)?.score).toBe(score);
    expect(new Set(finished.map((e) => e.trial)).size).toBe(finished.length);
    expect(finished, events.map((e) => `${e.e} ${e.trial} ${e.reason ?? ""}`).join("\n") + last.stdout).toHaveLength(total);
    expect(created).toHaveLength(total);
    // The generator continued after every restart: suggestion ids and indices never restart ...
    expect(created.map((e) => e.trial)).toEqual(Array.from({ length: total }, (_, i) => `s${i + 1}`));
    expect(created.map((e) => (e as { info?: { index?: number } }).info?.index)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // ... and no configuration was proposed twice.
    expect(new Set(created.map((e) => configKey(e.params ?? {}))).size, created.map((e) => `${e.trial} ${configKey(e.params ?? {})}`).join("\n")).toBe(total);
    // A finished trial was never launched again.
    const seen = readSeen(record);
    for (const e of finished) {
      const launches = seen.filter((s) => s.trial === e.trial);
      expect(launches.length).toBeGreaterThanOrEqual(1);
    }
    const finishedAt = new Map(events.filter((e) => e.e === "finished").map((e) => [e.trial, Date.parse((e as { t?: string }).t ?? "")]));
    for (const s of seen) expect(s.start).toBeLessThan(finishedAt.get(s.trial) ?? Number.POSITIVE_INFINITY);
    // No orphan: every trainer process is gone.
    await until(() => seen.every((s) => !alive(s.pid)), 5000, "trainers to exit");
  });

  it("after kill -9, --resume ends the dead runner's still-running trainers before retrying their trials", async () => {
    const record = join(dir, "seen.jsonl");
    const out = join(dir, "out");
    const file = sweepFile({ max_trials: 2, max_concurrent: 2 });
    const { child, result } = startCli(["run", file, "-o", out], { env: { TRAINER_RECORD: record, TRAINER_HANG: "1", TRAINER_CHILD: "1" } });
    await until(() => readSeen(record).length === 2, 20000, "two launches");
    await until(() => readdirSync(join(out, "runs")).every((t) => existsSync(join(out, "runs", t, "1", "pid"))), 5000, "pid files");
    child.kill("SIGKILL");
    await result;
    const orphans = readSeen(record).map((s) => s.pid);
    expect(orphans.every(alive)).toBe(true);
    const again = await cli(["run", file, "-o", out], { env: { TRAINER_RECORD: record } });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('attempt 1 recorded as failed ("runner restarted"), will be retried');
    for (const pid of orphans) expect(await groupEmpties(pid)).toBe(true);
    const events = journal(out);
    expect(events.filter((e) => e.e === "finished")).toHaveLength(2);
    expect(events.filter((e) => e.e === "created")).toHaveLength(2);
  });
});
