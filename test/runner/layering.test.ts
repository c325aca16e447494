/**
 * The sweep-system layering (ARCHITECTURE.md): cli → runner → study → protein. The runner
 * reaches the study only through its public index, the library root reaches neither the
 * runner nor the CLI, and the terminal libraries load only in the CLI.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers";

const SRC = join(ROOT, "src");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

const sources = files(SRC).map((path) => ({ path: relative(SRC, path), text: readFileSync(path, "utf8") }));
const imports = (text: string) => [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s+["']([^"']+)["']/g)].map((m) => m[1]);

describe("runner and cli layering", () => {
  it("finds the runner and cli sources", () => {
    expect(sources.filter((s) => s.path.startsWith("runner/")).length).toBeGreaterThan(5);
    expect(sources.some((s) => s.path === "cli/main.ts")).toBe(true);
  });

  it("nothing below the cli imports it, and nothing below the runner imports the runner", () => {
    const intoCli = sources.filter((s) => !s.path.startsWith("cli/") && imports(s.text).some((i) => /(^|\/)cli(\/|$)/.test(i))).map((s) => s.path);
    expect(intoCli).toEqual([]);
    const intoRunner = sources.filter((s) => !s.path.startsWith("cli/") && !s.path.startsWith("runner/") && imports(s.text).some((i) => /(^|\/)runner(\/|$)/.test(i))).map((s) => s.path);
    expect(intoRunner).toEqual([]);
  });

  it("the runner and cli use the study through its index only (no backend internals)", () => {
    const internal = sources.filter((s) => (s.path.startsWith("runner/") || s.path.startsWith("cli/")) && imports(s.text).some((i) => /\/study\/./.test(i))).map((s) => s.path);
    expect(internal).toEqual([]);
  });

  it("terminal libraries load only in the cli", () => {
    const terminal = sources.filter((s) => !s.path.startsWith("cli/") && imports(s.text).some((i) => ["commander", "picocolors", "log-update"].includes(i))).map((s) => s.path);
    expect(terminal).toEqual([]);
  });

  it("the runner ranks and gates with the report's pure modules only: no HTML page, no charting bundle, no browser", () => {
    const bySrc = new Map(sources.map((s) => [s.path, s.text]));
    // Every src file the runner loads, following relative imports (type-only ones included, to be strict).
    const seen = new Set<string>();
    const external = new Set<string>();
    const stack = sources.filter((s) => s.path.startsWith("runner/")).map((s) => s.path);
    while (stack.length > 0) {
      const path = stack.pop() as string;
      if (seen.has(path)) continue;
      seen.add(path);
      for (const spec of imports(bySrc.get(path) ?? "")) {
        if (!spec.startsWith(".")) {
          external.add(spec);
          continue;
        }
        const target = relative(SRC, resolve(dirname(join(SRC, path)), spec));
        stack.push(bySrc.has(`${target}.ts`) ? `${target}.ts` : join(target, "index.ts"));
      }
    }
    const report = [...seen].filter((p) => p.startsWith("report/")).sort();
    expect(report).toEqual(["report/errors.ts", "report/importance.ts", "report/rank.ts", "report/records.ts", "report/summary.ts"]);
    expect([...external].filter((e) => /echarts|playwright/.test(e))).toEqual([]);
    // The one place the charting bundle is read is the HTML page, at call time (not an import).
    const bundleReaders = sources.filter((s) => s.text.includes("echarts/dist")).map((s) => s.path);
    expect(bundleReaders).toEqual(["report/html.ts"]);
    expect(imports(bySrc.get("report/html.ts") ?? "").some((i) => i.includes("echarts"))).toBe(false);
  });
});
