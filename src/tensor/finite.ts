import { ScratchnetError } from '../errors.js';

/**
 * Finding NaN and ±Inf. A NaN spreads silently (every sum, product and softmax it touches becomes NaN),
 * so scratchnet refuses one where it first appears: in data and model files as they load, and in the
 * loss and gradients of each training step.
 */

/** The index of the first NaN or ±Inf in `values`, or −1. */
export function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}

/** The index of the first negative value (−0 is not negative), or −1: for state that is a sum of squares. */
export function firstNegative(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (values[i] < 0) return i;
  return -1;
}

/**
 * Training met NaN or ±Inf and stopped before the optimizer's step on that batch. `detail` says where (the loss, or a gradient by parameter name and index);
 * `epoch` and `batch` (counted from 1) say when, once `fit` knows.
 */
export class NonFiniteError extends ScratchnetError {
  override readonly name = 'NonFiniteError';
  /**
   * @param detail - what was not finite, e.g. `the loss is NaN`.
   * @param epoch - the epoch of the batch, from 1 (absent outside fit).
   * @param batch - the batch within the epoch, from 1 (absent outside fit).
   */
  constructor(
    readonly detail: string,
    readonly epoch?: number,
    readonly batch?: number,
  ) {
    super(epoch === undefined ? `training stopped: ${detail}` : `training stopped at epoch ${epoch}, batch ${batch}: ${detail}`);
  }
}
