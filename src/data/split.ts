import { Rng } from '../tensor/rng.js';
import { type Dataset, selectRows } from './dataset.js';
import { ScratchnetError } from '../errors.js';

/** Options of {@link trainValidationSplit}. */
export interface SplitOptions {
  /** Fraction of the rows held out for validation; default 0.1 as in the tutorial. */
  fraction?: number;
  /** Seed of the random choice of rows; default 42. The same seed and data give the same split. */
  seed?: number;
  /** Keep each class's share the same in both parts (floor(class count × fraction) of each class to validation); default false. */
  stratified?: boolean;
}

/**
 * Splits a dataset into disjoint training and validation parts, chosen at random with a seeded Rng.
 * Like the tutorial: n_val = floor(count × fraction) rows go to validation, the rest (in their original
 * order) to training.
 * @throws {@link ScratchnetError} if `fraction` is outside [0, 1).
 */
export function trainValidationSplit(dataset: Dataset, options: SplitOptions = {}): { train: Dataset; validation: Dataset } {
  const { fraction = 0.1, seed = 42, stratified = false } = options;
  if (!(fraction >= 0 && fraction < 1)) throw new ScratchnetError(`validation fraction must be in [0, 1), got ${fraction}`);
  const rng = new Rng(seed);
  const isValidation = new Uint8Array(dataset.count);
  if (stratified) {
    const byClass: number[][] = Array.from({ length: dataset.classes }, () => []);
    for (let i = 0; i < dataset.count; i++) byClass[dataset.labels[i]].push(i);
    for (const rows of byClass) {
      const pick = rng.choice(rows.length, Math.floor(rows.length * fraction));
      for (const j of pick) isValidation[rows[j]] = 1;
    }
  } else {
    for (const i of rng.choice(dataset.count, Math.floor(dataset.count * fraction))) isValidation[i] = 1;
  }
  const trainRows: number[] = [];
  const validationRows: number[] = [];
  for (let i = 0; i < dataset.count; i++) (isValidation[i] ? validationRows : trainRows).push(i);
  return {
    train: selectRows(dataset, trainRows, `${dataset.name} (train)`),
    validation: selectRows(dataset, validationRows, `${dataset.name} (validation)`),
  };
}

/** A random subset of `size` rows (the tutorial trains on 10,000 of the 54,000 training rows). */
export function randomSubset(dataset: Dataset, size: number, rng: Rng): Dataset {
  if (size >= dataset.count) return dataset;
  return selectRows(dataset, rng.choice(dataset.count, size), `${dataset.name} (subset of ${size})`);
}
