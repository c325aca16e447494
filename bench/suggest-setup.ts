/** The sweep the suggest benchmarks time: d = 10 uniform parameters + a log_normal cost parameter. */
import { Protein, type ProteinSnapshot, type Suggestion } from "../src/protein";
import { createRng } from "../src/random";
import type { ProteinOptions } from "../src/settings";

export const d = 10;
const parameters: Record<string, unknown> = {};
for (let j = 0; j < d; j++) parameters[`x${j}`] = { distribution: "uniform", min: 0, max: 1 };
parameters.train = { total_timesteps: { distribution: "log_normal", min: 1e6, max: 1e8, scale: "auto" } };
export const config = { sweep: { metric: "score", goal: "maximize", parameters } };

/** A smooth objective with a ripple, and a cost that grows with total_timesteps. */
export function evaluate(p: Record<string, unknown>): { score: number; cost: number } {
  let s = 0;
  for (let j = 0; j < d; j++) s -= ((p[`x${j}`] as number) - 0.2 - 0.05 * j) ** 2;
  const t = (p.train as { total_timesteps: number }).total_timesteps;
  return { score: s + Math.log10(t) * 0.1 + 0.05 * Math.sin(10 * (p.x0 as number)), cost: t / 1e4 };
}

/** n observed random points (the runs a sweep would have made). */
export function observeRandom(protein: Protein, n: number, seed = 2): void {
  const rng = createRng(seed);
  for (let i = 0; i < n; i++) {
    const x = Float64Array.from({ length: protein.space.dim }, () => rng.uniform(-1, 1));
    const params = protein.space.fromVector(x);
    const { score, cost } = evaluate(params);
    protein.observe(params, score, cost);
  }
}

/** `steps` suggestions (each abandoned, so the next one is made from the same observations) after n random observations. */
export function suggestionsAfterRandom(n: number, options: ProteinOptions, steps: number): Suggestion[] {
  const protein = new Protein(config, { numRandomSamples: 10, ...options });
  observeRandom(protein, n);
  const out: Suggestion[] = [];
  for (let i = 0; i < steps; i++) {
    const s = protein.suggest();
    out.push(s);
    protein.abandon(s.id);
  }
  return out;
}

/** A sweep at n observations (random points), with both GPs fitted once as the previous step would have. */
export function prepareSweep(n: number, options: ProteinOptions): ProteinSnapshot {
  // coldRefitSlice 0: the preparing cold fit refits on all rows at once, so the timed steps start from a fully
  // fitted sweep (as a sweep that grew one observation at a time is) instead of finishing a spread refit.
  const protein = new Protein(config, { seed: 1, numRandomSamples: 10, coldRefitSlice: 0, ...options });
  observeRandom(protein, n);
  protein.abandon(protein.suggest().id);
  return protein.snapshot();
}

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
