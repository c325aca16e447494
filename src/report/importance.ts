/**
 * Parameter importance: how much of the score's variation over the search space each
 * parameter accounts for, as Sobol indices of a GP fitted to the sweep's finished runs.
 *
 * Glossary (d parameters, n runs used, N base points)
 *   u ∈ [−1, 1]^d   a point of the space's normalized box (log parameters are log-uniform
 *                   there, categories occupy equal bins, integers snap to their grid)
 *   f(u)            the GP posterior mean of the score at u (the caller's score units)
 *   A, B            two N×d blocks of independent points, uniform on the box (scrambled Sobol,
 *                   snapped to each parameter's legal values)
 *   A_B^j           A with its column j taken from B
 *   V               Var f over the box, estimated from f(A) and f(B)
 *   S_j             first-order index: Var_{u_j} E[f | u_j] / V
 *                     ≈ mean_i f(B_i)·(f(A_B^j,i) − f(A_i)) / V            (Saltelli et al. 2010, eq. (b))
 *   T_j             total-effect index: E Var[f | u_{−j}] / V, u_j's share including interactions
 *                     ≈ mean_i (f(A_i) − f(A_B^j,i))² / (2V)                (Jansen 1999)
 *   importance_j    T_j / Σ_k T_k, the share shown as bars (sums to 1)
 *
 * Why not ARD lengthscales: a lengthscale is in normalized units of one coordinate, so it
 * says nothing of how much the score moves (a short lengthscale on a flat direction scores
 * high), and a categorical coordinate's "lengthscale" is a similarity between categories, not
 * a distance. Variance shares of the fitted mean are in score units and treat every kind of
 * parameter alike, measured over the box the sweep actually searches.
 */
import { GaussianProcess } from "../gp/gp";
import { createRng } from "../random/rng";
import { SobolSequence } from "../random/sobol";
import type { ParameterSpec } from "../space/parameters";
import { SearchSpace, flattenParams } from "../space/search-space";
import type { Trial } from "../study/types";
import { ReportError } from "./errors";
import { hasScore, toTrials, type SweepInfo, type SweepRecords } from "./records";

/** One parameter's importance. */
export interface ParameterImportance {
  /** Dotted key of the parameter. */
  key: string;
  /** Share of Σ_k T_k (0–1); the bars. */
  importance: number;
  /** First-order Sobol index S_j: the share of variance this parameter explains alone (0–1). */
  firstOrder: number;
  /** Total-effect Sobol index T_j: its share including interactions with others (0–1). */
  total: number;
}

/** What {@link importance} found. */
export interface ImportanceResult {
  /** How it was measured. */
  method: "gp-sobol";
  /** Parameters, most important first; empty when it could not be measured (see `reason`). */
  parameters: ParameterImportance[];
  /** Finished runs the model was fitted to. */
  runs: number;
  /** Finished runs left out because their params do not fit the space (missing/unknown key, wrong type). */
  skipped: number;
  /** Σ_j S_j: the share the parameters explain alone; 1 − this is the share of interactions. */
  mainEffects: number;
  /** Why `parameters` is empty, when it is. */
  reason?: string;
}

/** Options of {@link importance}. */
export interface ImportanceOptions {
  /** Seed of the subsample, the GP's restarts and the Sobol scramble. @default 0 */
  seed?: number;
  /** Base points N (the model is evaluated at N·(d + 2) points). @default 1024 */
  samples?: number;
  /** At most this many finished runs (a seeded random subset beyond it) go into the GP. @default 300 */
  maxRuns?: number;
}

/** Fewest finished runs for which a fit is attempted. */
export const MIN_IMPORTANCE_RUNS = 5;

function requirePositiveInteger(value: number | undefined, key: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new ReportError(`importance option ${key} must be a positive integer`, {
      key,
      value,
      allowed: "an integer ≥ 1",
      fix: `omit ${key} for the default (${fallback})`,
    });
  }
  return value;
}

/**
 * A search space read off the runs, for when the sweep's config is not at hand: a numeric
 * parameter is uniform over the values seen (log-uniform when all are positive and span at least
 * two decades, integer when all are whole); anything else, or a parameter with one value, is
 * categorical over the values seen.
 */
export function inferSpace(trials: readonly Trial[]): SearchSpace {
  const seen = new Map<string, unknown[]>();
  for (const t of trials) {
    for (const [k, v] of flattenParams(t.params as Record<string, unknown>)) {
      let list = seen.get(k);
      if (!list) seen.set(k, (list = []));
      list.push(v);
    }
  }
  const entries: Array<{ key: string; spec: ParameterSpec }> = [];
  for (const [key, values] of seen) {
    const nums = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
    const lo = Math.min(...nums);
    const hi = Math.max(...nums);
    if (nums.length === values.length && hi > lo) {
      const whole = nums.every((v) => Number.isInteger(v));
      const distribution = lo > 0 && hi / lo >= 100 ? "log_normal" : whole ? "int_uniform" : "uniform";
      entries.push({ key, spec: { distribution, min: lo, max: hi, scale: 1 } });
    } else {
      const distinct = [...new Set(values.filter((v) => typeof v === "number" || typeof v === "string" || typeof v === "boolean"))];
      entries.push({ key, spec: { distribution: "categorical", values: distinct as Array<number | string | boolean>, scale: 1 } });
    }
  }
  return new SearchSpace(entries);
}

