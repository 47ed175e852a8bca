/**
 * Views of one sample of a batch buffer, made once: a layer that multiplies sample by sample (Conv2d)
 * passes `data.subarray(n·size, (n + 1)·size)` to the kernels for each n of every batch, and creating
 * those views anew would allocate in every step. Batch buffers live as long as their layer, so a view
 * cached against its buffer is reused for as long as the buffer is.
 */
const cache = new WeakMap<Float32Array, Map<number, Float32Array[]>>();

/** data[n·size, (n + 1)·size) as a Float32Array view, the same object on every call. */
export function sampleOf(data: Float32Array, n: number, size: number): Float32Array {
  let bySize = cache.get(data);
  if (!bySize) cache.set(data, (bySize = new Map<number, Float32Array[]>()));
  let views = bySize.get(size);
  if (!views) bySize.set(size, (views = []));
  return (views[n] ??= data.subarray(n * size, (n + 1) * size));
}
