import { ScratchnetError } from '../errors.js';
/**
 * Classification metrics from labels and predictions.
 *
 * Confusion matrix C [classes, classes]: C[t][p] = how many samples of true class t were predicted as p.
 * Precision of class c = C[c][c] / Σ_t C[t][c]  (of those predicted c, the share that were c);
 * recall of class c    = C[c][c] / Σ_p C[c][p]  (of those that were c, the share found).
 * A class never predicted (or never present) has precision (recall) NaN: 0/0 is not a score.
 */
export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Samples of this class in the data. */
  support: number;
}

/**
 * The confusion matrix: counts[t][p] = the samples of true class t predicted as p (rows: truth, as
 * scikit-learn orders it).
 */
export function confusionMatrix(labels: ArrayLike<number>, predictions: ArrayLike<number>, classes: number): number[][] {
  if (labels.length !== predictions.length)
    throw new ScratchnetError(`confusionMatrix: ${labels.length} labels but ${predictions.length} predictions`);
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) matrix[labels[i]][predictions[i]]++;
  return matrix;
}

/**
 * Precision = TP / (TP + FP), recall = TP / (TP + FN) and F1 = 2PR / (P + R) of each class, from a
 * confusion matrix (0 where a denominator is 0).
 */
export function perClassMetrics(matrix: readonly (readonly number[])[]): ClassMetrics[] {
  return matrix.map((row, c) => {
    const truePositives = row[c];
    const predicted = matrix.reduce((sum, r) => sum + r[c], 0);
    const support = row.reduce((a, b) => a + b, 0);
    const precision = truePositives / predicted;
    const recall = truePositives / support;
    return { precision, recall, f1: (2 * precision * recall) / (precision + recall), support };
  });
}
