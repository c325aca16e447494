/**
 * Report generation: wall time and output size of renderReportHtml and renderSummary, and the
 * importance measurement inside them, for sweeps of 200 and 5,000 runs (the realistic trials of
 * test/report/fake-sweep.ts: six parameters of every axis kind, failed/stopped runs, gates).
 *
 *   npm run bench:report                  (npx tsx bench/report.ts [--sizes 200,5000] [--repeats 5] [--browser])
 *
 * --browser also opens each report in Debian's Chromium (/usr/bin/chromium, through playwright-core) and
 * times navigation until the page says it is drawn (body[data-ready]), median of `repeats` fresh pages.
 *
 * Each figure is the median of `repeats` timed calls after one untimed warm-up call (which also
 * reads the echarts bundle from node_modules once, as a long-lived process would).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { importance, renderReportHtml, renderSummary } from "../src/report";
import { FAKE_GATES, fakeSweep } from "../test/report/fake-sweep";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const sizes = arg("sizes", "200,5000").split(",").map(Number);
const repeats = Number(arg("repeats", "5"));
const browser = process.argv.includes("--browser");

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function time<T>(fn: () => T): { ms: number; value: T } {
  fn();
  const ms: number[] = [];
  let value!: T;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    value = fn();
    ms.push(performance.now() - t0);
  }
  return { ms: median(ms), value };
}

console.log(`node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; load average ${loadavg()[0].toFixed(1)}; median of ${repeats}`);
const pages: Array<{ n: number; file: string }> = [];
const dir = mkdtempSync(join(tmpdir(), "report-bench-"));
console.log("| runs | importance (ms) | HTML, importance included (ms) | HTML, importance given (ms) | HTML size (bytes) | of which the echarts bundle | terminal summary, importance included (ms) |");
console.log("|---:|---:|---:|---:|---:|---:|---:|");
for (const n of sizes) {
  const { trials, space } = fakeSweep(n, 1);
  const info = { goal: "maximize" as const, metric: "episode_return", space, gates: FAKE_GATES, name: "bench" };
  const imp = time(() => importance(trials, { space }));
  const html = time(() => renderReportHtml(trials, info));
  const htmlOnly = time(() => renderReportHtml(trials, { ...info, importance: imp.value }));
  const summary = time(() => renderSummary(trials, info, { width: 100 }));
  const bytes = Buffer.byteLength(html.value);
  const echartsBytes = bytes - Buffer.byteLength(renderReportHtml(trials, { ...info, importance: imp.value, echartsSource: "" }));
  const file = join(dir, `report-${n}.html`);
  writeFileSync(file, html.value);
  pages.push({ n, file });
  console.log(`| ${n} | ${imp.ms.toFixed(0)} | ${html.ms.toFixed(0)} | ${htmlOnly.ms.toFixed(0)} | ${bytes.toLocaleString("en-US")} | ${echartsBytes.toLocaleString("en-US")} | ${summary.ms.toFixed(0)} |`);
}

if (browser) {
  const { chromium } = await import("playwright-core");
  const b = await chromium.launch({ executablePath: "/usr/bin/chromium" });
  console.log("\n| runs | open in Chromium until drawn (ms) |\n|---:|---:|");
  for (const { n, file } of pages) {
    const ms: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const page = await b.newPage({ viewport: { width: 1400, height: 900 } });
      const t0 = performance.now();
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector("body[data-ready]", { timeout: 120_000 });
      ms.push(performance.now() - t0);
      await page.close();
    }
    console.log(`| ${n} | ${median(ms).toFixed(0)} |`);
  }
  await b.close();
}
