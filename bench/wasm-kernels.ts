/**
 * The WebAssembly SIMD cross kernels (src/linalg/wasm/index.ts) against the JavaScript loops, in one run:
 *   1. kernel level: fillCross of the default kernel (Matérn 3/2 + linear, scaled) for n training rows × a block of
 *      256 candidates, and fillLower of n rows, d = 11 — what every suggest() and every refit does; the forward
 *      solve L⁻¹·K(X, X*) for 256 candidates (the variances) and the inverse from the factor (every refit);
 *   2. sweep level: the same suggest() → observe steps from one restored sweep, wasm on and off alternately, so
 *      both do exactly the same work (the results are bit-identical; the script checks the suggestions agree).
 *
 *   npx tsx bench/wasm-kernels.ts [--sizes 100,300,750,3000] [--steps 6] [--suggest-sizes 300,750]
 */
import { cpus, loadavg } from "node:os";
import { ScaledKernel, LinearKernel, StationaryKernel, SumKernel } from "../src/gp/kernels";
import { choleskyInPlace, inverseFromCholesky, solveLowerMany } from "../src/linalg/index";
import { setWasmKernels, wasmKernelsActive } from "../src/linalg/wasm/index";
import { Protein } from "../src/protein";
import { createRng } from "../src/random";
import { arg, evaluate, prepareSweep } from "./suggest-setup";

const d = 11;
const sizes = arg("--sizes", "100,300,750,3000").split(",").map(Number);
const suggestSizes = arg("--suggest-sizes", "300,750").split(",").filter(Boolean).map(Number);
const steps = Number(arg("--steps", "6"));
const mean = (v: number[]): number => v.reduce((x, y) => x + y, 0) / v.length;
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

function kernel(): ScaledKernel {
  const k = new ScaledKernel(new SumKernel([new StationaryKernel("matern32", d), new LinearKernel(d)]));
  const rng = createRng(3);
  k.setLogParams(Array.from({ length: k.numParams }, () => rng.uniform(-1, 0.5)), 0);
  return k;
}

function time(f: () => void, reps: number): number {
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  return median(t);
}

process.stdout.write(
  `wasm kernels (active: ${wasmKernelsActive()}); ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}\n\n`,
);
process.stdout.write(
  "| n | fillCross n×256: JS ms | wasm ms | JS / wasm | fillLower n×n: JS ms | wasm ms | JS / wasm | solveLowerMany n×256: JS ms | wasm ms | JS / wasm | inverseFromCholesky: JS ms | wasm ms | JS / wasm |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
);
const rng = createRng(1);
for (const n of sizes) {
  const X = Float64Array.from({ length: n * d }, () => rng.uniform(-1, 1));
  const C = Float64Array.from({ length: 256 * d }, () => rng.uniform(-1, 1));
  const k = kernel();
  const T = new Float64Array(n * 256);
  const K = new Float64Array(n * n);
  const reps = n >= 3000 ? 3 : 9;
  const row: number[] = [];
  k.fillLower(X, n, K, 1, false);
  for (let i = 0; i < n; i++) {
    K[i * n + i] += 1e-2;
    for (let j = 0; j < i; j++) K[j * n + i] = K[i * n + j];
  }
  const Lf = K.slice();
  if (choleskyInPlace(Lf, n) !== -1) throw new Error("not positive definite");
  const S = new Float64Array(n * 256);
  const Inv = new Float64Array(n * n);
  for (const which of ["cross", "lower", "solve", "inverse"] as const) {
    const f = {
      cross: () => k.fillCross(X, n, C, 256, T, 1, false),
      lower: () => k.fillLower(X, n, K, 1, false),
      solve: () => solveLowerMany(Lf, n, T, 256, S),
      inverse: () => inverseFromCholesky(Lf, n, Inv),
    }[which];
    // Alternate, so both see the same load.
    const js: number[] = [];
    const wasm: number[] = [];
    for (let r = 0; r < 3; r++) {
      setWasmKernels(false);
      js.push(time(f, reps));
      setWasmKernels(true);
      wasm.push(time(f, reps));
    }
    row.push(median(js), median(wasm), median(js) / median(wasm));
  }
  process.stdout.write(`| ${n} | ${row.map((v) => v.toFixed(2)).join(" | ")} |\n`);
}

if (suggestSizes.length > 0) {
  process.stdout.write(`\nsuggest() → observe, ${steps} steps from one restored sweep, wasm off / on alternately (d = 10 + cost, default settings)\n\n`);
  process.stdout.write(
    "| n | JS: median ms | wasm: median ms | JS / wasm | JS: mean CPU ms | wasm: mean CPU ms | JS / wasm (CPU) | same suggestions | load |\n|---:|---:|---:|---:|---:|---:|---:|---|---:|\n",
  );
  for (const n of suggestSizes) {
    const snapshot = prepareSweep(n, {});
    const runs: Record<string, { ms: number[]; cpu: number[]; params: unknown[] }> = { js: { ms: [], cpu: [], params: [] }, wasm: { ms: [], cpu: [], params: [] } };
    const sweeps = { js: Protein.restore(snapshot), wasm: Protein.restore(snapshot) };
    for (let s = 0; s < steps; s++) {
      for (const mode of ["js", "wasm"] as const) {
        setWasmKernels(mode === "wasm");
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const { params } = sweeps[mode].suggest();
        runs[mode].ms.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        runs[mode].cpu.push((c.user + c.system) / 1000);
        runs[mode].params.push(params);
        const { score, cost } = evaluate(params);
        sweeps[mode].observe(params, score, cost);
      }
    }
    const same = JSON.stringify(runs.js.params) === JSON.stringify(runs.wasm.params);
    const [a, b] = [median(runs.js.ms), median(runs.wasm.ms)];
    process.stdout.write(
      `| ${n} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(a / b).toFixed(2)} | ${mean(runs.js.cpu).toFixed(0)} | ${mean(runs.wasm.cpu).toFixed(0)} | ${(mean(runs.js.cpu) / mean(runs.wasm.cpu)).toFixed(2)} | ${same ? "yes" : "**no**"} | ${loadavg()[0].toFixed(1)} |\n`,
    );
  }
}
setWasmKernels(true);
