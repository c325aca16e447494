import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
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
    saveObservations(file, [obs(9)], header, { fsync: false });
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
