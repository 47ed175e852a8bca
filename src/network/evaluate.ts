import { Batcher } from '../data/batches.js';
import type { Dataset } from '../data/dataset.js';
import type { Sequential } from './sequential.js';

export interface Evaluation {
  /** Mean softmax cross-entropy over the dataset. */
  loss: number;
  /** Fraction of samples whose predicted class is the label. */
  accuracy: number;
  /** Predicted class per sample. */
  predictions: Int32Array;
  /** Softmax probabilities [count × classes], row-major. */
  probabilities: Float32Array;
}

/** Loss, accuracy, predictions and probabilities of `network` (evaluation mode) over a whole dataset. */
export function evaluate(network: Sequential, dataset: Dataset, batchSize = 1000, batcher = new Batcher(dataset)): Evaluation {
  const classes = network.outputShape()[0];
  const predictions = new Int32Array(dataset.count);
  const probabilities = new Float32Array(dataset.count * classes);
  const lossFn = network.lossFor(classes);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < dataset.count; start += batchSize) {
    const end = Math.min(start + batchSize, dataset.count);
    const { x, y } = batcher.gather(null, start, end);
    lossSum += lossFn.forward(network.logits(x, 'eval'), y) * (end - start);
    const probs = lossFn.lastProbs!.data;
    probabilities.set(probs, start * classes);
    for (let b = 0; b < end - start; b++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (probs[b * classes + c] > probs[b * classes + best]) best = c;
      predictions[start + b] = best;
      if (best === y[b]) correct++;
    }
  }
  return { loss: lossSum / dataset.count, accuracy: correct / dataset.count, predictions, probabilities };
}
