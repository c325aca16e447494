import { fork, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ObservationError } from "../../src/errors";
import {
  appendObservation,
  createObservationsHeader,
  loadObservations,
  saveObservations,
  type NestedParams,
  type Observation,
} from "../../src/observations";

const TS = "2025-01-31T12:00:00.000Z";
const header = createObservationsHeader({ config: { method: "protein" }, spaceFingerprint: "fp-1", createdAt: TS, metadata: { phase: 1 } });
const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/observations/v1-sample.jsonl");

function obs(i: number, params: NestedParams = { trainer: { lr: i * 1e-4, optimizer: i % 2 ? "adam" : "muon", anneal: i % 2 === 0 } }): Observation {
  return { params, score: i / 10, cost: 100 * i, isFailure: false, timestamp: TS, suggestionId: `s-${i}` };
}

// Scratch files live in a fresh folder under the OS temp dir, removed afterwards.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "protein-sweep-obs-"));
let file = "";
let counter = 0;
beforeEach(() => {
  file = path.join(dir, `obs-${++counter}.jsonl`);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function catchError(fn: () => unknown): ObservationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ObservationError);
    return error as ObservationError;
  }
  throw new Error("expected an ObservationError, nothing was thrown");
}

describe("saveObservations / loadObservations", () => {
  it("round trip gives deep-equal observations, including nested params, booleans, strings and extreme floats", () => {
    const observations = [
      obs(1),
      obs(2, { trainer: { lr: 1e-12, steps: 5e9, sum: 0.1 + 0.2, tiny: 5e-324, on: true, name: "muon" }, seed: 7 }),
      { ...obs(3), score: null, isFailure: true, metadata: { run: "r3", tags: ["crash"], phase: "explore" } },
    ];
    saveObservations(file, observations, header);
    const loaded = loadObservations(file);
    expect(loaded).toEqual({ header, observations, warnings: [] });
  });

  it("replaces an existing file atomically and leaves no temporary file behind", () => {
    saveObservations(file, [obs(1), obs(2), obs(3)], header);
    saveObservations(file, [obs(9)], header, { fsync: false, overwrite: true });
    expect(loadObservations(file).observations).toEqual([obs(9)]);
    expect(fs.readdirSync(dir).filter((name) => name.startsWith(path.basename(file)))).toEqual([path.basename(file)]);
  });

  it("an invalid observation throws before the disk is touched: the old file stays intact", () => {
    saveObservations(file, [obs(1)], header);
    const before = fs.readFileSync(file, "utf8");
    const error = catchError(() => saveObservations(file, [obs(2), obs(3, { lr: NaN })], header));
    expect(error.message).toMatch(/^observation \[1\]: invalid params\.lr/);
    expect(fs.readFileSync(file, "utf8")).toBe(before);
    expect(fs.readdirSync(dir).some((name) => name.endsWith(".tmp"))).toBe(false);
  });

  it("a missing file is an ObservationError naming the path", () => {
    const error = catchError(() => loadObservations(path.join(dir, "nope.jsonl")));
    expect(error.message).toContain("observations file not found");
    expect(error.message).toContain("nope.jsonl");
  });

  it("an empty file has no header; a header-only file has no observations", () => {
    fs.writeFileSync(file, "");
    expect(catchError(() => loadObservations(file)).message).toContain("the file is empty");
    saveObservations(file, [], header);
    expect(loadObservations(file)).toEqual({ header, observations: [], warnings: [] });
  });

  it("a file cut short by a crash loads every complete line and warns, naming the file and line", () => {
    saveObservations(file, [obs(1), obs(2), obs(3)], header);
    const size = fs.statSync(file).size;
    fs.truncateSync(file, size - 25);
    const { observations, warnings } = loadObservations(file);
    expect(observations).toEqual([obs(1), obs(2)]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^line 4: skipped an incomplete record/);
    expect(warnings[0]).toContain(file);
  });

  it("a corrupted middle line fails with the line number and the file", () => {
    saveObservations(file, [obs(1), obs(2), obs(3)], header);
    const lines = fs.readFileSync(file, "utf8").split("\n");
    lines[2] = lines[2].replace('"isFailure":false', '"isFailure":"maybe"');
    fs.writeFileSync(file, lines.join("\n"));
    const error = catchError(() => loadObservations(file));
    expect(error.line).toBe(3);
    expect(error.key).toBe("isFailure");
    expect(error.value).toBe("maybe");
    expect(error.message).toContain(file);
  });
});

