import type { ImageWindow, Kernels } from '../kernels.js';
import { referenceImageKernels } from '../reference-images.js';
import type { WasmHeap } from './memory.js';
import { ScratchnetError } from '../../errors.js';
import * as job from './row-job.js';

/** The image kernels' exports of the WebAssembly module (assembly/images.ts; pointers are byte offsets). */
export interface ImageExports {
  im2col(
    images: number,
    channels: number,
    height: number,
    width: number,
    kernel: number,
    stride: number,
    padding: number,
    outHeight: number,
    outWidth: number,
    x: number,
    cols: number,
  ): void;
  col2imTapMajor(
    images: number,
    channels: number,
    height: number,
    width: number,
    kernel: number,
    stride: number,
    padding: number,
    outHeight: number,
    outWidth: number,
    dcolsT: number,
    dx: number,
  ): void;
  sumChannels(images: number, channels: number, positions: number, x: number, out: number): void;
  transposeSamples(count: number, rows: number, cols: number, x: number, y: number): void;
  maxPool2d(
    images: number,
    channels: number,
    height: number,
    width: number,
    kernel: number,
    stride: number,
    outHeight: number,
    outWidth: number,
    x: number,
    y: number,
    winners: number,
  ): void;
  /** −1, or the first output whose winner is outside the inputs (then nothing is written). */
  maxPool2dBackward(images: number, outputs: number, inputs: number, dy: number, winners: number, dx: number): number;
}

type ImageKernels = Pick<
  Kernels,
  'im2col' | 'col2imTapMajor' | 'sumChannels' | 'transposeSamples' | 'maxPool2d' | 'maxPool2dBackward'
>;

/** An image job's record (row-job.ts IMAGE_*) in the memory, with views of its slots. */
export interface ImageRecord {
  readonly at: number;
  readonly ints: Int32Array<ArrayBufferLike>;
  readonly floats: Float32Array<ArrayBufferLike>;
}

/** How the backend shares an image kernel between its threads (backend.ts). */
export interface ImageSharing {
  /** The record of kernel `kernel` (IMAGE_*), its other slots 0, when touching `values` values is worth sharing; else null. */
  record(kernel: number, values: number): ImageRecord | null;
  /** Runs the recorded job over `rows` on every thread; returns its IMAGE_BAD slot (−1: none). */
  run(record: ImageRecord, rows: number): number;
}

/**
 * The image kernels of the wasm (and native) backend: buffers in its memory go to the WebAssembly
 * versions, after their sizes are checked (an address past a buffer would read another one), shared
 * between the threads image by image when large (`sharing`); any other array takes the reference loop.
 */
