/** `pg` loads only inside the PostgreSQL backend, and only when a postgres:// storage is opened; the package root never reaches the study. */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { HERE } from "./helpers";

const SRC = join(HERE, "..", "..", "src");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

describe("study layering", () => {
  const sources = files(SRC).map((path) => ({ path: relative(SRC, path), text: readFileSync(path, "utf8") }));

  it("imports pg only as types, and loads it by dynamic import in study/postgres.ts alone", () => {
    const staticPg = sources.filter((s) => /^\s*import\s+(?!type\b)[^;]*from\s+["']pg["']/m.test(s.text)).map((s) => s.path);
    expect(staticPg).toEqual([]);
    const dynamicPg = sources.filter((s) => /import\(\s*["']pg["']\s*\)/.test(s.text)).map((s) => s.path);
    expect(dynamicPg).toEqual(["study/postgres.ts"]);
  });

  it("reaches the PostgreSQL module only through a dynamic import", () => {
    const staticPostgres = sources.filter((s) => /^\s*(?:import|export)\s+(?!type\b)[^;]*from\s+["']\.\/postgres["']/m.test(s.text)).map((s) => s.path);
    expect(staticPostgres).toEqual([]);
    expect(sources.find((s) => s.path === "study/storage.ts")?.text).toMatch(/await import\("\.\/postgres"\)/);
  });

  it("keeps the study out of the package root", () => {
    const root = sources.find((s) => s.path === "index.ts")?.text ?? "";
    expect(root).not.toMatch(/["']\.\/study/);
    // Only the layers above the study (runner, cli) may load it; the report takes trials, so it may name their type.
    const valueImport = /^\s*(?:import|export)\s+(?!type\b)[^;]*from\s+["'][./]*study(?:\/|["'])/m;
    const belowStudy = sources.filter((s) => !/^(study|runner|cli)\//.test(s.path) && valueImport.test(s.text)).map((s) => s.path);
    expect(belowStudy).toEqual([]);
  });
});
