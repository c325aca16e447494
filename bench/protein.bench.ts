/**
 * suggest() wall time at n = 100, 300, 750 observations, d = 10.
 *
 * One iteration is one step of a real sweep: restore the sweep at n − 1 observations
 * (GP warm starts included), observe one more run, suggest. Restoring alone is timed as
 * `protein:restore+observe` so it can be subtracted. Run with:
 *
 *   npx vitest bench --run bench/protein.bench.ts
 */
import { bench, describe } from "vitest";
import { Protein, type ProteinSnapshot } from "../src/protein";
import type { ProteinOptions } from "../src/settings";
import { createRng } from "../src/random";

const d = 10;
const parameters: Record<string, unknown> = {};
for (let j = 0; j < d; j++) parameters[`x${j}`] = { distribution: "uniform", min: 0, max: 1 };
parameters.train = { total_timesteps: { distribution: "log_normal", min: 1e6, max: 1e8, scale: "auto" } };
const config = { sweep: { metric: "score", goal: "maximize", parameters } };

/** A smooth test objective with a cost that grows with total_timesteps. */
function evaluate(p: Record<string, unknown>): { score: number; cost: number } {
  let s = 0;
  for (let j = 0; j < d; j++) s -= ((p[`x${j}`] as number) - 0.2 - 0.05 * j) ** 2;
  const t = (p.train as { total_timesteps: number }).total_timesteps;
  return { score: s + Math.log10(t) * 0.1 + 0.05 * Math.sin(10 * (p.x0 as number)), cost: t / 1e4 };
}

function prepare(n: number, options: ProteinOptions): { snapshot: ProteinSnapshot; next: Record<string, unknown> } {
  const protein = new Protein(config, { seed: 1, numRandomSamples: 10, ...options });
  const rng = createRng(2);
  for (let i = 0; i < n - 1; i++) {
    const x = Float64Array.from({ length: protein.space.dim }, () => rng.uniform(-1, 1));
    const params = protein.space.fromVector(x);
    const { score, cost } = evaluate(params);
    protein.observe(params, score, cost);
  }
  const warm = protein.suggest(); // fits both GPs once, as the previous step of the sweep would have
  protein.abandon(warm.id);
  const next = protein.space.fromVector(Float64Array.from({ length: protein.space.dim }, () => rng.uniform(-1, 1)));
  return { snapshot: protein.snapshot(), next };
}

const modes: Array<[string, ProteinOptions]> = [
  ["reference", { acquisition: "protein", fitMethod: "adam" }],
  ["default", {}],
];

for (const n of [100, 300, 750]) {
  describe(`protein:suggest:n=${n},d=${d + 1}`, () => {
    for (const [name, options] of modes) {
      const { snapshot, next } = prepare(n, options);
      const { score, cost } = evaluate(next);
      let sink = 0;
      bench(
        `protein:suggest:${name}:n=${n}`,
        () => {
          const protein = Protein.restore(snapshot);
          protein.observe(next, score, cost);
          sink += protein.suggest().info.index;
        },
        { iterations: n >= 750 ? 5 : 10, time: 0, warmupIterations: 1 },
      );
      bench(
        `protein:restore+observe:${name}:n=${n}`,
        () => {
          const protein = Protein.restore(snapshot);
          protein.observe(next, score, cost);
          sink += protein.observations.length;
        },
        { iterations: 10, time: 0, warmupIterations: 1 },
      );
      if (sink < 0) throw new Error("unreachable");
    }
  });
}
