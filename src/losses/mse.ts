import { BatchBuffer } from '../layers/batch-buffer.js';
import { Tensor, assertShape } from '../tensor/tensor.js';
import { ScratchnetError } from '../errors.js';
import { type Loss, type LossConfig, checkLabels, registerLoss } from './loss.js';

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

/**
 * Mean squared error as a classifier's loss: the network's outputs against the one-hot rows of the labels,
 *
 *   t[b, c] = 1 if c = y_b else 0,   L = (1/(B·C)) Σ_b,c (z[b, c] − t[b, c])²,   ∂L/∂z = 2(z − t) / (B·C)
 *
 * — meanSquaredError on one-hot targets, the mean over every value as PyTorch's
 * `F.mse_loss(z, F.one_hot(y).float())` takes it. It applies to the last layer's outputs as they are
 * (no softmax inside): least-squares classification, where each output is pulled towards 1 for its
 * class and 0 for the others. Add a Sigmoid as the last layer to keep the outputs in (0, 1). The
 * predicted class is still the largest output, so `predict` and accuracy mean what they always do.
 *
 * Shapes: output [batch, classes], labels [batch] (integers 0..classes−1).
 */
export class MeanSquaredError implements Loss {
  readonly type = 'mean-squared-error';
  private targets: BatchBuffer | null = null;
  private grads: BatchBuffer | null = null;
  private lastGrad: Tensor | null = null;

  forward(output: Tensor, labels: Int32Array): number {
    assertShape('mean squared error output', output.shape, [-1, -1]);
    const batch = output.rows;
    const classes = output.cols;
    checkLabels('mean squared error', labels, batch, classes);
    if (this.targets?.sampleShape[0] !== classes) {
      this.targets = new BatchBuffer([classes]);
      this.grads = new BatchBuffer([classes]);
    }
    const targets = this.targets.forBatch(batch);
    targets.data.fill(0);
    for (let b = 0; b < batch; b++) targets.data[b * classes + labels[b]] = 1;
    const grad = this.grads!.forBatch(batch);
    const loss = meanSquaredError(output, targets, grad);
    this.lastGrad = grad;
    return loss;
  }

  /** ∂L/∂output [batch, classes] of the last forward (a buffer reused across calls). */
  backward(): Tensor {
    if (!this.lastGrad) throw new ScratchnetError('MeanSquaredError.backward called before forward');
    return this.lastGrad;
  }

  config(): LossConfig {
    return { type: this.type };
  }

  toString(): string {
    return 'MeanSquaredError';
  }
}

registerLoss('mean-squared-error', () => new MeanSquaredError());
