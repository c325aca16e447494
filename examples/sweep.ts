/**
 * An example sweep: Protein tunes a synthetic "training run" with mixed parameter types
 * (log-scaled learning rate, power-of-two batch size, integer layers, logit-scaled gamma,
 * a categorical optimizer) and a cost parameter (total timesteps).
 *
 *   npm run example            # 40 trials
 *   npm run example -- 80 7    # 80 trials, seed 7
 *
 * Replace `train()` with your own training function: it gets the suggested params and
 * returns the metric (score) and what the run cost (here, seconds).
 */
import { Protein } from "../src/index";

const config = `
sweep:
  metric: eval/return
  goal: maximize
  protein:
    num_random_samples: 8
    max_suggestion_cost: 600
  parameters:
    train:
      learning_rate:   { distribution: log_normal, min: 1.0e-5, max: 1.0e-1, mean: 1.0e-3, scale: auto }
      batch_size:      { distribution: uniform_pow2, min: 32, max: 4096, mean: 256, scale: auto }
      gamma:           { distribution: logit_normal, min: 0.9, max: 0.9999, mean: 0.99, scale: auto }
      optimizer:       { values: [sgd, adam, lion], mean: sgd }
      total_timesteps: { distribution: log_normal, min: 1.0e5, max: 1.0e7, mean: 1.0e6, scale: auto }
    model:
      layers:          { distribution: int_uniform, min: 1, max: 8, mean: 2, scale: auto }
`;

interface Params {
  train: { learning_rate: number; batch_size: number; gamma: number; optimizer: string; total_timesteps: number };
  model: { layers: number };
}

/** A deterministic stand-in for a training run: score peaks at lr ≈ 3e-3, batch 512, 4 layers, gamma ≈ 0.995, adam; more timesteps help with diminishing returns. */
function train(p: Params, trial: number): { score: number; cost: number } {
  const t = p.train;
  const lrTerm = -((Math.log10(t.learning_rate) - Math.log10(3e-3)) ** 2);
  const batchTerm = -0.3 * (Math.log2(t.batch_size) - 9) ** 2 / 4;
  const layerTerm = -0.15 * (p.model.layers - 4) ** 2;
  const gammaTerm = -((Math.log10(1 - t.gamma) - Math.log10(0.005)) ** 2);
  const optTerm = t.optimizer === "adam" ? 0 : t.optimizer === "lion" ? -0.3 : -0.8;
  const stepsTerm = 2 * (1 - Math.exp(-t.total_timesteps / 2e6));
  const noise = 0.02 * Math.sin(trial * 12.9898) ; // deterministic "noise"
  const score = 10 + lrTerm + batchTerm + layerTerm + gammaTerm + optTerm + stepsTerm + noise;
  const cost = (t.total_timesteps / 1e4) * (0.5 + 0.1 * p.model.layers) * (256 / t.batch_size) ** 0.3;
  return { score, cost };
}

const trials = Number(process.argv[2] ?? 40);
const seed = Number(process.argv[3] ?? 7);
const protein = new Protein(config, { seed });
let best: { score: number; params: Params; trial: number } | undefined;
let spent = 0;
const started = Date.now();

const fmt = (p: Params) =>
  `lr=${p.train.learning_rate.toExponential(2)} bs=${p.train.batch_size} layers=${p.model.layers} gamma=${p.train.gamma.toFixed(4)} opt=${p.train.optimizer} steps=${p.train.total_timesteps.toExponential(2)}`;

for (let trial = 1; trial <= trials; trial++) {
  const { params, info } = protein.suggest();
  const p = params as unknown as Params;
  const { score, cost } = train(p, trial);
  protein.observe(params, score, cost);
  spent += cost;
  if (!best || score > best.score) best = { score, params: p, trial };
  console.log(
    `trial ${String(trial).padStart(3)} [${info.phase.padEnd(6)}] ${fmt(p)}  score=${score.toFixed(3)} cost=${cost.toFixed(0)}s  best=${best.score.toFixed(3)} (trial ${best.trial})`,
  );
}

console.log(`\n${trials} trials in ${((Date.now() - started) / 1000).toFixed(1)} s of optimizer time, ${spent.toFixed(0)} s of simulated training`);
console.log(`best score ${best!.score.toFixed(4)} at trial ${best!.trial}:`);
console.log(JSON.stringify(best!.params, null, 2));
