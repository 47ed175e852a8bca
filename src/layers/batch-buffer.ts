import { kernels } from '../kernels/index.js';
import { Tensor, sizeOf } from '../tensor/tensor.js';

/**
 * A layer's reusable output (or gradient) buffer for batches of any size.
 * `forBatch(n)` returns a [n, ...sampleShape] tensor over storage allocated once; the storage grows
 * (doubling) only when a larger batch arrives, and each batch size's view is cached, so the training
 * loop allocates nothing in steady state — the final short batch of an epoch included.
 */
export class BatchBuffer {
  private storage: Float32Array = new Float32Array(0);
  private capacity = 0;
  private views = new Map<number, Tensor>();
  private readonly sampleSize: number;

  /** @param sampleShape - the shape of one sample, without the batch dimension. */
  constructor(readonly sampleShape: readonly number[]) {
    this.sampleSize = sizeOf(sampleShape);
  }

  /**
   * A [batch, ...sampleShape] view of the storage (cached per batch size). All views share the one storage,
   * so writing through one changes the others; when a larger batch grows it, earlier views stay on the old one.
   */
  forBatch(batch: number): Tensor {
    const cached = this.views.get(batch);
    if (cached) return cached;
    if (batch > this.capacity) {
      this.capacity = Math.max(batch, this.capacity * 2);
      this.storage = kernels().alloc(this.capacity * this.sampleSize);
      this.views.clear();
    }
    const view = new Tensor(this.storage.subarray(0, batch * this.sampleSize), [batch, ...this.sampleShape]);
    this.views.set(batch, view);
    return view;
  }
}
