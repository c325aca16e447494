/**
 * Standard continuous test functions with published optima, posed as sweeps that
 * maximize −f. Definitions and constants follow the published forms (Surjanovic &
 * Bingham's Virtual Library of Simulation Experiments; Dixon & Szegő 1978 for
 * Branin and Hartmann).
 *
 * Glossary:
 *   d      dimension; params are x0 … x{d−1}, each `uniform` on the published box
 *   x      Float64Array(d), the point read from params in key order
 *   f(x)   the published function (to be minimized); the problem's score is −f(x)
 *   f*     published global minimum; the problem's `optimum` is −f*
 *
 * No problem here has its optimum at the box centre (the config's `mean`); the
 * tests assert a visible gap there.
 */

import { readNumber, regretFor, type QualityProblem } from "./types";

/** Description of one box-constrained test function before it becomes a problem. */
interface BoxFunction {
  readonly name: string;
  /** Lower bounds, length d. */
  readonly lower: readonly number[];
  /** Upper bounds, length d. */
  readonly upper: readonly number[];
  /** The published function, to be minimized. `x` has length d. */
  readonly f: (x: Float64Array) => number;
  /** Published global minimum f*. */
  readonly fMin: number;
  /** Published minimizers, each of length d. */
  readonly argmins: ReadonlyArray<readonly number[]>;
}

function boxProblem(spec: BoxFunction): QualityProblem {
  const d = spec.lower.length;
  const keys = Array.from({ length: d }, (_, i) => `x${i}`);
  const parameters: Record<string, unknown> = {};
  for (let i = 0; i < d; i++) {
    parameters[keys[i]] = {
      distribution: "uniform",
      min: spec.lower[i],
      max: spec.upper[i],
      mean: (spec.lower[i] + spec.upper[i]) / 2,
      scale: "auto",
    };
  }
  const x = new Float64Array(d);
  const objective = (params: Record<string, unknown>): number => {
    for (let i = 0; i < d; i++) x[i] = readNumber(params, keys[i]);
    return -spec.f(x);
  };
  const optimum = 0 - spec.fMin; // 0 − f* so that f* = 0 gives +0, not −0
  return {
    name: spec.name,
    dim: d,
    config: { sweep: { metric: "neg_f", goal: "maximize", parameters } },
    goal: "maximize",
    optimum,
    optimumLocations: spec.argmins.map((point) => Object.fromEntries(point.map((v, i) => [keys[i], v]))),
    objective,
    evaluate: (params) => ({ score: objective(params), cost: 1 }),
    regret: (value) => regretFor("maximize", optimum, value),
  };
}

// ---------------------------------------------------------------------------
// Branin (2-d) on x0 ∈ [−5, 10], x1 ∈ [0, 15]:
//   f = a (x1 − b x0² + c x0 − r)² + s (1 − t) cos(x0) + s,
//   a = 1, b = 5.1/(4π²), c = 5/π, r = 6, s = 10, t = 1/(8π).
// Minimum f* = 0.397887 (exactly s·t = 10/(8π)) at (−π, 12.275), (π, 2.275), (9.42478, 2.475).
const BRANIN_B = 5.1 / (4 * Math.PI * Math.PI);
const BRANIN_C = 5 / Math.PI;
const BRANIN_T = 1 / (8 * Math.PI);

/** The Branin–Hoo function itself (also used by the preset tests and bench/reference-bounds.ts). */
export function braninValue(x0: number, x1: number): number {
  const u = x1 - BRANIN_B * x0 * x0 + BRANIN_C * x0 - 6;
  return u * u + 10 * (1 - BRANIN_T) * Math.cos(x0) + 10;
}

/** Branin–Hoo, 2-d, three global minima. */
export const branin: QualityProblem = boxProblem({
  name: "branin",
  lower: [-5, 0],
  upper: [10, 15],
  f: (x) => braninValue(x[0], x[1]),
  fMin: 10 * BRANIN_T, // 0.3978873577…, published as 0.397887
  argmins: [
    [-Math.PI, 12.275],
    [Math.PI, 2.275],
    [3 * Math.PI, 2.475], // published as 9.42478
  ],
});

// ---------------------------------------------------------------------------
// Hartmann family on [0, 1]^d:  f = −Σ_{i=1}^{4} α_i exp(−Σ_j A_ij (x_j − P_ij)²).
const HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2];

function hartmann(A: readonly number[][], P: readonly number[][]): (x: Float64Array) => number {
  return (x) => {
    let total = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < x.length; j++) {
        const diff = x[j] - P[i][j];
        inner += A[i][j] * diff * diff;
      }
      total += HARTMANN_ALPHA[i] * Math.exp(-inner);
    }
    return -total;
  };
}

/** Hartmann-3: published minimum −3.86278 at (0.114614, 0.555649, 0.852547). */
export const hartmann3: QualityProblem = boxProblem({
  name: "hartmann3",
  lower: [0, 0, 0],
  upper: [1, 1, 1],
  f: hartmann(
    [
      [3.0, 10, 30],
      [0.1, 10, 35],
      [3.0, 10, 30],
      [0.1, 10, 35],
    ],
    [
      [0.3689, 0.117, 0.2673],
      [0.4699, 0.4387, 0.747],
      [0.1091, 0.8732, 0.5547],
      [0.0381, 0.5743, 0.8828],
    ],
  ),
  fMin: -3.86278,
  argmins: [[0.114614, 0.555649, 0.852547]],
});

