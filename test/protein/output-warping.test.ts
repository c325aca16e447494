import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OUTPUT_WARPINGS as CONFIG_OUTPUT_WARPINGS } from "../../src/config/settings";
import { ConfigError } from "../../src/errors";
import { Protein } from "../../src/protein";
import {
  OUTPUT_WARPINGS,
  type OutputWarp,
  boxCox,
  boxCoxLambda,
  boxCoxLogLikelihood,
  warpCandidates,
  warpChoiceSet,
  warpDerivative,
  warpForward,
  warpInverse,
  warpLogJacobian,
  yeoJohnson,
  yeoJohnsonLambda,
  yeoJohnsonLogLikelihood,
} from "../../src/protein/output-warping";
import { createRng } from "../../src/random";

/** scipy.stats.boxcox / yeojohnson on fixed samples (tools/make-output-warping-fixtures.py). */
interface Sample {
  name: string;
  x: number[];
  boxcox?: { lambda: number; values: number[] };
  boxcoxLlf?: Array<{ lambda: number; llf: number }>;
  yeojohnson: { lambda: number; values: number[] };
  yeojohnsonLlf: Array<{ lambda: number; llf: number }>;
}
const fixture = JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "output-warping.json"), "utf8")) as { samples: Sample[] };

function relClose(got: number, want: number, rel: number): void {
  expect(Math.abs(got - want)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(want)));
}

describe("Box–Cox and Yeo–Johnson against scipy", () => {
  it("has the five samples, four of them positive", () => {
    expect(fixture.samples.map((s) => s.name)).toEqual(["lognormal", "gaussian", "heavy", "leftskew", "mixedsign"]);
    expect(fixture.samples.filter((s) => s.boxcox).length).toBe(4);
  });

  for (const sample of fixture.samples) {
    if (sample.boxcox) {
      it(`${sample.name}: Box–Cox profile likelihood, maximum-likelihood λ and transformed values`, () => {
        for (const { lambda, llf } of sample.boxcoxLlf!) relClose(boxCoxLogLikelihood(sample.x, lambda), llf, 1e-10);
        const { lambda } = boxCoxLambda(sample.x);
        // scipy's Brent stops at ~1.5e-8 relative in λ; the likelihood is flat there, so compare λ to 1e-5.
        expect(Math.abs(lambda - sample.boxcox!.lambda)).toBeLessThan(1e-5 * Math.max(1, Math.abs(sample.boxcox!.lambda)));
        sample.x.forEach((x, i) => relClose(boxCox(x, sample.boxcox!.lambda), sample.boxcox!.values[i], 1e-10));
      });
    }
    it(`${sample.name}: Yeo–Johnson profile likelihood, maximum-likelihood λ and transformed values`, () => {
      for (const { lambda, llf } of sample.yeojohnsonLlf) relClose(yeoJohnsonLogLikelihood(sample.x, lambda), llf, 1e-10);
      const { lambda } = yeoJohnsonLambda(sample.x);
      expect(Math.abs(lambda - sample.yeojohnson.lambda)).toBeLessThan(1e-5 * Math.max(1, Math.abs(sample.yeojohnson.lambda)));
      sample.x.forEach((x, i) => relClose(yeoJohnson(x, sample.yeojohnson.lambda), sample.yeojohnson.values[i], 1e-10));
    });
  }
});

