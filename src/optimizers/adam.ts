import { ScratchnetError } from '../errors.js';
import { kernels } from '../kernels/index.js';
import { BaseOptimizer, type CommonOptions } from './base.js';

/** Options of {@link Adam} and {@link AdamW}; lr defaults to 0.001. */
export interface AdamOptions extends CommonOptions {
  /** Decay of the first-moment (mean) estimate; default 0.9. */
  beta1?: number;
  /** Decay of the second-moment (uncentered variance) estimate; default 0.999. */
  beta2?: number;
  /** Added to the denominator; default 1e-8. */
  eps?: number;
}

/**
 * Adam (Kingma & Ba, 2015) in PyTorch's formulation, at step t = 1, 2, …:
 *
 *   g ← ∂L/∂θ + λ·θ                         (coupled L2; AdamW instead decays θ directly, see adamw.ts)
 *   m ← β₁·m + (1 − β₁)·g                   (exp_avg)
 *   v ← β₂·v + (1 − β₂)·g²                  (exp_avg_sq)
 *   θ ← θ − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)      (bias-corrected m̂ / (√v̂ + ε))
 *
 * One kernel pass per parameter (`adamStep`), given the two bias corrections as scalars.
 */
export class Adam extends BaseOptimizer {
  readonly name: 'adam' | 'adamw' = 'adam';
  /** β₁, as {@link AdamOptions.beta1}. */
  readonly beta1: number;
  /** β₂, as {@link AdamOptions.beta2}. */
  readonly beta2: number;
  /** ε, as {@link AdamOptions.eps}. */
  readonly eps: number;
  /** True for AdamW: θ ← θ·(1 − lr·λ) before the Adam step, and λ is not added to g. */
  protected readonly decoupled: boolean = false;

  /**
   * @param defaultLr - the learning rate when `options.lr` is unset.
   * @throws {@link ScratchnetError} if β₁ or β₂ is outside [0, 1), ε is not positive, or a common option is invalid.
   */
  constructor(options: AdamOptions = {}, defaultLr = 1e-3) {
    super(['exp_avg', 'exp_avg_sq'], options, defaultLr);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    for (const [key, beta] of [
      ['beta1', this.beta1],
      ['beta2', this.beta2],
    ] as const) {
      if (!(beta >= 0 && beta < 1)) throw new ScratchnetError(`${this.constructor.name}: ${key} must be in [0, 1), got ${beta}`);
    }
    if (!(this.eps > 0)) throw new ScratchnetError(`${this.constructor.name}: eps must be > 0, got ${this.eps}`);
  }

  protected update(value: Float32Array, grad: Float32Array, slots: Float32Array[], lr: number): void {
    const [m, v] = slots;
    const { beta1, beta2, eps } = this;
    const t = this.steps;
    const stepSize = lr / (1 - beta1 ** t);
    const rootCorrection = Math.sqrt(1 - beta2 ** t);
    const coupled = this.decoupled ? 0 : this.weightDecay;
    const shrink = this.decoupled ? 1 - lr * this.weightDecay : 1;
    kernels().adamStep(value.length, stepSize, rootCorrection, beta1, beta2, eps, coupled, shrink, grad, value, m, v);
  }

  protected hyperparameters(): Record<string, unknown> {
    return { beta1: this.beta1, beta2: this.beta2, eps: this.eps };
  }
}
