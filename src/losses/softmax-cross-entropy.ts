import { kernels } from '../kernels/index.js';
import { BatchBuffer } from '../layers/batch-buffer.js';
import { Tensor, assertShape } from '../tensor/tensor.js';
import { ScratchnetError } from '../errors.js';

/**
 * Softmax cross-entropy from logits, the loss of a classifier.
 *
 *   p = softmax(z),   L = −(1/B) Σ_b log p[b, y_b]  (mean over the batch)
 *   ∂L/∂z = (p − onehot(y)) / B
 *
 * Computed with log-sum-exp (log Σ e^z = m + log Σ e^(z−m), m = max z), so logits of ±1e4 give a
 * finite loss; the tutorial's log(p + 1e-9) caps the loss of a confident mistake at about 20.7 instead.
 *
 * Shapes: logits [batch, classes], labels [batch] (integers 0..classes−1).
 */
export class SoftmaxCrossEntropy {
  readonly probs: BatchBuffer;
  readonly grads: BatchBuffer;
  /** Probabilities and gradient of the last call (buffers reused across calls). */
  lastProbs: Tensor | null = null;
  lastGrad: Tensor | null = null;

  constructor(readonly classes: number) {
    this.probs = new BatchBuffer([classes]);
    this.grads = new BatchBuffer([classes]);
  }

  /** Returns the mean loss; `lastGrad` then holds ∂L/∂logits and `lastProbs` the softmax. */
  forward(logits: Tensor, labels: Int32Array): number {
    assertShape('softmax cross-entropy logits', logits.shape, [-1, this.classes]);
    const batch = logits.rows;
    if (labels.length < batch)
      throw new ScratchnetError(`softmax cross-entropy: ${batch} logit rows but ${labels.length} labels`);
    for (let i = 0; i < batch; i++) {
      const label = labels[i];
      if (!(label >= 0 && label < this.classes))
        throw new ScratchnetError(`softmax cross-entropy: label ${label} at row ${i} is outside 0..${this.classes - 1}`);
    }
    const probs = this.probs.forBatch(batch);
    const grad = this.grads.forBatch(batch);
    const loss = kernels().softmaxCrossEntropy(batch, this.classes, logits.data, labels, probs.data, grad.data);
    this.lastProbs = probs;
    this.lastGrad = grad;
    return loss;
  }
}

/**
 * The tutorial's function, with its name: returns the mean loss and ∂L/∂logits for one batch.
 * Allocates its outputs; the training loop uses SoftmaxCrossEntropy, which reuses them.
 */
export function softmaxCrossEntropyWithLogits(logits: Tensor, labels: ArrayLike<number>): { loss: number; grad: Tensor } {
  const loss = new SoftmaxCrossEntropy(logits.cols);
  const value = loss.forward(logits, Int32Array.from(labels));
  return { loss: value, grad: loss.lastGrad!.clone() };
}