describe("warps: inverse, derivative, Jacobian", () => {
  const s = [-3.2, -1, -0.4, 0, 0.3, 2, 7.5];
  const warps: OutputWarp[] = [
    { kind: "identity", lambda: 1, orientation: 1, offset: 0, scale: 1 },
    { kind: "log", lambda: 0, orientation: -1, offset: -8.1, scale: 1 },
    { kind: "log", lambda: 0, orientation: 1, offset: -3.5, scale: 1 },
    { kind: "box-cox", lambda: -0.7, orientation: -1, offset: -8.1, scale: 1 },
    { kind: "box-cox", lambda: 2.3, orientation: 1, offset: -3.5, scale: 1 },
    { kind: "yeo-johnson", lambda: 0.4, orientation: -1, offset: 0, scale: 2.5 },
    { kind: "yeo-johnson", lambda: 1.8, orientation: -1, offset: 0, scale: 0.7 },
  ];
  for (const w of warps) {
    it(`${w.kind} λ = ${w.lambda}, orientation ${w.orientation}: increasing, T⁻¹(T(s)) = s, T' matches a central difference`, () => {
      for (let i = 0; i < s.length; i++) {
        const t = warpForward(w, s[i]);
        expect(Math.abs(warpInverse(w, t) - s[i])).toBeLessThan(1e-11 * Math.max(1, Math.abs(s[i])));
        if (i > 0) expect(t).toBeGreaterThan(warpForward(w, s[i - 1]));
        const h = 1e-5;
        const fd = (warpForward(w, s[i] + h) - warpForward(w, s[i] - h)) / (2 * h);
        expect(Math.abs(warpDerivative(w, s[i]) - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
      }
      const jac = s.reduce((acc, v) => acc + Math.log(warpDerivative(w, v)), 0);
      expect(warpLogJacobian(w, s)).toBeCloseTo(jac, 12);
    });
  }

  it("the log warp of a loss is log(gap to the best + δ), δ the gap from the best to the third best", () => {
    // Maximize frame: s = −loss. Losses 0.1, 0.2, 0.5, 100, 1e5 → gaps to the best 0, 0.1, 0.4, 99.9, …; δ = 0.4.
    const s = [-0.1, -0.2, -0.5, -100, -1e5];
    const [w] = warpCandidates("log", s);
    expect(w).toMatchObject({ kind: "log", orientation: -1 });
    s.forEach((v) => expect(warpForward(w, v)).toBeCloseTo(-Math.log(-0.1 - v + 0.4), 12));
  });

  it("a reward spanning decades upward is still warped on its gap to the best (the bad tail compressed, never the good end)", () => {
    // Right-skewed rewards (maximize): their gap to the worst looks log-normal, but compressing it would squeeze the
    // best runs together. Every candidate works on the gap to the best, and Box–Cox is offered only with λ < 1.
    const s = [1, 1.5, 2, 3, 5, 8, 20, 60, 300, 2000, 1e4];
    const candidates = warpCandidates("auto", s);
    for (const w of candidates.filter((c) => c.kind !== "identity")) {
      expect(w.orientation).toBe(-1);
      expect(w.lambda).toBeLessThanOrEqual(0.9);
      // The two best rewards stay further apart after the warp than the two worst (relative to their raw gaps).
      const top = (warpForward(w, 1e4) - warpForward(w, 2000)) / 8000;
      const bottom = (warpForward(w, 1.5) - warpForward(w, 1)) / 0.5;
      expect(top).toBeGreaterThan(bottom);
    }
    expect(warpCandidates("log", s)[0].orientation).toBe(-1);
    expect(warpCandidates("box-cox", s)[0].orientation).toBe(-1);
  });

  it("the Box–Cox profile likelihood is scale-equivariant at every λ, however far the data spread (no rounding to a zero variance)", () => {
    // llf(c·x, λ) = llf(x, λ) − n log c, so λ̂ does not depend on the units. Computed directly, (x^λ − 1)/λ of gaps of
    // 100 … 1e6 at λ = −10 all round to 0.1, the variance to 0 and the likelihood to +∞ (λ̂ came back as 1 then).
    const x = [1, 2, 3.5, 7, 12, 40, 90, 300, 2e3, 1e4];
    const c = 1e2;
    const n = x.length;
    for (const lambda of [-10, -4, -0.5, 0, 0.5, 3, 10]) {
      const a = boxCoxLogLikelihood(x, lambda);
      const b = boxCoxLogLikelihood(x.map((v) => c * v), lambda);
      expect(Number.isFinite(a) && Number.isFinite(b)).toBe(true);
      expect(Math.abs(b - (a - n * Math.log(c)))).toBeLessThan(1e-8 * Math.max(1, Math.abs(a)));
    }
    const base = boxCoxLambda(x).lambda;
    expect(Math.abs(base)).toBeLessThan(0.5);
    expect(boxCoxLambda(x.map((v) => c * v)).lambda).toBeCloseTo(base, 6);
  });

  it('"auto" offers a warp only when the gaps to the best look log-normal: not for a bounded reward piled up near 0', () => {
    // A noisy reward in [0, 1) where most settings give about 0 (a training run that does not learn) and a few do
    // well: the gaps to the best pile up at their largest value. The log of them would make the few good runs a long
    // tail of the targets; "auto" compares nothing and keeps identity.
    const rng = createRng(4);
    const reward = Array.from({ length: 30 }, (_, i) => (i % 6 === 0 ? 0.3 + 0.5 * rng.random() : 0.02 * rng.random()) + 0.02 * rng.normal());
    const set = warpChoiceSet("auto", reward);
    expect(set.candidates).toEqual([expect.objectContaining({ kind: "identity" })]);
    expect(set.gapLambda).toBeGreaterThan(1);
    // A loss spanning decades (minimized: s = −loss): log is offered, and Box–Cox when its λ is in range.
    const loss = Array.from({ length: 30 }, () => Math.exp(3 * rng.normal()));
    const heavy = warpChoiceSet("auto", loss.map((v) => -v));
    expect(heavy.candidates.map((w) => w.kind)).toEqual(expect.arrayContaining(["identity", "log"]));
    expect(heavy.gapLambda).toBeLessThan(0.5);
    // Between two refits the surrogate skips the test (the last choice is kept): then log is among the candidates.
    expect(warpChoiceSet("auto", reward, 0, false).candidates.map((w) => w.kind)).toContain("log");
    // The fixed settings are not gated.
    expect(warpCandidates("log", reward)).toEqual([expect.objectContaining({ kind: "log" })]);
    expect(warpCandidates("box-cox", reward)).toEqual([expect.objectContaining({ kind: "box-cox" })]);
  });

  it("fewer than three distinct scores: identity whatever the setting", () => {
    expect(warpCandidates("auto", [1, 1, 2])).toEqual([expect.objectContaining({ kind: "identity" })]);
    expect(warpCandidates("log", [3, 3])).toEqual([expect.objectContaining({ kind: "identity" })]);
  });
});

/** A sweep of 2 parameters on [0, 1]² given `n` observations of score(x). */
function sweepWith(score: (x: number, y: number, noise: number) => number, goal: "maximize" | "minimize", options: Record<string, unknown>, n = 40): Protein {
  const config = {
    metric: "score",
    goal,
    parameters: {
      x: { distribution: "uniform", min: 0, max: 1, mean: 0.5, scale: "auto" },
      y: { distribution: "uniform", min: 0, max: 1, mean: 0.5, scale: "auto" },
    },
  };
  const p = new Protein(config, { seed: 5, ...options });
  const rng = createRng(99);
  for (let i = 0; i < n; i++) {
    const x = rng.random();
    const y = rng.random();
    p.observe({ x, y }, score(x, y, rng.normal()));
  }
  return p;
}

describe('outputWarping: "auto" chooses per fit and reports it', () => {
  it("picks log on clearly log-normal scores (a loss exp(g(x)) spanning 5 decades, with log-scale noise)", () => {
    const p = sweepWith((x, y, e) => Math.exp(6 * ((x - 0.3) ** 2 + (y - 0.6) ** 2) * 4 + 0.05 * e - 2), "minimize", { outputWarping: "auto" });
    const info = p.suggest().info;
    expect(info.phase).toBe("model");
    expect(info.outputWarping).toMatchObject({ setting: "auto", kind: "log", lambda: 0, orientation: "lower" });
    const c = info.outputWarping!.criteria!;
    expect(c.log).toBeGreaterThan(c.identity! + 10);
  });

  it("on many rows still compares every transform at a refit and still picks log for a log-normal loss; a restored sweep continues alike", () => {
    // 300 rows: beyond 256 the transforms other than the current one get a short warm refit for the comparison.
    const loss = (x: number, y: number, e: number) => Math.exp(6 * ((x - 0.3) ** 2 + (y - 0.6) ** 2) * 4 + 0.05 * e - 2);
    const p = sweepWith(loss, "minimize", { outputWarping: "auto", numRandomSamples: 0 }, 300);
    const first = p.suggest();
    expect(first.info.outputWarping).toMatchObject({ kind: "log" });
    expect(Object.keys(first.info.outputWarping!.criteria!).sort()).toEqual(expect.arrayContaining(["identity", "log"]));
    const copy = Protein.restore(p.snapshot());
    const rng = createRng(3);
    for (let i = 0; i < 20; i++) {
      const x = rng.random();
      const y = rng.random();
      const e = rng.normal();
      p.observe({ x, y }, loss(x, y, e));
      copy.observe({ x, y }, loss(x, y, e));
    }
    // 320 rows: due for a refit (5 % growth), with "log" the current transform.
    const a = p.suggest();
    const b = copy.suggest();
    expect(a.info.scoreModel?.refitted).toBe(true);
    expect(a.info.outputWarping).toMatchObject({ kind: "log" });
    expect(b.params).toEqual(a.params);
    expect(b.info.outputWarping).toEqual(a.info.outputWarping);
  });

  it("picks identity on Gaussian scores (a smooth function plus Gaussian noise), and says why when it compared nothing", () => {
    const p = sweepWith((x, y, e) => 2 + Math.sin(3 * x) + Math.cos(2 * y) + 0.05 * e, "maximize", { outputWarping: "auto" });
    const info = p.suggest().info;
    expect(info.outputWarping).toMatchObject({ setting: "auto", kind: "identity", lambda: 1 });
    // Either log was compared and lost, or the gaps to the best did not look log-normal (λ̂ ≥ ½ or so) and nothing
    // was compared.
    const w = info.outputWarping!;
    expect(w.gapLambda).toBeDefined();
    if (w.criteria === undefined) expect(w.gapLambda!).toBeGreaterThan(0.4);
    else expect(w.criteria.identity).toBeGreaterThan(w.criteria.log!);
  });

  it("a fixed setting is used as given and reported; \"auto\" is the default; \"none\" reports nothing", () => {
    const loss = (x: number, y: number) => Math.exp(10 * x + 3 * y);
    for (const setting of ["log", "box-cox", "yeo-johnson"] as const) {
      const info = sweepWith(loss, "minimize", { outputWarping: setting }).suggest().info;
      expect(info.outputWarping?.kind).toBe(setting);
      expect(info.outputWarping?.setting).toBe(setting);
      expect(info.outputWarping?.criteria).toBeUndefined();
    }
    expect(sweepWith(loss, "minimize", {}).suggest().info.outputWarping).toMatchObject({ setting: "auto" });
    expect(sweepWith(loss, "minimize", { outputWarping: "none" }).suggest().info.outputWarping).toBeUndefined();
  });

  it("predict() under a log warp returns raw-unit scores near the observed ones", () => {
    const loss = (x: number, y: number) => Math.exp(8 * x + 2 * y);
    const p = sweepWith(loss, "minimize", { outputWarping: "log" }, 50);
    const [a, b] = p.predict([{ x: 0.2, y: 0.5 }, { x: 0.9, y: 0.5 }]);
    expect(a.score / loss(0.2, 0.5)).toBeGreaterThan(0.8);
    expect(a.score / loss(0.2, 0.5)).toBeLessThan(1.25);
    expect(b.score / loss(0.9, 0.5)).toBeGreaterThan(0.8);
    expect(b.score / loss(0.9, 0.5)).toBeLessThan(1.25);
    expect(a.scoreStd).toBeGreaterThan(0);
    expect(b.scoreStd).toBeGreaterThan(a.scoreStd); // the band widens with the loss on a log scale
  });

  it("minimizing a loss and maximizing its negative choose the same warp and suggest the same points", () => {
    const loss = (x: number, y: number, e: number) => Math.exp(5 * x * x + 4 * (y - 0.2) ** 2 + 0.1 * e);
    const a = sweepWith(loss, "minimize", { outputWarping: "auto" });
    const b = sweepWith((x, y, e) => -loss(x, y, e), "maximize", { outputWarping: "auto" });
    const sa = a.suggest();
    const sb = b.suggest();
    expect(sa.params).toEqual(sb.params);
    expect(sa.info.outputWarping).toEqual(sb.info.outputWarping);
  });

  it("with observation noise, δ of the log is floored at the noise fitted at the top; without noise it is not", () => {
    // A loss spanning 2 decades (0.1 … ~10), plus raw-unit noise of sd 0.05 in the first sweep: about 5 % of the
    // span of the better half of the runs, which is what the noise at the top is fitted on.
    const loss = (x: number, y: number) => 0.1 + 40 * ((x - 0.3) ** 2 + (y - 0.6) ** 2) ** 2;
    const noisy = sweepWith((x, y, e) => loss(x, y) + 0.05 * e, "minimize", { outputWarping: "log" }, 60);
    const w = noisy.suggest().info.outputWarping!;
    expect(w.kind).toBe("log");
    // On the order of the noise (sd 0.05; a GP on 30 rows explains part of it as signal).
    expect(w.noiseFloor).toBeGreaterThan(0.01);
    expect(w.noiseFloor).toBeLessThan(0.2);
    // The floor holds across a snapshot: the restored sweep suggests what the uninterrupted one does.
    const snap = JSON.parse(JSON.stringify(noisy.snapshot()));
    expect(snap.gp.warping.topNoise).toBe(w.noiseFloor);
    const restored = Protein.restore(snap);
    expect(restored.suggest().params).toEqual(noisy.suggest().params);
    const clean = sweepWith((x, y) => loss(x, y), "minimize", { outputWarping: "log" }, 60);
    expect(clean.suggest().info.outputWarping!.noiseFloor).toBeUndefined();
  });

  it("survives snapshot/restore and exportState/importState: the next suggestions equal the uninterrupted sweep's", () => {
    const loss = (x: number, y: number) => Math.exp(9 * (x - 0.7) ** 2 + 6 * (y - 0.2) ** 2);
    const run = (p: Protein, steps: number) =>
      Array.from({ length: steps }, () => {
        const s = p.suggest();
        p.observe(s.params, loss(s.params.x as number, s.params.y as number));
        return s;
      });
    const a = sweepWith(loss, "minimize", { outputWarping: "auto" }, 15);
    run(a, 3);
    const snap = JSON.parse(JSON.stringify(a.snapshot()));
    expect(["identity", "log", "box-cox"]).toContain(snap.gp.warping.kind);
    expect(Object.keys(snap.gp.warping.scores).length).toBeGreaterThanOrEqual(2);
    const b = Protein.restore(snap);
    // c: a fresh sweep given the same observations, then a's exported state.
    const c = new Protein(a.config.source as object, { seed: 5, outputWarping: "auto" });
    for (const o of a.observations) c.observe(o.params, o.score as number);
    c.importState(JSON.parse(JSON.stringify(a.exportState())));
    const fromA = run(a, 4).map((s) => [s.params, s.info.outputWarping]);
    expect(run(b, 4).map((s) => [s.params, s.info.outputWarping])).toEqual(fromA);
    expect(run(c, 4).map((s) => [s.params, s.info.outputWarping])).toEqual(fromA);
  });
});

describe("outputWarping: bad values", () => {
  it("the config schema accepts exactly the transforms the surrogate implements", () => {
    expect([...CONFIG_OUTPUT_WARPINGS]).toEqual([...OUTPUT_WARPINGS]);
  });

  it("an unknown value names the key, the value and what is allowed, in options and in a config", () => {
    const config = { metric: "m", goal: "maximize", parameters: { x: { distribution: "uniform", min: 0, max: 1, mean: 0.5, scale: "auto" } } };
    const bad = () => new Protein(config, { outputWarping: "logarithm" as never });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/outputWarping[\s\S]*"logarithm"[\s\S]*"none", "auto", "log", "box-cox", "yeo-johnson"/);
    const inConfig = () => new Protein({ ...config, protein: { output_warping: "rank" } });
    expect(inConfig).toThrow(ConfigError);
    expect(inConfig).toThrow(/output_warping[\s\S]*"rank"[\s\S]*"auto"/);
  });

  it("scores near ±1.7e308 (a spread that overflows): auto falls back to identity, suggest and predict stay finite", () => {
    const huge = [1.7e308, -1.7e308, 1e308, -1.5e308, 0, 1.79e308];
    let i = 0;
    const p = sweepWith(() => huge[i++ % huge.length], "maximize", { outputWarping: "auto" }, 12);
    const s = p.suggest();
    expect(s.info.outputWarping?.kind).toBe("identity");
    expect(Number.isFinite(s.info.predictedScore)).toBe(true);
    const [q] = p.predict([{ x: 0.5, y: 0.5 }]);
    expect(Number.isFinite(q.score) && Number.isFinite(q.scoreStd)).toBe(true);
  });

  it("a snapshot whose score GP state has another dimension is refused even when the warping states are fine", () => {
    const p = sweepWith((x, y) => Math.exp(4 * x + y), "minimize", { outputWarping: "auto" }, 12);
    p.suggest();
    const snap = JSON.parse(JSON.stringify(p.snapshot()));
    snap.gp.score.logParams = snap.gp.score.logParams.slice(1);
    expect(() => Protein.restore(snap)).toThrow(/model state does not fit/);
  });

  it("a snapshot whose warping state names an unknown transform is refused by field", () => {
    const loss = (x: number, y: number) => Math.exp(4 * x + y);
    const p = sweepWith(loss, "minimize", { outputWarping: "auto" }, 12);
    p.suggest();
    const snap = JSON.parse(JSON.stringify(p.snapshot()));
    snap.gp.warping.kind = "sqrt";
    expect(() => Protein.restore(snap)).toThrow(/gp\.warping\.kind/);
  });
});
