import { kernels } from '../kernels/index.js';
import { BatchBuffer } from '../layers/batch-buffer.js';
import type { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Dataset, sampleSize } from './dataset.js';
import { ScratchnetError } from '../errors.js';

/** One Batcher per dataset, made on first use (`Batcher.for`). */
const batchers = new WeakMap<Dataset, Batcher>();

/**
 * Copies chosen rows of a dataset into reusable batch buffers, normalising as it goes
 * (x = stored value × scale). One Batcher per dataset; nothing is allocated per batch.
 */
export class Batcher {
  /**
   * The dataset's own Batcher, made once and reused by every later call: its buffers come from the
   * kernels' memory, which the wasm backend never frees, so a Batcher per call (per `evaluate`, per
   * `batches`) would grow that memory without bound.
   */
  static for(dataset: Dataset): Batcher {
    let batcher = batchers.get(dataset);
    if (!batcher) batchers.set(dataset, (batcher = new Batcher(dataset)));
    return batcher;
  }

  private readonly inputs: BatchBuffer;
  private labelStorage = new Int32Array(0);
  private readonly labelViews = new Map<number, Int32Array>();
  private readonly size: number;

  /** @param dataset - the rows batches are gathered from (not copied). */
  constructor(readonly dataset: Dataset) {
    this.inputs = new BatchBuffer(dataset.sampleShape);
    this.size = sampleSize(dataset);
  }

  /** x: [end − start, ...sampleShape] and y: [end − start] for rows order[start..end). */
  gather(order: Int32Array | null, start: number, end: number): { x: Tensor; y: Int32Array } {
    const batch = end - start;
    const x = this.inputs.forBatch(batch);
    const y = this.labels(batch);
    const { features, labels, scale } = this.dataset;
    kernels().gatherRows(batch, this.size, features, order, start, scale, x.data);
    for (let b = 0; b < batch; b++) y[b] = labels[order ? order[start + b] : start + b];
    return { x, y };
  }

  private labels(batch: number): Int32Array {
    let view = this.labelViews.get(batch);
    if (!view) {
      if (batch > this.labelStorage.length) {
        this.labelStorage = new Int32Array(Math.max(batch, this.labelStorage.length * 2));
        this.labelViews.clear();
      }
      view = this.labelStorage.subarray(0, batch);
      this.labelViews.set(batch, view);
    }
    return view;
  }
}

/**
 * Mini-batches of one epoch: rows in the order of rng.permutation(count) (or in file order without an
 * Rng), x: [batch, ...sampleShape] normalised, y: [batch]; the last batch may be smaller. The tensors are
 * reused from batch to batch: copy what you keep.
 */
export function* batches(dataset: Dataset, batchSize: number, rng: Rng | null = null): Generator<{ x: Tensor; y: Int32Array }> {
  if (!(Number.isInteger(batchSize) && batchSize > 0))
    throw new ScratchnetError(`batch size must be a positive integer, got ${batchSize}`);
  const batcher = Batcher.for(dataset);
  const order = rng ? rng.permutation(dataset.count) : null;
  for (let start = 0; start < dataset.count; start += batchSize)
    yield batcher.gather(order, start, Math.min(start + batchSize, dataset.count));
}
