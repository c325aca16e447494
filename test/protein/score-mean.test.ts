/**
 * `scoreMean`: a trend in the score GP's prior mean that is lower toward the faces of the box. Along a
 * parameter the score does not depend on, log EI otherwise prefers the faces (the posterior variance is
 * largest there); with "edges" the suggestions leave the faces alone unless the data say the faces are good.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_SETTINGS, PRESETS, Protein, REFERENCE_SETTINGS } from "../../src/index";

const config = {
  metric: "score",
  goal: "maximize",
  parameters: {
    lr: { distribution: "log_normal", min: 1e-5, max: 1e-1 },
    width: { distribution: "uniform", min: 0, max: 1 },
    unused: { distribution: "uniform", min: 0, max: 1 },
  },
} as const;

/** Best at lr = 1e-3 and width = 0.4, inside the box; `unused` does nothing. */
function score(p: Record<string, number>): number {
  const u = (Math.log10(p.lr) + 3) / 2;
  return 1 - u * u - (p.width - 0.4) ** 2;
}

/** Model-phase suggestions of a 40-run sweep with a parameter within 1 % of its range from a bound. */
function nearFaces(scoreMean: "constant" | "edges" | undefined, seed: number): { near: number; model: number; trends: number[] } {
  const p = new Protein(config as never, scoreMean === undefined ? { seed } : { seed, scoreMean });
  let near = 0;
  let model = 0;
  const trends: number[] = [];
  for (let i = 0; i < 40; i++) {
    const s = p.suggest();
    const x = s.params as Record<string, number>;
    if (s.info.phase === "model") {
      model++;
      const u = [(Math.log10(x.lr) + 5) / 4, x.width, x.unused];
      if (u.some((v) => v <= 0.01 || v >= 0.99)) near++;
      if (s.info.scoreModel?.trend !== undefined) trends.push(s.info.scoreModel.trend);
    }
    p.observe(x, score(x), 1);
  }
  return { near, model, trends };
}

describe("scoreMean", () => {
  it('"edges" keeps suggestions off the faces of a parameter that does not matter, and reports the trend', () => {
    let constant = 0;
    let edges = 0;
    for (const seed of [1, 2, 3]) {
      const c = nearFaces("constant", seed);
      const e = nearFaces("edges", seed);
      expect(c.trends).toEqual([]);
      expect(e.trends.length).toBe(e.model);
      // The score falls toward the lr faces, so the data call for a trend.
      expect(Math.max(...e.trends)).toBeGreaterThan(0);
      constant += c.near;
      edges += e.near;
    }
    expect(constant).toBeGreaterThanOrEqual(10);
    expect(edges).toBeLessThan(constant / 2);
  });

  it('is "edges" by default; the presets and REFERENCE_SETTINGS keep the Python Protein\'s constant mean', () => {
    expect(DEFAULT_SETTINGS.scoreMean).toBe("edges");
    expect(PRESETS.metta.scoreMean).toBe("constant");
    expect(PRESETS.pufferlib.scoreMean).toBe("constant");
    expect(REFERENCE_SETTINGS.scoreMean).toBe("constant");
    // A sweep with no settings fits the trend at every model step (the score falls toward the lr faces here)...
    const byDefault = nearFaces(undefined, 4);
    expect(byDefault.trends.length).toBe(byDefault.model);
    expect(Math.max(...byDefault.trends)).toBeGreaterThan(0);
    // ...and a preset sweep does not, nor does it refuse its own settings.
    const q = new Protein(config as never, { seed: 4, preset: "metta" });
    let modelSteps = 0;
    for (let i = 0; i < 16; i++) {
      const s = q.suggest();
      if (s.info.scoreModel !== undefined) modelSteps++;
      expect(s.info.scoreModel?.trend).toBeUndefined();
      q.observe(s.params, score(s.params as Record<string, number>), 1);
    }
    expect(modelSteps).toBeGreaterThanOrEqual(3);
  });

  it("refuses an unknown value, naming the key and what is allowed", () => {
    expect(() => new Protein(config as never, { scoreMean: "quadratic" as never })).toThrow(ConfigError);
    try {
      new Protein(config as never, { scoreMean: "quadratic" as never });
    } catch (e) {
      expect(String(e)).toMatch(/scoreMean/);
      expect(String(e)).toMatch(/"constant".*"bowl".*"edges"|"edges"/s);
    }
  });
});
