#!/usr/bin/env node
// A stand-in training script for the command-line sweep (examples/cli-sweep.yaml).
//
// It takes its hyperparameters as Hydra-style overrides (trainer.learning_rate=0.003 ...),
// "trains" for trainer.total_steps steps, and reports the way any script can:
//   METRIC eval/return=<value>   one line per evaluation (the last one is the result)
// Replace it with your own training command; nothing else about the sweep changes.
const args = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const eq = arg.indexOf("=");
    return [arg.slice(0, eq), arg.slice(eq + 1)];
  }),
);
const lr = Number(args["trainer.learning_rate"]);
const batch = Number(args["trainer.batch_size"]);
const gamma = Number(args["trainer.gamma"]);
const optimizer = args["trainer.optimizer"];
const steps = Number(args["trainer.total_steps"] ?? 20);

// A smooth made-up landscape: best near lr = 3e-3 (adam) or 3e-2 (sgd), batch 64, gamma 0.99.
const bestLr = optimizer === "adam" ? 3e-3 : 3e-2;
const quality =
  1 - 0.25 * Math.log10(lr / bestLr) ** 2 - 0.1 * Math.log2(batch / 64) ** 2 / 4 - 40 * (gamma - 0.99) ** 2 + (optimizer === "adam" ? 0.05 : 0);
// Bigger batches take longer per step (the sweep's cost is wall-clock seconds).
const stepMs = 10 + batch / 16;

for (let step = 1; step <= steps; step++) {
  await new Promise((resolve) => setTimeout(resolve, stepMs));
  const progress = 1 - Math.exp(-step / (steps / 3));
  if (step % 5 === 0 || step === steps) console.log(`step ${step}/${steps}\nMETRIC eval/return=${(100 * quality * progress).toFixed(3)}`);
}
