import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: { index: "src/index.ts", "study/index": "src/study/index.ts", "runner/index": "src/runner/index.ts" },
    format: ["esm", "cjs"],
    // One copy of the core shared by the root, protein-sweep/study and protein-sweep/runner in CommonJS too (instanceof ProteinError holds across them).
    splitting: true,
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    platform: "node",
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
