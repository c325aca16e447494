/**
 * Peak memory of one GP fit at n = 2000, d = 20 (GP_ITERS iterations, default 20), plus a predict of 10,000
 * candidates with variance.
 *
 * Run: GP_ITERS=3 /usr/bin/time -v node --import tsx bench/gp-memory.ts
 * (prints process.memoryUsage() and resourceUsage().maxRSS; /usr/bin/time reports "Maximum resident set size").
 */
import { GaussianProcess } from "../src/gp/index";
import { createRng } from "../src/random/index";
import { smoothProblem, uniformRows } from "./gp-problem";

const n = Number(process.env.GP_N ?? 2000);
const d = Number(process.env.GP_D ?? 20);
const rng = createRng(11);
const { X, y } = smoothProblem(n, d, 5, rng);
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const before = process.memoryUsage();
const gp = new GaussianProcess({ dim: d, kernel: "matern32", linear: true, normalizeY: "minmax" });
gp.setData(X, y);
const t0 = performance.now();
const r = gp.fit({ maxIterations: Number(process.env.GP_ITERS ?? 20) });
const t1 = performance.now();
const Xs = uniformRows(10_000, d, rng);
const p = gp.predict(Xs, { variance: true });
const t2 = performance.now();
const after = process.memoryUsage();
console.log(
  JSON.stringify({
    n,
    d,
    fit: { iterations: r.iterations, converged: r.converged, fellBack: r.fellBack, ms: Math.round(t1 - t0) },
    predictMs: Math.round(t2 - t1),
    check: p.mean[0] + p.variance![0],
    rssBefore: mb(before.rss),
    rssAfter: mb(after.rss),
    arrayBuffersAfter: mb(after.arrayBuffers),
    maxRSS: mb(process.resourceUsage().maxRSS * 1024),
    expectedScratch: `3 n×n matrices = ${mb(3 * n * n * 8)}`,
  }),
);