describe("appendObservation", () => {
  it("appends whole lines after a saved file; each load sees all of them", () => {
    saveObservations(file, [obs(1)], header);
    appendObservation(file, obs(2));
    appendObservation(file, obs(3), { fsync: true });
    const text = fs.readFileSync(file, "utf8");
    expect(text.endsWith("\n")).toBe(true);
    expect(text.split("\n")).toHaveLength(5);
    expect(loadObservations(file)).toEqual({ header, observations: [obs(1), obs(2), obs(3)], warnings: [] });
  });

  it("refuses to create a headerless file, and creates one with { header }", () => {
    const error = catchError(() => appendObservation(file, obs(1)));
    expect(error.message).toContain("the file is missing or empty");
    expect(error.fix).toContain("saveObservations(path, [], header)");
    expect(fs.existsSync(file)).toBe(false);
    appendObservation(file, obs(1), { header });
    appendObservation(file, obs(2), { header }); // header ignored: the file has one
    expect(loadObservations(file)).toEqual({ header, observations: [obs(1), obs(2)], warnings: [] });
  });

  it("an invalid observation writes nothing", () => {
    saveObservations(file, [obs(1)], header);
    const before = fs.readFileSync(file, "utf8");
    const error = catchError(() => appendObservation(file, { ...obs(2), cost: -3 }));
    expect(error.key).toBe("cost");
    expect(fs.readFileSync(file, "utf8")).toBe(before);
  });

  it("after a torn write, starts a new line: the torn record is skipped with a warning, the new one loads", () => {
    saveObservations(file, [obs(1), obs(2)], header);
    // A crash mid-append: only the first 40 bytes of the third record reached the disk.
    const torn = JSON.stringify(obs(3)).slice(0, 40);
    fs.appendFileSync(file, torn);
    appendObservation(file, obs(4));
    appendObservation(file, obs(5));

    const lines = fs.readFileSync(file, "utf8").split("\n");
    expect(lines[3]).toBe(torn); // the torn bytes now end with "\n" on their own line…
    expect(JSON.parse(lines[4])).toEqual(obs(4)); // …and the new record is not glued onto them
    const { observations, warnings } = loadObservations(file);
    expect(observations).toEqual([obs(1), obs(2), obs(4), obs(5)]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^line 4: skipped an incomplete record/);
  });

  it("a complete last record that lost only its newline (hand edit) is kept, and the append goes on a new line", () => {
    saveObservations(file, [obs(1), obs(2)], header);
    fs.truncateSync(file, fs.statSync(file).size - 1);
    appendObservation(file, obs(3));
    expect(loadObservations(file)).toEqual({ header, observations: [obs(1), obs(2), obs(3)], warnings: [] });
  });

  it("a non-finite score is appended as a failure with score null", () => {
    saveObservations(file, [], header);
    appendObservation(file, { ...obs(1), score: NaN });
    expect(loadObservations(file).observations[0]).toMatchObject({ score: null, isFailure: true });
  });
});

