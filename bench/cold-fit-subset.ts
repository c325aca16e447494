/**
 * The cold GP fit of a large training set: to convergence on all rows (coldFitRows = 0) against to convergence on
 * a seeded subset of `coldFitRows` rows followed by one capped warm refit on all rows (the default). Reports the
 * log marginal likelihood each reaches on all rows and the wall time of the first suggest() (both cold fits).
 *
 *   npx tsx bench/cold-fit-subset.ts [--sizes 750,3000] [--rows 0,200] [--fit-iterations 50]
 *
 * --fit-iterations (a list) sets `fitIterations`, the cap of the warm refit on all rows that follows the subset fit.
 */
import { Protein } from "../src/protein";
import { cpus, loadavg } from "node:os";
import { arg, config, observeRandom } from "./suggest-setup";

const sizes = arg("--sizes", "750,3000").split(",").map(Number);
const rowSettings = arg("--rows", "0,200").split(",").map(Number);
const fitCaps = arg("--fit-iterations", "50").split(",").map(Number);
process.stdout.write(`cold fit: ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}, load ${loadavg()[0].toFixed(1)}\n\n`);
process.stdout.write("| n | GP rows | coldFitRows | fitIterations | first suggest() ms | CPU ms | score GP LML | cost GP LML | load |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
for (const n of sizes) {
  for (const coldFitRows of rowSettings) for (const fitIterations of fitCaps) {
    const protein = new Protein(config, { seed: 1, numRandomSamples: 10, coldFitRows, fitIterations });
    observeRandom(protein, n);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const { info } = protein.suggest();
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    process.stdout.write(
      `| ${n} | ${info.scoreModel?.observations} | ${coldFitRows} | ${fitIterations} | ${ms.toFixed(0)} | ${((c.user + c.system) / 1000).toFixed(0)} | ${info.scoreModel?.logMarginalLikelihood.toFixed(2)} | ${info.costModel?.logMarginalLikelihood.toFixed(2)} | ${loadavg()[0].toFixed(1)} |\n`,
    );
  }
}
