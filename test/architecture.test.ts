/**
 * The module layering of ARCHITECTURE.md, checked on the import lines of src/**: the numeric core
 * (linalg, gp, acquisition, pareto, stopping, random) knows nothing of sweeps, configs, files or
 * Protein; storage knows nothing of GPs; Protein does no file I/O. A new upward edge fails here.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "..", "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Module of a src-relative path: its top folder, or the file name without `.ts`. */
function moduleOf(srcRelative: string): string {
  const parts = srcRelative.split("/");
  return parts.length > 1 ? parts[0] : parts[0].replace(/\.ts$/, "");
}

interface Edge {
  from: string;
  file: string;
  to: string;
}

/** Every import/export-from edge: to a src module, or to an external specifier. */
function edges(): Edge[] {
  const out: Edge[] = [];
  for (const path of sourceFiles(SRC)) {
    const file = relative(SRC, path).split("\\").join("/");
    const from = moduleOf(file);
    const text = readFileSync(path, "utf8");
    for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s+["']([^"']+)["']/g)) {
      const specifier = match[1];
      if (specifier.startsWith(".")) {
        const target = relative(SRC, resolve(dirname(path), specifier)).split("\\").join("/");
        out.push({ from, file, to: moduleOf(target.endsWith(".ts") ? target : `${target}.ts`) });
      } else {
        out.push({ from, file, to: specifier });
      }
    }
  }
  return out;
}

const NUMERIC_CORE = ["linalg", "gp", "acquisition", "pareto", "stopping", "random"];
const ABOVE_CORE = ["space", "config", "observations", "protein", "settings", "model-data", "index"];

/** module → modules (or external specifiers) it must not import. */
const FORBIDDEN: Record<string, string[]> = {
  linalg: [...ABOVE_CORE, "gp", "acquisition", "pareto", "stopping", "random"],
  gp: [...ABOVE_CORE, "acquisition", "pareto", "stopping"],
  acquisition: [...ABOVE_CORE, "gp"],
  pareto: [...ABOVE_CORE, "gp", "acquisition"],
  stopping: [...ABOVE_CORE, "acquisition"],
  random: [...ABOVE_CORE, "gp", "acquisition", "linalg"],
  space: ["gp", "linalg", "acquisition", "observations", "protein", "model-data", "index"],
  config: ["gp", "linalg", "acquisition", "observations", "protein", "model-data", "index"],
  // pareto.ts is allowed: choosing which prior observations to load ranks them by the front.
  observations: ["gp", "linalg", "acquisition", "stopping", "index"],
  // protein.ts and its parts in protein/ (sweep state, surrogate, candidate search) are one module here.
  protein: ["node:fs", "fs", "node:fs/promises", "index"],
};

/** The parts of Protein (src/protein/*.ts) → what each must not import (src-relative files or folders). */
const PROTEIN_PARTS: Record<string, string[]> = {
  // Records and counters: no models, no candidates, no config.
  "protein/sweep-state.ts": ["gp", "acquisition", "config", "protein.ts", "protein/surrogate.ts", "protein/candidate-search.ts"],
  // The surrogate fits and predicts: it neither rates candidates nor knows the phases.
  "protein/surrogate.ts": ["config", "protein.ts", "protein/sweep-state.ts", "protein/candidate-search.ts"],
  // The candidate search is handed fitted models: it reads no records.
  "protein/candidate-search.ts": ["config", "observations", "protein.ts", "protein/sweep-state.ts"],
  // A preset's steps (the Python Protein's) are handed rows like the candidate search: no records, no config.
  "protein/reference.ts": ["config", "observations", "protein.ts", "protein/sweep-state.ts", "protein/candidate-search.ts"],
  // The validation edge checks inputs: no models, no search, no Protein.
  "protein/validate.ts": ["gp", "acquisition", "linalg", "protein.ts", "protein/sweep-state.ts", "protein/surrogate.ts", "protein/candidate-search.ts"],
  // suggestAsync's messenger moves snapshots to the worker thread: it knows no models, search or records.
  "protein/async.ts": ["gp", "acquisition", "linalg", "config", "protein.ts", "protein/sweep-state.ts", "protein/surrogate.ts", "protein/candidate-search.ts"],
  // The output transforms (issue 14) are pure numerics on score arrays: nothing of Protein, no models, no config.
  "protein/output-warping.ts": ["gp", "acquisition", "linalg", "config", "observations", "protein.ts", "protein/sweep-state.ts", "protein/surrogate.ts", "protein/candidate-search.ts"],
  // The worker entry restores a Protein and suggests through its public API only.
  "protein/suggest-worker.ts": ["gp", "acquisition", "linalg", "config", "protein/sweep-state.ts", "protein/surrogate.ts", "protein/candidate-search.ts"],
};

describe("architecture: import directions", () => {
  const all = edges();

  it("finds the import lines it checks", () => {
    expect(all.length).toBeGreaterThan(50);
    expect(all.some((e) => e.from === "protein" && e.to === "gp")).toBe(true);
  });

  for (const [module, forbidden] of Object.entries(FORBIDDEN)) {
    it(`${module} imports none of: ${forbidden.join(", ")}`, () => {
      const bad = all.filter((e) => e.from === module && forbidden.includes(e.to));
      expect(bad.map((e) => `${e.file} → ${e.to}`)).toEqual([]);
    });
  }

  it("Protein's parts import only downward (sweep state, surrogate, candidate search)", () => {
    const parts = sourceFiles(join(SRC, "protein")).map((path) => relative(SRC, path).split("\\").join("/"));
    expect(parts.sort()).toEqual(Object.keys(PROTEIN_PARTS).sort());
    const bad: string[] = [];
    for (const [file, forbidden] of Object.entries(PROTEIN_PARTS)) {
      const text = readFileSync(join(SRC, file), "utf8");
      for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s+["']([^"']+)["']/g)) {
        if (!match[1].startsWith(".")) continue;
        const target = relative(SRC, resolve(dirname(join(SRC, file)), match[1])).split("\\").join("/");
        const targetFile = target.endsWith(".ts") ? target : `${target}.ts`;
        if (forbidden.some((f) => targetFile === f || target.split("/")[0] === f)) bad.push(`${file} → ${target}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("the numeric core reads no files", () => {
    const bad = all.filter((e) => NUMERIC_CORE.includes(e.from) && /^(node:)?fs(\/|$)/.test(e.to));
    expect(bad.map((e) => `${e.file} → ${e.to}`)).toEqual([]);
  });

  it("no source file draws from Math.random (one seeded generator for all randomness)", () => {
    const bad = sourceFiles(SRC).filter((path) => /Math\.random\s*\(/.test(readFileSync(path, "utf8")));
    expect(bad.map((path) => relative(SRC, path))).toEqual([]);
  });
});
