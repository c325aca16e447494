/**
 * Exact Gaussian-process regression with a constant mean and Gaussian noise, fitted by maximizing the log
 * marginal likelihood (plus log-priors) with analytic gradients.
 *
 * Glossary:
 *   n, d       number of observations, input dimension
 *   X          n×d row-major inputs
 *   y          length n outputs in the caller's units; y' = (y − shift)/scale the modelled (normalized) outputs
 *   k          base covariance: Matérn 5/2, Matérn 3/2 or RBF with ARD lengthscales ℓ (categorical dims compared
 *              for equality), optionally plus c·x·x' (continuous dims) + b
 *   K          n×n, K = σ_f·k(X, X) + σ_n²·I          (σ_f = outputScale, σ_n² = noise; both variances)
 *   m          the constant prior mean (in normalized units)
 *   L          n×n lower Cholesky factor, L·Lᵀ = K (+ jitter·I when the ladder had to add some)
 *   r, α       r = y' − m, α = K⁻¹ r                    (R&W Alg. 2.1, line 3)
 *   W          ααᵀ − K⁻¹                                (R&W eq. 5.9)
 *   θ          the parameter vector, in this order (P = d + 3, or d + 5 with the linear term):
 *                [log σ_f, log ℓ_0 … log ℓ_{d−1}, (log c, log b,) log σ_n², m]
 *              — the same order as scikit-learn's theta for ConstantKernel·Matern + WhiteKernel, plus m last.
 *   Xs         q×d row-major query points; predictions run in row blocks of PREDICT_BLOCK rows
 *
 * LML(θ) = −½ rᵀα − Σ_i log L_ii − (n/2) log 2π       (R&W eq. 2.30 / Alg. 2.1 line 8)
 * ∂LML/∂θ_p = ½ tr(W ∂K/∂θ_p) for kernel and noise parameters (eq. 5.9); ∂LML/∂m = Σ_i α_i.
 *
 * Failure policy: inside a fit a failed Cholesky factorization is LML = −∞ for that trial point and the
 * optimizer backtracks; outside a fit the factorization goes through the jitter ladder of `cholesky()`.
 * `fit()` never throws for numerical reasons: it falls back to the last good (or default) hyperparameters and
 * says so in its result. Predictions are always finite.
 */
import { NumericalError, ObservationError, ConfigError } from "../errors";
import { DEFAULT_MAX_RELATIVE_JITTER, cholesky, choleskyExtendInPlace, choleskyInPlace, reusableCholeskyRows, choleskySolve, inverseFromCholesky, solveLowerMany } from "../linalg/index";
import { wasmBoundSession } from "../linalg/wasm/index";
import type { Rng } from "../random/types";
import { Adam } from "./adam";
import {
  ConstantKernel,
  LinearKernel,
  ScaledKernel,
  StationaryKernel,
  SumKernel,
  type Kernel,
  type StationaryKernelType,
} from "./kernels";
import { createLbfgsMemory, minimizeLbfgs, type LbfgsMemory } from "./lbfgs";
import { defaultPriors, logNormalPriorTerm, type GpPriors, type LogNormalPrior } from "./priors";

/** Rows of Xs processed at once by `predict` (memory per block: PREDICT_BLOCK·n doubles). */
export const PREDICT_BLOCK = 256;

const LOG_2PI = Math.log(2 * Math.PI);

/** How outputs are rescaled before modelling. Predictions always come back in the caller's units. */
export type NormalizeY = "standardize" | "minmax" | "none";

/** Hyperparameters in natural units (variances, not standard deviations; mean in normalized-output units). */
export interface GpHyperparameters {
  /** ARD lengthscales ℓ_j, length d. */
  lengthscales: number[];
  /** Signal variance σ_f multiplying the kernel. */
  outputScale: number;
  /** Noise variance σ_n². */
  noise: number;
  /** Constant prior mean m, in the normalized units the GP models (0 = the centre of the data for "standardize"). */
  mean: number;
  /** Scale c of the linear term (only with `linear: true`). */
  linearScale?: number;
  /** Constant offset b added to the kernel (only with `linear: true`). */
  offset?: number;
}

/** Box bounds [low, high] of each hyperparameter in natural units (the fit works on their logs). */
export interface GpBounds {
  lengthscale: readonly [number, number];
  outputScale: readonly [number, number];
  noise: readonly [number, number];
  linearScale: readonly [number, number];
  offset: readonly [number, number];
}

/** Default bounds. */
export const DEFAULT_GP_BOUNDS: GpBounds = {
  lengthscale: [1e-3, 1e3],
  outputScale: [1e-4, 1e4],
  noise: [1e-6, 1e1],
  linearScale: [1e-4, 1e4],
  offset: [1e-4, 1e4],
};

/** Options of the {@link GaussianProcess} constructor. */
export interface GaussianProcessOptions {
  /** Input dimension d ≥ 1. */
  dim: number;
  /** Base stationary kernel. @default "matern52" */
  kernel?: StationaryKernelType;
  /** Add Protein's linear term: σ_f·(c·x·x' + b + k(x, x')). @default false */
  linear?: boolean;
  /** Dimensions whose coordinate is a category code (compared for equality, left out of the linear term). @default [] */
  categoricalDims?: readonly number[];
  /** Output normalization. @default "standardize" */
  normalizeY?: NormalizeY;
  /** `true` for the default priors, `false` for none (pure maximum likelihood), or custom priors. @default true */
  priors?: boolean | Partial<GpPriors>;
  /** Fit the constant mean (else it stays where it is set, 0 by default). @default true */
  fitMean?: boolean;
  /** Bounds of the hyperparameters in natural units. @default DEFAULT_GP_BOUNDS */
  bounds?: Partial<GpBounds>;
  /** Initial hyperparameters (natural units). @default ℓ = 1, σ_f = 1, σ_n² = 0.01, m = 0, c = 1, b = 1 (Protein's) */
  hyperparameters?: Partial<GpHyperparameters>;
  /** Cap of the jitter ladder relative to the mean diagonal of K. @default 1e-4 */
  maxRelativeJitter?: number;
}

/** The warm-start state of a fit (see {@link GaussianProcess.getFitState}). */
export interface GpFitState {
  logParams: number[];
  /** Whether a fit has run (the first fit starts the constant mean at the data mean). */
  fitted: boolean;
  /** The hyperparameters a failed fit falls back to. */
  lastGood: number[];
  lbfgs: { p: number; m: number; S: number[]; Y: number[]; rho: number[]; stored: number; head: number } | null;
  adam: { lr: number; t: number; m: number[]; v: number[]; vMax: number[] } | null;
  /** State of the "pyro" fit: pyro's log-parameters φ and its Adam moments (absent in older states). */
  pyro?: { lr: number; phi: number[]; t: number; m: number[]; v: number[] } | null;
}

/**
 * Options of the "pyro" fit ({@link FitOptions.pyro}): how pyro's `GPRegression` with a
 * `Sum(Polynomial(degree 1), Matern32)` kernel is trained by `pyro.contrib.gp.util.train` in the
 * Python Protein (Metta's `metta/sweep/protein.py`, PufferLib 2.0's `pufferlib/sweep.py`).
 */
export interface PyroFitOptions {
  /** Adam learning rate (Metta 1e-2, PufferLib 2.0 1e-4). @default 1e-2 */
  learningRate?: number;
  /** Constant added to the diagonal besides the noise (pyro's `jitter`: Metta 1e-3, PufferLib 2.0 1e-4). @default 1e-3 */
  jitter?: number;
  /** Noise variance the parameters start from on the first fit. @default 1e-2 */
  initialNoise?: number;
  /**
   * LogNormal(μ, σ) prior on the noise variance v, fitted by MAP (PufferLib 2.0: a `PyroSample` with pyro's
   * default Delta guide). The loss gains −log p(v) = (ln v − μ)²/(2σ²) + ln v + const (the density of v,
   * Jacobian included). null: the noise is a plain parameter (Metta). @default null
   */
  noisePrior?: LogNormalPrior | null;
}

