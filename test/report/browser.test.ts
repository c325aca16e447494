/**
 * The HTML report in a real browser: Debian's Chromium, driven by playwright-core. What a user
 * opening report.html sees: no errors, no request leaving the file, every chart drawn with the
 * runs it should hold (counted in the page, through each chart's own option), a table that
 * sorts, and a page that is not blank. Screenshots go to test-output/report/.
 *
 * .ci/run installs chromium when it is missing; where it cannot be installed these tests are
 * skipped with the reason printed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PNG } from "pngjs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { best, importance, parseGates, passesGates, renderReportHtml } from "../../src/report";
import type { Trial } from "../../src/study/types";
import { FAKE_GATES, fakeSweep } from "./fake-sweep";

const CHROMIUM = "/usr/bin/chromium";
const OUT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "test-output", "report");
const available = existsSync(CHROMIUM);
if (!available) console.warn(`browser tests skipped: ${CHROMIUM} is not installed (run .ci/run, or apt-get install -y chromium)`);

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
}

let browser: Browser;

async function open(name: string, html: string): Promise<Opened> {
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `${name}.html`);
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("request", (r) => {
    if (r.url() !== url) requests.push(r.url());
  });
  await page.goto(url);
  await page.waitForSelector("body[data-ready]", { timeout: 20_000 });
  return { page, errors, requests };
}

/** Distinct RGBA values and the share of pixels that differ from the top-left (background) one. */
async function screenshotStats(page: Page, name: string): Promise<{ distinct: number; inked: number; path: string }> {
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  const png = PNG.sync.read(readFileSync(path));
  const colours = new Set<number>();
  let inked = 0;
  const bg = png.data.readUInt32BE(0);
  for (let i = 0; i < png.data.length; i += 4) {
    const v = png.data.readUInt32BE(i);
    colours.add(v);
    if (v !== bg) inked++;
  }
  return { distinct: colours.size, inked: inked / (png.width * png.height), path };
}

/**
 * The few page globals the evaluated functions use, typed here (the project compiles without the
 * DOM library; these functions run in the page, not in Node).
 */
interface PageElement {
  textContent: string | null;
  cellIndex: number;
  cells: ArrayLike<PageElement>;
}
interface PageGlobals {
  echarts: { getInstanceByDom(el: PageElement): { getOption(): Record<string, Array<{ name: string; type: string; data: unknown[] }>> } | undefined };
  document: { getElementById(id: string): PageElement | null; querySelector(s: string): PageElement | null; querySelectorAll(s: string): ArrayLike<PageElement> };
}

/** series name → number of points, for the chart drawn in element `id`, read through echarts in the page. */
function seriesCounts(page: Page, id: string): Promise<Record<string, number>> {
  return page.evaluate((elementId) => {
    const w = globalThis as unknown as PageGlobals;
    const el = w.document.getElementById(elementId);
    if (!el) throw new Error(`no element #${elementId}`);
    const chart = w.echarts.getInstanceByDom(el);
    if (!chart) throw new Error(`no chart in #${elementId}`);
    const out: Record<string, number> = {};
    for (const s of chart.getOption().series) out[s.name] = s.data.length;
    return out;
  }, id);
}

function axisTypes(page: Page, id: string, which: "xAxis" | "parallelAxis"): Promise<string[]> {
  return page.evaluate(
    ([elementId, key]) => {
      const w = globalThis as unknown as PageGlobals;
      return w.echarts.getInstanceByDom(w.document.getElementById(elementId)!)!.getOption()[key].map((a) => a.type);
    },
    [id, which] as const,
  );
}

/**
 * Drags along the parallel chart's last (score) axis, from near its top to 40 % down, as a user
 * selecting the best runs would; returns the selected score interval and how many lines are
 * active / inactive afterwards (from the chart's model in the page).
 */
