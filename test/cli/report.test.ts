/**
 * `protein-sweep report`: the real CLI (tsx, a child process) writes the self-contained HTML
 * report of a journal that a real `protein-sweep run` of the fixture trainer made; of a sweep
 * still running; and of a study with no runs yet. The page is opened in Debian's Chromium
 * when it is installed (the report's browser tests cover the charts themselves).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Study } from "../../src/study";
import { NODE, TRAINER, tempDir } from "../runner/helpers";
import { cli, startCli, until } from "./helpers";

const CHROMIUM = "/usr/bin/chromium";

let dir: string;
let cleanup: () => void;
let journal: string;

/** The data block the page's script reads. */
function pageData(html: string): { meta: { counts: { total: number; finished: number; running: number }; gates: string[] }; runs: unknown[][] } {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  expect(m, "the report's data block").not.toBeNull();
  return JSON.parse((m as RegExpExecArray)[1]);
}

/** Every script, stylesheet, image or frame the page would fetch from the network. */
function networkReferences(html: string): string[] {
  return [...html.matchAll(/<(script|link|img|iframe|style|source)\b[^>]*\b(src|href)\s*=\s*["']?\s*(https?:|\/\/)[^>]*>/gi)].map((m) => m[0]);
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir("protein-sweep-report-"));
  const file = join(dir, "sweep.yaml");
  writeFileSync(
    file,
    `metric: score\ngoal: maximize\nparameters:\n  x: { values: [1, 2, 3] }\n  m_err: { values: [0.001, 0.5] }\nrun: ${JSON.stringify({ command: [NODE, TRAINER], method: "grid", gates: ["err < 0.01"] })}\n`,
  );
  const r = await cli(["run", file, "-o", join(dir, "out"), "--quiet"]);
  expect(r.code).toBe(0);
  journal = join(dir, "out", "journal.jsonl");
});
afterAll(() => cleanup());

describe("protein-sweep report", () => {
  it("writes one self-contained HTML file of a finished sweep and says where and how many runs it holds", async () => {
    const out = join(dir, "html", "report.html");
    const r = await cli(["report", journal, "-o", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: 6 runs \\(6 finished\\), \\d+\\.\\d\\d MB\\n$`));
    expect(existsSync(out)).toBe(true);
    const html = readFileSync(out, "utf8");
    expect(networkReferences(html)).toEqual([]);
    expect(html).toContain("<title>sweep · 6 runs · ");
    const data = pageData(html);
    expect(data.meta.counts).toMatchObject({ total: 6, finished: 6 });
    expect(data.meta.gates).toEqual(["err < 0.01"]);
    expect(data.runs).toHaveLength(6);
    // The same through --storage.
    const again = await cli(["report", "--storage", journal, "-o", join(dir, "again.html"), "--no-importance"]);
    expect(again.code).toBe(0);
    expect(pageData(readFileSync(join(dir, "again.html"), "utf8")).runs).toHaveLength(6);
  });

  it("works on a sweep still running: the file holds the runs recorded so far", async () => {
    const file = join(dir, "slow.yaml");
    // The second grid point would run for a minute (3000 progress lines, 20 ms apart); it is ended once the report is made.
    writeFileSync(file, `metric: score\nparameters:\n  x: { values: [1] }\n  steps: { values: [1, 3000] }\nrun: ${JSON.stringify({ command: [NODE, TRAINER], method: "grid" })}\n`);
    const slowJournal = join(dir, "slow", "journal.jsonl");
    const run = startCli(["run", file, "-o", join(dir, "slow"), "--quiet"]);
    try {
      // One run finished and another one started (and not ended), as the journal records them.
      const midway = () => {
        if (!existsSync(slowJournal)) return false;
        const events = readFileSync(slowJournal, "utf8").split("\n").flatMap((l) => {
          try {
            return l.startsWith('{"e":') ? [JSON.parse(l) as { e: string; trial: string }] : [];
          } catch {
            return []; // a line being appended right now
          }
        });
        const ended = new Set(events.filter((e) => e.e === "finished" || e.e === "failed" || e.e === "stopped").map((e) => e.trial));
        return ended.size === 1 && events.some((e) => e.e === "started" && !ended.has(e.trial));
      };
      await until(midway, 60_000, "one run finished and the next started");
      const out = join(dir, "live.html");
      const r = await cli(["report", slowJournal, "-o", out]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(": 2 runs (1 finished, 1 still running or pending)");
      expect(pageData(readFileSync(out, "utf8")).meta.counts).toMatchObject({ total: 2, finished: 1, running: 1 });
    } finally {
      run.child.kill("SIGTERM");
      await run.result;
    }
  }, 120_000);

  it("a study with no runs yet gives the 'no finished runs yet' page; a missing journal is an error", async () => {
    const empty = join(dir, "empty.jsonl");
    const study = await Study.create({ storage: empty, name: "fresh", config: { metric: "score", parameters: { x: { distribution: "uniform", min: 0, max: 1 } } } });
    await study.close();
    const out = join(dir, "empty.html");
    const r = await cli(["report", empty, "-o", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/: 0 runs \(0 finished\), 0\.\d\d MB\n$/);
    const html = readFileSync(out, "utf8");
    expect(networkReferences(html)).toEqual([]);
    expect(pageData(html).runs).toEqual([]);
    if (existsSync(CHROMIUM)) {
      const browser = await chromium.launch({ executablePath: CHROMIUM });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));
        await page.goto(pathToFileURL(out).href);
        await page.waitForSelector("body[data-ready]", { timeout: 20_000 });
        expect(await page.textContent("#empty h2")).toBe("No finished runs yet");
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    } else {
      console.warn(`report page not opened: ${CHROMIUM} is not installed (run .ci/run, or apt-get install -y chromium)`);
    }
    const missing = await cli(["report", join(dir, "nope.jsonl"), "-o", out]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no journal at");
    const noOutput = await cli(["report", empty]);
    expect(noOutput.code).toBe(1);
    expect(noOutput.stderr).toContain("required option '-o, --output <file>' not specified");
  });
});
