/**
 * candidateScaleRows: beyond that many training rows the candidate set shrinks in proportion (so rating it costs
 * about the same at any size); at or below it nothing changes.
 */
import { describe, expect, it } from "vitest";
import { Protein } from "../../src/protein";
import { ConfigError } from "../../src/errors";
import { config, suggestionsAfterRandom } from "../../bench/suggest-setup";
import type { ProteinOptions } from "../../src/settings";

function suggestions(n: number, more: ProteinOptions, steps = 3) {
  return suggestionsAfterRandom(n, { seed: 3, ...more }, steps);
}

describe("candidateScaleRows", () => {
  it("changes nothing while the score GP has at most that many rows", () => {
    const a = suggestions(40, {});
    const b = suggestions(40, { candidateScaleRows: 40 });
    expect(b.map((s) => s.params)).toEqual(a.map((s) => s.params));
    expect(b.map((s) => s.info)).toEqual(a.map((s) => s.info));
  });

  it("beyond it, scales the candidates per centre and the global ones by rows/R (at least 32 per centre)", () => {
    const full = suggestions(80, {}, 2);
    const half = suggestions(80, { candidateScaleRows: 40 }, 2);
    const floor = suggestions(80, { candidateScaleRows: 2 }, 2);
    for (let i = 0; i < 2; i++) {
      const f = full[i].info.candidates!;
      // info.candidates also counts the local refinement's points, which do not shrink: a little over half.
      expect(half[i].info.candidates! / f).toBeGreaterThan(0.45);
      expect(half[i].info.candidates! / f).toBeLessThan(0.6);
      // 2/80 of 256 per centre would be 6: the floor of 32 holds (global candidates: 1024·2/80 ≈ 26).
      expect(floor[i].info.candidates!).toBeGreaterThan(0.1 * f);
      expect(floor[i].info.candidates!).toBeLessThan(0.25 * f);
    }
    // A scaled sweep still suggests valid points inside the box.
    for (const s of half) for (let j = 0; j < 10; j++) expect((s.params as Record<string, number>)[`x${j}`]).toBeGreaterThanOrEqual(0);
  });

  it("beyond gpMaxObs, grows the candidates back with observations / rows: all of them from twice the rows on", () => {
    // gpMaxObs 40: the training set holds 40–43 rows whatever the observations. R = 30.
    const capped = { gpMaxObs: 40, candidateScaleRows: 30 };
    const near = suggestions(50, capped, 1)[0];
    const nearFull = suggestions(50, { ...capped, candidateScaleRows: 0 }, 1)[0];
    const far = suggestions(100, capped, 1)[0];
    const farFull = suggestions(100, { ...capped, candidateScaleRows: 0 }, 1)[0];
    expect(near.info.scoreModel?.observations).toBeLessThanOrEqual(43);
    expect(far.info.scoreModel?.observations).toBeLessThanOrEqual(43);
    // At 50 observations on ~41 rows: 30/41 · 50/41 ≈ 0.9 of the candidates (plus the local points, which do not shrink).
    expect(near.info.candidates! / nearFull.info.candidates!).toBeGreaterThan(0.8);
    expect(near.info.candidates! / nearFull.info.candidates!).toBeLessThan(0.97);
    // At 100 observations (more than twice the rows) every candidate is back, and so is the suggestion.
    expect(far.info.candidates).toBe(farFull.info.candidates);
    expect(far.params).toEqual(farFull.params);
  });

  it("rejects a negative or fractional value with the key, the value and what is allowed", () => {
    for (const bad of [-1, 2.5, "many"]) {
      let caught: unknown;
      try {
        new Protein(config, { candidateScaleRows: bad as number });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect(String((caught as Error).message) + JSON.stringify(caught)).toContain("candidateScaleRows");
    }
  });
});
