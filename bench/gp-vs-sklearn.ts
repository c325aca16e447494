/**
 * GP hyperparameter fit at n = 1,000, d = 10, side by side with scikit-learn in one run: the same data
 * (bench/gp-problem.ts's smooth problem), the same kernel (outputScale · Matérn 3/2 with one length scale
 * per dimension + noise; no linear term, constant mean 0, no output normalization, no priors: sklearn's
 * ConstantKernel * Matern(nu=1.5) + WhiteKernel), the same bounds and starting point, the same number of
 * random restarts. Ours is timed twice: with its default stopping rule (at most 20 L-BFGS iterations per
 * start, ftol 1e-6) and run to SciPy's L-BFGS-B defaults (ftol 2.2e-9, up to 15,000 iterations).
 *
 *   npx tsx bench/gp-vs-sklearn.ts [--n 1000] [--d 10] [--restarts 2]
 *
 * Needs Debian's python3-sklearn (/usr/bin/python3); OpenBLAS is pinned to one thread like our code.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { GaussianProcess } from "../src/gp/index";
import { createRng } from "../src/random/index";
import { smoothProblem } from "./gp-problem";
import { arg } from "./suggest-setup";

const n = Number(arg("--n", "1000"));
const d = Number(arg("--d", "10"));
const restarts = Number(arg("--restarts", "2"));
const { X, y } = smoothProblem(n, d, 4, createRng(11));
const file = join(tmpdir(), `gp-vs-sklearn-${process.pid}.json`);
writeFileSync(file, JSON.stringify({ d, X: Array.from(X), y: Array.from(y) }));

function ours(label: string, options: { maxIterations?: number; ftol?: number }): string {
  const gp = new GaussianProcess({ dim: d, kernel: "matern32", normalizeY: "none", priors: false, fitMean: false });
  gp.setData(X, y);
  const t0 = performance.now();
  const result = gp.fit({ ...options, restarts, rng: createRng(7) });
  const seconds = (performance.now() - t0) / 1000;
  return `| ours, ${label} | ${seconds.toFixed(1)} | ${result.lml.toFixed(3)} | ${result.evaluations ?? "?"} | ${loadavg()[0].toFixed(1)} |`;
}

process.stdout.write(`GP fit, n = ${n}, d = ${d}, Matérn 3/2 ARD + noise, ${restarts} restarts; ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}\n\n`);
process.stdout.write("| fit | wall s | LML reached | LML evaluations | load (1 min) |\n|---|---:|---:|---:|---:|\n");
process.stdout.write(`${ours("default stopping (20 iterations/start, ftol 1e-6)", {})}\n`);
const env = { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
const sk = JSON.parse(execFileSync("/usr/bin/python3", ["tools/bench-sklearn-gp.py", file, String(restarts)], { env, encoding: "utf8" })) as { seconds: number; lml: number; sklearn: string; numpy: string; scipy: string };
process.stdout.write(`| scikit-learn ${sk.sklearn} (numpy ${sk.numpy}, scipy ${sk.scipy}, OpenBLAS 1 thread) | ${sk.seconds.toFixed(1)} | ${sk.lml.toFixed(3)} | — | ${loadavg()[0].toFixed(1)} |\n`);
process.stdout.write(`${ours("to SciPy's tolerance (ftol 2.2e-9, 15,000 iterations/start)", { maxIterations: 15000, ftol: 2.2e-9 })}\n`);