/** Options of {@link GaussianProcess.fit}. */
export interface FitOptions {
  /**
   * "lbfgs": MAP by L-BFGS with bounds; "adam": Protein's AMSGrad steps on softplus parameters; "pyro": plain
   * Adam on the logs of pyro's own parameters, minimizing the full negative LML (the Python Protein's fit, see
   * {@link PyroFitOptions}; needs `linear: true`). @default "lbfgs"
   */
  method?: "lbfgs" | "adam" | "pyro";
  /** Settings of the "pyro" fit. */
  pyro?: PyroFitOptions;
  /** L-BFGS iterations per start of a warm refit (one after one new point typically needs 10–25). @default 20 */
  maxIterations?: number;
  /**
   * L-BFGS iterations per start of a cold fit: the GP's first fit, or `warmStart: false`. High enough by default
   * for the fit to converge (a cold fit at n = 160, d = 9 needs ~100; capped at 20 it stopped 0.56 nats short).
   * @default 1000
   */
  coldMaxIterations?: number;
  /** Extra L-BFGS starts drawn uniformly in the log-bounds (requires `rng`). @default 0 */
  restarts?: number;
  /** Source of the restart points. */
  rng?: Rng;
  /** Start from the current hyperparameters (else from the defaults). @default true */
  warmStart?: boolean;
  /** Adam steps ("adam" and "pyro"). @default 50 for "adam", 1000 for "pyro" (pyro's `gp.util.train`) */
  steps?: number;
  /** Adam learning rate. @default 1e-3 */
  learningRate?: number;
  /** Forget the Adam moments before stepping (Protein resets every 50 suggestions). @default false */
  resetOptimizer?: boolean;
  /** L-BFGS gradient tolerance on the projected gradient (∞-norm). @default 1e-5 */
  gtol?: number;
  /**
   * L-BFGS relative-decrease tolerance (as SciPy's `ftol`, whose default is 2.2e-9). Looser by default: on warm
   * refits it halves the evaluations while the objective stays within ~1e-3 of a converged run. @default 1e-6 for a
   * warm refit, SciPy's 2.2e-9 for a cold fit (which runs to convergence)
   */
  ftol?: number;
}

/** What a fit did. */
export interface FitResult {
  /** A convergence criterion was met (always false for Adam, which runs a fixed number of steps). */
  converged: boolean;
  /** Optimizer iterations (summed over starts). */
  iterations: number;
  /** Likelihood evaluations (each: one kernel fill, one Cholesky, and for L-BFGS/Adam one inverse). */
  evaluations: number;
  /** Log marginal likelihood at the final hyperparameters (without priors, normalized units). */
  lml: number;
  /** LML plus log-priors at the final hyperparameters (what the fit maximized; equals lml without priors). */
  objective: number;
  /** The optimizer could not be used and the hyperparameters were restored to the last good or default ones. */
  fellBack: boolean;
  /** Why it fell back or stopped early, when it did. */
  reason?: string;
}

/** Result of {@link GaussianProcess.predict}, in the caller's units. */
export interface Prediction {
  /** Posterior mean per query row. */
  mean: Float64Array;
  /** Posterior predictive variance per query row (only when asked). */
  variance?: Float64Array;
}

/** Options of {@link GaussianProcess.predict}. */
export interface PredictOptions {
  /** Also return variances. @default false */
  variance?: boolean;
  /** Include the noise variance σ_n² (predictive variance of a new observation), as scikit-learn does. @default true */
  includeNoise?: boolean;
}

interface Layout {
  readonly P: number;
  readonly iScale: number;
  readonly iLs: number;
  readonly iLin: number; // −1 without the linear term
  readonly iNoise: number;
  readonly iMean: number;
}