describe("saveObservations never silently replaces records", () => {
  it("refuses to replace a file that holds data, naming the fix; the file is left as it was", () => {
    // The guide's old per-worker pattern: each worker "starts" the shared file, then appends.
    saveObservations(file, [], header);
    for (let i = 1; i <= 3; i++) appendObservation(file, obs(i));
    const before = fs.readFileSync(file, "utf8");
    const error = catchError(() => saveObservations(file, [], header));
    expect(error.message).toMatch(/^refusing to replace .*obs-\d+\.jsonl: it already holds \d+ bytes of observations/);
    expect(error.key).toBe("overwrite");
    expect(error.value).toBe(false);
    expect(error.fix).toContain("appendObservation(path, observation, { header })");
    expect(error.fix).toContain("{ overwrite: true }");
    expect(fs.readFileSync(file, "utf8")).toBe(before);
    expect(loadObservations(file).observations).toEqual([obs(1), obs(2), obs(3)]);
    expect(fs.readdirSync(dir).some((name) => name.endsWith(".tmp"))).toBe(false);
  });

  it("{ overwrite: true } replaces the file; a missing or empty file needs no flag", () => {
    saveObservations(file, [obs(1)], header);
    saveObservations(file, [obs(2)], header, { overwrite: true });
    expect(loadObservations(file).observations).toEqual([obs(2)]);
    const empty = `${file}.empty.jsonl`;
    fs.writeFileSync(empty, "");
    saveObservations(empty, [obs(3)], header);
    expect(loadObservations(empty).observations).toEqual([obs(3)]);
  });
});

describe("appendObservation: creating a file with a header", () => {
  it("creates the file once: the second call appends under the first header, not its own", () => {
    const other = createObservationsHeader({ config: { method: "other" }, spaceFingerprint: "fp-2", createdAt: TS });
    appendObservation(file, obs(1), { header });
    appendObservation(file, obs(2), { header: other });
    const text = fs.readFileSync(file, "utf8");
    expect(text.split("\n").filter((line) => line.includes('"format"'))).toHaveLength(1);
    expect(loadObservations(file)).toEqual({ header, observations: [obs(1), obs(2)], warnings: [] });
    expect(fs.readdirSync(dir).some((name) => name.endsWith(".tmp"))).toBe(false);
  });

  it("an existing empty file is never given a header by an appender: it fails naming the fix, and writes nothing", () => {
    fs.writeFileSync(file, "");
    const error = catchError(() => appendObservation(file, obs(1), { header }));
    expect(error.message).toContain("the file is missing or empty, so it has no header");
    expect(error.fix).toContain("delete it, then appendObservation(path, observation, { header }) creates it");
    expect(fs.readFileSync(file, "utf8")).toBe("");
  });
});

