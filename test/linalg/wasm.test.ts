import { execFileSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { ConstantKernel, LinearKernel, ScaledKernel, StationaryKernel, SumKernel, type Kernel } from "../../src/gp/kernels";
import { setWasmKernels, wasmExp, wasmExp2, wasmKernelsActive, wasmMemoryBytes } from "../../src/linalg/wasm/index";
import { GaussianProcess } from "../../src/gp/index";
import { choleskyInPlace, inverseFromCholesky, solveLowerMany } from "../../src/linalg/index";
import { Protein } from "../../src/protein";
import { createRng } from "../../src/random";

/** Index of the first entry where a and b differ in their bits (Object.is), or −1. */
function firstDifference(a: Float64Array, b: Float64Array): number {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** Rows with category codes 0, 1, 2 in the categorical columns, uniform on [−1, 1] elsewhere. */
function rows(rng: ReturnType<typeof createRng>, m: number, d: number, cats: readonly number[]): Float64Array {
  const X = new Float64Array(m * d);
  for (let i = 0; i < m; i++) for (let j = 0; j < d; j++) X[i * d + j] = cats.includes(j) ? Math.floor(rng.uniform(0, 3)) : rng.uniform(-1, 1);
  return X;
}

/** fillCross and fillLower with the wasm kernels and with the JavaScript loops, from the same starting contents. */
function bothWays(make: () => Kernel, A: Float64Array, m: number, B: Float64Array, n: number, accumulate: boolean, fromRow: number) {
  const run = (wasm: boolean) => {
    setWasmKernels(wasm);
    const k = make();
    const cross = Float64Array.from({ length: m * n }, (_, i) => (accumulate ? 0.25 * (i % 7) : Number.NaN));
    k.fillCross(A, m, B, n, cross, 1.7, accumulate);
    const lower = Float64Array.from({ length: m * m }, (_, i) => (accumulate ? 0.5 * (i % 5) : 0));
    k.fillLower(A, m, lower, 0.9, accumulate, fromRow);
    return { cross, lower };
  };
  const w = run(true);
  const js = run(false);
  return { cross: firstDifference(w.cross, js.cross), lower: firstDifference(w.lower, js.lower) };
}

afterEach(() => setWasmKernels(true));

describe("WebAssembly cross kernels", () => {
  it("are available on this Node (the fast path is the one the benchmarks measure)", () => {
    expect(wasmKernelsActive()).toBe(true);
  });

  it("compute exp as Math.exp does, bit for bit (the kernels' values depend on it)", () => {
    const rng = createRng(5);
    const special = [0, -0, 1, -1, 0.5, 2, 1e-300, -1e-300, 2 ** -28, -(2 ** -29), 0.3465735902799726, -0.3465735902799727, 1.0397207708399179, -1.03972077083992,
      709.782712893384, 709.7827128933841, -745.1332191019411, -745.1332191019412, -708.4, -1021 * Math.LN2, -1022.5 * Math.LN2, 1023.9 * Math.LN2,
      Infinity, -Infinity, Number.NaN, Number.MIN_VALUE, -Number.MAX_VALUE];
    const same = (x: number, y: number): boolean => {
      const [ex, ey] = wasmExp2(x, y);
      return Object.is(wasmExp(x), Math.exp(x)) && Object.is(ex, Math.exp(x)) && Object.is(ey, Math.exp(y));
    };
    const bad: number[] = special.filter((x, i) => !same(x, special[(i + 7) % special.length]));
    // The kernels' arguments (−t, −r²/2) and everything else, in ranges of very different scale.
    for (const [lo, hi] of [[-1e-8, 1e-8], [-1.5, 1.5], [-60, 0], [-800, 800], [-746, -700]] as const) {
      for (let i = 0; i < 200_000 && bad.length < 5; i++) {
        const x = rng.uniform(lo, hi);
        const y = i % 3 === 0 ? special[i % special.length] : rng.uniform(lo, hi); // lanes in different regimes too
        if (!same(x, y)) bad.push(x, y);
      }
    }
    expect(bad).toEqual([]);
  });

  it("give the JavaScript loops' bits for every kernel type, shape, categorical layout and accumulate mode", () => {
    const rng = createRng(11);
    const shapes: [number, number, number][] = [
      [33, 40, 1],
      [64, 17, 3],
      [41, 256, 11],
      [130, 9, 6],
      [97, 63, 12],
    ];
    for (const [m, n, d] of shapes) {
      for (const cats of [[], [0], [1, d - 1].filter((j, i, a) => j < d && a.indexOf(j) === i)]) {
        if (cats.length >= d) continue;
        const A = rows(rng, m, d, cats);
        const B = rows(rng, n, d, cats);
        const theta = Array.from({ length: d }, () => rng.uniform(-1.5, 1));
        const makers: [string, () => Kernel][] = [
          ...(["rbf", "matern32", "matern52"] as const).map((type): [string, () => Kernel] => [
            type,
            () => {
              const k = new StationaryKernel(type, d, cats);
              k.setLogParams(theta, 0);
              return k;
            },
          ]),
          [
            "linear",
            () => {
              const k = new LinearKernel(d, cats);
              k.setLogParams([0.3], 0);
              return k;
            },
          ],
          [
            "matern32+linear",
            () => {
              const k = new SumKernel([new StationaryKernel("matern32", d, cats), new LinearKernel(d, cats)]);
              k.setLogParams([...theta, -0.7], 0);
              return k;
            },
          ],
          [
            // The GP's default kernel: σ·(Matérn + linear + constant), computed whole in the module (wasmCrossSum).
            "scaled(matern52+linear+constant)",
            () => {
              const k = new ScaledKernel(new SumKernel([new StationaryKernel("matern52", d, cats), new LinearKernel(d, cats), new ConstantKernel(d)]));
              k.setLogParams([0.4, ...theta, -0.7, -1.3], 0);
              return k;
            },
          ],
        ];
        for (const [name, make] of makers) {
          for (const accumulate of [false, true]) {
            for (const fromRow of [0, Math.floor(m / 3)]) {
              const diff = bothWays(make, A, m, B, n, accumulate, fromRow);
              expect({ name, m, n, d, cats, accumulate, fromRow, ...diff }).toEqual({ name, m, n, d, cats, accumulate, fromRow, cross: -1, lower: -1 });
            }
          }
        }
      }
    }
  });

  it("solve L·X = B and invert from the factor with the JavaScript blocks' bits (every n mod 4, tile edges, tails)", () => {
    const rng = createRng(21);
    for (const n of [32, 33, 63, 64, 65, 66, 130, 131]) {
      // An SPD matrix and its factor.
      const G = Float64Array.from({ length: n * n }, () => rng.uniform(-1, 1));
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += G[i * n + k] * G[j * n + k];
        A[i * n + j] = A[j * n + i] = s / n + (i === j ? 0.5 : 0);
      }
      expect(choleskyInPlace(A, n)).toBe(-1);
      for (const m of [8, 11, 64, 70, 131]) {
        const B = Float64Array.from({ length: n * m }, () => rng.uniform(-2, 2));
        setWasmKernels(true);
        const w = solveLowerMany(A, n, B, m);
        setWasmKernels(false);
        const js = solveLowerMany(A, n, B, m);
        expect({ n, m, at: firstDifference(w, js) }).toEqual({ n, m, at: -1 });
      }
      setWasmKernels(true);
      const wi = inverseFromCholesky(A, n);
      setWasmKernels(false);
      const ji = inverseFromCholesky(A, n);
      expect({ n, inverse: firstDifference(wi, ji) }).toEqual({ n, inverse: -1 });
    }
  });

  it("give the variance bound's bits (the per-candidate factorizations at the nearest rows), odd and even blocks", () => {
    const rng = createRng(8);
    for (const [n, q, d, neighbours] of [[40, 9, 3, 8], [300, 517, 6, 32], [90, 256, 11, 32], [33, 40, 2, 33]] as const) {
      const X = Float64Array.from({ length: n * d }, () => rng.uniform(-1, 1));
      const y = Float64Array.from({ length: n }, (_, i) => Math.sin(3 * X[i * d]) + 0.1 * rng.normal());
      const gp = new GaussianProcess({ kernel: "matern52", dim: d, linear: true, normalizeY: "none" });
      gp.setData(X, y);
      gp.fit({ maxIterations: 5 });
      const C = Float64Array.from({ length: q * d }, () => rng.uniform(-1.2, 1.2));
      setWasmKernels(true);
      const w = gp.predictMeanAndVarianceBound(C, { includeNoise: false, neighbours });
      setWasmKernels(false);
      const js = gp.predictMeanAndVarianceBound(C, { includeNoise: false, neighbours });
      expect({ n, q, mean: firstDifference(w.mean, js.mean), bound: firstDifference(w.varianceBound, js.varianceBound) }).toEqual({ n, q, mean: -1, bound: -1 });
    }
  });

  it("do not grow the module's memory from one prediction to the next", () => {
    const rng = createRng(9);
    const n = 200;
    const d = 5;
    const X = Float64Array.from({ length: n * d }, () => rng.uniform(-1, 1));
    const gp = new GaussianProcess({ kernel: "matern32", dim: d, linear: true, normalizeY: "none" });
    gp.setData(X, Float64Array.from({ length: n }, (_, i) => X[i * d]));
    const C = Float64Array.from({ length: 300 * d }, () => rng.uniform(-1, 1));
    gp.predictMeanAndVarianceBound(C, { includeNoise: false, neighbours: 32 });
    gp.predict(C, { variance: true });
    const size = wasmMemoryBytes();
    for (let r = 0; r < 5; r++) {
      gp.predictMeanAndVarianceBound(C, { includeNoise: false, neighbours: 32 });
      gp.predict(C, { variance: true });
    }
    expect(wasmMemoryBytes()).toBe(size);
  });

  it("leave a sweep's suggestions unchanged (mixed parameter types, 25 steps)", () => {
    const config = {
      sweep: {
        metric: "score",
        goal: "maximize",
        parameters: {
          lr: { distribution: "log_normal", min: 1e-5, max: 1e-1, scale: "auto" },
          layers: { distribution: "int_uniform", min: 1, max: 8 },
          act: { values: ["relu", "gelu", "tanh"] },
          drop: { distribution: "uniform", min: 0, max: 0.5 },
        },
      },
    };
    const sweep = (wasm: boolean): unknown[] => {
      setWasmKernels(wasm);
      const p = new Protein(config, { seed: 4, numRandomSamples: 5 });
      const out: unknown[] = [];
      for (let s = 0; s < 25; s++) {
        const { params } = p.suggest();
        out.push(params);
        const lr = params.lr as number;
        const score = -((Math.log10(lr) + 3) ** 2) - 0.1 * ((params.layers as number) - 4) ** 2 + (params.act === "gelu" ? 0.3 : 0) - (params.drop as number);
        p.observe(params, score, 1 + (params.layers as number));
      }
      return out;
    };
    expect(sweep(true)).toEqual(sweep(false));
  });

  it("ship the bytes tools/build-wasm.ts compiles from the generated WAT", () => {
    // Throws (exit 1, "stale: …") if src/linalg/wasm/kernels.wat or kernels-binary.ts differs from a fresh build.
    execFileSync(process.execPath, ["--import", "tsx", "tools/build-wasm.ts", "--check"], { stdio: "pipe" });
  });
});