function clampTo(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function softplus(r: number): number {
  return r > 30 ? r : Math.log1p(Math.exp(r));
}

function softplusInverse(v: number): number {
  return v > 30 ? v : Math.log(Math.expm1(Math.max(v, 1e-300)));
}

function sigmoid(r: number): number {
  return 1 / (1 + Math.exp(-r));
}

/**
 * Throws ObservationError naming the first non-finite entry of the row-major rows A (d columns) as `name[row][col]`.
 */
function requireFiniteRows(A: ArrayLike<number>, d: number, name: string, message: string, fix: string): void {
  for (let i = 0; i < A.length; i++) {
    if (!Number.isFinite(A[i])) {
      throw new ObservationError(message, { key: `${name}[${Math.floor(i / d)}][${i % d}]`, value: A[i], allowed: "finite numbers", fix });
    }
  }
}

/**
 * Exact GP regression: `setData`, `fit`, `predict`.
 *
 * @example
 * const gp = new GaussianProcess({ dim: 2, kernel: "matern52" });
 * gp.setData(Float64Array.of(0, 0, 1, 1, -1, 0.5), Float64Array.of(0.1, 0.8, 0.3));
 * gp.fit();
 * const { mean, variance } = gp.predict(Float64Array.of(0.5, 0.5), { variance: true });
 */
export class GaussianProcess {
  /** Input dimension d. */
  readonly dim: number;
  readonly kernelType: StationaryKernelType;
  readonly linear: boolean;
  readonly categoricalDims: readonly number[];
  readonly normalizeY: NormalizeY;
  readonly fitMean: boolean;
  readonly priors: GpPriors;
  readonly bounds: GpBounds;
  /** Names of the entries of θ, in order (see the file header). */
  readonly paramNames: readonly string[];

  private readonly kernel: Kernel;
  private readonly layout: Layout;
  private readonly maxRelativeJitter: number;
  /** Current θ. */
  private theta: Float64Array;
  private readonly defaultTheta: Float64Array;
  /** Coordinates of the prior mean's trend (see {@link GaussianProcess.setTrend}); null = no trend. */
  private trendDims: Int32Array | null = null;
  /** The trend's coefficient a at the last factorization (profiled: set by solveAlpha). */
  private trendCoefficient = 0;
  /** Where the trend starts in |x_j| (0: a bowl over the whole box; t > 0: only the outer band t < |x_j| ≤ 1). */
  private trendStart = 0;
  /** The trend's basis over the training rows (trendBasisRows), and a solve buffer for it. */
  private trendBasis: Float64Array | null = null;
  private trendWork: Float64Array | null = null;
  private readonly lower: Float64Array;
  private readonly upper: Float64Array;
  /** θ of the last successful fit or explicit set (the fallback). */
  private lastGood: Float64Array;
  private fitted = false;

  // Data.
  private n = 0;
  private X = new Float64Array(0);
  private yNorm = new Float64Array(0);
  private shift = 0;
  private scale = 1;

  // Scratch, allocated once per data size (capacity grows, never shrinks).
  private capacity = -1;
  private K = new Float64Array(0);
  private L = new Float64Array(0);
  private Kinv = new Float64Array(0);
  private alpha = new Float64Array(0);
  private resid = new Float64Array(0);
  private predBuf = new Float64Array(0);
  private readonly gradBuf: Float64Array;

  // Factor of K at the current θ (used by predict and the public LML).
  private factorValid = false;
  /**
   * What this.L holds an exact, jitter-free factor of (stride `n`): K(X, θ) for these inputs and
   * log-hyperparameters, or null. `ensureFactor` keeps the rows that still hold after a `setData`
   * with the same θ (rows appended or the last ones removed: one observe → suggest step).
   */
  private factored: { X: Float64Array; n: number; theta: Float64Array } | null = null;
  /** Rows of the last factorization that were reused (0: factored from scratch). For tests and benchmarks. */
  lastFactorReusedRows = 0;
  private jitter = 0;

  private adam: Adam | null = null;
  /** The "pyro" fit's parameters φ (see {@link GaussianProcess.fitPyro}) and its optimizer, kept between fits. */
  private pyro: { phi: Float64Array; adam: Adam } | null = null;
  /** Curvature pairs of the last warm-started L-BFGS run, reused by the next refit. */
  private lbfgsMemory: LbfgsMemory | null = null;

  /**
   * @throws ConfigError when `dim`, `categoricalDims`, the bounds or the initial hyperparameters are invalid.
   */
  constructor(options: GaussianProcessOptions) {
    const dim = options.dim;
    if (!Number.isSafeInteger(dim) || dim < 1) {
      throw new ConfigError("GaussianProcess dim must be a positive integer", {
        key: "dim",
        value: dim,
        allowed: "an integer >= 1",
        fix: "pass the number of columns of X",
      });
    }
    this.dim = dim;
    this.kernelType = options.kernel ?? "matern52";
    if (!["matern52", "matern32", "rbf"].includes(this.kernelType)) {
      throw new ConfigError("unknown GP kernel", {
        key: "kernel",
        value: this.kernelType,
        allowed: '"matern52", "matern32" or "rbf"',
        fix: 'use kernel: "matern52"',
      });
    }
    this.linear = options.linear ?? false;
    const cats = [...new Set(options.categoricalDims ?? [])].sort((a, b) => a - b);
    for (const j of cats) {
      if (!Number.isSafeInteger(j) || j < 0 || j >= dim) {
        throw new ConfigError("categorical dimension out of range", {
          key: "categoricalDims",
          value: options.categoricalDims,
          allowed: `integers in [0, ${dim - 1}]`,
          fix: "list the column indices of the categorical parameters",
        });
      }
    }
    this.categoricalDims = cats;
    this.normalizeY = options.normalizeY ?? "standardize";
    if (!["standardize", "minmax", "none"].includes(this.normalizeY)) {
      throw new ConfigError("unknown output normalization", {
        key: "normalizeY",
        value: this.normalizeY,
        allowed: '"standardize", "minmax" or "none"',
        fix: 'use normalizeY: "standardize"',
      });
    }
    this.fitMean = options.fitMean ?? true;
    this.maxRelativeJitter = options.maxRelativeJitter ?? DEFAULT_MAX_RELATIVE_JITTER;
    const pr = options.priors ?? true;
    const none: GpPriors = { lengthscale: null, outputScale: null, noise: null, linearScale: null, offset: null };
    this.priors = pr === false ? none : pr === true ? defaultPriors(dim) : { ...defaultPriors(dim), ...pr };
    this.bounds = { ...DEFAULT_GP_BOUNDS, ...(options.bounds ?? {}) };
    for (const [key, [lo, hi]] of Object.entries(this.bounds) as [string, readonly [number, number]][]) {
      if (!(lo > 0 && hi >= lo && Number.isFinite(hi))) {
        throw new ConfigError("GP hyperparameter bounds must satisfy 0 < low <= high < Infinity", {
          key: `bounds.${key}`,
          value: [lo, hi],
          allowed: "[low, high] with 0 < low <= high < Infinity",
          fix: `e.g. bounds.${key}: [${DEFAULT_GP_BOUNDS[key as keyof GpBounds].join(", ")}]`,
        });
      }
    }

    const stationary = new StationaryKernel(this.kernelType, dim, cats);
    this.kernel = this.linear
      ? new ScaledKernel(new SumKernel([stationary, new LinearKernel(dim, cats), new ConstantKernel(dim)]))
      : new ScaledKernel(stationary);
    const nk = this.kernel.numParams;
    this.layout = {
      P: nk + 2,
      iScale: 0,
      iLs: 1,
      iLin: this.linear ? 1 + dim : -1,
      iNoise: nk,
      iMean: nk + 1,
    };
    this.paramNames = [...this.kernel.paramNames, "log noise", "mean"];
    const P = this.layout.P;
    this.gradBuf = new Float64Array(P);

    // Bounds in θ space.
    this.lower = new Float64Array(P);
    this.upper = new Float64Array(P);
    const setB = (i: number, b: readonly [number, number]): void => {
      this.lower[i] = Math.log(b[0]);
      this.upper[i] = Math.log(b[1]);
    };
    const { iScale, iLs, iLin, iNoise, iMean } = this.layout;
    setB(iScale, this.bounds.outputScale);
    for (let j = 0; j < dim; j++) setB(iLs + j, this.bounds.lengthscale);
    if (iLin >= 0) {
      setB(iLin, this.bounds.linearScale);
      setB(iLin + 1, this.bounds.offset);
    }
    setB(iNoise, this.bounds.noise);
    this.lower[iMean] = -Infinity;
    this.upper[iMean] = Infinity;

    this.defaultTheta = new Float64Array(P);
    this.defaultTheta[iNoise] = Math.log(1e-2);
    for (let i = 0; i < P - 1; i++) this.defaultTheta[i] = clampTo(this.defaultTheta[i], this.lower[i], this.upper[i]);
    this.theta = this.defaultTheta.slice();
    if (options.hyperparameters) this.hyperparameters = { ...this.hyperparameters, ...options.hyperparameters };
    this.lastGood = this.theta.slice();
    this.kernel.setLogParams(this.theta, 0);
  }

  // ---------------------------------------------------------------- hyperparameters

  /** Current hyperparameters in natural units (a copy). */
  get hyperparameters(): GpHyperparameters {
    const t = this.theta;
    const { iScale, iLs, iLin, iNoise, iMean } = this.layout;
    const h: GpHyperparameters = {
      lengthscales: Array.from({ length: this.dim }, (_, j) => Math.exp(t[iLs + j])),
      outputScale: Math.exp(t[iScale]),
      noise: Math.exp(t[iNoise]),
      mean: t[iMean],
    };
    if (iLin >= 0) {
      h.linearScale = Math.exp(t[iLin]);
      h.offset = Math.exp(t[iLin + 1]);
    }
    return h;
  }

  /**
   * Sets hyperparameters (natural units); omitted fields keep their values. Values are not clamped to the bounds
   * (a fit clamps its start). The values set become the fallback of later fits.
   * @throws ConfigError when a value is not a positive finite number (mean: finite) or lengthscales has the wrong length.
   */
  set hyperparameters(h: Partial<GpHyperparameters>) {
    const t = this.theta.slice();
    const { iScale, iLs, iLin, iNoise, iMean } = this.layout;
    const pos = (key: string, v: number | undefined, i: number): void => {
      if (v === undefined) return;
      if (!(typeof v === "number" && v > 0 && Number.isFinite(v))) {
        throw new ConfigError("GP hyperparameter must be a positive finite number", {
          key: `hyperparameters.${key}`,
          value: v,
          allowed: "a finite number > 0",
          fix: "pass a positive value",
        });
      }
      t[i] = Math.log(v);
    };
    if (h.lengthscales !== undefined) {
      if (h.lengthscales.length !== this.dim) {
        throw new ConfigError("lengthscales must have one entry per dimension", {
          key: "hyperparameters.lengthscales",
          value: h.lengthscales,
          allowed: `an array of ${this.dim} positive numbers`,
          fix: `pass ${this.dim} lengthscales`,
        });
      }
      for (let j = 0; j < this.dim; j++) pos(`lengthscales[${j}]`, h.lengthscales[j], iLs + j);
    }
    pos("outputScale", h.outputScale, iScale);
    pos("noise", h.noise, iNoise);
    if (iLin >= 0) {
      pos("linearScale", h.linearScale, iLin);
      pos("offset", h.offset, iLin + 1);
    }
    if (h.mean !== undefined) {
      if (!(typeof h.mean === "number" && Number.isFinite(h.mean))) {
        throw new ConfigError("GP mean must be a finite number", {
          key: "hyperparameters.mean",
          value: h.mean,
          allowed: "a finite number",
          fix: "pass e.g. mean: 0",
        });
      }
      t[iMean] = h.mean;
    }
    this.setTheta(t);
    this.lastGood = t.slice();
  }

  /** θ as a new array (order in {@link GaussianProcess.paramNames}). */
  getLogParams(): Float64Array {
    return this.theta.slice();
  }

  /**
   * Sets θ (order in {@link GaussianProcess.paramNames}).
   * @throws ConfigError when the length is wrong or an entry is not finite.
   */
  setLogParams(theta: ArrayLike<number>): void {
    if (theta.length !== this.layout.P || !Array.from(theta).every(Number.isFinite)) {
      throw new ConfigError("log-parameter vector has the wrong length or a non-finite entry", {
        key: "theta",
        value: Array.from(theta),
        allowed: `${this.layout.P} finite numbers: ${this.paramNames.join(", ")}`,
        fix: "pass a vector obtained from getLogParams()",
      });
    }
    this.setTheta(theta);
  }

  private setTheta(theta: ArrayLike<number>): void {
    this.theta.set(theta);
    this.kernel.setLogParams(this.theta, 0);
    this.factorValid = false;
  }

  /**
   * The fit's warm-start state, JSON-safe: the log-hyperparameters, the L-BFGS curvature
   * pairs and the Adam moments (whichever exist). `setFitState` restores it, so a fit after
   * a restore does exactly what it would have done without the interruption.
   */
  getFitState(): GpFitState {
    const mem = this.lbfgsMemory;
    return {
      logParams: Array.from(this.getLogParams()),
      fitted: this.fitted,
      lastGood: Array.from(this.lastGood),
      lbfgs: mem ? { p: mem.p, m: mem.m, S: Array.from(mem.S), Y: Array.from(mem.Y), rho: Array.from(mem.rho), stored: mem.stored, head: mem.head } : null,
      adam: this.adam ? { lr: this.adam.lr, ...this.adam.getState() } : null,
      ...(this.pyro ? { pyro: { lr: this.pyro.adam.lr, phi: Array.from(this.pyro.phi), t: this.pyro.adam.t, m: Array.from(this.pyro.adam.getState().m), v: Array.from(this.pyro.adam.getState().v) } } : {}),
    };
  }

  /** Restores what {@link GaussianProcess.getFitState} returned. */
  setFitState(state: GpFitState): void {
    this.setLogParams(state.logParams);
    this.fitted = state.fitted;
    this.lastGood = Float64Array.from(state.lastGood);
    if (state.lbfgs) {
      const l = state.lbfgs;
      this.lbfgsMemory = { p: l.p, m: l.m, S: Float64Array.from(l.S), Y: Float64Array.from(l.Y), rho: Float64Array.from(l.rho), stored: l.stored, head: l.head };
    } else this.lbfgsMemory = null;
    if (state.adam) {
      this.adam = new Adam(state.adam.m.length, { lr: state.adam.lr });
      this.adam.setState(state.adam);
    } else this.adam = null;
    if (state.pyro) {
      const q = state.pyro;
      const adam = new Adam(q.phi.length, { lr: q.lr, amsgrad: false });
      adam.setState({ t: q.t, m: q.m, v: q.v, vMax: new Float64Array(q.phi.length) });
      this.pyro = { phi: Float64Array.from(q.phi), adam };
    } else this.pyro = null;
  }

  /** Whether a fit has succeeded (the next `fit()` is warm-started; before it, a fit is cold). */
  get isFitted(): boolean {
    return this.fitted;
  }

  /** Number of observations currently held. */
  get size(): number {
    return this.n;
  }

  /** Jitter the last factorization added to the diagonal of K (0 when none was needed). */
  get lastJitter(): number {
    return this.jitter;
  }

  // ---------------------------------------------------------------- data

  /**
   * Replaces the data. Keeps the hyperparameters (a following `fit()` is warm-started from them).
   * @param X n×d row-major inputs (copied)
   * @param y length n outputs in the caller's units (copied)
   * @throws ObservationError when the sizes disagree or a value is not finite.
   */
  setData(X: ArrayLike<number>, y: ArrayLike<number>): void {
    const d = this.dim;
    const n = y.length;
    if (X.length !== n * d) {
      throw new ObservationError("X and y sizes disagree", {
        key: "X.length",
        value: X.length,
        allowed: `y.length × dim = ${n} × ${d} = ${n * d}`,
        fix: "pass X as an n×d row-major array with one row per output",
      });
    }
    requireFiniteRows(X, d, "X", "GP inputs must be finite", "drop or repair the observation");
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(y[i])) {
        throw new ObservationError("GP outputs must be finite", {
          key: `y[${i}]`,
          value: y[i],
          allowed: "finite numbers",
          fix: "drop failed runs or give them a finite score",
        });
      }
    }
    this.n = n;
    this.X = Float64Array.from(X);
    this.trendBasis = null;
    const yn = Float64Array.from(y);
    let shift = 0;
    let scale = 1;
    if (n > 0 && this.normalizeY !== "none") {
      let lo = Infinity;
      let hi = -Infinity;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        lo = Math.min(lo, yn[i]);
        hi = Math.max(hi, yn[i]);
        sum += yn[i];
      }
      const tiny = 1e-12 * Math.max(1, Math.abs(lo), Math.abs(hi));
      if (this.normalizeY === "standardize") {
        shift = sum / n;
        let ss = 0;
        for (let i = 0; i < n; i++) ss += (yn[i] - shift) * (yn[i] - shift);
        const sd = Math.sqrt(ss / n);
        scale = sd > tiny ? sd : 1; // zero spread: centre only
      } else {
        shift = lo;
        scale = hi - lo > tiny ? hi - lo : 1;
      }
      for (let i = 0; i < n; i++) yn[i] = (yn[i] - shift) / scale;
    }
    this.shift = shift;
    this.scale = scale;
    this.yNorm = yn;
    if (n > this.capacity) {
      // A sweep's data grows a row at a time: when it outgrows the buffers, leave ~6 % room (fewer n² allocations).
      this.capacity = this.capacity > 0 ? n + (n >> 4) : n;
      const cap = this.capacity;
      const K = new Float64Array(cap * cap);
      const L = new Float64Array(cap * cap);
      // The rows of a reusable factor (and of the K it factors) move along (see ensureFactor).
      if (this.factored !== null) {
        L.set(this.L.subarray(0, this.factored.n * this.factored.n));
        K.set(this.K.subarray(0, this.factored.n * this.factored.n));
      }
      this.K = K;
      this.L = L;
      this.Kinv = new Float64Array(cap * cap);
      this.alpha = new Float64Array(cap);
      this.resid = new Float64Array(cap);
      this.predBuf = new Float64Array(cap * PREDICT_BLOCK);
    }
    this.factorValid = false;
  }

  /**
   * A trend added to the constant prior mean, in normalized output units: m(x) = m − a · mean_{j ∈ dims} h(x_j),
   * h(v) = ((|v| − t)₊ / (1 − t))² (t = `start`; 0 gives a bowl over the whole box, highest at its centre; t > 0
   * leaves the inner part |v| ≤ t flat). The coefficient a ≥ 0 is not a hyperparameter of its own: at every θ it
   * takes its generalized-least-squares value given the constant mean, a = gᵀK⁻¹(y' − m) / gᵀK⁻¹g with
   * g_i = −mean_j h(x_ij), floored at 0 (the trend profiled out of the likelihood, as universal kriging does), so
   * the fit maximizes the likelihood over θ and a together. null removes it.
   */
  setTrend(trend: { dims: readonly number[]; start?: number } | null): void {
    this.trendDims = trend && trend.dims.length > 0 ? Int32Array.from(trend.dims) : null;
    this.trendStart = trend?.start ?? 0;
    this.trendBasis = null;
    this.trendCoefficient = 0;
    this.factorValid = false;
  }

  /** Whether a trend is set ({@link GaussianProcess.setTrend}). */
  get hasTrend(): boolean {
    return this.trendDims !== null;
  }

  /** The trend's coefficient a at the current θ (0 without a trend). */
  get trendValue(): number {
    if (this.trendDims === null) return 0;
    this.ensureFactor();
    return this.trendCoefficient;
  }

  /** g_i = −mean_j h(x_ij) over the training rows (cached until the data or the trend change). */
  private trendBasisRows(): Float64Array {
    if (this.trendBasis !== null) return this.trendBasis;
    const g = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) g[i] = this.trendShapeAt(this.X, i);
    return (this.trendBasis = g);
  }

  /** −mean_{j ∈ dims} h(x_j) of one row. */
  private trendShapeAt(X: Float64Array, row: number): number {
    const dims = this.trendDims!;
    const d = this.dim;
    const t = this.trendStart;
    let q = 0;
    for (let k = 0; k < dims.length; k++) {
      const e = Math.abs(X[row * d + dims[k]]) - t;
      if (e > 0) q += (e / (1 - t)) ** 2;
    }
    return -q / dims.length;
  }

  /** The GLS coefficient at the current factor (see {@link GaussianProcess.setTrend}). */
  private profileTrend(m: number): void {
    const n = this.n;
    const g = this.trendBasisRows();
    if (this.trendWork === null || this.trendWork.length < n) this.trendWork = new Float64Array(n);
    const wv = this.trendWork.subarray(0, n);
    choleskySolve(this.L, n, g, wv);
    let num = 0;
    let den = 0;
    for (let i = 0; i < n; i++) {
      num += wv[i] * (this.yNorm[i] - m);
      den += wv[i] * g[i];
    }
    this.trendCoefficient = den > 0 && num > 0 ? num / den : 0;
  }

  /** The affine map of the outputs: y' = (y − shift)/scale. */
  get outputTransform(): { shift: number; scale: number } {
    return { shift: this.shift, scale: this.scale };
  }

  // ---------------------------------------------------------------- core evaluation

  /** K = σ_f·k(X, X) + σ_n² I into this.K (lower triangle only). */
  private buildK(fromRow = 0): void {
    const n = this.n;
    const K = this.K;
    this.kernel.fillLower(this.X, n, K, 1, false, fromRow);
    const noise = Math.exp(this.theta[this.layout.iNoise]);
    for (let i = fromRow; i < n; i++) K[i * n + i] += noise;
  }

  /** α = K⁻¹(y' − m) from this.L, and the LML. */
  private solveAlpha(): number {
    const n = this.n;
    const L = this.L;
    const m = this.theta[this.layout.iMean];
    const r = this.resid;
    if (this.trendDims !== null) {
      this.profileTrend(m);
      const g = this.trendBasisRows();
      for (let i = 0; i < n; i++) r[i] = this.yNorm[i] - m - this.trendCoefficient * g[i];
    } else for (let i = 0; i < n; i++) r[i] = this.yNorm[i] - m;
    choleskySolve(L, n, r, this.alpha);
    return this.currentLml();
  }

  /**
   * Writes ∂LML/∂θ into `grad` (length P) from this.L and this.alpha: W = ααᵀ − K⁻¹ (lower triangle), then
   * ½ tr(W ∂K/∂θ_p) per parameter (R&W eq. 5.9).
   */
  private lmlGradient(grad: Float64Array): void {
    const n = this.n;
    const W = inverseFromCholesky(this.L, n, this.Kinv);
    const a = this.alpha;
    let trW = 0;
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      const ai = a[i];
      for (let j = 0; j <= i; j++) W[ri + j] = ai * a[j] - W[ri + j];
      trW += W[ri + i];
    }
    grad.fill(0);
    this.kernel.gradient(this.X, n, W, 1, grad, 0);
    const { iNoise, iMean } = this.layout;
    grad[iNoise] = 0.5 * Math.exp(this.theta[iNoise]) * trW; // ∂K/∂log σ_n² = σ_n² I
    let sa = 0;
    for (let i = 0; i < n; i++) sa += a[i];
    grad[iMean] = sa; // ∂LML/∂m = 1ᵀK⁻¹(y' − m)
  }

  /** Σ of log-prior terms at θ; adds their gradient to `grad` when given. */
  private logPrior(theta: Float64Array, grad: Float64Array | null): number {
    const pr = this.priors;
    const { iScale, iLs, iLin, iNoise } = this.layout;
    let s = logNormalPriorTerm(theta[iScale], pr.outputScale, grad, iScale);
    for (let j = 0; j < this.dim; j++) s += logNormalPriorTerm(theta[iLs + j], pr.lengthscale, grad, iLs + j);
    if (iLin >= 0) {
      s += logNormalPriorTerm(theta[iLin], pr.linearScale, grad, iLin);
      s += logNormalPriorTerm(theta[iLin + 1], pr.offset, grad, iLin + 1);
    }
    s += logNormalPriorTerm(theta[iNoise], pr.noise, grad, iNoise);
    return s;
  }

  /**
   * LML at θ without jitter (the fit's objective). Sets θ as current. Returns −∞ when K is not numerically
   * positive definite. Writes the LML gradient into `grad` when given (and the factor is then invalid).
   */
  private evaluateStrict(theta: ArrayLike<number>, grad: Float64Array | null): number {
    this.setTheta(theta);
    const n = this.n;
    if (n === 0) {
      if (grad) grad.fill(0);
      return 0;
    }
    this.buildK();
    const K = this.K;
    const L = this.L;
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      for (let j = 0; j <= i; j++) L[ri + j] = K[ri + j];
    }
    this.factored = null;
    if (choleskyInPlace(L, n) >= 0) return -Infinity;
    this.factored = { X: this.X, n, theta: Float64Array.from(this.theta) };
    const lml = this.solveAlpha();
    if (!Number.isFinite(lml)) return -Infinity;
    if (grad) this.lmlGradient(grad);
    this.jitter = 0;
    this.factorValid = true;
    return lml;
  }

  /**
   * Factors K at the current θ with the jitter ladder (for predict and the public LML).
   * @throws NumericalError when even the largest jitter fails.
   */
  private ensureFactor(): void {
    if (this.factorValid) return;
    const n = this.n;
    if (n === 0) {
      this.factorValid = true;
      this.jitter = 0;
      return;
    }
    if (this.extendFactor()) {
      this.jitter = 0;
    } else {
      this.factored = null;
      this.lastFactorReusedRows = 0;
      this.buildK();
      const { jitter } = cholesky(this.K, n, { out: this.L, maxRelativeJitter: this.maxRelativeJitter });
      this.jitter = jitter;
      if (jitter === 0) this.factored = { X: this.X, n, theta: Float64Array.from(this.theta) };
    }
    this.solveAlpha();
    this.factorValid = true;
  }

  /**
   * Completes the factor from the rows of the previous one that still hold (same θ, same leading
   * inputs; `reusableCholeskyRows`): O(k·n²) for k changed rows instead of O(n³), bit for bit the
   * full factorization. False (and nothing decided) when there is nothing to reuse or a pivot fails,
   * so the caller factors from scratch with the jitter ladder as before.
   */
  private extendFactor(): boolean {
    const prev = this.factored;
    const n = this.n;
    if (prev === null || prev.n === 0) return false;
    for (let p = 0; p < this.theta.length; p++) if (!Object.is(prev.theta[p], this.theta[p])) return false;
    const d = this.dim;
    const rows = Math.min(prev.n, n);
    let same = 0;
    if (prev.X === this.X) same = rows;
    else {
      outer: for (; same < rows; same++) {
        for (let j = 0; j < d; j++) if (!Object.is(prev.X[same * d + j], this.X[same * d + j])) break outer;
      }
    }
    const from = reusableCholeskyRows(prev.n, n, same);
    if (from === 0) return false;
    // The kept rows of L and of K, from stride prev.n to stride n (rows move up when n shrinks, down when it
    // grows), before the rows that change are computed (K stays whole: predictMeanAndVarianceBound reads it).
    const L = this.L;
    const K = this.K;
    if (n < prev.n) {
      for (let i = 1; i < from; i++) {
        L.copyWithin(i * n, i * prev.n, i * prev.n + i + 1);
        K.copyWithin(i * n, i * prev.n, i * prev.n + i + 1);
      }
    } else if (n > prev.n) {
      for (let i = from - 1; i >= 1; i--) {
        L.copyWithin(i * n, i * prev.n, i * prev.n + i + 1);
        K.copyWithin(i * n, i * prev.n, i * prev.n + i + 1);
      }
    }
    this.buildK(from); // only the rows that change
    for (let i = from; i < n; i++) {
      const ri = i * n;
      for (let j = 0; j <= i; j++) L[ri + j] = K[ri + j];
    }
    this.factored = null;
    if (choleskyExtendInPlace(L, n, from) >= 0) return false;
    this.factored = { X: this.X, n, theta: Float64Array.from(this.theta) };
    this.lastFactorReusedRows = from;
    return true;
  }

  /**
   * Log marginal likelihood log p(y' | X, θ) of the normalized outputs at the current hyperparameters
   * (R&W eq. 2.30), optionally plus the log-priors.
   * @throws NumericalError when K cannot be factored even with the largest jitter.
   */
  logMarginalLikelihood(options: { includePriors?: boolean } = {}): number {
    this.ensureFactor();
    const lml = this.n === 0 ? 0 : this.currentLml();
    return options.includePriors ? lml + this.logPrior(this.theta, null) : lml;
  }

  /** LML from this.L, this.resid and this.alpha: −½ rᵀα − Σ log L_ii − (n/2) log 2π (R&W Alg. 2.1 line 8). */
  private currentLml(): number {
    const n = this.n;
    let quad = 0;
    let logDet = 0;
    for (let i = 0; i < n; i++) {
      quad += this.resid[i] * this.alpha[i];
      logDet += Math.log(this.L[i * n + i]);
    }
    return -0.5 * quad - logDet - 0.5 * n * LOG_2PI;
  }

  /**
   * Gradient of {@link GaussianProcess.logMarginalLikelihood} with respect to θ, in the order of
   * {@link GaussianProcess.paramNames}: [log σ_f, log ℓ_0 … log ℓ_{d−1}, (log c, log b,) log σ_n², m].
   * @throws NumericalError when K cannot be factored even with the largest jitter.
   */
  logMarginalLikelihoodGradient(options: { includePriors?: boolean } = {}): Float64Array {
    this.ensureFactor();
    const g = new Float64Array(this.layout.P);
    if (this.n > 0) this.lmlGradient(g);
    if (options.includePriors) this.logPrior(this.theta, g);
    return g;
  }

  // ---------------------------------------------------------------- fit

  /**
   * Fits the hyperparameters to the current data: maximizes LML + log-priors with L-BFGS (default), or runs
   * Protein's Adam steps. Warm-started from the current hyperparameters. Never throws for numerical reasons:
   * on failure the hyperparameters go back to the last good (or default) ones and `fellBack` is set.
   * @throws ConfigError when `restarts > 0` without an `rng`.
   */
  fit(options: FitOptions = {}): FitResult {
    const restarts = options.restarts ?? 0;
    if (restarts > 0 && !options.rng) {
      throw new ConfigError("fit restarts need a random generator", {
        key: "rng",
        value: undefined,
        allowed: "an Rng (createRng(seed))",
        fix: "pass fit({ restarts, rng })",
      });
    }
    const cold = options.warmStart === false || !this.fitted;
    if (options.warmStart === false) this.setTheta(this.defaultStart());
    if (this.n === 0) {
      return { converged: true, iterations: 0, evaluations: 0, lml: 0, objective: this.logPrior(this.theta, null), fellBack: false };
    }
    try {
      if (options.method === "pyro") return this.fitPyro(options);
      return options.method === "adam" ? this.fitAdam(options) : this.fitLbfgs(options, restarts, cold);
    } catch (e) {
      if (!(e instanceof NumericalError)) throw e;
      return this.fallBack(`numerical failure: ${e.message.split("\n")[0]}`);
    }
  }

  /** Default θ with the mean started at the data mean (when fitted). */
  private defaultStart(): Float64Array {
    const t = this.defaultTheta.slice();
    if (this.fitMean) t[this.layout.iMean] = this.dataMean();
    else t[this.layout.iMean] = this.theta[this.layout.iMean];
    return t;
  }

  private dataMean(): number {
    let s = 0;
    for (let i = 0; i < this.n; i++) s += this.yNorm[i];
    return this.n > 0 ? s / this.n : 0;
  }

  private fitLbfgs(options: FitOptions, restarts: number, cold: boolean): FitResult {
    const P = this.layout.P;
    const { iMean } = this.layout;
    const lower = this.lower.slice();
    const upper = this.upper.slice();
    if (!this.fitMean) {
      lower[iMean] = this.theta[iMean];
      upper[iMean] = this.theta[iMean];
    }
    const grad = this.gradBuf;
    const objective = (t: Float64Array, g: Float64Array): number => {
      const lml = this.evaluateStrict(t, grad);
      if (!Number.isFinite(lml)) return Infinity;
      const lp = this.logPrior(t, grad);
      for (let i = 0; i < P; i++) g[i] = -grad[i];
      return -(lml + lp);
    };

    const starts: Float64Array[] = [];
    const first = this.theta.slice();
    if (!this.fitted && this.fitMean) first[iMean] = this.dataMean();
    starts.push(first);
    for (let r = 0; r < restarts; r++) {
      const t = new Float64Array(P);
      for (let i = 0; i < P; i++) t[i] = i === iMean ? first[iMean] : options.rng!.uniform(lower[i], upper[i]);
      starts.push(t);
    }

    let best: { x: Float64Array; f: number } | null = null;
    let iterations = 0;
    let evaluations = 0;
    let converged = false;
    let reason: string | undefined;
    if (this.lbfgsMemory === null || options.warmStart === false) this.lbfgsMemory = createLbfgsMemory(P);
    const runFrom = (start: Float64Array, memoryState?: LbfgsMemory): void => {
      const res = minimizeLbfgs(objective, start, {
        memoryState,
        lower,
        upper,
        maxIterations: cold ? (options.coldMaxIterations ?? 1000) : (options.maxIterations ?? 20),
        gtol: options.gtol ?? 1e-5,
        ftol: options.ftol ?? (cold ? 2.2e-9 : 1e-6),
      });
      iterations += res.iterations;
      evaluations += res.evaluations;
      if (res.reason === "nonFiniteStart") return;
      if (best === null || res.f < best.f) {
        best = { x: res.x.slice(), f: res.f };
        converged = res.converged;
        reason = res.converged ? undefined : res.reason;
      }
    };
    starts.forEach((s, i) => runFrom(s, i === 0 ? this.lbfgsMemory! : undefined));
    if (best === null) {
      // Warm start and restarts all rejected: try the defaults.
      runFrom(this.defaultStart());
      if (best === null) return this.fallBack("the likelihood could not be evaluated at any starting point");
      reason = "warm start rejected; started from the defaults";
    }
    return this.adopt((best as { x: Float64Array; f: number }).x, converged, iterations, evaluations, reason);
  }

  /**
   * Ends a fit at `theta`: sets and factors it, keeps it as the last good point and reports the fit, or falls
   * back when the likelihood there is not finite.
   */
  private adopt(theta: Float64Array, converged: boolean, iterations: number, evaluations: number, reason: string | undefined): FitResult {
    this.setTheta(theta);
    this.ensureFactor();
    const lml = this.currentLml();
    if (!Number.isFinite(lml)) return this.fallBack("non-finite likelihood at the optimum");
    this.lastGood = theta.slice();
    this.fitted = true;
    const out: FitResult = { converged, iterations, evaluations, lml, objective: lml + this.logPrior(this.theta, null), fellBack: false };
    if (reason !== undefined) out.reason = reason;
    return out;
  }

  /**
   * Protein's fit: AMSGrad (lr 1e-3) on softplus-constrained parameters v = softplus(r) + 1e-4, minimizing
   * −LML/n − log p(noise) with Protein's LogNormal(ln 1e-2, 0.5) noise prior (including the softplus Jacobian)
   * when priors are on (the other priors are not used in this mode). Moves ℓ, σ_f, σ_n², b (and m when
   * `fitMean`); the linear scale c stays fixed (Protein has none). Bounds are not applied (as in Protein).
   * The moments persist across fits. Stops at the first failed step.
   */
  private fitAdam(options: FitOptions): FitResult {
    const P = this.layout.P;
    const { iNoise, iMean, iLin } = this.layout;
    const floor = 1e-4;
    const steps = options.steps ?? 50;
    const lr = options.learningRate ?? 1e-3;
    if (this.adam === null || this.adam.size !== P || this.adam.lr !== lr) this.adam = new Adam(P, { lr });
    if (options.resetOptimizer) this.adam.reset();
    const raw = new Float64Array(P);
    const theta = this.theta.slice();
    for (let i = 0; i < P; i++) {
      raw[i] = i === iMean ? theta[i] : softplusInverse(Math.max(Math.exp(theta[i]) - floor, 1e-12));
    }
    const g = this.gradBuf;
    const gRaw = new Float64Array(P);
    const toTheta = (): void => {
      for (let i = 0; i < P; i++) theta[i] = i === iMean ? raw[i] : Math.log(softplus(raw[i]) + floor);
    };
    const noisePrior = this.priors.noise;
    let lastGood = this.theta.slice();
    let iterations = 0;
    let reason: string | undefined;
    const n = this.n;
    for (let s = 0; s < steps; s++) {
      toTheta();
      const value = this.evaluateStrict(theta, g);
      if (!Number.isFinite(value)) {
        reason = `Cholesky failed at Adam step ${s}`;
        break;
      }
      lastGood = theta.slice();
      for (let i = 0; i < P; i++) {
        if (i === iMean) {
          gRaw[i] = this.fitMean ? -g[i] / n : 0;
          continue;
        }
        if (i === iLin) {
          gRaw[i] = 0; // Protein's kernel has no linear scale: c stays where it is
          continue;
        }
        const v = Math.exp(theta[i]);
        gRaw[i] = (-g[i] / n) * (sigmoid(raw[i]) / v); // ∂θ/∂r = softplus'(r)/v
      }
      if (noisePrior !== null) {
        // −∂/∂r [log LogNormal(v; μ, σ) + log sigmoid(r)], v = softplus(r) + floor.
        const r = raw[iNoise];
        const v = softplus(r) + floor;
        const z = (Math.log(v) - noisePrior.mu) / noisePrior.sigma;
        const dLogpDv = (-z / noisePrior.sigma - 1) / v;
        gRaw[iNoise] -= dLogpDv * sigmoid(r) + (1 - sigmoid(r));
      }
      this.adam.step(raw, gRaw);
      iterations++;
    }
    if (iterations === 0) return this.fallBack(reason ?? "no Adam step could be taken");
    // Keep the last parameters the likelihood was evaluated at successfully after the final step.
    toTheta();
    if (Number.isFinite(this.evaluateStrict(theta, null))) lastGood = theta.slice();
    return this.adopt(lastGood, false, iterations, iterations + 1, reason);
  }

  /**
   * The Python Protein's fit: pyro's `GPRegression` with kernel `Sum(Polynomial(degree=1), Matern32)`, trained by
   * `gp.util.train` — plain Adam (torch's, no AMSGrad) on the logs of pyro's positive parameters, minimizing the
   * negative log marginal likelihood of all n points (not divided by n), `steps` steps per fit, parameters and
   * moments kept from one fit to the next.
   *
   * pyro's parameters φ (length d + 4) and how they map onto θ (same kernel, another parametrization):
   *   φ = [log σ_p, log b_p, log σ_m, log ℓ_0 … log ℓ_{d−1}, log v]
   *   k(x, x') = σ_p·(b_p + x·x') + σ_m·Matérn32(x, x'; ℓ),   diagonal + v + jitter
   *   σ_f = σ_m,  c = σ_p/σ_m,  b = σ_p·b_p/σ_m,  σ_n² = v + jitter        (θ = the file header's)
   * so ∂/∂log σ_p = g_c + g_b, ∂/∂log b_p = g_b, ∂/∂log σ_m = g_σf − g_c − g_b, ∂/∂log v = g_n·v/(v + jitter),
   * with g the LML gradient in θ. Starts from σ_p = b_p = σ_m = ℓ = 1 and v = `initialNoise` (pyro's defaults and
   * the Protein's `model.noise`). The constant mean stays where it is (pyro's zero mean: keep `fitMean: false`).
   * Bounds and the GP's priors are not applied; `noisePrior` adds PufferLib 2.0's MAP noise prior. Stops at the
   * first step whose K cannot be factored and keeps the last parameters that could.
   */
  private fitPyro(options: FitOptions): FitResult {
    if (!this.linear) {
      throw new ConfigError('the "pyro" fit needs the linear term', { key: "linear", value: this.linear, allowed: "true (pyro's Polynomial + Matern32 kernel)", fix: "construct the GaussianProcess with linear: true, or use method \"lbfgs\"" });
    }
    const po = options.pyro ?? {};
    const lr = po.learningRate ?? 1e-2;
    const jitter = po.jitter ?? 1e-3;
    const prior = po.noisePrior ?? null;
    const steps = options.steps ?? 1000;
    const d = this.dim;
    const Q = d + 4;
    const iV = Q - 1;
    if (this.pyro === null || this.pyro.phi.length !== Q || this.pyro.adam.lr !== lr) {
      const phi = new Float64Array(Q);
      phi[iV] = Math.log(po.initialNoise ?? 1e-2);
      this.pyro = { phi, adam: new Adam(Q, { lr, amsgrad: false }) };
    }
    const { phi, adam } = this.pyro;
    if (options.resetOptimizer) adam.reset();
    const { iScale, iLs, iLin, iNoise } = this.layout;
    const theta = this.theta.slice();
    const toTheta = (p: Float64Array): Float64Array => {
      theta[iScale] = p[2];
      for (let j = 0; j < d; j++) theta[iLs + j] = p[3 + j];
      theta[iLin] = p[0] - p[2];
      theta[iLin + 1] = p[0] + p[1] - p[2];
      theta[iNoise] = Math.log(Math.exp(p[iV]) + jitter);
      return theta;
    };
    const g = this.gradBuf;
    const gPhi = new Float64Array(Q);
    let lastGood: Float64Array | null = null;
    let iterations = 0;
    let reason: string | undefined;
    for (let s = 0; s < steps; s++) {
      if (!Number.isFinite(this.evaluateStrict(toTheta(phi), g))) {
        reason = `Cholesky failed at Adam step ${s}`;
        break;
      }
      lastGood = phi.slice();
      // Loss = −LML (+ −log p(v)); g is ∂LML/∂θ.
      const gc = g[iLin];
      const gb = g[iLin + 1];
      gPhi[0] = -(gc + gb);
      gPhi[1] = -gb;
      gPhi[2] = -(g[iScale] - gc - gb);
      for (let j = 0; j < d; j++) gPhi[3 + j] = -g[iLs + j];
      const v = Math.exp(phi[iV]);
      gPhi[iV] = (-g[iNoise] * v) / (v + jitter);
      if (prior !== null) gPhi[iV] += (phi[iV] - prior.mu) / (prior.sigma * prior.sigma) + 1;
      adam.step(phi, gPhi);
      iterations++;
    }
    if (Number.isFinite(this.evaluateStrict(toTheta(phi), null))) lastGood = phi.slice();
    if (lastGood === null) return this.fallBack(reason ?? "no Adam step could be taken");
    phi.set(lastGood);
    return this.adopt(toTheta(lastGood).slice(), false, iterations, iterations + 1, reason);
  }

  /** Restores the last good hyperparameters, or the defaults if even those cannot be factored. */
  private fallBack(reason: string): FitResult {
    for (const t of [this.lastGood, this.defaultStart()]) {
      try {
        this.setTheta(t);
        this.ensureFactor();
        const lml = this.currentLml();
        if (Number.isFinite(lml)) {
          return { converged: false, iterations: 0, evaluations: 0, lml, objective: lml + this.logPrior(this.theta, null), fellBack: true, reason };
        }
      } catch (e) {
        if (!(e instanceof NumericalError)) throw e;
      }
    }
    // Last resort: a large noise makes K diagonally dominant.
    const t = this.defaultStart();
    t[this.layout.iNoise] = this.upper[this.layout.iNoise];
    this.setTheta(t);
    this.ensureFactor();
    const lml = this.currentLml();
    return { converged: false, iterations: 0, evaluations: 0, lml, objective: lml + this.logPrior(this.theta, null), fellBack: true, reason };
  }

  // ---------------------------------------------------------------- predict

  /**
   * Posterior predictive mean (and variance) at the q rows of `Xs` (q×d row-major), in the caller's units.
   * Processes Xs in blocks of {@link PREDICT_BLOCK} rows, so memory stays O(n·256) for any q. With no data it
   * returns the prior: mean m, variance σ_f·k(x, x) + σ_n².
   *   mean_i = m + k_iᵀ α,   var_i = σ_f k(x_i, x_i) + σ_n² − ‖L⁻¹ k_i‖²       (R&W Alg. 2.1 lines 4–6)
   * @throws ObservationError when Xs.length is not a multiple of d or holds a non-finite value.
   * @throws NumericalError when K cannot be factored even with the largest jitter (not expected with a noise ≥ 1e-6).
   */
  predict(Xs: Float64Array, options: PredictOptions = {}): Prediction {
    const d = this.dim;
    const q = this.queryRows(Xs);
    const wantVar = options.variance === true;
    const includeNoise = options.includeNoise ?? true;
    this.ensureFactor();
    const mean = new Float64Array(q);
    const variance = wantVar ? new Float64Array(q) : undefined;
    const m = this.theta[this.layout.iMean];
    const noise = includeNoise ? Math.exp(this.theta[this.layout.iNoise]) : 0;
    const n = this.n;
    const alpha = this.alpha;
    const T = this.predBuf;
    for (let r0 = 0; r0 < q; r0 += PREDICT_BLOCK) {
      const B = Math.min(PREDICT_BLOCK, q - r0);
      const Xb = Xs.subarray(r0 * d, (r0 + B) * d);
      const mb = mean.subarray(r0, r0 + B);
      this.blockMean(Xb, B, mb, m, T, alpha);
      if (variance) {
        const vb = variance.subarray(r0, r0 + B);
        this.kernel.fillDiag(Xb, B, vb, 1, false);
        if (n > 0) {
          solveLowerMany(this.L, n, T, B, T); // V = L⁻¹ K(X, Xb)
          for (let j = 0; j < n; j++) {
            const o = j * B;
            for (let i = 0; i < B; i++) vb[i] -= T[o + i] * T[o + i];
          }
        }
        for (let i = 0; i < B; i++) {
          const v = vb[i];
          vb[i] = (v > 0 ? v : 0) + noise;
        }
      }
    }
    // Back to the caller's units.
    const { shift, scale } = this;
    for (let i = 0; i < q; i++) mean[i] = shift + scale * mean[i];
    if (variance) {
      const s2 = scale * scale;
      for (let i = 0; i < q; i++) variance[i] *= s2;
    }
    return variance ? { mean, variance } : { mean };
  }

  /**
   * Posterior predictive variances of the rows `rows` (indices into the q rows of `Xs`, in any order), bit for
   * bit the values `predict(Xs, { variance: true, includeNoise })` returns for those rows, at the cost of solving
   * only for them. Exactness rests on how the blocked forward substitution treats a right-hand side
   * (`solveLowerMany`): every right-hand side in a group of 4 gets the same arithmetic, and the right-hand
   * sides left over after the groups of 4 (in `predict`: the last q mod 4 rows, since the block and chunk sizes
   * are multiples of 4) take a 1-row kernel with another summation order. So the rows before q − q mod 4 are
   * solved here in groups of 4 (the last group padded with copies of its last row) and the others alone.
   * @returns variances, out[t] for rows[t].
   * @throws ObservationError when Xs.length is not a multiple of d, holds a non-finite value, or a row index is out of range.
   */
  predictVarianceOf(Xs: Float64Array, rows: ArrayLike<number>, options: { includeNoise?: boolean } = {}): Float64Array {
    const q = this.queryRows(Xs);
    const d = this.dim;
    const out = new Float64Array(rows.length);
    for (let t = 0; t < rows.length; t++) {
      const r = rows[t];
      if (!Number.isSafeInteger(r) || r < 0 || r >= q) {
        throw new ObservationError("row index out of range", { key: "rows", value: r, allowed: `integers in [0, ${q - 1}]`, fix: "pass indices of rows of Xs" });
      }
    }
    this.ensureFactor();
    const noise = (options.includeNoise ?? true) ? Math.exp(this.theta[this.layout.iNoise]) : 0;
    const s2 = this.scale * this.scale;
    const n = this.n;
    const tailStart = q - (q % 4);
    const grouped: number[] = [];
    const alone: number[] = [];
    for (let t = 0; t < rows.length; t++) (rows[t] < tailStart ? grouped : alone).push(t);
    const T = this.predBuf;
    const Xb = new Float64Array(PREDICT_BLOCK * d);
    const vb = new Float64Array(PREDICT_BLOCK);
    const solve = (ts: number[], B: number): void => {
      // ts: positions in `rows` (at most B); rows beyond ts.length repeat the last one.
      for (let i = 0; i < B; i++) {
        const r = rows[ts[Math.min(i, ts.length - 1)]];
        Xb.set(Xs.subarray(r * d, r * d + d), i * d);
      }
      const X = Xb.subarray(0, B * d);
      this.kernel.fillDiag(X, B, vb, 1, false);
      if (n > 0) {
        this.kernel.fillCross(this.X, n, X, B, T, 1, false);
        solveLowerMany(this.L, n, T, B, T);
        for (let j = 0; j < n; j++) {
          const o = j * B;
          for (let i = 0; i < B; i++) vb[i] -= T[o + i] * T[o + i];
        }
      }
      for (let i = 0; i < ts.length; i++) {
        const v = vb[i];
        out[ts[i]] = ((v > 0 ? v : 0) + noise) * s2;
      }
    };
    for (let s = 0; s < grouped.length; s += PREDICT_BLOCK) {
      const ts = grouped.slice(s, s + PREDICT_BLOCK);
      solve(ts, (ts.length + 3) & ~3);
    }
    for (const t of alone) solve([t], 1);
    return out;
  }

  /**
   * Posterior mean at the q rows of `Xs` (bit for bit `predict(Xs).mean`) and, for each row, an upper bound of
   * its posterior variance (`predict(Xs, { variance: true, includeNoise }).variance`) that costs no n×n solve:
   * the posterior variance given only the `neighbours` training rows with the largest kernel value to that row
   * (conditioning on fewer data never lowers the variance), from a small Cholesky per row, plus a slack of
   * 1e-6 of the prior variance that covers the rounding of both computations (far above it: the full solve's
   * error is ~n·ε·cond(L) of the prior variance), and never above the prior variance σ_f·k(x, x).
   * Used to skip the full variance of candidates whose rating cannot reach the top.
   * @throws ObservationError when Xs.length is not a multiple of d or holds a non-finite value.
   */
  predictMeanAndVarianceBound(Xs: Float64Array, options: { includeNoise?: boolean; neighbours?: number } = {}): { mean: Float64Array; varianceBound: Float64Array } {
    const q = this.queryRows(Xs);
    const d = this.dim;
    this.ensureFactor();
    const mean = new Float64Array(q);
    const bound = new Float64Array(q);
    const m = this.theta[this.layout.iMean];
    const noise = (options.includeNoise ?? true) ? Math.exp(this.theta[this.layout.iNoise]) : 0;
    const n = this.n;
    const p = Math.min(n, Math.max(1, options.neighbours ?? 8));
    const alpha = this.alpha;
    const T = this.predBuf;
    // Per row of the block: indices and kernel values of its p nearest training rows (by kernel value).
    const nbIdx = new Int32Array(PREDICT_BLOCK * p);
    const nbVal = new Float64Array(PREDICT_BLOCK * p);
    const nbCount = new Int32Array(PREDICT_BLOCK);
    const thr = new Float64Array(PREDICT_BLOCK);
    const KS = new Float64Array(p * p);
    const w = new Float64Array(p);
    const jitter = this.jitter;
    const Kf = this.K;
    // The per-candidate factorizations in the wasm module when available (the same bits), K copied in once.
    const session = n >= p && p > 1 && q >= 8 ? wasmBoundSession(Kf, n, Math.min(q, PREDICT_BLOCK), p) : null;
    const reduced = new Float64Array(PREDICT_BLOCK);
    try {
    for (let r0 = 0; r0 < q; r0 += PREDICT_BLOCK) {
      const B = Math.min(PREDICT_BLOCK, q - r0);
      const Xb = Xs.subarray(r0 * d, (r0 + B) * d);
      const mb = mean.subarray(r0, r0 + B);
      const vb = bound.subarray(r0, r0 + B);
      this.kernel.fillDiag(Xb, B, vb, 1, false);
      // The same arithmetic as predict's, so the means agree bit for bit.
      this.blockMean(Xb, B, mb, m, T, alpha);
      if (n > 0) {
        nbCount.fill(0);
        thr.fill(Number.NEGATIVE_INFINITY);
        for (let j = 0; j < n; j++) {
          const o = j * B;
          for (let i = 0; i < B; i++) {
            const v = T[o + i];
            if (!(v > thr[i])) continue; // thr[i]: the smallest kept value once the list is full
            const base = i * p;
            let c = nbCount[i];
            if (c === p) c--;
            else nbCount[i] = c + 1;
            // Insertion into the row's list, kept in decreasing kernel value.
            while (c > 0 && nbVal[base + c - 1] < v) {
              nbVal[base + c] = nbVal[base + c - 1];
              nbIdx[base + c] = nbIdx[base + c - 1];
              c--;
            }
            nbVal[base + c] = v;
            nbIdx[base + c] = j;
            if (nbCount[i] === p) thr[i] = nbVal[base + p - 1];
          }
        }
        let allFull = session !== null;
        for (let i = 0; i < B && allFull; i++) allFull = nbCount[i] === p;
        if (allFull) session!.reduce(nbIdx, nbVal, B, p, jitter, reduced);
        else reduceAtNeighbours(Kf, n, nbIdx, nbVal, nbCount, B, p, jitter, KS, w, reduced);
        for (let i = 0; i < B; i++) {
          const prior = vb[i];
          const reduce = reduced[i];
          const slack = 1e-6 * (prior > 0 ? prior : 0);
          vb[i] = Number.isFinite(reduce) ? Math.min(prior, prior - reduce + slack) : prior;
        }
      }
      for (let i = 0; i < B; i++) {
        const v = vb[i];
        vb[i] = (v > 0 ? v : 0) + noise;
      }
    }
    } finally {
      session?.close();
    }
    const { shift, scale } = this;
    for (let i = 0; i < q; i++) mean[i] = shift + scale * mean[i];
    const s2 = scale * scale;
    for (let i = 0; i < q; i++) bound[i] *= s2;
    return { mean, varianceBound: bound };
  }

  /**
   * Prior mean m plus k_iᵀ α for a block of B query rows, into `mb`; leaves T = K(X, Xb) (n×B, column i is k_i,
   * the kernel being symmetric) for the caller's variances.
   */
  private blockMean(Xb: Float64Array, B: number, mb: Float64Array, m: number, T: Float64Array, alpha: Float64Array): void {
    const n = this.n;
    mb.fill(m);
    if (this.trendDims !== null && this.trendCoefficient !== 0) for (let i = 0; i < B; i++) mb[i] += this.trendCoefficient * this.trendShapeAt(Xb, i);
    if (n === 0) return;
    this.kernel.fillCross(this.X, n, Xb, B, T, 1, false);
    for (let j = 0; j < n; j++) {
      const aj = alpha[j];
      const o = j * B;
      for (let i = 0; i < B; i++) mb[i] += T[o + i] * aj;
    }
  }

  /** Rows of a query array, checked as {@link predict} checks them. */
  private queryRows(Xs: Float64Array): number {
    const d = this.dim;
    if (Xs.length % d !== 0) {
      throw new ObservationError("query points must be a q×d row-major array", {
        key: "Xs.length",
        value: Xs.length,
        allowed: `a multiple of dim = ${d}`,
        fix: "pass one row of d coordinates per query point",
      });
    }
    requireFiniteRows(Xs, d, "Xs", "query points must be finite", "repair the candidate point");
    return Xs.length / d;
  }
}

