import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  costBudgetProtocol,
  divergence,
  getProblem,
  heavyTailedProblems,
  product6,
  mixedTraining,
  mixedTrainingCost,
  MIXED_NOISE_SD,
  problems,
  readParam,
  runsWithinBudget,
  STYBLINSKI_TANG_MIN_PER_DIM,
  syntheticProblems,
  type QualityProblem,
} from "../bench/quality/problems";
import { ProteinError } from "../src/errors";

// ---------------------------------------------------------------------------
// Test-only helpers: flatten a config's parameters, build params, a seeded source.

interface Spec {
  readonly key: string;
  readonly distribution?: string;
  readonly min?: number;
  readonly max?: number;
  readonly mean?: number;
  readonly values?: readonly unknown[];
}

function flatSpecs(problem: QualityProblem): Spec[] {
  const sweep = problem.config.sweep as Record<string, unknown>;
  const out: Spec[] = [];
  const walk = (node: Record<string, unknown>, prefix: string): void => {
    for (const [name, value] of Object.entries(node)) {
      const key = prefix === "" ? name : `${prefix}.${name}`;
      const spec = value as Record<string, unknown>;
      if ("distribution" in spec || "values" in spec) out.push({ key, ...spec } as Spec);
      else walk(spec, key);
    }
  };
  walk(sweep.parameters as Record<string, unknown>, "");
  return out;
}

/** Builds params nested by the dots of each key. */
function nest(flat: Record<string, unknown>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split(".");
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      node[parts[i]] ??= {};
      node = node[parts[i]] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]] = value;
  }
  return root;
}

/** Maps u ∈ [0, 1] to a value of the spec's distribution (Protein's unnormalize with u → 2u − 1). */
function fromUnit(spec: Spec, u: number): unknown {
  if (spec.values !== undefined) return spec.values[Math.min(spec.values.length - 1, Math.floor(u * spec.values.length))];
  const min = spec.min as number;
  const max = spec.max as number;
  switch (spec.distribution) {
    case "uniform":
      return min + u * (max - min);
    case "int_uniform":
      return Math.round(min + u * (max - min));
    case "log_normal":
      return 10 ** (Math.log10(min) + u * (Math.log10(max) - Math.log10(min)));
    case "uniform_pow2":
      return 2 ** Math.round(Math.log2(min) + u * (Math.log2(max) - Math.log2(min)));
    case "logit_normal": {
      // log10(1 − v) runs from log10(1 − min) down to log10(1 − max).
      const a = Math.log10(1 - min);
      const b = Math.log10(1 - max);
      return 1 - 10 ** (a + u * (b - a));
    }
    default:
      throw new Error(`unexpected distribution ${spec.distribution}`);
  }
}

/** The configured search centre: `mean` of every numeric parameter, `values[index]` of a categorical. */
function centreParams(problem: QualityProblem, categoricalIndex = 0): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const spec of flatSpecs(problem)) flat[spec.key] = spec.values ? spec.values[categoricalIndex] : spec.mean;
  return nest(flat);
}

/** The normalized-space midpoint (u = 0.5 in every dimension). */
function midpointParams(problem: QualityProblem, categoricalIndex = 0): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const spec of flatSpecs(problem)) flat[spec.key] = spec.values ? spec.values[categoricalIndex] : fromUnit(spec, 0.5);
  return nest(flat);
}