/** Hartmann-6: published minimum −3.32237 at (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573). */
export const hartmann6: QualityProblem = boxProblem({
  name: "hartmann6",
  lower: [0, 0, 0, 0, 0, 0],
  upper: [1, 1, 1, 1, 1, 1],
  f: hartmann(
    [
      [10, 3, 17, 3.5, 1.7, 8],
      [0.05, 10, 17, 0.1, 8, 14],
      [3, 3.5, 1.7, 10, 17, 8],
      [17, 8, 0.05, 10, 0.1, 14],
    ],
    [
      [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
      [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
      [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
      [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
    ],
  ),
  fMin: -3.32237,
  argmins: [[0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573]],
});

// ---------------------------------------------------------------------------
/** Rosenbrock, 4-d on [−5, 10]^4: f = Σ_{i<d} 100 (x_{i+1} − x_i²)² + (x_i − 1)², f* = 0 at (1, …, 1). */
export const rosenbrock4: QualityProblem = boxProblem({
  name: "rosenbrock4",
  lower: [-5, -5, -5, -5],
  upper: [10, 10, 10, 10],
  f: (x) => {
    let total = 0;
    for (let i = 0; i + 1 < x.length; i++) {
      const a = x[i + 1] - x[i] * x[i];
      const b = x[i] - 1;
      total += 100 * a * a + b * b;
    }
    return total;
  },
  fMin: 0,
  argmins: [[1, 1, 1, 1]],
});

// ---------------------------------------------------------------------------
/**
 * Ackley, 5-d on the off-centre box [−15, 30]^5 (centre 7.5, so a centre-seeded first
 * suggestion does not land on the optimum):
 *   f = −a exp(−b √(Σ x_i² / d)) − exp(Σ cos(c x_i) / d) + a + e,  a = 20, b = 0.2, c = 2π.
 * f* = 0 at the origin.
 */
export const ackley5: QualityProblem = boxProblem({
  name: "ackley5",
  lower: [-15, -15, -15, -15, -15],
  upper: [30, 30, 30, 30, 30],
  f: (x) => {
    const d = x.length;
    let squares = 0;
    let cosines = 0;
    for (let i = 0; i < d; i++) {
      squares += x[i] * x[i];
      cosines += Math.cos(2 * Math.PI * x[i]);
    }
    return -20 * Math.exp(-0.2 * Math.sqrt(squares / d)) - Math.exp(cosines / d) + 20 + Math.E;
  },
  fMin: 0,
  argmins: [[0, 0, 0, 0, 0]],
});

// ---------------------------------------------------------------------------
/**
 * Levy, 4-d on [−10, 10]^4, with w_i = 1 + (x_i − 1)/4:
 *   f = sin²(π w_1) + Σ_{i<d} (w_i − 1)² [1 + 10 sin²(π w_i + 1)] + (w_d − 1)² [1 + sin²(2π w_d)].
 * f* = 0 at (1, …, 1) (the box centre is 0, not an optimum).
 */
export const levy4: QualityProblem = boxProblem({
  name: "levy4",
  lower: [-10, -10, -10, -10],
  upper: [10, 10, 10, 10],
  f: (x) => {
    const d = x.length;
    const w0 = 1 + (x[0] - 1) / 4;
    const first = Math.sin(Math.PI * w0);
    let total = first * first;
    for (let i = 0; i + 1 < d; i++) {
      const w = 1 + (x[i] - 1) / 4;
      const s = Math.sin(Math.PI * w + 1);
      total += (w - 1) * (w - 1) * (1 + 10 * s * s);
    }
    const wd = 1 + (x[d - 1] - 1) / 4;
    const sd = Math.sin(2 * Math.PI * wd);
    return total + (wd - 1) * (wd - 1) * (1 + sd * sd);
  },
  fMin: 0,
  argmins: [[1, 1, 1, 1]],
});

// ---------------------------------------------------------------------------
/**
 * Per-coordinate minimum of g(x) = (x⁴ − 16x² + 5x)/2 on [−5, 5]; published as
 * −39.16617 (at x* = −2.903534, the root of 4x³ − 32x + 5 = 0 near −2.9). Carried
 * to more digits here so that d·g(x*) matches `optimum` to 1e-5 for d = 8.
 */
export const STYBLINSKI_TANG_MIN_PER_DIM = -39.16616570377142;

/** Styblinski–Tang, 8-d on [−5, 5]^8: f = Σ (x_i⁴ − 16 x_i² + 5 x_i)/2, f* = −39.16617·d at x_i = −2.903534. */
export const styblinskiTang8: QualityProblem = boxProblem({
  name: "styblinski-tang8",
  lower: Array.from({ length: 8 }, () => -5),
  upper: Array.from({ length: 8 }, () => 5),
  f: (x) => {
    let total = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      const v2 = v * v;
      total += v2 * v2 - 16 * v2 + 5 * v;
    }
    return total / 2;
  },
  fMin: STYBLINSKI_TANG_MIN_PER_DIM * 8,
  argmins: [Array.from({ length: 8 }, () => -2.903534)],
});

/** The seven standard functions, in a fixed order. */
export const syntheticProblems: readonly QualityProblem[] = [
  branin,
  hartmann3,
  hartmann6,
  rosenbrock4,
  ackley5,
  levy4,
  styblinskiTang8,
];
