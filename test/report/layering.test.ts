/**
 * The report's place in the layering (ARCHITECTURE.md): it takes trials and never reads storage
 * (only the study's types), and the package root never loads it, so `import { Protein } from
 * "protein-sweep"` pulls neither the report nor its charting bundle.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "src");

function imports(file: string): Array<{ spec: string; typeOnly: boolean }> {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:^|\n)\s*(import|export)(\s+type)?[^;]*?from\s+["']([^"']+)["']/g)].map((m) => ({ spec: m[3], typeOnly: m[2] !== undefined }));
}

describe("report layering", () => {
  const files = readdirSync(join(SRC, "report")).filter((f) => f.endsWith(".ts")).map((f) => join(SRC, "report", f));

  it("reads no storage: from study/ it imports types only", () => {
    const found = files.flatMap((f) => imports(f).map((i) => ({ ...i, file: f })));
    expect(found.length).toBeGreaterThan(10);
    const study = found.filter((i) => i.spec.includes("/study/"));
    expect(study.length).toBeGreaterThan(0);
    for (const i of study) expect(i, `${i.file}: ${i.spec}`).toMatchObject({ spec: "../study/types", typeOnly: true });
    for (const i of found) expect(["pg", "node:child_process", "../protein", "../cli", "../runner"]).not.toContain(i.spec);
  });

  it("the package root does not import the report", () => {
    for (const i of imports(join(SRC, "index.ts"))) expect(i.spec.startsWith("./report")).toBe(false);
  });
});
