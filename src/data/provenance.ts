import { type Dataset, sampleSize } from './dataset.js';
import { createSha256 } from '../util/sha256.js';

/**
 * Which data a model was trained on, as its model file records it (`__metadata__.trained_on`): enough to
 * tell later whether an evaluation set could overlap the training set, or is the same data again.
 */
export interface DataProvenance {
  /** The data's name: a file name, or "built-in MNIST train". */
  name: string;
  /** Rows as loaded, before any validation split or subset. */
  rows: number;
  /** {@link datasetFingerprint} of the data as loaded. */
  fingerprint: string;
  /** The class names, when the data has them (Fashion-MNIST's, a CSV's text labels); else the class numbers. */
  classNames: string[];
}

/**
 * `sha256:<hex>` of a dataset's content: its values per sample, scale, features (as stored: bytes, or
 * float32 bits) and labels. The same rows in the same order give the same fingerprint whatever the
 * file was called; one changed pixel or label gives another. About 0.1 s for 60,000 MNIST rows.
 */
export function datasetFingerprint(dataset: Dataset): string {
  const hash = createSha256();
  // The values per sample, not how a sample is viewed: [784] and [1, 28, 28] are the same data (IDX files
  // and the built-in digits were flat before issue 15), so their fingerprints stay what models recorded.
  hash.update(JSON.stringify({ sampleShape: [sampleSize(dataset)], scale: dataset.scale, count: dataset.count }));
  const features = dataset.features.subarray(0, dataset.count * sampleSize(dataset));
  const labels = dataset.labels.subarray(0, dataset.count);
  hash.update(new Uint8Array(features.buffer, features.byteOffset, features.byteLength));
  hash.update(new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength));
  return `sha256:${hash.digestHex()}`;
}

/** The class names of a dataset: its own, or "0", "1", … when it has none. */
export function classNamesOf(dataset: Dataset): string[] {
  return dataset.classNames ? [...dataset.classNames] : Array.from({ length: dataset.classes }, (_, c) => String(c));
}

/** The provenance record of `dataset` as loaded (before it is split). */
export function provenanceOf(dataset: Dataset): DataProvenance {
  return { name: dataset.name, rows: dataset.count, fingerprint: datasetFingerprint(dataset), classNames: classNamesOf(dataset) };
}
