import { ScratchnetError } from '../errors.js';
import { kernels } from '../kernels/index.js';
import { BaseOptimizer, type CommonOptions } from './base.js';

/** Options of {@link Adagrad}; lr defaults to 0.01. */
export interface AdagradOptions extends CommonOptions {
  /** Added to the denominator; default 1e-10 (PyTorch's). */
  eps?: number;
  /** Starting value of the squared-gradient sum; default 0. */
  initialAccumulator?: number;
}

/**
 * Adagrad (Duchi, Hazan & Singer, 2011) in PyTorch's formulation: each weight's step shrinks with the
 * sum of its squared gradients so far.
 *
 *   g ← ∂L/∂θ + λ·θ
 *   s ← s + g²                                (sum)
 *   θ ← θ − lr · g / (√s + ε)
 *
 * One kernel pass per parameter (`adagradStep`).
 */
export class Adagrad extends BaseOptimizer {
  readonly name = 'adagrad';
  /** ε, as {@link AdagradOptions.eps}. */
  readonly eps: number;
  /** As {@link AdagradOptions.initialAccumulator}. */
  readonly initialAccumulator: number;

  /** @throws {@link ScratchnetError} if ε is not positive, the initial accumulator is negative, or a common option is invalid. */
  constructor(options: AdagradOptions = {}) {
    super(['sum'], options, 0.01);
    this.eps = options.eps ?? 1e-10;
    this.initialAccumulator = options.initialAccumulator ?? 0;
    if (!(this.eps > 0)) throw new ScratchnetError(`Adagrad: eps must be > 0, got ${this.eps}`);
    if (!(this.initialAccumulator >= 0))
      throw new ScratchnetError(`Adagrad: initial accumulator must be ≥ 0, got ${this.initialAccumulator}`);
  }

  protected update(value: Float32Array, grad: Float32Array, slots: Float32Array[], lr: number): void {
    const sum = slots[0];
    if (this.steps === 1 && this.initialAccumulator !== 0) sum.fill(this.initialAccumulator);
    kernels().adagradStep(value.length, lr, this.eps, this.weightDecay, grad, value, sum);
  }

  protected hyperparameters(): Record<string, unknown> {
    return { eps: this.eps, initialAccumulator: this.initialAccumulator };
  }
}
