/**
 * The HTML text itself: self-contained (no external reference, a CSP forbidding requests), safe
 * with hostile strings in names and reasons, and carrying the runs the page draws from.
 */
import { describe, expect, it } from "vitest";
import type { Observation } from "../../src/observations/record";
import type { Trial } from "../../src/study/types";
import { renderReportHtml, reportData, ReportError } from "../../src/report";
import { FAKE_GATES, fakeSweep } from "./fake-sweep";

function dataBlock(html: string): unknown {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error("no data block");
  return JSON.parse(m[1]);
}

describe("renderReportHtml", () => {
  const { trials, space } = fakeSweep(40, 3);
  const info = { goal: "maximize" as const, metric: "episode_return", space, gates: FAKE_GATES, importance: false as const };

  it("is one file: every script and style inline, no URL to fetch, a CSP that forbids requests", () => {
    const html = renderReportHtml(trials, info);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
    // The markup around the inline scripts references nothing (the scripts' text is code, not markup).
    const markup = html.replace(/(<script[^>]*>)[\s\S]*?<\/script>/g, "$1</script>");
    expect(markup.length).toBeLessThan(10_000);
    expect(markup.match(/<(script|link|img|iframe)[^>]*\s(src|href)=/i)).toBeNull();
    expect(markup.match(/@import|url\(/i)).toBeNull();
    expect((html.match(/<script>/g) ?? []).length).toBe(2); // echarts, the page
    expect(Buffer.byteLength(html)).toBeLessThan(2 * 1024 * 1024);
  });

  it("keeps hostile text inert: a run's reason or the sweep's name cannot close the script or inject markup", () => {
    const evil = "</script><script>alert(1)</script><!--";
    const t: Trial[] = [...trials, { ...trials[0], id: "x1", number: 99, state: "failed", score: null, reason: evil }];
    const html = renderReportHtml(t, { ...info, name: `<b>${evil}` });
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain("<title>&lt;b&gt;&lt;/script&gt;");
    const data = dataBlock(html) as { runs: unknown[][]; meta: { title: string } };
    expect(data.runs.find((r) => r[1] === "x1")?.[7]).toBe(evil);
    expect(data.meta.title).toBe(`<b>${evil}`);
  });

  it("embeds every run with its state, gate verdict, front membership, params and metrics", () => {
    const data = reportData(trials, info);
    expect(data.runs).toHaveLength(40);
    expect(data.meta.params.map((p) => [p.key, p.axis])).toEqual([
      ["trainer.learning_rate", "log"],
      ["trainer.batch_size", "log2"],
      ["trainer.optimizer", "category"],
      ["trainer.gamma", "linear"],
      ["model.width", "linear"],
      ["model.dropout", "linear"],
    ]);
    expect(data.meta.params[0]).toMatchObject({ min: 1e-5, max: 0.1 });
    expect(data.meta.metrics).toEqual(["energy_err", "mass_err"]);
    const states = data.runs.map((r) => r[2]);
    expect(states.filter((s) => s === "failed").length).toBe(trials.filter((t) => t.state === "failed").length);
    const row = data.runs[0];
    expect(row.slice(0, 3)).toEqual([1, "s1", trials[0].state]);
    expect(row[8]).toBeCloseTo((trials[0].params.trainer as { learning_rate: number }).learning_rate, 10);
  });

  it("takes a list of observations and infers the axes when no space is given", () => {
    const obs: Observation[] = Array.from({ length: 8 }, (_, i) => ({
      params: { lr: 10 ** (-5 + i * 0.5), opt: i % 2 ? "adam" : "sgd" },
      score: i === 3 ? null : i,
      cost: 1 + i,
      isFailure: i === 3,
      timestamp: "2026-01-01T00:00:00Z",
    }));
    const data = reportData(obs, { goal: "minimize", importance: false });
    expect(data.meta.params.map((p) => [p.key, p.axis])).toEqual([["lr", "log"], ["opt", "category"]]);
    expect(data.runs.map((r) => r[2])).toEqual(["finished", "finished", "finished", "failed", "finished", "finished", "finished", "finished"]);
    expect(data.meta.best).toBe(1);
  });

  it("a bad goal or gate is a ReportError before anything is made", () => {
    expect(() => renderReportHtml(trials, { ...info, gates: ["mass_err <"] })).toThrow(ReportError);
    expect(() => renderReportHtml(trials, { ...info, goal: "up" as never })).toThrow("key: goal");
  });
});
