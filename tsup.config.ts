import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", "study/index": "src/study/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  platform: "node",
});
