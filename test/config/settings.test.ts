/**
 * Issue 9: constructor settings are validated completely (they were not: acquisition
 * "bogus" rated every candidate 0, globalCandidates 1e9 got the process killed).
 */
import { describe, expect, it } from "vitest";
import { ConfigError, ProteinError } from "../../src/errors";
import { MAX_GLOBAL_CANDIDATES } from "../../src/config/settings";
import { Protein } from "../../src/protein";
import { validateProteinOptions } from "../../src/settings";

const config = { sweep: { metric: "m", goal: "maximize", parameters: { lr: { distribution: "log_normal", min: 1e-5, max: 1e-2 } } } };

function settingsError(options: unknown): ConfigError {
  try {
    new Protein(config, options as never);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(ProteinError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("constructor settings", () => {
  it.each([
    [{ acquisition: "bogus" }, "acquisition", '"protein", "ei", "logei", "ucb"'],
    [{ numRandomSamples: -5 }, "numRandomSamples", "an integer ≥ 0"],
    [{ gpMaxObs: 0 }, "gpMaxObs", "an integer ≥ 2"],
    [{ globalCandidates: 1e9 }, "globalCandidates", `an integer from 0 to ${MAX_GLOBAL_CANDIDATES}`],
    [{ suggestionsPerPareto: 1e7 }, "suggestionsPerPareto", "an integer from 1 to 10000"],
    [{ expansionRate: Number.NaN }, "expansionRate", "a number ≥ 0"],
    [{ seed: 1.5 }, "seed", "an integer or a string"],
    [{ prunePareto: "yes" }, "prunePareto", "true or false"],
    [{ costPacing: -0.25 }, "costPacing", "a number ≥ 0 (a suggestion's predicted cost is at most this multiple of the cost spent so far"],
  ])("%o is refused naming the key, value, allowed and fix", (options, key, allowed) => {
    const e = settingsError(options);
    expect(e.key).toBe(key);
    expect(e.message).toContain(`setting ${key} is invalid`);
    expect(e.message).toContain(`key: ${key}`);
    expect(e.message).toContain("got: ");
    expect(e.allowed).toContain(allowed);
    expect(e.fix).toContain(`set ${key} to`);
  });

  it("unknown setting names get a did-you-mean", () => {
    const e = settingsError({ maxSugestionCost: 3 });
    expect(e.message).toContain('unknown setting "maxSugestionCost"');
    expect(e.fix).toContain('did you mean "maxSuggestionCost"?');
    expect(settingsError({ num_random_samples: 3 }).fix).toContain('did you mean "numRandomSamples"?');
  });

  it("several problems are reported at once", () => {
    const e = settingsError({ acquisition: "bogus", gpMaxObs: 0, seedd: 1 });
    expect(e.issues.map((i) => i.key)).toEqual(["acquisition", "gpMaxObs", "seedd"]);
    expect(e.message).toContain("3 problems");
  });

  it("null, an array or a number as options is a ConfigError, not a TypeError", () => {
    for (const options of [null, [], 5]) expect(settingsError(options).key).toBe("options");
  });

  it("valid settings pass, numbers written as text are converted, undefined means unset", () => {
    expect(validateProteinOptions({ numRandomSamples: "3", acquisition: "ei", seed: "abc", costParam: null, globalCandidates: MAX_GLOBAL_CANDIDATES, gpMaxObs: undefined })).toEqual({ numRandomSamples: 3, acquisition: "ei", seed: "abc", costParam: null, globalCandidates: MAX_GLOBAL_CANDIDATES });
    const protein = new Protein(config, { seed: 7, numRandomSamples: 2 });
    expect(protein.settings.numRandomSamples).toBe(2);
  });

  it("a config's protein: block sets costPacing as cost_pacing (0 turns the spend pacing off)", () => {
    const withBlock = { sweep: { ...config.sweep, protein: { cost_pacing: 0 } } };
    expect(new Protein(withBlock, { seed: 1 }).settings.costPacing).toBe(0);
    expect(new Protein(config, { seed: 1 }).settings.costPacing).toBe(0.25);
    expect(() => new Protein({ sweep: { ...config.sweep, protein: { cost_pacing: "fast" } } }, { seed: 1 })).toThrow(/cost_pacing/);
  });

  it("a snapshot's settings are accepted back (restore passes them all)", () => {
    const protein = new Protein(config, { seed: 7 });
    expect(() => validateProteinOptions(JSON.parse(JSON.stringify(protein.settings)))).not.toThrow();
  });
});
