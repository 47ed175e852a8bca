import { kernels } from '../kernels/index.js';
import type { Param } from '../layers/layer.js';
import type { Optimizer, OptimizerState } from './optimizer.js';

/** Plain stochastic gradient descent: θ ← θ − lr · ∂L/∂θ. Keeps no state. */
export class SGD implements Optimizer {
  readonly name = 'sgd';
  constructor(public learningRate = 0.1) {
    if (!(learningRate > 0)) throw new Error(`SGD: learning rate must be > 0, got ${learningRate}`);
  }

  step(params: readonly Param[]): void {
    const k = kernels();
    for (const p of params) k.sgdStep(p.value.size, this.learningRate, p.grad.data, p.value.data);
  }

  state(): OptimizerState {
    return { scalars: {}, buffers: {} };
  }

  loadState(): void {}

  config(): Record<string, unknown> {
    return { optimizer: this.name, lr: this.learningRate };
  }
}
