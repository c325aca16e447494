/**
 * The PostgreSQL backend against the real server (127.0.0.1:5432, database `test`): the
 * conformance suite, plus schema versioning, several studies per database, and reconnection.
 * Each run works in schemas of its own (ps_test_<pid>_<time>_<k>), dropped afterwards.
 */
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { PostgresStorage } from "../../src/study/postgres";
import { Study, StudyError, copyStudy, openStorage } from "../../src/study/index";
import { conformance } from "./conformance";
import { CONFIG, SETTINGS, objective, sleep } from "./helpers";

const BASE = process.env.PROTEIN_SWEEP_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const PREFIX = `ps_test_${process.pid}_${Date.now()}`;
const schemas: string[] = [];
let k = 0;

function freshSchema(): string {
  const schema = `${PREFIX}_${++k}`;
  schemas.push(schema);
  return schema;
}

function url(schema: string, extra = ""): string {
  return `${BASE}?schema=${schema}${extra}`;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: BASE });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

afterAll(async () => {
  await admin(async (c) => {
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  });
});

conformance({ label: "PostgreSQL", fresh: () => url(freshSchema()) });

describe("PostgreSQL specifics", () => {
  it("creates its tables on first use with a schema version, and refuses a newer layout", async () => {
    const schema = freshSchema();
    const s = await Study.create({ storage: url(schema), name: "v", config: CONFIG, settings: SETTINGS });
    await s.close();
    const versions = await admin(async (c) => (await c.query(`SELECT version FROM "${schema}".schema_version`)).rows);
    expect(versions).toEqual([{ version: 1 }]);
    await admin((c) => c.query(`INSERT INTO "${schema}".schema_version (version) VALUES (2)`));
    const err = await Study.open({ storage: url(schema), name: "v" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StudyError);
    expect((err as Error).message).toMatch(/table layout version 2; this protein-sweep reads version 1[\s\S]*fix: upgrade protein-sweep/);
  });

  it("holds several studies per database, each with its own gap-free seq", async () => {
    const location = url(freshSchema());
    const a = await Study.create({ storage: location, name: "alpha", config: CONFIG, settings: SETTINGS });
    const b = await Study.create({ storage: location, name: "beta", config: CONFIG, settings: { ...SETTINGS, seed: 99 } });
    for (const s of [a, b, a]) {
      const t = await s.ask();
      await s.tell(t.id, objective(t.params), 1);
    }
    const storage = await openStorage(location);
    expect(await storage.listStudies()).toEqual(["alpha", "beta"]);
    expect((await storage.read("alpha", 0)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await storage.read("beta", 0)).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect((await storage.read("alpha", 4)).map((e) => e.seq)).toEqual([5, 6]);
    await expect(storage.append("gamma", [])).rejects.toThrow(/no study named "gamma"/);
    await storage.close();
    await a.close();
    await b.close();
  });

  it("copyStudy refuses a target that holds other events under that name, and open() without a name needs one when several exist", async () => {
    const location = url(freshSchema());
    const a = await Study.create({ storage: location, name: "one", config: CONFIG, settings: SETTINGS });
    const t = await a.ask();
    await a.tell(t.id, objective(t.params), 1);
    await a.close();
    const other = url(freshSchema());
    const b = await Study.create({ storage: other, name: "one", config: CONFIG, settings: SETTINGS });
    // Same header would differ in createdAt only; the events differ.
    const u = await b.ask({ params: { x: 0.9, y: 0.9 } });
    await b.tell(u.id, objective(u.params), 1);
    await b.close();
    const storage = await openStorage(other);
    const before = await storage.read("one", 0);
    await expect(copyStudy(location, other)).rejects.toThrow(/already holds study "one" with other events \(event 1 differs\); nothing was copied/);
    expect(await storage.read("one", 0)).toEqual(before);
    await Study.create({ storage: other, name: "two", config: CONFIG, settings: SETTINGS }).then((s) => s.close());
    await expect(Study.open({ storage: other })).rejects.toThrow(/no study named "default"[\s\S]*allowed: "one", "two"/);
    await storage.close();
  });

  it("a hand-edited row is a StudyError naming the event and the field", async () => {
    const schema = freshSchema();
    const s = await Study.create({ storage: url(schema), name: "edit", config: CONFIG, settings: SETTINGS });
    const t = await s.ask();
    await s.tell(t.id, objective(t.params), 1);
    await s.close();
    await admin((c) => c.query(`UPDATE "${schema}".events SET body = '{"e":"finished","trial":"s1","t":"x","score":"high","cost":1,"metrics":{}}' WHERE seq = 3`));
    await expect(Study.open({ storage: url(schema), name: "edit" })).rejects.toThrow(/study "edit" event 3: not a valid trial event[\s\S]*key: score/);
  });

  it("keeps working when the server drops its connections (retry with backoff), losing nothing", async () => {
    const schema = freshSchema();
    const app = `ps_retry_${process.pid}`;
    const s = await Study.create({ storage: url(schema, `&application_name=${app}`), name: "retry", config: CONFIG, settings: SETTINGS });
    const told: string[] = [];
    let kills = 0;
    let working = true;
    // Drops the study's connections every 60 ms for as long as trials run. The trials go on (12 at least) until 5
    // connections have been dropped under them: on a fast machine 12 trials can end before the fifth drop, and a
    // killer waiting for drops after the work has stopped would wait for ever.
    const killer = (async () => {
      while (working) {
        await sleep(60);
        const r = await admin((c) => c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [app]));
        kills += r.rowCount ?? 0;
      }
    })();
    for (let i = 0; i < 12 || (kills < 5 && i < 200); i++) {
      const t = await s.ask();
      await s.heartbeat(t.id);
      await s.tell(t.id, objective(t.params), 1);
      told.push(t.id);
    }
    working = false;
    await killer;
    expect(kills).toBeGreaterThanOrEqual(5);
    const trials = await s.refresh();
    expect(trials.map((t) => t.id)).toEqual(told);
    expect(trials.every((t) => t.state === "finished")).toBe(true);
    const storage = await openStorage(url(schema));
    const events = await storage.read("retry", 0);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.event.e === "finished")).toHaveLength(told.length);
    await storage.close();
    await s.close();
  });

  it("gives up with a StudyError naming the server when it stays unreachable", async () => {
    const storage = await PostgresStorage.connect("postgres://postgres@127.0.0.1:1/test", { retryForMs: 300 });
    await expect(storage.listStudies()).rejects.toThrow(/PostgreSQL unreachable while trying to create the schema[\s\S]*key: storage\n\s+got: "postgres:\/\/postgres@127\.0\.0\.1:1\/test \(schema protein_sweep\)"/);
    await storage.close();
  });

  it("copies a journal study into PostgreSQL and back, event for event", async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "ps-copy-"));
    try {
      const journal = join(dir, "journal.jsonl");
      const s = await Study.create({ storage: journal, name: "copy", config: CONFIG, settings: SETTINGS, run: { max_trials: 20 } });
      for (let i = 0; i < 7; i++) {
        const t = await s.ask();
        if (i === 6) await s.fail(t.id, "exit 1", { retry: true });
        else await s.tell(t.id, objective(t.params), 1 + i, { loss: i });
      }
      const trials = s.trials();
      await s.close();
      const target = url(freshSchema());
      // 7 created + 7 started + 6 finished + 1 failed
      expect(await copyStudy(journal, target)).toEqual({ name: "copy", copied: 21, total: 21 });
      // Running it again copies nothing and changes nothing.
      expect(await copyStudy(journal, target)).toEqual({ name: "copy", copied: 0, total: 21 });
      const inPg = await Study.open({ storage: target, name: "copy" });
      expect(inPg.trials()).toEqual(trials);
      const journalStorage = await openStorage(journal);
      expect(inPg.header).toEqual(await journalStorage.getStudy("copy"));
      await journalStorage.close();
      const next = await inPg.ask();
      expect(next).toMatchObject({ id: "s7", attempts: 2 }); // the retry is claimed first, in PostgreSQL as in the journal
      await inPg.tell(next.id, 0, 1);
      await inPg.close();

      const back = join(dir, "back.jsonl");
      const copied = await copyStudy(target, back);
      expect(copied.total).toBe(23);
      const original = readFileSync(journal, "utf8").split("\n");
      const roundTrip = readFileSync(back, "utf8").split("\n");
      expect(roundTrip.slice(0, original.length - 1)).toEqual(original.slice(0, -1));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
