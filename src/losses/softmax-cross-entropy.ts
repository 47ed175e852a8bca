import { kernels } from '../kernels/index.js';
import { BatchBuffer } from '../layers/batch-buffer.js';
import { Tensor, assertShape } from '../tensor/tensor.js';
import { ScratchnetError } from '../errors.js';
import { type Loss, type LossConfig, checkLabels, registerLoss } from './loss.js';

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
export class SoftmaxCrossEntropy implements Loss {
  readonly type = 'softmax-cross-entropy';
  /** The softmax of the last forward's logits, p [batch, classes] (a buffer reused across calls). */
  lastProbs: Tensor | null = null;
  private lastGrad: Tensor | null = null;
  private probs: BatchBuffer | null = null;
  private grads: BatchBuffer | null = null;

  /** `classes`, when given, is checked against every batch of logits; without it any width is taken. */
  constructor(readonly classes?: number) {}

  /** Returns the mean loss; `backward()` then gives ∂L/∂logits and `lastProbs` holds the softmax. */
  forward(logits: Tensor, labels: Int32Array): number {
    assertShape('softmax cross-entropy logits', logits.shape, [-1, this.classes ?? -1]);
    const batch = logits.rows;
    const classes = logits.cols;
    checkLabels('softmax cross-entropy', labels, batch, classes);
    if (this.probs?.sampleShape[0] !== classes) {
      this.probs = new BatchBuffer([classes]);
      this.grads = new BatchBuffer([classes]);
    }
    const probs = this.probs.forBatch(batch);
    const grad = this.grads!.forBatch(batch);
    const loss = kernels().softmaxCrossEntropy(batch, classes, logits.data, labels, probs.data, grad.data);
    this.lastProbs = probs;
    this.lastGrad = grad;
    return loss;
  }

  /** ∂L/∂logits [batch, classes] of the last forward (a buffer reused across calls). */
  backward(): Tensor {
    if (!this.lastGrad) throw new ScratchnetError('SoftmaxCrossEntropy.backward called before forward');
    return this.lastGrad;
  }

  config(): LossConfig {
    return { type: this.type };
  }

  toString(): string {
    return 'SoftmaxCrossEntropy';
  }
}

/**
 * The tutorial's function, with its name: returns the mean loss and ∂L/∂logits for one batch.
 * Allocates its outputs; the training loop uses SoftmaxCrossEntropy, which reuses them.
 */
export function softmaxCrossEntropyWithLogits(logits: Tensor, labels: ArrayLike<number>): { loss: number; grad: Tensor } {
  const loss = new SoftmaxCrossEntropy();
  const value = loss.forward(logits, Int32Array.from(labels));
  return { loss: value, grad: loss.backward().clone() };
}

registerLoss('softmax-cross-entropy', () => new SoftmaxCrossEntropy());
