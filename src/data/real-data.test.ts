import { datasetFingerprint } from './provenance.js';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classCounts } from './dataset.js';
import { loadDataset } from './load.js';
import { trainValidationSplit } from './split.js';

// Integration checks against real data, where the machine has it: Debian's dataset-fashion-mnist package,
// and the shared MNIST copy in ../shared/data/mnist beside the repository (as CI lays it out;
// $SCRATCHNET_SHARED names another shared directory, e.g. from a git worktree elsewhere).
const FASHION = '/usr/share/datasets/fashion-mnist';
const SHARED = process.env.SCRATCHNET_SHARED ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared');
const MNIST = join(SHARED, 'data', 'mnist');
const hasFashion = existsSync(join(FASHION, 'train-images-idx3-ubyte.gz'));
const hasMnist = existsSync(join(MNIST, 'mnist_train.csv.gz'));
if (!hasFashion)
  console.log(`SKIPPED Fashion-MNIST integration checks: ${FASHION} not found (apt-get install dataset-fashion-mnist)`);
if (!hasMnist)
  console.log(
    `SKIPPED MNIST CSV/IDX integration checks: ${MNIST} not found (the shared data beside the repository, or $SCRATCHNET_SHARED)`,
  );

/** Same type, same length, same bytes (a fast comparison for millions of elements). */
function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return (
    a.constructor === b.constructor &&
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
  );
}

describe.skipIf(!hasFashion)('Fashion-MNIST from Debian (IDX, gzip)', () => {
  it('training set: 60,000 images of 28×28 bytes, 6,000 per class, with class names', async () => {
    const train = await loadDataset(join(FASHION, 'train-images-idx3-ubyte.gz'));
    expect(train.count).toBe(60_000);
    expect(train.sampleShape).toEqual([1, 28, 28]);
    expect(train.features).toBeInstanceOf(Uint8Array);
    expect(train.features.length).toBe(60_000 * 784);
    expect(train.scale).toBeCloseTo(1 / 255, 15);
    expect(classCounts(train)).toEqual(new Array(10).fill(6000));
    expect(train.classNames).toEqual([
      'T-shirt/top',
      'Trouser',
      'Pullover',
      'Dress',
      'Coat',
      'Sandal',
      'Shirt',
      'Sneaker',
      'Bag',
      'Ankle boot',
    ]);
  });

  it('test set: 10,000 images, 1,000 per class', async () => {
    const test = await loadDataset(join(FASHION, 't10k-images-idx3-ubyte.gz'));
    expect(test.count).toBe(10_000);
    expect(test.sampleShape).toEqual([1, 28, 28]);
    expect(classCounts(test)).toEqual(new Array(10).fill(1000));
  });
});

describe.skipIf(!hasMnist)('MNIST in ../shared/data/mnist: CSV and IDX against its README', () => {
  const trainCounts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
  const testCounts = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

  it('the training CSV: 60,000 rows, per-class counts, first labels, 80.9% zero pixels; the IDX files hold the same', async () => {
    const csv = await loadDataset(join(MNIST, 'mnist_train.csv.gz'));
    expect(csv.count).toBe(60_000);
    expect(csv.sampleShape).toEqual([784]);
    expect(classCounts(csv)).toEqual(trainCounts);
    expect(Array.from(csv.labels.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    let zeros = 0;
    for (const v of csv.features) if (v === 0) zeros++;
    expect(zeros / csv.features.length).toBeCloseTo(0.809, 3);
    const idx = await loadDataset(join(MNIST, 'train-images-idx3-ubyte.gz'));
    expect(sameBytes(idx.labels, csv.labels)).toBe(true);
    expect(sameBytes(idx.features, csv.features)).toBe(true);
    // [1, 28, 28] images and flat [784] rows of the same values are the same data
    expect(idx.sampleShape).toEqual([1, 28, 28]);
    expect(datasetFingerprint(idx)).toBe(datasetFingerprint(csv));
  });

  it('the test CSV and IDX: 10,000 rows, per-class counts, first labels, identical data', async () => {
    const csv = await loadDataset(join(MNIST, 'mnist_test.csv.gz'));
    const idx = await loadDataset(join(MNIST, 't10k-images-idx3-ubyte.gz'));
    expect(classCounts(csv)).toEqual(testCounts);
    expect(Array.from(csv.labels.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    expect(sameBytes(idx.labels, csv.labels)).toBe(true);
    expect(sameBytes(idx.features, csv.features)).toBe(true);
  });

  it("the tutorial's split: 10% of the training set held out with seed 42; stratified keeps each digit's share", async () => {
    const train = await loadDataset(join(MNIST, 'train-images-idx3-ubyte.gz'));
    const plain = trainValidationSplit(train, { fraction: 0.1, seed: 42 });
    expect([plain.train.count, plain.validation.count]).toEqual([54_000, 6000]);
    const { train: rest, validation } = trainValidationSplit(train, { fraction: 0.1, seed: 42, stratified: true });
    expect(classCounts(validation)).toEqual(trainCounts.map((n) => Math.floor(n * 0.1)));
    expect(classCounts(rest)).toEqual(trainCounts.map((n) => n - Math.floor(n * 0.1)));
  });
});
