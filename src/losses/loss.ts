import type { Tensor } from '../tensor/tensor.js';
import { ScratchnetError } from '../errors.js';

/** The saved form of a loss: its type name plus the options that rebuild it (model files, checkpoints). */
export interface LossConfig {
  readonly type: string;
  readonly [option: string]: unknown;
}

/**
 * What training minimises: a scalar that compares a network's output with the labels, and its
 * gradient, where backpropagation starts.
 *
 * `forward(output, labels)` returns the batch's mean loss and computes ∂L/∂output in the same pass,
 * into a buffer the loss owns (valid until its next forward; reused, so training allocates nothing per
 * batch). `backward()` hands that buffer over, as a layer's backward hands over dX. Both gradients
 * are of the *mean*, so no layer divides by the batch size again.
 *
 * Shapes: output [batch, outputs], labels [batch] (class indices 0..outputs−1), ∂L/∂output [batch, outputs].
 */
export interface Loss {
  readonly type: string;
  /** output: [batch, outputs], labels: [batch] → the mean loss over the batch. */
  forward(output: Tensor, labels: Int32Array): number;
  /** ∂L/∂output [batch, outputs] of the last forward. */
  backward(): Tensor;
  /** The saved form: the type name and the options that rebuild it (`lossFromConfig`). */
  config(): LossConfig;
  /** What the loss is, as a summary prints it: `SoftmaxCrossEntropy`. */
  toString(): string;
}

/**
 * Checks that there is a label for each of `batch` rows and each names one of `classes` outputs; the
 * message names the loss and the first bad label.
 */
export function checkLabels(loss: string, labels: Int32Array, batch: number, classes: number): void {
  if (labels.length < batch) throw new ScratchnetError(`${loss}: ${batch} output rows but ${labels.length} labels`);
  for (let i = 0; i < batch; i++) {
    const label = labels[i];
    if (!(label >= 0 && label < classes))
      throw new ScratchnetError(`${loss}: label ${label} at row ${i} is outside 0..${classes - 1}`);
  }
}

/** Builds a loss from its saved config (`registerLoss`). */
export type LossFactory = (config: LossConfig) => Loss;
const registry = new Map<string, LossFactory>();

/** Makes a loss type loadable from its config (model files, checkpoints). Each loss file registers itself. */
export function registerLoss(type: string, factory: LossFactory): void {
  registry.set(type, factory);
}

/** Builds a loss from its saved config. */
export function lossFromConfig(config: LossConfig): Loss {
  const factory = registry.get(config.type);
  if (!factory) throw new ScratchnetError(`unknown loss type '${config.type}' (known: ${[...registry.keys()].join(', ')})`);
  return factory(config);
}
