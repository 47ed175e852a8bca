import { describe, expect, it } from 'vitest';
import { confusionMatrix, perClassMetrics } from './metrics.js';

describe('classification metrics', () => {
  it('count true classes by row and predictions by column; precision and recall by hand', () => {
    // labels:      0 0 0 1 1 2
    // predictions: 0 0 1 1 2 2
    const matrix = confusionMatrix([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], 3);
    expect(matrix).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    const [c0, c1, c2] = perClassMetrics(matrix);
    expect(c0).toEqual({ precision: 1, recall: 2 / 3, f1: 0.8, support: 3 });
    expect(c1.precision).toBe(0.5); // predicted 1 twice, right once
    expect(c1.recall).toBe(0.5);
    expect(c2.precision).toBe(0.5);
    expect(c2.recall).toBe(1);
  });

  it('a class never predicted has precision NaN, not 0', () => {
    const [, c1] = perClassMetrics(confusionMatrix([0, 1], [0, 0], 2));
    expect(c1.precision).toBeNaN();
    expect(c1.recall).toBe(0);
  });
});