/** mulberry32: a tiny seeded uniform source, test-only. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normalSource(seed: number): { normal(): number } {
  const uniform = seeded(seed);
  return {
    normal: () => {
      const u1 = 1 - uniform();
      const u2 = uniform();
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
  };
}

// ---------------------------------------------------------------------------

describe("quality problems: registry and configs", () => {
  it("lists the ten problems with unique names, and getProblem finds each", () => {
    expect(problems.map((p) => p.name)).toEqual([
      "branin",
      "hartmann3",
      "hartmann6",
      "rosenbrock4",
      "ackley5",
      "levy4",
      "styblinski-tang8",
      "mixed-training",
      "divergence",
      "product6",
    ]);
    for (const problem of problems) expect(getProblem(problem.name)).toBe(problem);
  });

  it("getProblem names the unknown value and the allowed names", () => {
    expect(() => getProblem("branin2")).toThrow(ProteinError);
    expect(() => getProblem("branin2")).toThrow(/got: "branin2"[\s\S]*allowed: branin, hartmann3/);
  });

  it.each(problems.map((p) => [p.name, p] as const))("%s: config matches dim and goal, mean inside the box", (_, problem) => {
    const specs = flatSpecs(problem);
    expect(specs.length).toBe(problem.dim);
    const sweep = problem.config.sweep as Record<string, unknown>;
    expect(sweep.goal).toBe(problem.goal);
    expect(typeof sweep.metric).toBe("string");
    for (const spec of specs) {
      if (spec.values) continue;
      expect(spec.min as number).toBeLessThan(spec.max as number);
      expect(spec.mean as number).toBeGreaterThanOrEqual(spec.min as number);
      expect(spec.mean as number).toBeLessThanOrEqual(spec.max as number);
    }
  });
});

describe("quality problems: known optima", () => {
  it.each(problems.map((p) => [p.name, p] as const))("%s: objective at each optimum location equals the optimum (1e-5)", (_, problem) => {
    expect(problem.optimumLocations.length).toBeGreaterThan(0);
    for (const location of problem.optimumLocations) {
      expect(Math.abs(problem.objective(location) - problem.optimum)).toBeLessThan(1e-5);
      expect(problem.regret(problem.objective(location))).toBeLessThan(1e-5);
      // and the location lies inside the box
      for (const spec of flatSpecs(problem)) {
        const value = readParam(location, spec.key);
        if (spec.values) expect(spec.values).toContain(value);
        else {
          expect(value as number).toBeGreaterThanOrEqual(spec.min as number);
          expect(value as number).toBeLessThanOrEqual(spec.max as number);
        }
      }
    }
  });

  it("optima carry the published values (scores are −f)", () => {
    const published: Record<string, number> = {
      branin: -0.397887,
      hartmann3: 3.86278,
      hartmann6: 3.32237,
      rosenbrock4: 0,
      ackley5: 0,
      levy4: 0,
      "styblinski-tang8": 39.16617 * 8,
    };
    for (const [name, value] of Object.entries(published)) {
      // 1e-6 for the published digits; Styblinski–Tang's −39.16617 is rounded, so 8 × 5e-6.
      const tolerance = name === "styblinski-tang8" ? 4e-5 : 1e-6;
      expect(Math.abs(getProblem(name).optimum - value)).toBeLessThan(tolerance);
    }
    // The per-dimension Styblinski–Tang minimum is g(x*) at the root x* of g'(x) = 0.
    const g = (x: number) => (x ** 4 - 16 * x * x + 5 * x) / 2;
    let x = -2.9;
    for (let i = 0; i < 50; i++) x -= (4 * x ** 3 - 32 * x + 5) / (12 * x * x - 32); // Newton on 2·g'
    expect(Math.abs(g(x) - STYBLINSKI_TANG_MIN_PER_DIM)).toBeLessThan(1e-12);
    expect(getProblem("mixed-training").optimum).toBeCloseTo(0.95, 12);
  });

  it("match hand-derived and independently computed values away from the optima", () => {
    const score = (name: string, xs: number[]) =>
      getProblem(name).objective(Object.fromEntries(xs.map((v, i) => [`x${i}`, v])));
    const s1 = Math.sin(1) ** 2;
    const rows: Array<[string, number[], number]> = [
      // Scores are −f. Hand-derived:
      ["branin", [0, 0], -(36 + 10 * (1 - 1 / (8 * Math.PI)) + 10)], // u = −6
      ["rosenbrock4", [0, 0, 0, 0], -3],
      ["rosenbrock4", [2, 2, 2, 2], -3 * 401],
      ["ackley5", [1, 1, 1, 1, 1], -(20 - 20 * Math.exp(-0.2))], // cos(2π) = 1: the e terms cancel
      ["levy4", [-3, 1, 1, 5], -(2 + 10 * s1)], // w = (0, 1, 1, 2)
      ["levy4", [-3, -3, -3, -3], -(3 * (1 + 10 * s1) + 1)], // w = 0
      ["styblinski-tang8", [1, 1, 1, 1, 1, 1, 1, 1], 40], // 8 × (1 − 16 + 5)/2 = −40
      // Hartmann from an independent numpy transcription of the published A, P, α
      // (/usr/bin/python3, numpy 1.24: −Σ α_i exp(−Σ_j A_ij (x_j − P_ij)²)); points
      // near the fourth term's centre so that a typo in P's last row shows.
      ["hartmann3", [0.114614, 0.555649, 0.852547], 3.8627797869493365],
      ["hartmann3", [0.1, 0.2, 0.3], 0.7329114876560026],
      ["hartmann3", [0.05, 0.6, 0.9], 3.586091570408565],
      ["hartmann6", [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573], 3.322368011391339],
      ["hartmann6", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], 1.4069105761385297],
      ["hartmann6", [0.4, 0.9, 0.9, 0.6, 0.1, 0.05], 3.166001946017979],
    ];
    for (const [name, xs, expected] of rows) {
      // Relative 1e-12: the two evaluations differ only by rounding.
      expect(Math.abs(score(name, xs) - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
    }
  });

  it.each(problems.map((p) => [p.name, p] as const))("%s: the search centre and the midpoint are visibly worse than the optimum", (_, problem) => {
    const categories = flatSpecs(problem).find((s) => s.values)?.values?.length ?? 1;
    for (let c = 0; c < categories; c++) {
      for (const point of [centreParams(problem, c), midpointParams(problem, c)]) {
        const value = problem.objective(point);
        // "Visible": more than 1 % of |optimum| and at least 0.05 in absolute score.
        expect(problem.regret(value)).toBeGreaterThan(Math.max(0.05, 0.01 * Math.abs(problem.optimum)));
      }
    }
  });

  it.each(syntheticProblems.map((p) => [p.name, p] as const))("%s: random points in the box never beat the optimum", (_, problem) => {
    const specs = flatSpecs(problem);
    const arbitrary = fc.tuple(
      ...specs.map((s) => fc.double({ min: s.min as number, max: s.max as number, noNaN: true, noDefaultInfinity: true })),
    );
    fc.assert(
      fc.property(arbitrary, (xs) => {
        const params = Object.fromEntries(specs.map((s, i) => [s.key, xs[i]]));
        const value = problem.objective(params);
        // Published optima are rounded to ~6 digits: allow 1e-6 above them.
        return Number.isFinite(value) && value <= problem.optimum + 1e-6;
      }),
      { numRuns: 2000, seed: 20240601 },
    );
  });

  it.each(syntheticProblems.map((p) => [p.name, p] as const))("%s: small moves away from each optimum location do not beat it", (_, problem) => {
    const specs = flatSpecs(problem);
    const rand = seeded(7);
    for (const location of problem.optimumLocations) {
      for (let trial = 0; trial < 500; trial++) {
        const step = 10 ** (-1 - 4 * rand()); // 1e-5 … 1e-1 in units of the box width
        const params: Record<string, unknown> = {};
        for (const spec of specs) {
          const width = (spec.max as number) - (spec.min as number);
          const moved = (location[spec.key] as number) + (2 * rand() - 1) * step * width;
          params[spec.key] = Math.min(spec.max as number, Math.max(spec.min as number, moved));
        }
        expect(problem.objective(params)).toBeLessThanOrEqual(problem.optimum + 1e-6);
      }
    }
  });

  it("regret is the gap below the optimum, never negative", () => {
    const problem = getProblem("hartmann3");
    expect(problem.regret(problem.optimum)).toBe(0);
    expect(problem.regret(problem.optimum - 0.5)).toBeCloseTo(0.5, 14);
    expect(problem.regret(problem.optimum + 1e-7)).toBe(0);
    expect(Number.isNaN(problem.regret(Number.NaN))).toBe(true);
  });

  it("plain test functions evaluate to the objective with cost 1", () => {
    const problem = getProblem("branin");
    const params = { x0: 1, x1: 2 };
    expect(problem.evaluate(params, normalSource(1))).toEqual({ score: problem.objective(params), cost: 1 });
  });

  it("a missing or non-numeric parameter throws a ProteinError naming the key", () => {
    expect(() => getProblem("branin").objective({ x0: 1 })).toThrow(/key: x1/);
    expect(() => getProblem("branin").objective({ x0: 1, x1: "2" })).toThrow(ProteinError);
  });
});

describe("mixed-training problem", () => {
  const problem = mixedTraining;
  const specs = flatSpecs(problem);
  const best = problem.optimumLocations[0];

  it("has one parameter of each type and the cost parameter", () => {
    const kinds = specs.map((s) => s.distribution ?? "categorical").sort();
    expect(kinds).toEqual(["categorical", "int_uniform", "log_normal", "log_normal", "logit_normal", "uniform_pow2"]);
    const sweep = problem.config.sweep as { protein: { cost_param: string } };
    expect(specs.map((s) => s.key)).toContain(sweep.protein.cost_param);
  });

  it("reads nested and dotted params alike", () => {
    const flat: Record<string, unknown> = {};
    for (const spec of specs) flat[spec.key] = readParam(best, spec.key);
    expect(problem.objective(flat)).toBe(problem.objective(best));
    expect(mixedTrainingCost(flat)).toBe(mixedTrainingCost(best));
  });

  it("dense random search over the box never beats the noise-free optimum", () => {
    const rand = seeded(12345);
    let top = -Infinity;
    for (let i = 0; i < 20_000; i++) {
      const flat: Record<string, unknown> = {};
      for (const spec of specs) flat[spec.key] = fromUnit(spec, rand());
      top = Math.max(top, problem.objective(nest(flat)));
    }
    expect(top).toBeLessThanOrEqual(problem.optimum);
    expect(top).toBeGreaterThan(0.5); // the search did reach good regions
  });

  it("local perturbations of the optimum (every numeric key, every category) never beat it", () => {
    const flatBest: Record<string, unknown> = {};
    for (const spec of specs) flatBest[spec.key] = readParam(best, spec.key);
    let checked = 0;
    for (const spec of specs) {
      const candidates: unknown[] = [];
      if (spec.values) candidates.push(...spec.values.filter((v) => v !== flatBest[spec.key]));
      else if (spec.distribution === "int_uniform") candidates.push((flatBest[spec.key] as number) - 1, (flatBest[spec.key] as number) + 1);
      else if (spec.distribution === "uniform_pow2") candidates.push((flatBest[spec.key] as number) / 2, (flatBest[spec.key] as number) * 2);
      else if (spec.distribution === "logit_normal") {
        for (const f of [0.999, 0.99, 0.9, 1.001, 1.01, 1.1]) candidates.push(1 - (1 - (flatBest[spec.key] as number)) * f);
      } else for (const f of [0.999, 0.99, 0.9, 1.001, 1.01, 1.1]) candidates.push((flatBest[spec.key] as number) * f);
      for (const value of candidates) {
        if (typeof value === "number" && (value < (spec.min as number) || value > (spec.max as number))) continue;
        const score = problem.objective(nest({ ...flatBest, [spec.key]: value }));
        expect(score).toBeLessThan(problem.optimum);
        checked++;
      }
    }
    // Joint moves of learning rate and batch size (their optima are coupled).
    for (const factor of [0.5, 2]) {
      for (const lrFactor of [0.8, 0.9, 1.1, 1.25]) {
        const moved = {
          ...flatBest,
          "trainer.batch_size": (flatBest["trainer.batch_size"] as number) * factor,
          "trainer.learning_rate": (flatBest["trainer.learning_rate"] as number) * lrFactor,
        };
        expect(problem.objective(nest(moved))).toBeLessThan(problem.optimum);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(25);
  });

  it("the best optimizer is strictly best, and score rises with timesteps with diminishing returns", () => {
    const at = (overrides: Record<string, unknown>) => {
      const flat: Record<string, unknown> = {};
      for (const spec of specs) flat[spec.key] = readParam(best, spec.key);
      return problem.objective(nest({ ...flat, ...overrides }));
    };
    expect(at({ "trainer.optimizer": "adam" })).toBeLessThan(at({ "trainer.optimizer": "adamw" }) - 0.02);
    const s6 = at({ "trainer.total_timesteps": 1e6 });
    const s7 = at({ "trainer.total_timesteps": 1e7 });
    const s8 = at({ "trainer.total_timesteps": 1e8 });
    expect(s6).toBeLessThan(s7);
    expect(s7).toBeLessThan(s8);
    expect(s8 - s7).toBeLessThan(s7 - s6); // concave in log10 T
    expect(s6).toBeGreaterThan(0.3); // cheap runs still carry signal
  });

  it("evaluate adds score noise of the stated sd and a deterministic cost", () => {
    const noise = normalSource(99);
    const n = 4000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const { score, cost } = problem.evaluate(best, noise);
      expect(cost).toBeCloseTo(1250, 9); // 1e8 steps · 1e-5 s · (0.5 + 0.25·3) · 1
      const r = score - problem.optimum;
      sum += r;
      sumSq += r * r;
    }
    const mean = sum / n;
    const sd = Math.sqrt(sumSq / n - mean * mean);
    // Sampling error of the sd over 4000 draws is ≈ 1.1 %; allow 5 %.
    expect(Math.abs(sd - MIXED_NOISE_SD) / MIXED_NOISE_SD).toBeLessThan(0.05);
    expect(Math.abs(mean)).toBeLessThan(4 * (MIXED_NOISE_SD / Math.sqrt(n)));
  });

  it("cost rises with timesteps and layers and falls with batch size", () => {
    const base: Record<string, unknown> = {};
    for (const spec of specs) base[spec.key] = readParam(best, spec.key);
    const cost = (overrides: Record<string, unknown>) => mixedTrainingCost(nest({ ...base, ...overrides }));
    expect(cost({ "trainer.total_timesteps": 1e6 })).toBeCloseTo(12.5, 9);
    expect(cost({ "model.layers": 8 })).toBeGreaterThan(cost({}));
    expect(cost({ "trainer.batch_size": 1024 })).toBeLessThan(cost({}));
  });

  it("rejects an unknown optimizer by name", () => {
    const flat: Record<string, unknown> = {};
    for (const spec of specs) flat[spec.key] = readParam(best, spec.key);
    expect(() => problem.objective({ ...flat, "trainer.optimizer": "lion" })).toThrow(/key: trainer.optimizer[\s\S]*got: "lion"/);
  });
});

describe("heavy-tailed problems (issue 14: output warping)", () => {
  /** A random point of the box: log-scaled parameters drawn uniformly in log space. */
  function randomParams(problem: QualityProblem, rand: () => number): Record<string, unknown> {
    const flat: Record<string, unknown> = {};
    for (const spec of flatSpecs(problem)) flat[spec.key] = fromUnit(spec, rand());
    return nest(flat);
  }

  it.each(heavyTailedProblems.map((p) => [p.name, p] as const))("%s: minimizes a loss whose random values span at least 4 decades", (_, problem) => {
    expect(problem.goal).toBe("minimize");
    const rand = seeded(2024);
    const values = Array.from({ length: 2000 }, () => problem.objective(randomParams(problem, rand)));
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    expect(lo).toBeGreaterThan(0);
    expect(Math.log10(hi / lo)).toBeGreaterThan(4);
    // Heavy-tailed: the mean is dominated by the tail, far above the median.
    const sorted = [...values].sort((a, b) => a - b);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(10 * sorted[1000]);
  });

  it.each(heavyTailedProblems.map((p) => [p.name, p] as const))("%s: dense random search and small moves around the optimum never beat it", (_, problem) => {
    const rand = seeded(77);
    for (let i = 0; i < 20_000; i++) expect(problem.objective(randomParams(problem, rand))).toBeGreaterThanOrEqual(problem.optimum);
    const specs = flatSpecs(problem);
    const best = problem.optimumLocations[0];
    for (let trial = 0; trial < 2000; trial++) {
      const step = 10 ** (-1 - 4 * rand());
      const flat: Record<string, unknown> = {};
      for (const spec of specs) {
        const v = readParam(best, spec.key) as number;
        const logScale = spec.distribution === "log_normal";
        const moved = logScale ? v * 10 ** ((2 * rand() - 1) * step) : v + (2 * rand() - 1) * step * ((spec.max as number) - (spec.min as number));
        flat[spec.key] = Math.min(spec.max as number, Math.max(spec.min as number, moved));
      }
      expect(problem.objective(nest(flat))).toBeGreaterThan(problem.optimum);
    }
  });

  it("divergence: hand-derived values below and past the divergence edge", () => {
    const at = (lr: number, momentum: number, wd: number, init: number) =>
      divergence.objective({ trainer: { learning_rate: lr, momentum, weight_decay: wd }, model: { init_scale: init } });
    const root = 10 ** -0.5;
    // e = −3.5 − log10(0.1) = −2.5 (the best step) with ω off by one decade: 0.05 + 0.3·(1/1.5)².
    expect(at(10 ** -3.5, 0.9, 1e-3, root)).toBeCloseTo(0.05 + 0.3 / 2.25, 12);
    // e = −1 (0.5 decade past the edge −1.5): q = 0.05 + 0.2·1.5² + 0.5·0.81, plus 10^(4·0.5) − 1 = 99.
    expect(at(0.1, 0, 1e-4, root)).toBeCloseTo(0.05 + 0.45 + 0.405 + 99, 10);
    // Far past the edge the divergence term is capped at 10^6 − 1.
    expect(at(1, 0.99, 1e-4, root)).toBeCloseTo(0.05 + 0.2 * 4.5 ** 2 + 0.5 * 0.09 ** 2 + 1e6 - 1, 6);
    // A poor initialization moves the edge down: e = −1.8 diverges at ι = 10 (edge −2.25) but not at ι = 10^−0.5.
    expect(at(10 ** -1.8, 0, 1e-4, root)).toBeLessThan(1);
    expect(at(10 ** -1.8, 0, 1e-4, 10)).toBeGreaterThan(50);
  });

  it("product6: the product of the six factors, hand-derived", () => {
    const c = [0.3, 0.7, 0.25, 0.6, 0.8, 0.4];
    const at = (xs: number[]) => product6.objective(Object.fromEntries(xs.map((v, i) => [`x${i}`, v])));
    expect(at(c)).toBe(1);
    // Only x5 moved by 0.1: r5 = 0.1 and r4 = −0.3·0.1 = −0.03.
    const moved = [...c];
    moved[5] += 0.1;
    expect(at(moved)).toBeCloseTo((1 + 20 * 0.0009) * (1 + 20 * 0.01), 14);
    // The corner (0, …, 0): z = −c.
    const z = c.map((v) => -v);
    let expected = 1;
    for (let i = 0; i < 6; i++) expected *= 1 + 20 * (i < 5 ? z[i] - 0.3 * z[i + 1] : z[i]) ** 2;
    expect(at([0, 0, 0, 0, 0, 0])).toBeCloseTo(expected, 12);
  });
});

