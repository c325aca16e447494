/**
 * The end of `protein-sweep run` on screen: the report's summary at the width given, and a line
 * saying where to get importance when the sweep was too large to measure it at the end.
 */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { Display } from "../../src/cli/display";
import { summaryJson } from "../../src/report/summary";
import type { Trial } from "../../src/study";

function trial(n: number, score: number, err: number): Trial {
  return { id: `s${n}`, number: n, state: "finished", params: { trainer: { learning_rate: n / 1000, optimizer: n % 2 ? "adam" : "sgd" } }, score, cost: n, metrics: { score, err }, attempts: 1, createdAt: "2026-11-29T22:00:00Z" };
}

const TRIALS = Array.from({ length: 12 }, (_, i) => trial(i + 1, Math.sin(i + 1), (i % 3) / 100));
const INFO = { goal: "maximize" as const, metric: "score", gates: ["err < 0.015"], name: "wide-and-narrow" };

function endText(importance: false | undefined, width: number): string {
  const out = new PassThrough();
  let text = "";
  out.on("data", (d: Buffer) => (text += d.toString()));
  const display = new Display({ mode: "plain", metric: "score", goal: "maximize", gates: [], width, out });
  const summary = summaryJson(TRIALS, INFO, importance === false ? { importance: false } : {});
  display.handle({ type: "done", summary, outputDir: "/tmp/out", journal: "/tmp/out/journal.jsonl", csv: "/tmp/out/runs.csv", reason: "grid complete" });
  return text;
}

describe("the end-of-sweep summary", () => {
  it("is the report's summary, every line within the width given", () => {
    for (const width of [40, 80, 120]) {
      const text = endText(undefined, width);
      expect(text).toContain("sweep ended: grid complete");
      expect(text).toContain("Best run: s8 (#8)");
      expect(text).toContain("Importance (share of the");
      expect(text).not.toContain("importance: left out");
      // The records lines name full paths; the summary itself fits.
      const summary = text.slice(0, text.indexOf("records: journal"));
      for (const line of summary.split("\n")) expect([...line].length, `${width}: ${line}`).toBeLessThanOrEqual(width);
    }
  });

  it("says where to get importance when the sweep was too large to measure it at the end", () => {
    const text = endText(false, 80);
    expect(text).not.toContain("Importance (");
    expect(text).toContain("importance: left out above 200 finished runs; protein-sweep summary /tmp/out/journal.jsonl measures it");
  });
});
