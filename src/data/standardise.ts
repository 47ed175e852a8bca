import { ScratchnetError } from '../errors.js';
import { type Dataset, sampleSize } from './dataset.js';

/** Per-feature statistics of training data: mean and standard deviation, each [features]. */
export interface FeatureStatistics {
  /** mean_j of each feature, [features]. */
  mean: Float32Array;
  /** std_j of each feature, [features] (population standard deviation). */
  std: Float32Array;
}

/**
 * mean_j = (1/n) Σ_i x_ij,  std_j = √((1/n) Σ_i (x_ij − mean_j)²)  over the normalised values x = stored × scale
 * (population standard deviation, as scikit-learn's StandardScaler). Two passes in float64.
 * A constant feature (std 0, e.g. MNIST's always-blank corner pixels) gets std 1, so it maps to 0.
 */
export function featureStatistics(dataset: Dataset): FeatureStatistics {
  const size = sampleSize(dataset);
  const { features, count, scale } = dataset;
  if (count === 0) throw new ScratchnetError(`${dataset.name}: cannot compute feature statistics of an empty dataset`);
  const sum = new Float64Array(size);
  for (let i = 0; i < count; i++) for (let j = 0, at = i * size; j < size; j++, at++) sum[j] += features[at];
  const mean = new Float64Array(size);
  for (let j = 0; j < size; j++) mean[j] = (sum[j] / count) * scale;
  const squares = new Float64Array(size);
  for (let i = 0; i < count; i++) {
    for (let j = 0, at = i * size; j < size; j++, at++) {
      const d = features[at] * scale - mean[j];
      squares[j] += d * d;
    }
  }
  const std = new Float32Array(size);
  for (let j = 0; j < size; j++) std[j] = Math.sqrt(squares[j] / count) || 1;
  return { mean: Float32Array.from(mean), std };
}

/**
 * Standardisation: x'_ij = (x_ij·scale − mean_j) / std_j, as a new float32 dataset (scale 1).
 * Statistics come from `dataset` unless given: compute them on the training data, then pass them in
 * for validation and test data so all three are transformed alike.
 */
export function standardise(
  dataset: Dataset,
  statistics: FeatureStatistics = featureStatistics(dataset),
): { dataset: Dataset; statistics: FeatureStatistics } {
  const size = sampleSize(dataset);
  const { mean, std } = statistics;
  if (mean.length !== size || std.length !== size) {
    throw new ScratchnetError(
      `${dataset.name}: statistics for ${mean.length} features cannot standardise samples of shape [${dataset.sampleShape.join(', ')}] (${size} features)`,
    );
  }
  const { features, count, scale } = dataset;
  const out = new Float32Array(count * size);
  const inverse = Float64Array.from(std, (s) => 1 / s);
  for (let i = 0; i < count; i++) {
    for (let j = 0, at = i * size; j < size; j++, at++) out[at] = (features[at] * scale - mean[j]) * inverse[j];
  }
  return { dataset: { ...dataset, name: `${dataset.name} (standardised)`, features: out, scale: 1 }, statistics };
}

/** The dataset with its features materialised as normalised float32 (x = stored × scale; scale 1). */
export function normalised(dataset: Dataset): Dataset {
  if (dataset.features instanceof Float32Array && dataset.scale === 1) return dataset;
  const { features, scale } = dataset;
  const out = new Float32Array(features.length);
  for (let i = 0; i < out.length; i++) out[i] = features[i] * scale;
  return { ...dataset, features: out, scale: 1 };
}
