/**
 * A labelled dataset held in memory once. Features are stored row-major, one sample after another:
 * as bytes (Uint8Array, 0–255, `scale` 1/255 — four times smaller than floats, normalised on the way
 * into a batch) or as floats (`scale` 1).
 */
export interface Dataset {
  /** Where it came from, for messages and reports (a file name, "built-in MNIST"). */
  readonly name: string;
  /** [count, ...sampleShape], row-major. */
  readonly features: Uint8Array | Float32Array;
  /** [count], integer classes 0..classes−1. */
  readonly labels: Int32Array;
  /** Number of samples. */
  readonly count: number;
  /** Shape of one sample: [1, 28, 28] for MNIST images (IDX, the built-in digits), [784] for a CSV's flat rows. */
  readonly sampleShape: readonly number[];
  /** Number of classes; labels lie in 0..classes−1. */
  readonly classes: number;
  /** Multiplier applied to features as they enter a batch (1/255 normalises bytes to [0, 1]). */
  readonly scale: number;
  /** Optional human names of the classes (Fashion-MNIST's "T-shirt/top", …). */
  readonly classNames?: readonly string[];
}

/** Values per sample: the product of `sampleShape` (784 for MNIST). */
export function sampleSize(dataset: Dataset): number {
  return dataset.sampleShape.reduce((a, b) => a * b, 1);
}

/** A new dataset holding the given rows of `dataset`, in that order (features copied). */
export function selectRows(dataset: Dataset, indices: ArrayLike<number>, name = dataset.name): Dataset {
  const size = sampleSize(dataset);
  const features =
    dataset.features instanceof Uint8Array ? new Uint8Array(indices.length * size) : new Float32Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i];
    features.set(dataset.features.subarray(row * size, (row + 1) * size), i * size);
    labels[i] = dataset.labels[row];
  }
  return { ...dataset, name, features, labels, count: indices.length };
}

/** The feature values of sample `index`, normalised (× scale), as a new Float32Array. */
export function sampleFeatures(dataset: Dataset, index: number): Float32Array {
  const size = sampleSize(dataset);
  const out = new Float32Array(size);
  const src = dataset.features;
  for (let i = 0; i < size; i++) out[i] = src[index * size + i] * dataset.scale;
  return out;
}

/** How many samples of each class. */
export function classCounts(dataset: Dataset): number[] {
  const counts = new Array<number>(dataset.classes).fill(0);
  for (let i = 0; i < dataset.count; i++) counts[dataset.labels[i]]++;
  return counts;
}
