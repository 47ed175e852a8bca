import { describe, expect, it } from 'vitest';
import { ScratchnetError } from '../errors.js';
import { Rng } from '../tensor/rng.js';
import { batches } from './batches.js';
import type { Dataset } from './dataset.js';
import { featureStatistics, normalised, standardise } from './standardise.js';

const table = (rows: number[][], scale = 1, bytes = false): Dataset => ({
  name: 'table',
  features: bytes ? Uint8Array.from(rows.flat()) : Float32Array.from(rows.flat()),
  labels: Int32Array.from(rows, (_, i) => i % 2),
  count: rows.length,
  sampleShape: [rows[0].length],
  classes: 2,
  scale,
});

describe('standardisation', () => {
  it('uses the population mean and std per feature; a constant feature keeps std 1', () => {
    const stats = featureStatistics(
      table([
        [0, 10],
        [2, 10],
        [4, 10],
      ]),
    );
    expect(Array.from(stats.mean)).toEqual([2, 10]);
    expect(stats.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 6);
    expect(stats.std[1]).toBe(1);
  });

  it('maps training data to mean 0, std 1 and applies the training statistics to other data', () => {
    const train = standardise(
      table([
        [0, 10],
        [2, 10],
        [4, 10],
      ]),
    );
    expect(train.dataset.features).toBeInstanceOf(Float32Array);
    expect(train.dataset.scale).toBe(1);
    expect(train.dataset.features[0]).toBeCloseTo(-2 / Math.sqrt(8 / 3), 6);
    expect(train.dataset.features[4]).toBeCloseTo(2 / Math.sqrt(8 / 3), 6);
    expect(train.dataset.features[1]).toBe(0);
    const test = standardise(table([[6, 12]]), train.statistics);
    expect(test.dataset.features[0]).toBeCloseTo(4 / Math.sqrt(8 / 3), 6);
    expect(test.dataset.features[1]).toBeCloseTo(2, 6);
  });

  it('standardises normalised pixels: bytes 0 and 255 with scale 1/255 become −1 and +1', () => {
    const { dataset, statistics } = standardise(table([[0], [255]], 1 / 255, true));
    expect(statistics.mean[0]).toBeCloseTo(0.5, 6);
    expect(Array.from(dataset.features)).toEqual([-1, 1]);
  });

  it('refuses statistics of another width, naming both', () => {
    const stats = featureStatistics(table([[1, 2, 3]]));
    expect(() => standardise(table([[1, 2]]), stats)).toThrow(ScratchnetError);
    expect(() => standardise(table([[1, 2]]), stats)).toThrow(/statistics for 3 features .* shape \[2\] \(2 features\)/);
  });

  it('normalised() materialises stored × scale as float32', () => {
    const data = normalised(
      table(
        [
          [0, 51],
          [255, 102],
        ],
        1 / 255,
        true,
      ),
    );
    expect(data.scale).toBe(1);
    expect(Array.from(data.features)).toEqual([0, 0.2, 1, 0.4].map(Math.fround));
  });
});

describe('batches', () => {
  it('visit every row once per epoch in a seeded shuffled order, last batch smaller', () => {
    const data = table([[0], [1], [2], [3], [4]]);
    const seen = (rng: Rng | null) => {
      const copies: number[][] = [];
      for (const { x } of batches(data, 2, rng)) copies.push(Array.from(x.data)); // x is reused: copy it
      return copies;
    };
    const epoch = seen(new Rng(7));
    expect(epoch.map((b) => b.length)).toEqual([2, 2, 1]);
    expect(epoch.flat().sort()).toEqual([0, 1, 2, 3, 4]);
    expect(seen(new Rng(7))).toEqual(epoch);
    expect(seen(null)).toEqual([[0, 1], [2, 3], [4]]);
  });
});
