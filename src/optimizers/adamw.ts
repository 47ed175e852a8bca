import { Adam, type AdamOptions } from './adam.js';

/**
 * AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay. Instead of adding λ·θ to the
 * gradient (where Adam's scaling would shrink it for weights with large gradients), every weight decays
 * by the same factor before the Adam step:
 *
 *   θ ← θ·(1 − lr·λ),  then the Adam update of adam.ts with g = ∂L/∂θ.
 *
 * Default λ = 0.01, as PyTorch's AdamW.
 */
export class AdamW extends Adam {
  override readonly name = 'adamw';
  protected override readonly decoupled = true;

  /** Options as {@link Adam}'s; weightDecay defaults to 0.01 here, and is decoupled. */
  constructor(options: AdamOptions = {}) {
    super({ ...options, weightDecay: options.weightDecay ?? 0.01 });
  }
}
