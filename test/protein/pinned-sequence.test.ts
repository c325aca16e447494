import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PINNED_VARIANTS, runPinned } from "./pinned-driver";

const recorded = JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "protein-pinned-sequence.json"), "utf8")) as Record<string, unknown[]>;

describe("a seeded 30-step sweep makes the suggestions recorded before protein.ts was split", () => {
  for (const [name, options] of Object.entries(PINNED_VARIANTS)) {
    it(`${name} settings: every params, id and info field bit for bit`, () => {
      const got = runPinned(options);
      expect(got).toHaveLength(30);
      expect(got).toEqual(recorded[name]);
    });
  }
});