/**
 * How much each parameter explains of the score: Sobol indices of the posterior mean of a GP
 * (Matérn 5/2, ARD, the overlap kernel on categorical parameters) fitted to the finished runs,
 * over the space's normalized box. Runs are not filtered by gates (importance describes the
 * landscape, not which runs are eligible). Deterministic for a given seed.
 * @param records study trials or observations
 * @param info `space` (inferred from the runs when absent); `goal` is not needed (variance does not depend on the sign)
 * @param options seed, samples, maxRuns
 * @returns the parameters, most important first, or an empty list and a `reason`
 * @throws {ReportError} when an option is not a positive integer
 */
export function importance(records: SweepRecords, info: Partial<SweepInfo> = {}, options: ImportanceOptions = {}): ImportanceResult {
  const samples = requirePositiveInteger(options.samples, "samples", 1024);
  const maxRuns = requirePositiveInteger(options.maxRuns, "maxRuns", 300);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) {
    throw new ReportError("importance option seed must be a finite number", { key: "seed", value: seed, allowed: "a finite number", fix: "omit seed for 0" });
  }
  const finished = toTrials(records).filter(hasScore);
  const space = info.space ?? inferSpace(finished);
  const d = space.dim;
  const rows: Float64Array[] = [];
  const ys: number[] = [];
  let skipped = 0;
  for (const t of finished) {
    const fatal = space.check(t.params as Record<string, unknown>).some((p) => p.kind !== "out-of-range");
    if (fatal) {
      skipped++;
      continue;
    }
    rows.push(space.toVector(t.params as Record<string, unknown>));
    ys.push(t.score);
  }
  const empty = (reason: string): ImportanceResult => ({ method: "gp-sobol", parameters: [], runs: rows.length, skipped, mainEffects: 0, reason });
  if (rows.length < MIN_IMPORTANCE_RUNS) {
    return empty(`needs at least ${MIN_IMPORTANCE_RUNS} finished runs whose params fit the space, has ${rows.length}`);
  }
  if (d === 0) return empty("the sweep has no parameters");
  const rng = createRng(`importance:${seed}`);
  let order = rows.map((_, i) => i);
  if (order.length > maxRuns) order = rng.shuffle(order).slice(0, maxRuns);
  const n = order.length;
  const X = new Float64Array(n * d);
  const y = new Float64Array(n);
  order.forEach((r, i) => {
    X.set(rows[r], i * d);
    y[i] = ys[r];
  });
  let yMin = Number.POSITIVE_INFINITY;
  let yMax = Number.NEGATIVE_INFINITY;
  for (const v of y) {
    if (v < yMin) yMin = v;
    if (v > yMax) yMax = v;
  }
  if (!(yMax > yMin)) return { ...empty("every run has the same score"), runs: n };

  const gp = new GaussianProcess({
    dim: d,
    kernel: "matern52",
    categoricalDims: space.categoricalDims,
    normalizeY: "standardize",
    // A wide noise prior: sweep scores are often noisy (seeds), and a tight one would make the
    // mean chase the noise and spread importance onto parameters that do not matter.
    priors: { noise: { mu: Math.log(0.1), sigma: 2 } },
  });
  gp.setData(X, y);
  gp.fit({ method: "lbfgs", maxIterations: 100, restarts: 1, rng });

  // A, B: one 2d-dimensional scrambled Sobol point per row, split in halves, snapped to legal values.
  const N = samples;
  const sobol = new SobolSequence(2 * d, { scramble: rng });
  const P = sobol.draw(N);
  const A = new Float64Array(N * d);
  const B = new Float64Array(N * d);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < d; j++) {
      A[i * d + j] = 2 * P[i * 2 * d + j] - 1;
      B[i * d + j] = 2 * P[i * 2 * d + d + j] - 1;
    }
  }
  space.snap(A);
  space.snap(B);
  const fA = gp.predict(A).mean;
  const fB = gp.predict(B).mean;
  let mean = 0;
  for (let i = 0; i < N; i++) mean += fA[i] + fB[i];
  mean /= 2 * N;
  let V = 0;
  for (let i = 0; i < N; i++) V += (fA[i] - mean) ** 2 + (fB[i] - mean) ** 2;
  V /= 2 * N - 1;
  const spread = (yMax - yMin) ** 2;
  if (!(V > 1e-12 * spread)) return { ...empty("the fitted model is flat: no parameter explains the score beyond noise"), runs: n };

  const AB = new Float64Array(N * d);
  const out: ParameterImportance[] = [];
  let mainEffects = 0;
  for (let j = 0; j < d; j++) {
    AB.set(A);
    for (let i = 0; i < N; i++) AB[i * d + j] = B[i * d + j];
    const fAB = gp.predict(AB).mean;
    let first = 0;
    let total = 0;
    for (let i = 0; i < N; i++) {
      first += (fB[i] - mean) * (fAB[i] - fA[i]);
      total += (fA[i] - fAB[i]) ** 2;
    }
    const S = Math.min(1, Math.max(0, first / N / V));
    const T = Math.min(1, Math.max(0, total / (2 * N) / V));
    mainEffects += S;
    out.push({ key: space.keys[j], importance: 0, firstOrder: S, total: T });
  }
  const sumT = out.reduce((s, p) => s + p.total, 0);
  for (const p of out) p.importance = sumT > 0 ? p.total / sumT : 0;
  out.sort((a, b) => b.importance - a.importance || a.key.localeCompare(b.key));
  return { method: "gp-sobol", parameters: out, runs: n, skipped, mainEffects: Math.min(1, mainEffects) };
}
