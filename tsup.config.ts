import { defineConfig } from "tsup";

const publicEntries = {
  index: "src/index.ts",
  "study/index": "src/study/index.ts",
  "runner/index": "src/runner/index.ts",
  "report/index": "src/report/index.ts",
};

export default defineConfig([
  {
    // The subpaths protein-sweep/study, /runner and /report are their own entries, so the package
    // root never loads pg, the terminal libraries or the echarts bundle.
    // suggest-worker is the worker-thread entry of Protein.suggestAsync(), found next to the module that
    // starts it (dist/suggest-worker.js for the ESM chunks, dist/suggest-worker.cjs for the CJS ones).
    entry: { ...publicEntries, "suggest-worker": "src/protein/suggest-worker.ts" },
    format: ["esm", "cjs"],
    // One copy of the core shared by the root and the subpaths in CommonJS too (instanceof ProteinError holds across them).
    splitting: true,
    dts: { entry: publicEntries },
    sourcemap: true,
    clean: true,
    target: "node20",
    platform: "node",
    // import.meta.url (the report's createRequire) gets its CommonJS equivalent in the .cjs build.
    shims: true,
  },
  {
    // The `protein-sweep` executable: ESM only (it is run, not required; log-update is ESM-only).
    entry: { cli: "src/cli/bin.ts" },
    format: ["esm"],
    dts: false,
    sourcemap: true,
    clean: false,
    target: "node20",
    platform: "node",
  },
]);
