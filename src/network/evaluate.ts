import { Batcher } from '../data/batches.js';
import type { Dataset } from '../data/dataset.js';
import { kernels } from '../kernels/index.js';
import type { Loss } from '../losses/loss.js';
import { SoftmaxCrossEntropy } from '../losses/softmax-cross-entropy.js';
import type { Sequential } from './sequential.js';
import { ScratchnetError } from '../errors.js';

/** A network measured on a dataset: accuracy, mean loss, and each sample's prediction and probabilities. */
export interface Evaluation {
  /** Mean loss over the dataset: softmax cross-entropy, or the loss `evaluate` was given. */
  loss: number;
  /** Fraction of samples whose predicted class is the label. */
  accuracy: number;
  /** Predicted class per sample. */
  predictions: Int32Array;
  /** Softmax probabilities [count × classes], row-major. */
  probabilities: Float32Array;
}

/**
 * Each network's softmax cross-entropy for evaluation, made on its first evaluation and reused: its
 * buffers come from the kernels' memory, which is never freed (src/kernels/wasm/memory.ts).
 */
const crossEntropies = new WeakMap<Sequential, SoftmaxCrossEntropy>();

/**
 * Loss, accuracy, predictions and probabilities of `network` (evaluation mode) over a whole dataset.
 * The loss is `loss` (the one training used) or softmax cross-entropy; the probabilities are always
 * the softmax of the logits, and each prediction the most probable class.
 * @throws {@link ScratchnetError} for a dataset of no samples, whose accuracy and loss would be 0/0.
 */
export function evaluate(
  network: Sequential,
  dataset: Dataset,
  batchSize = 1000,
  batcher = Batcher.for(dataset),
  loss?: Loss,
): Evaluation {
  if (dataset.count === 0) throw new ScratchnetError(`${dataset.name}: no samples to evaluate on`);
  const classes = network.outputShape()[0];
  const predictions = new Int32Array(dataset.count);
  const probabilities = new Float32Array(dataset.count * classes);
  // The cross-entropy's softmax gives the probabilities, whatever the loss.
  let crossEntropy = crossEntropies.get(network);
  if (!crossEntropy) crossEntropies.set(network, (crossEntropy = new SoftmaxCrossEntropy(classes)));
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < dataset.count; start += batchSize) {
    const end = Math.min(start + batchSize, dataset.count);
    const { x, y } = batcher.gather(null, start, end);
    const logits = network.logits(x, 'eval');
    const crossEntropyLoss = crossEntropy.forward(logits, y);
    lossSum += (loss ? loss.forward(logits, y) : crossEntropyLoss) * (end - start);
    probabilities.set(crossEntropy.lastProbs!.data, start * classes);
    const predicted = predictions.subarray(start, end);
    kernels().argmaxRows(end - start, classes, crossEntropy.lastProbs!.data, predicted);
    for (let b = 0; b < end - start; b++) if (predicted[b] === y[b]) correct++;
  }
  return { loss: lossSum / dataset.count, accuracy: correct / dataset.count, predictions, probabilities };
}
