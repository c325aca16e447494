/**
 * One model step of `preset: "pufferlib"` against PufferLib 2.0's own `pufferlib/sweep.py::Protein`:
 * test/fixtures/puffer2-step.json holds what the Python Protein did when handed a fixed list of observations and
 * asked for one suggestion (tools/make-puffer2-step-fixtures.py; the command is in the fixture): the noise's start,
 * every random draw of the step, the GP hyperparameters after its fit, the candidate it picked and that
 * candidate's rating and predictions. Given the same observations and the same draws, the preset's step must fit
 * the same GP and pick the same candidate. This is the whole step — the fit, the cost GP on the score GP's
 * hyperparameters, the clipped candidates, the cost weight and the argmax — where test/gp/pyro-fit.test.ts checks
 * the fit alone. The Python side keeps its parameters in float32; the two agree to about 2e-7 (at most 5e-6), and
 * the tolerances are 1e-5.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseSweepConfig } from "../../src/config/parse";
import { PRESET_ENGINES, PRESETS } from "../../src/presets";
import { ReferenceEngine } from "../../src/protein/reference";
import type { Rng } from "../../src/random";
import { DEFAULT_SETTINGS, type ProteinSettings } from "../../src/settings";
import { SearchSpace } from "../../src/space/search-space";

interface StepCase {
  name: string;
  config: Record<string, unknown>;
  X: number[][];
  scores: number[];
  costs: number[];
  initialNoise: number;
  suggestionsPerPareto: number;
  draws: { centers: number[]; uniforms: number[][]; target: number };
  fitted: { linearVariance: number; bias: number; maternVariance: number; lengthscales: number[]; noise: number };
  winner: { index: number; rating: number; margin: number; row: number[] };
  predicted: { cost: number; score: number; rating: number };
}

const fixture = JSON.parse(readFileSync(new URL("../fixtures/puffer2-step.json", import.meta.url), "utf8")) as { cases: StepCase[] };
const NOISE_PRIOR = PRESET_ENGINES.pufferlib.noisePrior!;

/**
 * Plays back the Python step's draws: the noise's start (a normal deviate of its LogNormal prior), the centre
 * indices, the uniform offsets row by row, then the cost target. Any other draw is a test failure.
 */
function scriptedRng(c: StepCase): Rng {
  const centers = [...c.draws.centers];
  const uniforms = [...c.draws.uniforms.flat(), c.draws.target];
  const unexpected = (what: string) => (): never => {
    throw new Error(`the step drew ${what}, which the Python Protein's step does not`);
  };
  return {
    random: () => {
      if (uniforms.length === 0) throw new Error("the step drew more uniforms than the Python Protein did");
      return uniforms.shift()!;
    },
    normal: (mu = 0, sigma = 1) => {
      expect(mu).toBeCloseTo(NOISE_PRIOR.mu, 12);
      expect(sigma).toBe(NOISE_PRIOR.sigma);
      return Math.log(c.initialNoise);
    },
    int: (lo: number, hi: number) => {
      const k = centers.shift();
      if (k === undefined || k < lo || k > hi) throw new Error(`centre index ${k} outside [${lo}, ${hi}]`);
      return k;
    },
    uniform: unexpected("uniform(a, b)"),
    choice: unexpected("choice()"),
    shuffle: unexpected("shuffle()"),
    uint32: unexpected("uint32()"),
    getState: unexpected("getState()"),
    setState: unexpected("setState()"),
  };
}

function expectRel(actual: number, expected: number, rel: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-9);
}

describe('preset: "pufferlib" takes the model step PufferLib 2.0\'s sweep.py takes', () => {
  for (const c of fixture.cases) {
    it(`${c.name}: the same fit, the same winner, its rating and predictions`, () => {
      // The flat Protein-style config the Python Protein was given, read by protein-sweep's own parser.
      const space = SearchSpace.fromConfig(parseSweepConfig(c.config));
      const d = space.dim;
      // PufferLib's "auto" scale is half the normalized range, the candidates' half-width around a centre.
      expect(Array.from(space.scales)).toEqual(new Array(d).fill(0.5));
      const settings = { ...DEFAULT_SETTINGS, ...PRESETS.pufferlib, preset: "pufferlib", suggestionsPerPareto: c.suggestionsPerPareto, seed: 0, costParam: null } as ProteinSettings;
      const rng = scriptedRng(c);
      const engine = new ReferenceEngine(space, settings, 1, rng, "pufferlib");
      const n = c.X.length;
      const step = engine.step({ n, X: Float64Array.from(c.X.flat()), s: Float64Array.from(c.scores), cost: Float64Array.from(c.costs) }, 1, undefined, undefined);

      expect(step.phase).toBe("model");
      expect(step.candidates).toBe(c.draws.uniforms.length);
      // Every uniform the Python step drew (offsets, then the cost target) was used, and no more.
      expect(() => rng.random()).toThrow(/more uniforms/);

      // The fit: pyro's parameters after 1000 Adam steps from the same start.
      const phi = engine.getState().score!.pyro!.phi.map(Math.exp);
      const want = c.fitted;
      expectRel(phi[0], want.linearVariance, 1e-5);
      expectRel(phi[1], want.bias, 1e-5);
      expectRel(phi[2], want.maternVariance, 1e-5);
      want.lengthscales.forEach((l, j) => expectRel(phi[3 + j], l, 1e-5));
      expectRel(phi[3 + d], want.noise, 1e-5);

      // The winner: the same candidate (the same row, clipped where the Python one is), rated and predicted alike.
      Array.from(step.x!).forEach((u, j) => expect(u).toBeCloseTo(c.winner.row[j], 12));
      expectRel(step.rating!, c.winner.rating, 1e-5);
      expect(c.winner.margin).toBeGreaterThan(1e-3 * Math.abs(c.winner.rating));
      expectRel(step.predictedScore!, c.predicted.score, 1e-5);
      expectRel(step.predictedCost!, c.predicted.cost, 1e-5);
    });
  }
});