async function brushScoreAxis(page: Page): Promise<{ interval: number[][]; active: number; inactive: number }> {
  const el = (await page.$("#chart-parallel"))!;
  await el.scrollIntoViewIfNeeded();
  const box = (await el.boundingBox())!;
  type Parallel = {
    dimensions: string[];
    getAxisLayout(dim: string): { position: number[] };
    getRect(): { x: number; y: number; width: number; height: number };
    eachActiveState(data: unknown, cb: (state: string) => void): void;
  };
  type Model = { getComponent(kind: string, i?: number): { coordinateSystem: Parallel; activeIntervals: number[][] }; getSeriesByIndex(i: number): { getData(): unknown } };
  type PageEcharts = { echarts: { getInstanceByDom(el: unknown): { getModel(): Model } }; document: PageGlobals["document"] };
  const layout = await page.evaluate(() => {
    const w = globalThis as unknown as PageEcharts;
    const coord = w.echarts.getInstanceByDom(w.document.getElementById("chart-parallel")).getModel().getComponent("parallel").coordinateSystem;
    const dims = coord.dimensions;
    return { x: coord.getAxisLayout(dims[dims.length - 1]).position[0], rect: coord.getRect() };
  });
  const x = box.x + layout.x;
  await page.mouse.move(x, box.y + layout.rect.y + 5);
  await page.mouse.down();
  await page.mouse.move(x, box.y + layout.rect.y + 0.4 * layout.rect.height, { steps: 8 });
  await page.mouse.up();
  return page.evaluate(() => {
    const w = globalThis as unknown as PageEcharts;
    const model = w.echarts.getInstanceByDom(w.document.getElementById("chart-parallel")).getModel();
    const parallel = model.getComponent("parallel").coordinateSystem;
    const counts: Record<string, number> = { active: 0, inactive: 0 };
    parallel.eachActiveState(model.getSeriesByIndex(0).getData(), (state) => {
      counts[state] = (counts[state] ?? 0) + 1;
    });
    return { interval: model.getComponent("parallelAxis", parallel.dimensions.length - 1).activeIntervals, active: counts.active, inactive: counts.inactive };
  });
}

/** The score column of the table as shown, top to bottom (null for "—"). */
async function scoreColumn(page: Page): Promise<Array<number | null>> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as PageGlobals).document;
    const th = doc.querySelector("#runs th[data-key=score]")!;
    return Array.from(doc.querySelectorAll("#runs tbody tr")).map((tr) => {
      const text = tr.cells[th.cellIndex].textContent ?? "";
      return text === "—" ? null : Number(text);
    });
  });
}

/** Brute-force front (independent of src/pareto): runs no other beats on both score and cost. */
function bruteFront(runs: Trial[], dir: 1 | -1): Trial[] {
  return runs.filter((a) => !runs.some((b) => b !== a && b.cost! <= a.cost! && dir * b.score! >= dir * a.score! && (b.cost! < a.cost! || dir * b.score! > dir * a.score!)));
}

function isSorted(values: number[], dir: 1 | -1): boolean {
  return values.every((v, i) => i === 0 || dir * (v - values[i - 1]) <= 0);
}

