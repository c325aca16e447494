import { defineConfig } from "tsup";

export default defineConfig({
  // The report is its own entry (the subpath "protein-sweep/report"): it reads the echarts bundle
  // from node_modules, so the package root never loads it.
  // suggest-worker is the worker-thread entry of Protein.suggestAsync(), found next to the module that
  // starts it (dist/suggest-worker.js for the ESM chunks, dist/suggest-worker.cjs for index.cjs).
  entry: { index: "src/index.ts", "report/index": "src/report/index.ts", "suggest-worker": "src/protein/suggest-worker.ts" },
  format: ["esm", "cjs"],
  dts: { entry: { index: "src/index.ts", "report/index": "src/report/index.ts" } },
  sourcemap: true,
  clean: true,
  target: "node20",
  platform: "node",
  // import.meta.url (the report's createRequire) gets its CommonJS equivalent in the .cjs build.
  shims: true,
});
