import { defineConfig } from "tsup";

export default defineConfig([
  {
    // The subpaths protein-sweep/study, /runner and /report are their own entries, so the package
    // root never loads pg, the terminal libraries or the echarts bundle.
    entry: { index: "src/index.ts", "study/index": "src/study/index.ts", "runner/index": "src/runner/index.ts", "report/index": "src/report/index.ts" },
    format: ["esm", "cjs"],
    // One copy of the core shared by the root and the subpaths in CommonJS too (instanceof ProteinError holds across them).
    splitting: true,
    dts: true,
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
