/**
 * Experiment (issue 13): a WebAssembly SIMD Cholesky against ours (`choleskyInPlace`), in one run.
 * bench/wasm/cholesky-simd.wat (hand-written WAT: the row-oriented recurrence, every dot product
 * two f64 lanes at a time with two accumulators, no cache blocking) is compiled at run time with the
 * `wabt` npm package (wat2wasm in JavaScript: no external toolchain). The wasm time includes copying
 * A into the module's memory and L back out. Agreement is reported entry-wise (max relative difference
 * over the nonzero entries of L) and norm-wise (‖L_wasm − L_js‖_F / ‖L_js‖_F).
 *
 *   npx tsx bench/wasm-cholesky.ts
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import wabtInit from "wabt";
import { choleskyInPlace } from "../src/linalg/index";
import { createRng } from "../src/random/index";

const here = dirname(fileURLToPath(import.meta.url));
const wabt = await wabtInit();
const wat = wabt.parseWat("cholesky-simd.wat", readFileSync(join(here, "wasm", "cholesky-simd.wat"), "utf8"), { simd: true });
const { buffer } = wat.toBinary({});
// The project's TypeScript lib has no WebAssembly types (no DOM lib); the little used here, typed locally.
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
const wasmApi = (globalThis as unknown as { WebAssembly: { instantiate(bytes: Uint8Array): Promise<{ instance: { exports: Record<string, unknown> } }> } }).WebAssembly;
const { instance } = await wasmApi.instantiate(buffer);
const chol = instance.exports.chol as (n: number) => number;
const memory = instance.exports.memory as WasmMemory;

/** X·Xᵀ/n + I with X uniform on [−1, 1) (the linear-algebra benchmarks' matrix). */
function spd(n: number): Float64Array {
  const rng = createRng(1);
  const X = Float64Array.from({ length: n * n }, () => rng.uniform(-1, 1));
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += X[i * n + k] * X[j * n + k];
      A[i * n + j] = A[j * n + i] = s / n + (i === j ? 1 : 0);
    }
  }
  return A;
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
process.stdout.write(`wasm SIMD Cholesky vs choleskyInPlace; ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}\n\n`);
process.stdout.write("| n | ours ms (median) | wasm ms (median, with copies) | ours / wasm | max entry-wise rel. diff | norm-wise rel. diff | load |\n|---:|---:|---:|---:|---:|---:|---:|\n");
for (const n of [100, 300, 750, 1500]) {
  const A = spd(n);
  const need = Math.ceil((n * n * 8) / 65536) - memory.buffer.byteLength / 65536;
  if (need > 0) memory.grow(need);
  const reps = n <= 300 ? 15 : n <= 750 ? 7 : 3;
  const ours: number[] = [];
  const wasm: number[] = [];
  let Lj = new Float64Array(0);
  let Lw = new Float64Array(0);
  for (let r = 0; r < reps; r++) {
    const a = A.slice();
    let t = performance.now();
    if (choleskyInPlace(a, n) !== -1) throw new Error("ours: pivot failed");
    ours.push(performance.now() - t);
    Lj = a;
    t = performance.now();
    const m = new Float64Array(memory.buffer, 0, n * n);
    m.set(A);
    if (chol(n) !== -1) throw new Error("wasm: pivot failed");
    const out = new Float64Array(n * n);
    for (let i = 0; i < n; i++) out.set(m.subarray(i * n, i * n + i + 1), i * n);
    wasm.push(performance.now() - t);
    Lw = out;
  }
  let maxRel = 0;
  let diff2 = 0;
  let norm2 = 0;
  for (let k = 0; k < n * n; k++) {
    if (Lj[k] !== 0) maxRel = Math.max(maxRel, Math.abs(Lw[k] - Lj[k]) / Math.abs(Lj[k]));
    diff2 += (Lw[k] - Lj[k]) ** 2;
    norm2 += Lj[k] ** 2;
  }
  process.stdout.write(
    `| ${n} | ${median(ours).toFixed(2)} | ${median(wasm).toFixed(2)} | ${(median(ours) / median(wasm)).toFixed(2)} | ${maxRel.toExponential(1)} | ${Math.sqrt(diff2 / norm2).toExponential(1)} | ${loadavg()[0].toFixed(1)} |\n`,
  );
}
