import { Tensor, assertShape } from '../tensor/tensor.js';

/**
 * Mean squared error, the loss of regression (the tutorial's linear-regression recap):
 *
 *   L = (1/N) Σ_i (ŷ_i − y_i)²  over all N = batch × outputs values
 *   ∂L/∂ŷ = 2(ŷ − y) / N
 *
 * Shapes: predictions and targets [batch, outputs]. Returns the loss and writes the gradient into `grad`.
 */
export function meanSquaredError(predictions: Tensor, targets: Tensor, grad?: Tensor): number {
  assertShape('mean squared error targets', targets.shape, predictions.shape);
  if (grad) assertShape('mean squared error gradient', grad.shape, predictions.shape);
  const n = predictions.size;
  const p = predictions.data;
  const t = targets.data;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const diff = p[i] - t[i];
    sum += diff * diff;
    if (grad) grad.data[i] = (2 * diff) / n;
  }
  return sum / n;
}
