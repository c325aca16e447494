import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PINNED_VARIANTS, runPinned } from "./pinned-driver";

type Step = { params: { train: Record<string, unknown> }; info: Record<string, unknown> };
const recorded = JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "protein-pinned-sequence.json"), "utf8")) as Record<string, Step[]>;

/**
 * Two deliberate changes since the recording (made with the code before the split), and
 * nothing else:
 * 1. A pending suggestion's row is now the row of the params as issued (what a restored
 *    sweep or another process's addPending holds), not the candidate row they were rounded
 *    from. Only a suggestion made while another is pending sees it (step 9 of "default" and
 *    of "referenceNoResample"):
 *    the same params and id, its rating and predictions moved in the 14th digit.
 * 2. A resample step asked for a fixed cost now runs the front member at that cost (it used
 *    to ignore fixedCost). Step 17 of "reference" is such a step: the same front member,
 *    total_timesteps = 2e6. What follows rests on a different observation, so the later
 *    steps of that variant are not compared ("referenceNoResample" covers all 30 steps of
 *    the reference settings).
 * 3. Every suggestion's info now says which cost parameter is in force (`info.costParam`,
 *    issue 14): the pinned config's train.total_timesteps, detected by its name. The field is
 *    checked here and then set aside; everything else must match as recorded.
 * 4. Issue 14 changed two defaults on purpose (candidateBounds "reflect-except-cost"; a cold GP fit runs to
 *    convergence, coldFitIterations 500), so the "default" variant was re-recorded with
 *    `runPinned(PINNED_VARIANTS.default)` of test/protein/pinned-driver.ts (changes 1–3 are in that
 *    recording); the reference variants (clipping, Adam fit) still match the old recording.
 * 5. Issue 14, round 2 changed two more defaults on purpose (costCooling 1: the log-EI steps rate EI per unit of
 *    predicted cost, cooled as the spend grows; costWeightPower 0), so "default" was re-recorded the same way
 *    (its log-EI steps now also report info.costCoolingAlpha); the reference variants are unchanged.
 * 6. Issue 14, round 4 made outputWarping "auto" the default (the scores are warped when the gaps to the best look
 *    log-normal and the GP's likelihood prefers it), so "default" was re-recorded the same way: the first other
 *    params are at step 6 (index 5), a model step where "auto" chose the log, and every model step's info now has
 *    outputWarping. The reference variants pin "none" and are unchanged.
 * 7. Issue 14, stop 23 made scoreMean "edges" the default (the score GP's prior mean falls toward the faces), so
 *    "default" was re-recorded the same way: the first other params are at step 6 (index 5), the first model step,
 *    and every model step's info.scoreModel now has the trend's coefficient. The reference variants pin "constant"
 *    (REFERENCE_SETTINGS) and are unchanged.
 * 8. Issue 14, stop 24 made costPacing 0.25 the default (no suggestion predicted to cost more than a quarter of the
 *    cost spent so far), so "default" was re-recorded the same way: every model step's info now has costCap, and the
 *    cap first moves the params at step 13 (index 12). The reference variants pin costPacing 0 and are unchanged.
 */
const PENDING_ROW_CHANGE: Record<string, number[]> = { default: [], reference: [], referenceNoResample: [9] };
const FIXED_COST_RESAMPLE: Record<string, number | undefined> = { reference: 17 };

describe("a seeded 30-step sweep makes the suggestions recorded before protein.ts was split", () => {
  for (const [name, options] of Object.entries(PINNED_VARIANTS)) {
    it(`${name} settings: every params, id and info field bit for bit`, () => {
      const got = runPinned(options) as Step[];
      for (const step of got) {
        expect(step.info.costParam).toMatchObject({ key: "train.total_timesteps", source: "detected" });
        delete step.info.costParam;
      }
      for (const step of recorded[name]) delete step.info.costParam;
      let expected = structuredClone(recorded[name]);
      expect(got).toHaveLength(30);
      for (const i of PENDING_ROW_CHANGE[name]) {
        for (const field of ["rating", "predictedScore", "predictedCost"]) expected[i].info[field] = expect.closeTo(expected[i].info[field] as number, 10);
      }
      const changed = FIXED_COST_RESAMPLE[name];
      if (changed !== undefined) {
        expect(expected[changed].info.phase).toBe("resample");
        expected[changed].params.train.total_timesteps = 2e6;
        expected = expected.slice(0, changed + 1);
      }
      expect(got.slice(0, expected.length)).toEqual(expected);
    });
  }
});
