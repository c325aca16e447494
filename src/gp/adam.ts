/**
 * Adam optimizer (Kingma & Ba 2015) with the AMSGrad variant (Reddi et al. 2018), stepping a parameter vector in
 * place to minimize a loss. Reproduces PyTorch's `torch.optim.Adam(..., amsgrad=True)` update:
 *
 *   m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,   v̂ ← max(v̂, v)            (per coordinate)
 *   θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
 *
 * Glossary: θ parameters (length p), g gradient of the loss, t step count (persists across calls, so an
 * optimizer kept between fits continues its schedule, as Protein's does until it resets it).
 */

/** Options of {@link Adam}. */
export interface AdamOptions {
  /** Learning rate. @default 1e-3 */
  lr?: number;
  /** @default 0.9 */
  beta1?: number;
  /** @default 0.999 */
  beta2?: number;
  /** @default 1e-8 */
  eps?: number;
  /** Use the running maximum of the second moment (AMSGrad). @default true */
  amsgrad?: boolean;
}

/** Stateful Adam/AMSGrad stepper for a fixed number of parameters. */
export class Adam {
  readonly size: number;
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly amsgrad: boolean;
  /** Steps taken since construction or the last {@link Adam.reset}. */
  t = 0;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private readonly vMax: Float64Array;

  /** @param size number of parameters p */
  constructor(size: number, options: AdamOptions = {}) {
    this.size = size;
    this.lr = options.lr ?? 1e-3;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.amsgrad = options.amsgrad ?? true;
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
    this.vMax = new Float64Array(size);
  }

  /** The step count and moments, JSON-safe (for exact resume). */
  getState(): { t: number; m: number[]; v: number[]; vMax: number[] } {
    return { t: this.t, m: Array.from(this.m), v: Array.from(this.v), vMax: Array.from(this.vMax) };
  }

  /** Restores what {@link Adam.getState} returned (same size). */
  setState(state: { t: number; m: ArrayLike<number>; v: ArrayLike<number>; vMax: ArrayLike<number> }): void {
    this.t = state.t;
    this.m.set(state.m);
    this.v.set(state.v);
    this.vMax.set(state.vMax);
  }

  /** Forgets the moments and the step count. */
  reset(): void {
    this.t = 0;
    this.m.fill(0);
    this.v.fill(0);
    this.vMax.fill(0);
  }

  /**
   * One descent step: updates `theta` (length p) in place from the loss gradient `grad` (length p).
   * @returns `theta`
   */
  step(theta: Float64Array, grad: ArrayLike<number>): Float64Array {
    this.t++;
    const { beta1, beta2, eps, m, v, vMax } = this;
    const bc1 = 1 - Math.pow(beta1, this.t);
    const sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, this.t));
    const stepSize = this.lr / bc1;
    for (let i = 0; i < this.size; i++) {
      const g = grad[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      let second = v[i];
      if (this.amsgrad) {
        if (vMax[i] < v[i]) vMax[i] = v[i];
        second = vMax[i];
      }
      theta[i] -= (stepSize * m[i]) / (Math.sqrt(second) / sqrtBc2 + eps);
    }
    return theta;
  }
}
