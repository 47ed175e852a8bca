import { ScratchnetError } from '../errors.js';
import { kernels } from '../kernels/index.js';
import { BaseOptimizer, type CommonOptions } from './base.js';

/** Options of {@link RMSprop}; lr defaults to 0.01. */
export interface RmsPropOptions extends CommonOptions {
  /** Smoothing constant α of the squared-gradient average; default 0.99 (PyTorch's). */
  alpha?: number;
  /** Added to the denominator; default 1e-8. */
  eps?: number;
  /** Momentum μ on the scaled step; default 0. */
  momentum?: number;
  /** Divide by the estimated variance (E[g²] − E[g]²) instead of E[g²]; default false. */
  centered?: boolean;
}

/**
 * RMSprop (Hinton, 2012) in PyTorch's formulation:
 *
 *   g ← ∂L/∂θ + λ·θ
 *   s ← α·s + (1 − α)·g²                     (square_avg)
 *   centered: a ← α·a + (1 − α)·g,  s̃ = s − a²,  else s̃ = s
 *   d ← g / (√s̃ + ε)
 *   μ > 0: b ← μ·b + d,  θ ← θ − lr·b;   else θ ← θ − lr·d
 *
 * One kernel pass per parameter (`rmspropStep`).
 */
export class RMSprop extends BaseOptimizer {
  readonly name = 'rmsprop';
  /** α, as {@link RmsPropOptions.alpha}. */
  readonly alpha: number;
  /** ε, as {@link RmsPropOptions.eps}. */
  readonly eps: number;
  /** μ, as {@link RmsPropOptions.momentum}. */
  readonly momentum: number;
  /** As {@link RmsPropOptions.centered}. */
  readonly centered: boolean;

  /** @throws {@link ScratchnetError} if α or μ is outside [0, 1), ε is not positive, or a common option is invalid. */
  constructor(options: RmsPropOptions = {}) {
    const momentum = options.momentum ?? 0;
    const centered = options.centered ?? false;
    super(['square_avg', ...(centered ? ['grad_avg'] : []), ...(momentum > 0 ? ['momentum_buffer'] : [])], options, 0.01);
    this.alpha = options.alpha ?? 0.99;
    this.eps = options.eps ?? 1e-8;
    this.momentum = momentum;
    this.centered = centered;
    if (!(this.alpha >= 0 && this.alpha < 1)) throw new ScratchnetError(`RMSprop: alpha must be in [0, 1), got ${this.alpha}`);
    if (!(this.eps > 0)) throw new ScratchnetError(`RMSprop: eps must be > 0, got ${this.eps}`);
    if (!(momentum >= 0 && momentum < 1)) throw new ScratchnetError(`RMSprop: momentum must be in [0, 1), got ${momentum}`);
  }

  protected update(value: Float32Array, grad: Float32Array, slots: Float32Array[], lr: number): void {
    const square = slots[0];
    const average = this.centered ? slots[1] : null;
    const buffer = this.momentum > 0 ? slots[slots.length - 1] : null;
    const { alpha, eps, momentum } = this;
    kernels().rmspropStep(value.length, lr, alpha, eps, this.weightDecay, momentum, grad, value, square, average, buffer);
  }

  protected hyperparameters(): Record<string, unknown> {
    return { alpha: this.alpha, eps: this.eps, momentum: this.momentum, centered: this.centered };
  }
}
