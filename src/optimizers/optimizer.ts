import type { Param } from '../layers/layer.js';

/**
 * An optimizer turns gradients into parameter updates. It sees only Params (value + grad), so any
 * layer's weights can be trained by any optimizer. `state()` / `loadState()` carry whatever it keeps
 * between steps (momentum, moment estimates, step count) for checkpoints.
 */
export interface Optimizer {
  /** The name {@link makeOptimizer} knows it by: `sgd`, `adam`, … */
  readonly name: string;
  /** Learning rate used by the next step; schedules set it between steps. */
  learningRate: number;
  /**
   * One update of every param from its current gradient, in place. Pass the same params in every step:
   * per-parameter state is keyed by `Param.name`.
   * @throws {@link ScratchnetError} if a param's size differs from the state kept under its name.
   */
  step(params: readonly Param[]): void;
  /** A copy of everything the next step depends on (step count, learning rate, per-parameter buffers), for a checkpoint. */
  state(): OptimizerState;
  /**
   * Continues from a saved {@link Optimizer.state}, replacing the current state; the next step is the one
   * the saved optimizer would have taken.
   * @throws {@link ScratchnetError} if the state names a buffer this optimizer does not keep, or misses one.
   */
  loadState(state: OptimizerState): void;
  /** The settings as JSON: `{ optimizer: name, lr, …options }`, which {@link internals.optimizerFromConfig} rebuilds from. */
  config(): Record<string, unknown>;
}

/** Named float buffers plus scalars; buffers are keyed by `param name/slot`, e.g. `0.weight/m`. */
export interface OptimizerState {
  /** `step` (steps taken) and `lr` (learning rate of the next step). */
  scalars: Record<string, number>;
  /** One buffer per param and slot, each the size of the param. */
  buffers: Record<string, Float32Array>;
}
