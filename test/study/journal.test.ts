/** The journal backend: the conformance suite, plus what only a file has (torn lines, hand edits, the lock file). */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { JournalStorage, Study, StudyError } from "../../src/study/index";
import { conformance } from "./conformance";
import { CONFIG, SETTINGS, objective, sleep } from "./helpers";

const dir = mkdtempSync(join(tmpdir(), "ps-journal-"));
let k = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

conformance({ label: "journal file", fresh: () => join(dir, `j${++k}`, "journal.jsonl") });

async function smallStudy(path: string, trials: number): Promise<Study> {
  const s = await Study.create({ storage: path, name: "j", config: CONFIG, settings: SETTINGS });
  for (let i = 0; i < trials; i++) {
    const t = await s.ask();
    await s.tell(t.id, objective(t.params), 1);
  }
  return s;
}

describe("journal file specifics", () => {
  it("writes a header line then one event per line", async () => {
    const path = join(dir, "format.jsonl");
    await (await smallStudy(path, 2)).close();
    const lines = readFileSync(path, "utf8").split("\n");
    expect(lines.at(-1)).toBe("");
    expect(JSON.parse(lines[0])).toMatchObject({ format: "protein-sweep/journal", version: 1, name: "j", settings: SETTINGS });
    expect(lines.slice(1, -1).map((l) => (JSON.parse(l) as { e: string }).e)).toEqual(["created", "started", "finished", "created", "started", "finished"]);
  });

  it("ignores a torn last line on read, and the next append starts on a fresh line", async () => {
    const path = join(dir, "torn.jsonl");
    await (await smallStudy(path, 2)).close();
    const intact = readFileSync(path, "utf8");
    appendFileSync(path, '{"e":"finished","trial":"s2","t":"2026-');
    const s = await Study.open({ storage: path, name: "j" });
    expect(s.trials().map((t) => t.state)).toEqual(["finished", "finished"]);
    const t = await s.ask();
    await s.tell(t.id, objective(t.params), 1);
    await s.close();
    const text = readFileSync(path, "utf8");
    expect(text.startsWith(intact)).toBe(true);
    expect(text).not.toContain('"t":"2026-{');
    const tail = text.slice(intact.length).split("\n");
    expect(tail.at(-1)).toBe("");
    expect(tail.slice(0, -1).map((l) => (JSON.parse(l) as { e: string }).e)).toEqual(["created", "started", "finished"]);
    const reopened = await Study.open({ storage: path });
    expect(reopened.trials()).toHaveLength(3);
    await reopened.close();
  });

  it("a hand-edited bad line is a StudyError naming the line and the field", async () => {
    const path = join(dir, "edited.jsonl");
    await (await smallStudy(path, 1)).close();
    const lines = readFileSync(path, "utf8").split("\n");
    lines[3] = lines[3].replace(/"score":[^,]+/, '"score":"high"');
    writeFileSync(path, lines.join("\n"));
    const err = await Study.open({ storage: path }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StudyError);
    expect((err as StudyError).key).toBe("score");
    expect((err as Error).message).toMatch(/^edited\.jsonl line 4: not a valid trial event \(.*\)\n {2}key: score\n {2}got: "high"/);

    lines[2] = "{not json";
    writeFileSync(path, lines.join("\n"));
    await expect(Study.open({ storage: path })).rejects.toThrow(/edited\.jsonl line 3: not valid JSON/);

    writeFileSync(join(dir, "notajournal.jsonl"), '{"hello":1}\n');
    await expect(Study.open({ storage: join(dir, "notajournal.jsonl") })).rejects.toThrow(/line 1: not a protein-sweep study header[\s\S]*key: format/);
  });

  it("reads incrementally: lines already parsed are not parsed again", async () => {
    const path = join(dir, "incremental.jsonl");
    const s = await smallStudy(path, 2);
    // Damage a line this reader has already consumed: it keeps its offset and never rereads it.
    const text = readFileSync(path, "utf8");
    writeFileSync(path, text.replace('"e":"created"', '"e":"creat3d"'));
    const t = await s.ask();
    await s.tell(t.id, objective(t.params), 1);
    expect(s.trials()).toHaveLength(3);
    await s.close();
    // A fresh reader parses from the start and finds it.
    await expect(Study.open({ storage: path })).rejects.toThrow(/line 2: not a valid trial event/);
  });

  it("one journal holds one study", async () => {
    const path = join(dir, "one.jsonl");
    await (await smallStudy(path, 0)).close();
    await expect(Study.create({ storage: path, name: "other", config: CONFIG })).rejects.toThrow(/already holds the study "j"; one journal holds one study/);
    await expect(Study.open({ storage: path, name: "other" })).rejects.toThrow(/no study named "other"[\s\S]*allowed: "j"/);
  });

  it("breaks the lock of a dead process at once, and waits for a live holder", async () => {
    const path = join(dir, "lock.jsonl");
    const s = await smallStudy(path, 0);
    const host = (await import("node:os")).hostname();
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: Number(dead), host, time: Date.now(), token: "dead" }));
    writeFileSync(`${path}.wlock`, JSON.stringify({ pid: Number(dead), host, time: Date.now(), token: "dead" }));
    const t = await s.ask();
    expect(t.state).toBe("running");

    // The study lock (held while a worker suggests) holds up ask() but not results.
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.pid, host, time: Date.now(), token: "live" }));
    let asked = false;
    const asking = s.ask().then((x) => {
      asked = true;
      return x;
    });
    await s.heartbeat(t.id);
    await s.tell(t.id, 0, 1);
    await sleep(300);
    expect(asked).toBe(false);
    rmSync(`${path}.lock`);
    const second = await asking;
    expect(second.id).toBe("s2");

    // The write lock holds up results.
    writeFileSync(`${path}.wlock`, JSON.stringify({ pid: process.pid, host, time: Date.now(), token: "live" }));
    let told = false;
    const telling = s.tell(second.id, 0, 1).then(() => (told = true));
    await sleep(300);
    expect(told).toBe(false);
    rmSync(`${path}.wlock`);
    await telling;
    expect(s.trial(second.id)?.state).toBe("finished");
    await s.close();
  });

  it("append refuses an invalid event before writing it", async () => {
    const path = join(dir, "append.jsonl");
    await (await smallStudy(path, 0)).close();
    const storage = new JournalStorage(path);
    const size = readFileSync(path).length;
    await expect(storage.append("j", [{ e: "finished", trial: "s1", t: "now", score: Number.NaN, cost: 1, metrics: {} }])).rejects.toThrow(/event 1 to append: not a valid trial event[\s\S]*key: score/);
    expect(readFileSync(path).length).toBe(size);
  });
});