describe.skipIf(!available)("HTML report in Chromium", () => {
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("a 200-run sweep (failed, stopped, categorical, log, gates): every chart, no error, no request, sortable, not blank", async () => {
    const { trials, space } = fakeSweep(200, 1);
    const info = { goal: "maximize" as const, metric: "episode_return", space, gates: FAKE_GATES, name: "ppo-atari" };
    const html = renderReportHtml(trials, { ...info, now: new Date("2026-11-29T22:00:00Z"), importance: importance(trials, { space }, { samples: 256 }) });
    expect(Buffer.byteLength(html)).toBeLessThan(2 * 1024 * 1024);
    const { page, errors, requests } = await open("report-200", html);

    // What the page should hold, counted from the input (the page is read below).
    const gates = parseGates(FAKE_GATES);
    const finished = trials.filter((t) => t.state === "finished");
    const passing = finished.filter((t) => passesGates(t, gates, "episode_return"));
    const stopped = trials.filter((t) => t.state === "stopped");
    const failed = trials.filter((t) => t.state === "failed");
    expect(failed.length).toBeGreaterThan(5);
    expect(stopped.length).toBeGreaterThan(5);
    expect(passing.length).toBeLessThan(finished.length);

    expect(await page.textContent("#made")).toContain("Made 2026-11-29 22:00:00 UTC · 200 runs");
    expect(await page.locator("#gates .chip").allTextContents()).toEqual(["mass_err < 0.05", "energy_err <= 0.2"]);

    expect(await seriesCounts(page, "chart-history")).toEqual({
      finished: passing.length,
      "best so far": passing.length,
      "fails a gate": finished.length - passing.length,
      stopped: stopped.length,
      failed: failed.length,
    });
    expect(await seriesCounts(page, "chart-cost")).toEqual({ finished: passing.length, "best so far": passing.length });
    expect(await seriesCounts(page, "chart-scatter")).toEqual({
      runs: passing.length,
      "fails a gate": finished.length - passing.length,
      stopped: stopped.length,
      "Pareto front": bruteFront(passing, 1).length,
    });
    expect(await seriesCounts(page, "chart-parallel")).toEqual({ runs: finished.length });
    expect(await axisTypes(page, "chart-parallel", "parallelAxis")).toEqual(["log", "log", "category", "value", "value", "value", "value"]);
    expect(await seriesCounts(page, "chart-importance")).toEqual({ importance: 6 });
    for (let j = 0; j < space.dim; j++) {
      expect(await seriesCounts(page, `chart-slice-${j}`)).toEqual({ runs: passing.length, "fails a gate": finished.length - passing.length });
    }
    expect(await axisTypes(page, "chart-slice-0", "xAxis")).toEqual(["log"]);
    expect(await axisTypes(page, "chart-slice-2", "xAxis")).toEqual(["category"]);

    // The table: every run, failed and stopped ones marked as such, the best one highlighted.
    expect(await page.locator("#runs tbody tr").count()).toBe(200);
    expect(await page.locator("#runs .badge.failed").count()).toBe(failed.length);
    expect(await page.locator("#runs .badge.stopped").count()).toBe(stopped.length);
    expect(await page.getAttribute("#runs tr.best", "data-run")).toBe(best(trials, info)!.id);
    await page.click("#runs th[data-key=score]");
    const down = await scoreColumn(page);
    const shown = down.filter((v): v is number => v !== null);
    expect(shown).toHaveLength(finished.length + stopped.length);
    expect(down.slice(0, shown.length).every((v) => v !== null)).toBe(true); // runs without a score last
    expect(isSorted(shown, 1)).toBe(true);
    expect(await page.getAttribute("#runs th[data-key=score]", "aria-sort")).toBe("descending");
    await page.click("#runs th[data-key=score]");
    const up = (await scoreColumn(page)).filter((v): v is number => v !== null);
    expect(isSorted(up, -1)).toBe(true);
    expect(up[0]).toBeLessThan(up[up.length - 1]);

    // Brushing the parallel coordinates: the lines left active are the finished runs whose score lies in the dragged range.
    const brush = await brushScoreAxis(page);
    expect(brush.interval).toHaveLength(1);
    const [lo, hi] = brush.interval[0];
    expect(hi).toBeGreaterThan(lo);
    expect(brush.active).toBe(finished.filter((t) => t.score! >= lo && t.score! <= hi).length);
    expect(brush.active).toBeGreaterThan(0);
    expect(brush.active + brush.inactive).toBe(finished.length);

    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    const shot = await screenshotStats(page, "report-200");
    expect(shot.distinct).toBeGreaterThan(500);
    expect(shot.inked).toBeGreaterThan(0.2);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it("a minimized sweep without gates: best first means lowest first, no gate series", async () => {
    const { trials, space } = fakeSweep(60, 2);
    const flipped = trials.map((t) => ({ ...t, score: t.score === null ? null : -t.score }));
    const html = renderReportHtml(flipped, { goal: "minimize", metric: "loss", space, importance: false });
    const { page, errors, requests } = await open("report-minimize", html);
    const finished = flipped.filter((t) => t.state === "finished");
    expect(await seriesCounts(page, "chart-scatter")).toMatchObject({ runs: finished.length, "Pareto front": bruteFront(finished, -1).length });
    expect(Object.keys(await seriesCounts(page, "chart-history"))).not.toContain("fails a gate");
    expect(await page.locator("#gates").count()).toBe(0);
    await page.click("#runs th[data-key=score]");
    const shown = (await scoreColumn(page)).filter((v): v is number => v !== null);
    expect(isSorted(shown, -1)).toBe(true);
    expect(await page.getAttribute("#runs tr.best", "data-run")).toBe(best(flipped, { goal: "minimize" })!.id);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it("an empty sweep: a clear 'no finished runs yet' page, not a broken one", async () => {
    const html = renderReportHtml([], { goal: "maximize", metric: "episode_return", now: new Date("2026-11-29T22:00:00Z") });
    expect(html.length).toBeLessThan(100_000); // nothing to chart: the library is left out
    const { page, errors, requests } = await open("report-empty", html);
    expect(await page.textContent("#empty h2")).toBe("No finished runs yet");
    expect(await page.textContent("#made")).toContain("0 runs");
    expect(await page.locator(".chart").count()).toBe(0);
    expect(await page.locator("#runs").count()).toBe(0);
    const shot = await screenshotStats(page, "report-empty");
    expect(shot.distinct).toBeGreaterThan(20);
    expect(shot.inked).toBeGreaterThan(0.01);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it("a sweep with runs but none finished lists them under the message", async () => {
    const { trials, space } = fakeSweep(200, 1);
    const notYet = trials.filter((t) => t.state === "failed" || t.state === "running" || t.state === "pending");
    const { page, errors, requests } = await open("report-none-finished", renderReportHtml(notYet, { goal: "maximize", space, gates: FAKE_GATES }));
    expect(await page.textContent("#empty h2")).toBe("No finished runs yet");
    expect(await page.locator("#runs tbody tr").count()).toBe(notYet.length);
    expect(await page.locator("#runs .badge.failed").count()).toBe(notYet.filter((t) => t.state === "failed").length);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