describe("appendObservation from many processes", () => {
  // Real child processes (tsx loads the TypeScript sources), forked once and reused for
  // every run; each run they start appending at the same instant to a fresh file.
  const WORKERS = 8;
  const APPENDS = 500;
  const RUNS = Number(process.env.PROTEIN_SWEEP_APPEND_RUNS ?? 20);
  const workerPath = path.join(path.dirname(fileURLToPath(import.meta.url)), "append-worker.ts");
  let children: ChildProcess[] = [];

  beforeAll(async () => {
    children = Array.from({ length: WORKERS }, () => fork(workerPath, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] }));
    await Promise.all(children.map((child) => new Promise((resolve, reject) => (child.once("spawn", resolve), child.once("error", reject)))));
  });
  afterAll(() => {
    for (const child of children) child.kill();
  });

  /** Runs every worker once; resolves to whether each one's saveObservations went through (saveFirst only). */
  function runOnce(target: string, options: { saveFirst?: boolean; staggerMs?: number } = {}): Promise<Array<boolean | undefined>> {
    const startAt = Date.now() + 50;
    return Promise.all(
      children.map(
        (child, worker) =>
          new Promise<boolean | undefined>((resolve, reject) => {
            child.once("message", (reply: { saved?: boolean; error?: string }) => (reply.error !== undefined ? reject(new Error(reply.error)) : resolve(reply.saved)));
            child.send({ path: target, worker, count: APPENDS, startAt: startAt + worker * (options.staggerMs ?? 0), saveFirst: options.saveFirst ?? false });
          }),
      ),
    );
  }

  it(`${WORKERS} processes × ${APPENDS} appends to a file none of them created: one header and every record, in each of ${RUNS} runs`, async () => {
    for (let run = 0; run < RUNS; run++) {
      const target = path.join(dir, `race-${run}.jsonl`);
      await runOnce(target);
      const lines = fs.readFileSync(target, "utf8").split("\n");
      expect(lines.pop()).toBe("");
      expect(lines.filter((line) => line.includes('"format":"protein-sweep/observations"')).length, `run ${run}: header lines`).toBe(1);
      const { header: h, observations, warnings } = loadObservations(target);
      expect(h.spaceFingerprint).toBe("fp-race");
      expect(warnings).toEqual([]);
      expect(observations, `run ${run}: records`).toHaveLength(WORKERS * APPENDS);
      const seen = new Set(observations.map((o) => `${o.params.worker}:${o.params.i}`));
      expect(seen.size).toBe(WORKERS * APPENDS);
      // Each worker's records are in the order it wrote them.
      for (let w = 0; w < WORKERS; w++) {
        const mine = observations.filter((o) => o.params.worker === w).map((o) => o.params.i as number);
        expect(mine).toEqual(Array.from({ length: APPENDS }, (_, i) => i));
      }
      fs.rmSync(target);
    }
  }, 300_000);

  it("the guide's old per-worker pattern (saveObservations at start, then append) loses no record: only the first save goes through", async () => {
    for (let run = 0; run < 3; run++) {
      const target = path.join(dir, `save-first-${run}.jsonl`);
      // Staggered starts, as real workers have: a late worker's save used to wipe the others' records.
      const saved = await runOnce(target, { saveFirst: true, staggerMs: 15 });
      const { observations, warnings } = loadObservations(target);
      expect(warnings).toEqual([]);
      expect(observations, `run ${run}: records`).toHaveLength(WORKERS * APPENDS);
      expect(saved.filter((s) => s === true), `run ${run}: saves that went through`).toHaveLength(1);
      expect(fs.readFileSync(target, "utf8").split("\n").filter((line) => line.includes('"format"'))).toHaveLength(1);
      fs.rmSync(target);
    }
  }, 300_000);
});

