/**
 * The CLI on the real PostgreSQL server (127.0.0.1:5432, database `test`, a schema of this
 * run's own, dropped afterwards): `run --storage`, a second worker with `agent`, `summary`
 * of the shared study, and `import` of a journal into PostgreSQL.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NODE, TRAINER, readSeen, tempDir } from "../runner/helpers";
import { Study } from "../../src/study/index";
import { cliInProcess } from "./helpers";

const BASE = process.env.PROTEIN_SWEEP_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const SCHEMA = `ps_runner_${process.pid}_${Date.now()}`;
const URL = `${BASE}?schema=${SCHEMA}`;

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir("protein-sweep-pg-"));
});
afterAll(async () => {
  cleanup();
  const c = new pg.Client({ connectionString: BASE });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  } finally {
    await c.end();
  }
});

describe("protein-sweep with --storage postgres://", () => {
  it("run records the study in PostgreSQL; an agent joins it and continues; summary reads it", async () => {
    const record = join(dir, "seen.jsonl");
    process.env.TRAINER_RECORD = record;
    try {
      const file = join(dir, "pg-sweep.yaml");
      writeFileSync(file, `metric: score\nparameters:\n  x: { distribution: uniform, min: 0, max: 1 }\nrun: ${JSON.stringify({ command: [NODE, TRAINER], max_trials: 2 })}\n`);
      const r = await cliInProcess(["run", file, "-o", join(dir, "out"), "--storage", URL, "--quiet"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      // The agent follows the study's budget: raised to 4 trials in all.
      const study = await Study.open({ storage: URL, name: "pg-sweep" });
      expect(study.budget).toEqual({ maxTrials: 2 });
      await study.setBudget({ maxTrials: 4 });
      await study.close();
      const a = await cliInProcess(["agent", "--storage", URL, "--study", "pg-sweep", "-o", join(dir, "agent"), "--quiet", "--", NODE, TRAINER]);
      expect(a.stderr).toBe("");
      expect(a.code).toBe(0);
      expect(readSeen(record)).toHaveLength(4);
      const s = await cliInProcess(["summary", URL, "--study", "pg-sweep", "--json"]);
      const summary = JSON.parse(s.stdout);
      expect(summary.counts).toMatchObject({ total: 4, finished: 4 });
      expect(new Set(readSeen(record).map((x) => x.trial)).size).toBe(4);
    } finally {
      delete process.env.TRAINER_RECORD;
    }
  });

  it("import copies a journal into PostgreSQL, events unchanged", async () => {
    const file = join(dir, "local.yaml");
    writeFileSync(file, `metric: score\nparameters:\n  x: { values: [1, 2] }\nrun: ${JSON.stringify({ command: [NODE, TRAINER], method: "grid" })}\n`);
    expect((await cliInProcess(["run", file, "-o", join(dir, "local"), "--quiet"])).code).toBe(0);
    const i = await cliInProcess(["import", join(dir, "local", "journal.jsonl"), "--storage", URL]);
    expect(i.code).toBe(0);
    const report = JSON.parse(i.stdout);
    expect(report.name).toBe("local");
    expect(report.copied).toBe(report.total);
    const from = JSON.parse((await cliInProcess(["export", join(dir, "local", "journal.jsonl"), "--jsonl"])).stdout.split("\n")[0]);
    const to = JSON.parse((await cliInProcess(["export", URL, "--study", "local", "--jsonl"])).stdout.split("\n")[0]);
    expect(to).toEqual(from);
  });
});
