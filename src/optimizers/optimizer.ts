import type { Param } from '../layers/layer.js';

/**
 * An optimizer turns gradients into parameter updates. It sees only Params (value + grad), so any
 * layer's weights can be trained by any optimizer. `state()` / `loadState()` carry whatever it keeps
 * between steps (momentum, moment estimates, step count) for checkpoints.
 */
export interface Optimizer {
  readonly name: string;
  /** Learning rate used by the next step; schedules set it between steps. */
  learningRate: number;
  step(params: readonly Param[]): void;
  state(): OptimizerState;
  loadState(state: OptimizerState): void;
  config(): Record<string, unknown>;
}

/** Named float buffers plus scalars; buffers are keyed by `param name/slot`, e.g. `0.weight/m`. */
export interface OptimizerState {
  scalars: Record<string, number>;
  buffers: Record<string, Float32Array>;
}
