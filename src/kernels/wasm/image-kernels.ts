import type { ImageWindow, Kernels } from '../kernels.js';
import { referenceImageKernels } from '../reference-images.js';
import type { WasmHeap } from './memory.js';
import { ScratchnetError } from '../../errors.js';

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
  maxPool2dBackward(outputs: number, inputs: number, dy: number, winners: number, dx: number): number;
}

type ImageKernels = Pick<Kernels, 'im2col' | 'col2imTapMajor' | 'sumChannels' | 'transposeSamples' | 'maxPool2d' | 'maxPool2dBackward'>;

/**
 * The image kernels of the wasm (and native) backend: buffers in its memory go to the WebAssembly
 * versions, after their sizes are checked (an address past a buffer would read another one); any other
 * array takes the reference loop.
 */
export function wasmImageKernels(wasm: ImageExports, heap: WasmHeap): ImageKernels {
  const fits = (what: string, array: ArrayLike<number>, length: number) => {
    if (array.length < length) throw new ScratchnetError(`wasm kernels: ${what} has ${array.length} values, needs ${length}`);
  };
  const sizes = (images: number, w: ImageWindow) => {
    const pixels = images * w.channels * w.height * w.width;
    const windows = images * w.outHeight * w.outWidth;
    return { pixels, windows, taps: windows * w.channels * w.kernel * w.kernel };
  };
  return {
    im2col(images, w, x, cols) {
      if (!(heap.owns(x) && heap.owns(cols))) return referenceImageKernels.im2col(images, w, x, cols);
      const { pixels, taps } = sizes(images, w);
      fits('im2col x', x, pixels);
      fits('im2col cols', cols, taps);
      const { channels, height, width, kernel, stride, padding, outHeight, outWidth } = w;
      wasm.im2col(images, channels, height, width, kernel, stride, padding, outHeight, outWidth, x.byteOffset, cols.byteOffset);
    },
    col2imTapMajor(images, w, dcolsT, dx) {
      if (!(heap.owns(dcolsT) && heap.owns(dx))) return referenceImageKernels.col2imTapMajor(images, w, dcolsT, dx);
      const { pixels, taps } = sizes(images, w);
      fits('col2imTapMajor dcolsT', dcolsT, taps);
      fits('col2imTapMajor dx', dx, pixels);
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
      wasm.transposeSamples(count, rows, cols, x.byteOffset, y.byteOffset);
    },
    maxPool2d(images, w, x, y, winners) {
      if (!(heap.owns(x) && heap.owns(y) && heap.owns(winners))) return referenceImageKernels.maxPool2d(images, w, x, y, winners);
      if (w.padding !== 0) throw new ScratchnetError('maxPool2d: the kernels pool without padding');
      const { pixels, windows } = sizes(images, w);
      fits('maxPool2d x', x, pixels);
      fits('maxPool2d y', y, windows * w.channels);
      fits('maxPool2d winners', winners, windows * w.channels);
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
    maxPool2dBackward(outputs, inputs, dy, winners, dx) {
      if (!(heap.owns(dy) && heap.owns(winners) && heap.owns(dx)))
        return referenceImageKernels.maxPool2dBackward(outputs, inputs, dy, winners, dx);
      fits('maxPool2dBackward dy', dy, outputs);
      fits('maxPool2dBackward winners', winners, outputs);
      fits('maxPool2dBackward dx', dx, inputs);
      const bad = wasm.maxPool2dBackward(outputs, inputs, dy.byteOffset, winners.byteOffset, dx.byteOffset);
      if (bad >= 0)
        throw new ScratchnetError(`maxPool2dBackward: winner ${winners[bad]} at ${bad} is outside the ${inputs} inputs`);
    },
  };
}
