/**
 * The terminal summary and its JSON form: what a user reads after a sweep, at any width.
 */
import { describe, expect, it } from "vitest";
import { best, importance, paretoFront, renderSummary, summaryJson, top, formatNumber } from "../../src/report";
import { FAKE_GATES, fakeSweep } from "./fake-sweep";

const { trials, space } = fakeSweep(200, 1);
const INFO = { goal: "maximize" as const, metric: "episode_return", space, gates: FAKE_GATES, name: "ppo-atari" };
const IMPORTANCE = importance(trials, { space }, { samples: 256 });
const NOW = new Date("2026-11-29T22:00:00Z");

describe("summaryJson", () => {
  it("holds the counts, the gates, the best run, the top k, the front and importance, as JSON", () => {
    const s = summaryJson(trials, INFO, { top: 7, importance: IMPORTANCE, now: NOW });
    expect(s.counts.total).toBe(200);
    expect(s.counts.finished + s.counts.failed + s.counts.stopped + s.counts.running + s.counts.pending).toBe(200);
    expect(s.counts.failed).toBeGreaterThan(5);
    expect(s.counts.stopped).toBeGreaterThan(5);
    expect(s.gates).toEqual(["mass_err < 0.05", "energy_err <= 0.2"]);
    expect(s.best?.id).toBe(best(trials, INFO)?.id);
    expect(s.top.map((r) => r.id)).toEqual(top(trials, 7, INFO).map((t) => t.id));
    expect(s.front.map((r) => r.id)).toEqual(paretoFront(trials, INFO).map((t) => t.id));
    expect(s.best?.params["trainer.learning_rate"]).toBeTypeOf("number");
    expect(s.generatedAt).toBe("2026-11-29T22:00:00.000Z");
    expect(s.ranked).toBeLessThan(s.counts.finished);
    // Every scored finished run either ranks or is listed with the gates it fails.
    const scored = trials.filter((t) => t.state === "finished" && t.score !== null);
    expect(s.ranked + s.gated.length).toBe(scored.length);
    const gated = trials.find((t) => t.id === s.gated[0].id)!;
    expect(s.gated[0].failed.length).toBeGreaterThan(0);
    for (const g of s.gated[0].failed) expect(FAKE_GATES).toContain(g);
    expect(gated.state).toBe("finished");
    expect(s.totalCost).toBeCloseTo(trials.reduce((c, t) => c + (t.cost ?? 0), 0), 6);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it("measures importance itself unless told not to", () => {
    expect(summaryJson(trials.slice(0, 30), INFO).importance?.method).toBe("gp-sobol");
    expect(summaryJson(trials, INFO, { importance: false }).importance).toBeNull();
  });
});

describe("renderSummary", () => {
  it("keeps every line within the terminal width, from 40 to 200 columns", () => {
    for (const width of [40, 57, 80, 100, 132, 200]) {
      const text = renderSummary(trials, INFO, { width, importance: IMPORTANCE, now: NOW });
      for (const line of text.split("\n")) expect([...line].length, `width ${width}: ${line}`).toBeLessThanOrEqual(width);
    }
    // Narrower than 40 is drawn at 40.
    for (const line of renderSummary(trials, INFO, { width: 20, importance: IMPORTANCE }).split("\n")) expect([...line].length).toBeLessThanOrEqual(40);
  });

  it("shows the best run with its params, the top k, the front and the importance bars", () => {
    const text = renderSummary(trials, INFO, { width: 120, importance: IMPORTANCE, now: NOW });
    const b = best(trials, INFO)!;
    expect(text).toContain(`Best run: ${b.id} (#${b.number})  episode_return ${formatNumber(b.score)}`);
    expect(text).toContain("200 runs:");
    expect(text).toMatch(/gates: mass_err < 0\.05, energy_err <= 0\.2 \(\d+ of \d+ finished pass\)/);
    expect(text).toMatch(/^200 runs: \d+ finished, \d+ failed, \d+ stopped, \d+ running, \d+ pending; cost spent \S+$/m);
    // Gated runs are named (the first 8, then how many more), each with the gates it fails.
    const gatedRuns = summaryJson(trials, INFO, { importance: false }).gated;
    expect(text).toContain(`failed a gate (kept, never best): ${gatedRuns[0].id} [${gatedRuns[0].failed.join("; ")}],`);
    expect(text).toContain(`… and ${gatedRuns.length - 8} more`);
    const lines = text.split("\n");
    const topAt = lines.indexOf("Top 5");
    expect(topAt).toBeGreaterThan(0);
    top(trials, 5, INFO).forEach((t, i) => expect(lines[topAt + 2 + i]).toMatch(new RegExp(`^  ${i + 1}\\s+${t.id}\\s`)));
    const frontAt = lines.findIndex((l) => l.startsWith("Pareto front"));
    paretoFront(trials, INFO).forEach((t, i) => expect(lines[frontAt + 2 + i]).toMatch(new RegExp(`^  ${t.id}\\s`)));
    // The most important parameter has the longest bar, and its share is printed.
    const impAt = lines.findIndex((l) => l.startsWith("Importance"));
    const first = lines[impAt + 1];
    expect(first).toContain(IMPORTANCE.parameters[0].key);
    expect(first).toContain(`${Math.round(100 * IMPORTANCE.parameters[0].importance)}%`);
    const barLength = (l: string) => (l.match(/[█▏▎▍▌▋▊▉]/g) ?? []).length;
    expect(barLength(first)).toBeGreaterThan(barLength(lines[impAt + 3]));
  });

  it("says plainly when nothing has finished yet", () => {
    const text = renderSummary([], { goal: "minimize" }, { width: 60, now: NOW });
    expect(text).toBe(
      "protein-sweep summary (minimize score)\n0 runs\n\nNo finished runs yet.\n\nImportance: not measured (needs at least 5 finished runs\nwhose params fit the space, has 0)\n",
    );
    const running = renderSummary(trials.slice(-3), INFO, { width: 80, importance: false });
    expect(running).toContain("3 runs: 2 running, 1 pending");
    expect(running).toContain("No finished runs yet.");
  });

  it("rejects a width that is not a number of columns", () => {
    expect(() => renderSummary(trials, INFO, { width: Number.NaN, importance: false })).toThrow(
      "the terminal width must be a positive number of columns\n  key: width\n  got: NaN",
    );
  });
});
