/**
 * posteriorMaxObs: beyond gpMaxObs rows and up to posteriorMaxObs, both GPs condition on every row while their
 * hyperparameters are fitted on a capped subset; beyond posteriorMaxObs, the capped training set as before.
 */
import { describe, expect, it } from "vitest";
import { Protein } from "../../src/protein";
import { ConfigError } from "../../src/errors";
import { config, observeRandom } from "../../bench/suggest-setup";
import type { ProteinOptions } from "../../src/settings";

function sweep(n: number, more: ProteinOptions): Protein {
  const p = new Protein(config, { seed: 5, numRandomSamples: 10, gpMaxObs: 40, coldFitRows: 20, ...more });
  observeRandom(p, n);
  return p;
}

describe("posteriorMaxObs", () => {
  it("conditions both GPs on every row between gpMaxObs and posteriorMaxObs, and on the capped set beyond", () => {
    const capped = sweep(90, {}).suggest();
    const exact = sweep(90, { posteriorMaxObs: 100 }).suggest();
    expect(capped.info.scoreModel!.observations).toBeLessThanOrEqual(40 + Math.ceil(40 / 16));
    expect(exact.info.scoreModel!.observations).toBe(90);
    expect(exact.info.costModel!.observations).toBe(90);
    // Beyond posteriorMaxObs the capped set serves again.
    const beyond = sweep(120, { posteriorMaxObs: 100 }).suggest();
    expect(beyond.info.scoreModel!.observations).toBeLessThanOrEqual(40 + Math.ceil(40 / 16));
    // At or below gpMaxObs the setting changes nothing.
    const a = sweep(35, {});
    const b = sweep(35, { posteriorMaxObs: 100 });
    for (let i = 0; i < 3; i++) {
      const sa = a.suggest();
      const sb = b.suggest();
      expect(sb.params).toEqual(sa.params);
      a.abandon(sa.id);
      b.abandon(sb.id);
    }
  });

  it("fits the hyperparameters on the capped subset: the same ones the capped sweep fits, conditioned on every row", () => {
    // Same subset (the capped set's rule), same cold start, the whole warm refit at once in both; identity targets.
    const same: ProteinOptions = { outputWarping: "none", coldRefitSlice: 0 };
    const capped = sweep(90, same).suggest();
    const exact = sweep(90, { ...same, posteriorMaxObs: 100 }).suggest();
    expect(exact.info.scoreModel!.observations).toBe(90);
    expect(capped.info.scoreModel!.observations).toBe(42); // 40 older rows + the 2 since the cap's base last moved
    expect(exact.info.scoreModel!.lengthscaleRange).toEqual(capped.info.scoreModel!.lengthscaleRange);
    expect(exact.info.scoreModel!.noise).toBe(capped.info.scoreModel!.noise);
    expect(exact.info.costModel!.lengthscaleRange).toEqual(capped.info.costModel!.lengthscaleRange);
    // The likelihoods differ: one is of 40 rows, the other of all 90 under the same hyperparameters.
    expect(exact.info.scoreModel!.logMarginalLikelihood).not.toBe(capped.info.scoreModel!.logMarginalLikelihood);
  });

  it("continues a restored sweep exactly as the uninterrupted one", () => {
    const a = sweep(70, { posteriorMaxObs: 100 });
    const s0 = a.suggest();
    a.observe(s0.params, 0.5, 100);
    const b = Protein.restore(a.snapshot());
    for (let i = 0; i < 3; i++) {
      const sa = a.suggest();
      const sb = b.suggest();
      expect(sb.params).toEqual(sa.params);
      a.observe(sa.params, -0.1 * i, 50);
      b.observe(sb.params, -0.1 * i, 50);
    }
  });

  it("rejects a negative or fractional value, naming the setting", () => {
    for (const bad of [-1, 10.5]) {
      expect(() => new Protein(config, { posteriorMaxObs: bad })).toThrow(ConfigError);
      try {
        new Protein(config, { posteriorMaxObs: bad });
      } catch (e) {
        expect(JSON.stringify(e) + String((e as Error).message)).toContain("posteriorMaxObs");
      }
    }
  });
});