describe("damaged tails (power loss)", () => {
  it("after a NUL-filled tail, an append starts on a fresh line and the whole file loads", () => {
    saveObservations(file, [obs(1), obs(2)], header);
    // Power loss: the file's new size reached the disk, its data did not (zeros).
    fs.appendFileSync(file, Buffer.alloc(300));
    appendObservation(file, obs(3));
    appendObservation(file, obs(4));
    const lines = fs.readFileSync(file, "utf8").split("\n");
    expect(lines[3]).toBe("\0".repeat(300));
    expect(JSON.parse(lines[4])).toEqual(obs(3));
    const { observations, warnings } = loadObservations(file);
    expect(observations).toEqual([obs(1), obs(2), obs(3), obs(4)]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^line 4: skipped damaged bytes \(NUL/);
    expect(warnings[0]).toContain(file);
  });

  it("a NUL-filled tail alone is skipped with a warning naming the line", () => {
    saveObservations(file, [obs(1), obs(2)], header);
    fs.appendFileSync(file, Buffer.alloc(300));
    const { observations, warnings } = loadObservations(file);
    expect(observations).toEqual([obs(1), obs(2)]);
    expect(warnings).toEqual([expect.stringMatching(/^line 4: skipped damaged bytes \(NUL or other bytes no writer puts there, as a power loss leaves them\)/)]);
  });

  it("a record torn by zeros in its middle is skipped; a whole record after the zeros on the same line is kept", () => {
    saveObservations(file, [obs(1)], header);
    const second = JSON.stringify(obs(2));
    // obs(2) lost its end (and newline) to zeros; obs(3) was written right after them.
    fs.appendFileSync(file, Buffer.concat([Buffer.from(second.slice(0, 30)), Buffer.alloc(64), Buffer.from(`${JSON.stringify(obs(3))}\n`)]));
    const { observations, warnings } = loadObservations(file);
    expect(observations).toEqual([obs(1), obs(3)]);
    expect(warnings).toEqual([expect.stringMatching(/^line 3: skipped damaged bytes .* and 1 unreadable fragment/)]);
  });

  it("garbage that is not UTF-8 at the tail is damage too; plain-text corruption in the middle still fails", () => {
    saveObservations(file, [obs(1)], header);
    fs.appendFileSync(file, Buffer.from([0xff, 0xfe, 0x80, 0x41, 0x01]));
    appendObservation(file, obs(2));
    expect(loadObservations(file).observations).toEqual([obs(1), obs(2)]);
    fs.appendFileSync(file, "garbage\n");
    appendObservation(file, obs(3));
    expect(catchError(() => loadObservations(file)).message).toMatch(/^line 5: not valid JSON/);
  });
});

describe("large files", () => {
  it("loads a file of 200,000 records, read in chunks (PROTEIN_SWEEP_LOAD_N=1000000 for the full size)", () => {
    const n = Number(process.env.PROTEIN_SWEEP_LOAD_N ?? 200_000);
    const fd = fs.openSync(file, "w");
    let chunk = `${JSON.stringify(header)}\n`;
    for (let i = 0; i < n; i++) {
      chunk += `{"params":{"trainer":{"lr":${(i % 1000) * 1e-6},"name":"r-${i}"}},"score":${i},"cost":${i % 7},"isFailure":false,"timestamp":"${TS}"}\n`;
      if (chunk.length > 1 << 20) {
        fs.writeSync(fd, chunk);
        chunk = "";
      }
    }
    fs.writeSync(fd, chunk);
    fs.closeSync(fd);
    const { observations, warnings } = loadObservations(file);
    expect(warnings).toEqual([]);
    expect(observations).toHaveLength(n);
    expect(observations[n - 1]).toEqual({ params: { trainer: { lr: ((n - 1) % 1000) * 1e-6, name: `r-${n - 1}` } }, score: n - 1, cost: (n - 1) % 7, isFailure: false, timestamp: TS });
    expect(observations.every((o, i) => o.score === i)).toBe(true);
  });

  it("a multi-byte UTF-8 character that straddles a read chunk is decoded intact", () => {
    const name = "é€😀".repeat(200_000); // ~1.8 MB on one line: crosses the 1 MiB chunk border
    saveObservations(file, [obs(1, { name })], header);
    expect(loadObservations(file).observations[0].params.name).toBe(name);
  });
});

describe("compatibility", () => {
  it("the committed hand-written version-1 file still loads", () => {
    const { header: h, observations, warnings } = loadObservations(FIXTURE);
    expect(warnings).toEqual([]);
    expect(h.version).toBe(1);
    expect(h.spaceFingerprint).toBe("v1:trainer.anneal_lr|trainer.learning_rate|trainer.optimizer|total_timesteps");
    expect(h.metadata).toEqual({ sweep: "compat-sample", phase: 1 });
    expect((h.config as { method: string }).method).toBe("protein");
    expect(observations).toHaveLength(4);
    expect(observations[0]).toEqual({
      params: { trainer: { learning_rate: 0.0003, optimizer: "adam", anneal_lr: true }, total_timesteps: 500000000 },
      score: 0.8125,
      cost: 3600.5,
      isFailure: false,
      timestamp: "2025-03-14T09:30:00.000Z",
      suggestionId: "s-0001",
      metadata: { run: "a1", tags: ["center"], phase: 1 },
    });
    expect(observations[1]).toMatchObject({ score: null, isFailure: true, timestamp: "2025-03-14T10:00:00+01:00" });
    expect((observations[1].params.trainer as NestedParams).learning_rate).toBe(1e-12);
    expect((observations[2].params.trainer as NestedParams).learning_rate).toBe(0.1 + 0.2);
    expect(observations[2].score).toBe(-1.5e-7);
    expect(observations[3].params.total_timesteps).toBe(Number.MAX_VALUE);
    expect((observations[3].params.trainer as NestedParams).learning_rate).toBe(5e-324);
    expect(observations[3].score).toBe(5e9);
  });
});