describe("cost-budget protocol", () => {
  it("counts the leading runs whose total stays within the budget", () => {
    expect(runsWithinBudget([10, 20, 30], 35)).toBe(2);
    expect(runsWithinBudget([10, 20, 30], 30)).toBe(2);
    expect(runsWithinBudget([10, 20, 30], 60)).toBe(3);
    expect(runsWithinBudget([40, 1, 1], 35)).toBe(0); // stops at the first overspend
    expect(runsWithinBudget([], 10)).toBe(0);
    expect(runsWithinBudget([1, 1, 1, 1], 100, 3)).toBe(3);
  });

  it("rejects negative or non-finite budgets and costs", () => {
    expect(() => runsWithinBudget([1], -1)).toThrow(/key: budget/);
    expect(() => runsWithinBudget([1, Number.NaN], 10)).toThrow(/key: costs\[1\]/);
  });

  it("is set on the mixed-training problem with room for 20 optimum-cost runs", () => {
    expect(costBudgetProtocol.problem).toBe("mixed-training");
    const optimumCost = mixedTrainingCost(mixedTraining.optimumLocations[0]);
    expect(runsWithinBudget(Array(100).fill(optimumCost), costBudgetProtocol.budget)).toBe(20);
    expect(costBudgetProtocol.maxRuns).toBeGreaterThan(0);
  });
});
