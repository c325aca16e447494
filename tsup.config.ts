import { defineConfig } from "tsup";

export default defineConfig({
  // The report is its own entry (the subpath "protein-sweep/report"): it reads the echarts bundle
  // from node_modules, so the package root never loads it.
  entry: { index: "src/index.ts", "report/index": "src/report/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  platform: "node",
  // import.meta.url (the report's createRequire) gets its CommonJS equivalent in the .cjs build.
  shims: true,
});
