/**
 * A phased sweep: phase 1 explores cheaply and saves every run to a JSON-lines file;
 * phase 2 narrows the timestep range, loads phase 1 as a prior and reports what fell
 * outside the new range (kept, not clamped).
 *
 *   npx tsx examples/phases.ts
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Protein, appendObservation, createObservationsHeader, loadObservations, saveObservations } from "../src/index";

const space = (minSteps: number, maxSteps: number, meanSteps: number) => ({
  sweep: {
    metric: "score",
    goal: "maximize",
    parameters: {
      trainer: {
        total_timesteps: { distribution: "log_normal", min: minSteps, max: maxSteps, mean: meanSteps, scale: "auto" },
        learning_rate: { distribution: "log_normal", min: 1e-5, max: 1e-2, mean: 5e-4, scale: "auto" },
      },
    },
  },
});

type P = { trainer: { total_timesteps: number; learning_rate: number } };
const train = (p: P) => ({
  score: Math.log10(p.trainer.total_timesteps) - 2 * (Math.log10(p.trainer.learning_rate) + 3.2) ** 2,
  cost: p.trainer.total_timesteps / 1e6, // seconds
});

// Phase 1: 100M..500M timesteps, cheap.
const file = join(mkdtempSync(join(tmpdir(), "protein-phases-")), "phase1.jsonl");
const phase1 = new Protein(space(1e8, 5e8, 2e8), { seed: 1, numRandomSamples: 8 });
saveObservations(file, [], createObservationsHeader({ config: phase1.config.source, spaceFingerprint: phase1.space.fingerprint }));
for (let i = 0; i < 20; i++) {
  const { params } = phase1.suggest();
  const { score, cost } = train(params as unknown as P);
  appendObservation(file, phase1.observe(params, score, cost, { metadata: { phase: 1 } }).observation);
}
console.log(`phase 1: 20 runs saved to ${file}`);

// Phase 2: the range moves to 500M..1.5B. Earlier runs keep their raw values.
const phase2 = new Protein(space(5e8, 1.5e9, 1e9), { seed: 2 });
const report = phase2.loadPrior(loadObservations(file));
for (const change of report.rangeChanges) console.log(`  change: ${change.message}`);
console.log(`phase 2: loaded ${report.loaded} earlier runs; ${report.outOfRange.length} values outside the new range were kept as they were`);
let best = -Infinity;
for (let i = 0; i < 10; i++) {
  const { params, info } = phase2.suggest();
  const { score, cost } = train(params as unknown as P);
  phase2.observe(params, score, cost, { metadata: { phase: 2 } });
  best = Math.max(best, score);
  const p = params as unknown as P;
  console.log(`  trial ${i + 1} [${info.phase}] steps=${p.trainer.total_timesteps.toExponential(2)} lr=${p.trainer.learning_rate.toExponential(2)} score=${score.toFixed(3)} best=${best.toFixed(3)}`);
}
