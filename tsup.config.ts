import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", "study/index": "src/study/index.ts" },
  format: ["esm", "cjs"],
  // One copy of the core shared by the root and protein-sweep/study in CommonJS too (instanceof ProteinError holds across them).
  splitting: true,
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  platform: "node",
});
