/**
 * The sweep-system layering (ARCHITECTURE.md): cli → runner → study → protein. The runner
 * reaches the study only through its public index, the library root reaches neither the
 * runner nor the CLI, and the terminal libraries load only in the CLI.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
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
});
