import { kernels } from '../kernels/index.js';
import { ScratchnetError } from '../errors.js';
import { BaseOptimizer, type CommonOptions } from './base.js';

/** Options of {@link SGD}; lr defaults to 0.1. */
export interface SgdOptions extends CommonOptions {
  /** Momentum μ; 0 (default) is plain SGD. */
  momentum?: number;
  /** Dampening τ of the momentum update; default 0. */
  dampening?: number;
  /** Nesterov momentum (needs μ > 0 and τ = 0). */
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent, with optional momentum and Nesterov momentum — PyTorch's formulation:
 *
 *   g ← ∂L/∂θ + λ·θ                        (coupled weight decay λ)
 *   b ← g on the first step, else b ← μ·b + (1 − τ)·g
 *   d ← g + μ·b   (Nesterov)   or   d ← b   (classical momentum)   or   d ← g   (μ = 0)
 *   θ ← θ − lr·d
 *
 * Plain SGD (μ = 0, λ = 0) is the tutorial's θ ← θ − lr·∂L/∂θ and keeps no state.
 * Each parameter's update is one kernel pass (`sgdStep`, `sgdDecayStep` or `momentumStep`; see reference.ts).
 * Name: 'sgd', 'momentum' or 'nesterov', as `makeOptimizer` takes it.
 */
export class SGD extends BaseOptimizer {
  readonly name: 'sgd' | 'momentum' | 'nesterov';
  /** μ, as {@link SgdOptions.momentum}. */
  readonly momentum: number;
  /** τ, as {@link SgdOptions.dampening}. */
  readonly dampening: number;
  /** As {@link SgdOptions.nesterov}. */
  readonly nesterov: boolean;

  /**
   * @param options - the options, or just the learning rate.
   * @throws {@link ScratchnetError} if μ is outside [0, 1), τ outside [0, 1], Nesterov is asked for with μ = 0 or τ ≠ 0, or a common option is invalid.
   */
  constructor(options: SgdOptions | number = {}) {
    const o: SgdOptions = typeof options === 'number' ? { lr: options } : options;
    const momentum = o.momentum ?? 0;
    super(momentum > 0 ? ['momentum_buffer'] : [], o, 0.1);
    this.momentum = momentum;
    this.dampening = o.dampening ?? 0;
    this.nesterov = o.nesterov ?? false;
    if (!(momentum >= 0 && momentum < 1)) throw new ScratchnetError(`SGD: momentum must be in [0, 1), got ${momentum}`);
    if (!(this.dampening >= 0 && this.dampening <= 1))
      throw new ScratchnetError(`SGD: dampening must be in [0, 1], got ${this.dampening}`);
    if (this.nesterov && (momentum === 0 || this.dampening !== 0))
      throw new ScratchnetError('SGD: Nesterov momentum needs momentum > 0 and dampening 0');
    this.name = this.nesterov ? 'nesterov' : momentum > 0 ? 'momentum' : 'sgd';
  }

  protected update(value: Float32Array, grad: Float32Array, slots: Float32Array[], lr: number): void {
    const n = value.length;
    const decay = this.weightDecay;
    const k = kernels();
    if (this.momentum > 0) {
      const first = this.steps === 1;
      k.momentumStep(n, lr, decay, this.momentum, this.dampening, this.nesterov, first, grad, value, slots[0]);
    } else if (decay > 0) {
      k.sgdDecayStep(n, lr, decay, grad, value);
    } else {
      k.sgdStep(n, lr, grad, value);
    }
  }

  protected hyperparameters(): Record<string, unknown> {
    return this.momentum > 0 ? { momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov } : {};
  }
}
