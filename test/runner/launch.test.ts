/**
 * Child processes: metric reading (METRIC lines on stdout and stderr, JSON lines, the result
 * file; last value wins, earlier ones are progress), timeouts that end the whole process
 * group, and a runner busy in synchronous work never stalling a child's output.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RunProcess } from "../../src/runner/launch";
import { MetricReader, parseMetricLine } from "../../src/runner/metrics";
import { NODE, TRAINER, alive, groupEmpties, tempDir } from "./helpers";

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

function node(code: string, env: Record<string, string> = {}, extra: { timeout?: number } = {}) {
  const progress: Array<Record<string, number>> = [];
  const proc = new RunProcess({ argv: [NODE, "-e", code], env: { PROTEIN_SWEEP_RESULT_FILE: join(dir, "result.json"), ...env }, cwd: dir, logFile: join(dir, "log"), pollMs: 20, killGraceMs: 500, ...extra, onMetrics: (m) => progress.push(m) });
  return { proc, progress };
}

describe("metric lines", () => {
  it("parses METRIC pairs, JSON lines with nested keys, nan/inf, and ignores other lines", () => {
    expect(parseMetricLine("METRIC loss=0.25 acc=0.9, steps=100")).toEqual({ loss: 0.25, acc: 0.9, steps: 100 });
    expect(parseMetricLine('{"eval": {"return": 12.5}, "tag": "x", "step": 3}')).toEqual({ "eval.return": 12.5, step: 3 });
    expect(parseMetricLine("METRIC loss=nan")).toEqual({ loss: Number.NaN });
    expect(parseMetricLine("METRIC loss=-inf")).toEqual({ loss: Number.NEGATIVE_INFINITY });
    expect(parseMetricLine("epoch 3 loss=0.2")).toEqual({});
    expect(parseMetricLine("{not json}")).toEqual({});
  });

  it("joins lines split across chunks; the last value wins and every value is history", () => {
    const seen: Array<Record<string, number>> = [];
    const r = new MetricReader((m) => seen.push(m));
    r.feed("METRIC sco");
    r.feed("re=1\nMETRIC score=2\nMETR");
    r.feed("IC score=3");
    r.end();
    expect(r.latest).toEqual({ score: 3 });
    expect(r.history.get("score")).toEqual([1, 2, 3]);
    expect(seen).toHaveLength(3);
  });
});

describe("a real child process", () => {
  it("reads METRIC lines from stdout and stderr, in order, with progress as it runs", async () => {
    const { proc, progress } = node(`
      console.log("METRIC score=1");
      console.error("METRIC loss=0.5");
      setTimeout(() => { console.log("METRIC score=2"); console.error("METRIC loss=0.25 extra=7"); }, 150);
    `);
    const outcome = await proc.done;
    expect(outcome.exitCode).toBe(0);
    expect(outcome.reader.latest).toEqual({ score: 2, loss: 0.25, extra: 7 });
    expect(outcome.reader.history.get("score")).toEqual([1, 2]);
    expect(progress.length).toBe(4);
    expect(readFileSync(join(dir, "log"), "utf8")).toBe("METRIC score=1\nMETRIC loss=0.5\nMETRIC score=2\nMETRIC loss=0.25 extra=7\n");
  });

  it("reads a JSON line, and the exit code and signal of a failing run", async () => {
    const { proc } = node(`console.log(JSON.stringify({ score: 0.75, aux: { err: 0.01 } })); process.exit(3)`);
    const outcome = await proc.done;
    expect(outcome.exitCode).toBe(3);
    expect(outcome.reader.latest).toEqual({ score: 0.75, "aux.err": 0.01 });
    const killed = await node(`process.kill(process.pid, "SIGKILL")`).proc.done;
    expect(killed.signal).toBe("SIGKILL");
  });

  it("reports a command that cannot start", async () => {
    const proc = new RunProcess({ argv: [join(dir, "missing-trainer")], env: {}, cwd: dir, logFile: join(dir, "log") });
    const outcome = await proc.done;
    expect(outcome.spawnError).toMatch(/ENOENT/);
    expect(outcome.exitCode).toBeUndefined();
  });

  it("a timeout ends the run's whole process group, grandchildren included", async () => {
    const record = join(dir, "seen.jsonl");
    const proc = new RunProcess({ argv: [NODE, TRAINER], env: { TRAINER_HANG: "1", TRAINER_CHILD: "1", TRAINER_RECORD: record }, cwd: dir, logFile: join(dir, "log"), timeout: 0.5, killGraceMs: 500 });
    const outcome = await proc.done;
    expect(outcome.killedBecause).toBe("timeout after 0.5 s");
    expect(outcome.signal).toBe("SIGTERM");
    const pid = proc.pid as number;
    // The grandchild was in the same group: nothing of the group is left alive.
    expect(await groupEmpties(pid)).toBe(true);
    expect(alive(pid)).toBe(false);
  });

  it("a child writing a lot while the runner is blocked in synchronous work is not stalled, and nothing is lost", async () => {
    // The child writes 4 MB (far past a 64 KB pipe buffer) and records when it finished writing.
    const { proc } = node(`
      const line = "x".repeat(1023) + "\\n";
      for (let i = 0; i < 4096; i++) process.stdout.write(line);
      require("fs").writeFileSync(${JSON.stringify(join(dir, "wrote"))}, String(Date.now()));
      console.log("METRIC score=42");
    `);
    // The runner's thread is busy (as in a long synchronous suggest()) for 1.5 s.
    const busyUntil = Date.now() + 1500;
    while (Date.now() < busyUntil) {
      // spin
    }
    const outcome = await proc.done;
    const wroteAt = Number(readFileSync(join(dir, "wrote"), "utf8"));
    expect(wroteAt).toBeLessThan(busyUntil);
    expect(outcome.reader.latest.score).toBe(42);
    expect(readFileSync(join(dir, "log")).length).toBe(4096 * 1024 + "METRIC score=42\n".length);
  });
});