/**
 * For each of the B candidates of a block: Σ w_a² with w = L_S⁻¹·k_S, L_S the Cholesky factor of K_SS + jitter·I at
 * its c = nbCount[i] nearest training rows nbIdx[i·p + a] (kernel values nbVal[i·p + a]), K read from the lower
 * triangle of the n×n K; 0 where a pivot is not positive (the factorization stops there). The JavaScript twin of
 * the wasm module's nbreduce (the same operations in the same order). KS (p·p) and w (p) are scratch.
 */
function reduceAtNeighbours(
  Kf: Float64Array,
  n: number,
  nbIdx: Int32Array,
  nbVal: Float64Array,
  nbCount: Int32Array,
  B: number,
  p: number,
  jitter: number,
  KS: Float64Array,
  w: Float64Array,
  out: Float64Array,
): void {
  for (let i = 0; i < B; i++) {
    const c = nbCount[i];
    const base = i * p;
    // K_SS + jitter·I from K (lower triangle of σ_f·k(X, X) + σ_n²·I, whole after ensureFactor).
    for (let a = 0; a < c; a++) {
      const ia = nbIdx[base + a];
      for (let b = 0; b <= a; b++) {
        const ib = nbIdx[base + b];
        KS[a * c + b] = ia >= ib ? Kf[ia * n + ib] : Kf[ib * n + ia];
      }
      KS[a * c + a] += jitter;
    }
    // Cholesky of the c×c block (stride c) and w = L_S⁻¹ k_S, in place.
    let ok = true;
    for (let a = 0; a < c && ok; a++) {
      for (let b = 0; b <= a; b++) {
        let sum = KS[a * c + b];
        for (let k = 0; k < b; k++) sum -= KS[a * c + k] * KS[b * c + k];
        if (a === b) {
          if (!(sum > 0)) ok = false;
          else KS[a * c + a] = Math.sqrt(sum);
        } else KS[a * c + b] = sum / KS[b * c + b];
      }
    }
    let reduce = 0;
    if (ok) {
      for (let a = 0; a < c; a++) {
        let sum = nbVal[base + a];
        for (let k = 0; k < a; k++) sum -= KS[a * c + k] * w[k];
        w[a] = sum / KS[a * c + a];
        reduce += w[a] * w[a];
      }
    }
    out[i] = reduce;
  }
}