export function wasmImageKernels(wasm: ImageExports, heap: WasmHeap, sharing: ImageSharing): ImageKernels {
  const fits = (what: string, array: ArrayLike<number>, length: number) => {
    if (array.length < length) throw new ScratchnetError(`wasm kernels: ${what} has ${array.length} values, needs ${length}`);
  };
  const sizes = (images: number, w: ImageWindow) => {
    const pixels = images * w.channels * w.height * w.width;
    const windows = images * w.outHeight * w.outWidth;
    return { pixels, windows, taps: windows * w.channels * w.kernel * w.kernel };
  };
  // The image job of `kernel` over window w (null when it stays on this thread).
  const shareWindow = (kernel: number, values: number, w: ImageWindow, input: Float32Array, output: Float32Array) => {
    const record = sharing.record(kernel, values);
    if (!record) return null;
    const { ints } = record;
    ints[job.IMAGE_CHANNELS] = w.channels;
    ints[job.IMAGE_HEIGHT] = w.height;
    ints[job.IMAGE_WIDTH] = w.width;
    ints[job.IMAGE_SIZE] = w.kernel;
    ints[job.IMAGE_STRIDE] = w.stride;
    ints[job.IMAGE_PADDING] = w.padding;
    ints[job.IMAGE_OUT_HEIGHT] = w.outHeight;
    ints[job.IMAGE_OUT_WIDTH] = w.outWidth;
    ints[job.IMAGE_INPUT] = input.byteOffset;
    ints[job.IMAGE_OUTPUT] = output.byteOffset;
    return record;
  };
  return {
    im2col(images, w, x, cols) {
      if (!(heap.owns(x) && heap.owns(cols))) return referenceImageKernels.im2col(images, w, x, cols);
      const { pixels, taps } = sizes(images, w);
      fits('im2col x', x, pixels);
      fits('im2col cols', cols, taps);
      const shared = shareWindow(job.IMAGE_IM2COL, pixels + taps, w, x, cols);
      if (shared) return void sharing.run(shared, images);
      const { channels, height, width, kernel, stride, padding, outHeight, outWidth } = w;
      wasm.im2col(images, channels, height, width, kernel, stride, padding, outHeight, outWidth, x.byteOffset, cols.byteOffset);
    },
    col2imTapMajor(images, w, dcolsT, dx) {
      if (!(heap.owns(dcolsT) && heap.owns(dx))) return referenceImageKernels.col2imTapMajor(images, w, dcolsT, dx);
      const { pixels, taps } = sizes(images, w);
      fits('col2imTapMajor dcolsT', dcolsT, taps);
      fits('col2imTapMajor dx', dx, pixels);
      const shared = shareWindow(job.IMAGE_COL2IM, pixels + taps, w, dcolsT, dx);
      if (shared) return void sharing.run(shared, images);
      const { channels, height, width, kernel, stride, padding, outHeight, outWidth } = w;
      const at = [dcolsT.byteOffset, dx.byteOffset] as const;
      wasm.col2imTapMajor(images, channels, height, width, kernel, stride, padding, outHeight, outWidth, ...at);
    },
    sumChannels(images, channels, positions, x, out) {
      if (!(heap.owns(x) && heap.owns(out))) return referenceImageKernels.sumChannels(images, channels, positions, x, out);
      fits('sumChannels x', x, images * channels * positions);
      fits('sumChannels out', out, channels);
      wasm.sumChannels(images, channels, positions, x.byteOffset, out.byteOffset);
    },
    transposeSamples(count, rows, cols, x, y) {
      if (!(heap.owns(x) && heap.owns(y))) return referenceImageKernels.transposeSamples(count, rows, cols, x, y);
      fits('transposeSamples x', x, count * rows * cols);
      fits('transposeSamples y', y, count * rows * cols);
      const shared = sharing.record(job.IMAGE_TRANSPOSE, 2 * count * rows * cols);
      if (shared) {
        shared.ints[job.IMAGE_HEIGHT] = rows;
        shared.ints[job.IMAGE_WIDTH] = cols;
        shared.ints[job.IMAGE_INPUT] = x.byteOffset;
        shared.ints[job.IMAGE_OUTPUT] = y.byteOffset;
        return void sharing.run(shared, count);
      }
      wasm.transposeSamples(count, rows, cols, x.byteOffset, y.byteOffset);
    },
    maxPool2d(images, w, x, y, winners) {
      if (!(heap.owns(x) && heap.owns(y) && heap.owns(winners))) return referenceImageKernels.maxPool2d(images, w, x, y, winners);
      if (w.padding !== 0) throw new ScratchnetError('maxPool2d: the kernels pool without padding');
      const { pixels, windows } = sizes(images, w);
      fits('maxPool2d x', x, pixels);
      fits('maxPool2d y', y, windows * w.channels);
      fits('maxPool2d winners', winners, windows * w.channels);
      const shared = shareWindow(job.IMAGE_MAX_POOL, pixels + 2 * windows * w.channels, w, x, y);
      if (shared) {
        shared.ints[job.IMAGE_THIRD] = winners.byteOffset;
        return void sharing.run(shared, images);
      }
      const { channels, height, width, kernel, stride, outHeight, outWidth } = w;
      wasm.maxPool2d(
        images,
        channels,
        height,
        width,
        kernel,
        stride,
        outHeight,
        outWidth,
        x.byteOffset,
        y.byteOffset,
        winners.byteOffset,
      );
    },
    maxPool2dBackward(images, outputs, inputs, dy, winners, dx) {
      if (!(heap.owns(dy) && heap.owns(winners) && heap.owns(dx)))
        return referenceImageKernels.maxPool2dBackward(images, outputs, inputs, dy, winners, dx);
      fits('maxPool2dBackward dy', dy, outputs);
      fits('maxPool2dBackward winners', winners, outputs);
      fits('maxPool2dBackward dx', dx, inputs);
      if (!(images > 0 && outputs % images === 0 && inputs % images === 0))
        throw new ScratchnetError(`maxPool2dBackward: ${outputs} outputs and ${inputs} inputs are not ${images} equal images`);
      const shared = sharing.record(job.IMAGE_MAX_POOL_BACKWARD, inputs + 2 * outputs);
      let bad: number;
      if (shared) {
        const { ints } = shared;
        // one image's inputs and outputs as a 1×1×n window (the job reads only their counts)
        ints[job.IMAGE_CHANNELS] = 1;
        ints[job.IMAGE_HEIGHT] = 1;
        ints[job.IMAGE_WIDTH] = inputs / images;
        ints[job.IMAGE_OUT_HEIGHT] = 1;
        ints[job.IMAGE_OUT_WIDTH] = outputs / images;
        ints[job.IMAGE_INPUT] = dy.byteOffset;
        ints[job.IMAGE_THIRD] = winners.byteOffset;
        ints[job.IMAGE_OUTPUT] = dx.byteOffset;
        bad = sharing.run(shared, images);
      } else bad = wasm.maxPool2dBackward(images, outputs, inputs, dy.byteOffset, winners.byteOffset, dx.byteOffset);
      if (bad >= 0)
        throw new ScratchnetError(`maxPool2dBackward: winner ${winners[bad]} of output ${bad} is outside its image's inputs`);
    },
  };
}
