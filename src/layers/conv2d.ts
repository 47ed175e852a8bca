import { kernels } from '../kernels/index.js';
import { ScratchnetError } from '../errors.js';
import { BatchBuffer } from './batch-buffer.js';
import { Rng } from '../tensor/rng.js';
import { Tensor, assertShape } from '../tensor/tensor.js';
import { type InitName, INIT_NAMES, initWeights } from './init.js';
import { type Window, windowOf } from './im2col.js';
import { type Layer, type LayerConfig, type Mode, type Param, registerLayer } from './layer.js';
import { sampleOf } from './sample-views.js';

/** A convolution's zero padding: pixels on each side, 'same' (output size = input size; stride 1) or 'valid' (none). */
export type Padding = number | 'same' | 'valid';

/** Saved form of a {@link Conv2d} layer. */
export interface Conv2dConfig extends LayerConfig {
  readonly type: 'conv2d';
  readonly inChannels: number;
  readonly outChannels: number;
  /** Side of the square kernel. */
  readonly kernel: number;
  readonly stride?: number;
  readonly padding?: Padding;
  /** Whether the layer has a bias (default true). */
  readonly bias?: boolean;
  /** Weight initialisation; default 'he-normal'. */
  readonly init?: InitName;
}

/** Options of {@link Conv2d} beyond the channels and the kernel size. */
export interface Conv2dOptions {
  /** Step between windows, in pixels; default 1. */
  readonly stride?: number;
  /** Zero padding; default 0 ('valid'). */
  readonly padding?: Padding;
  /** Whether to learn a bias per output channel; default true. */
  readonly bias?: boolean;
  /** Weight initialisation, with fan-in C·k·k and fan-out O·k·k; default 'he-normal'. */
  readonly init?: InitName;
  /** Draws the initial weights. */
  readonly rng?: Rng;
}

/**
 * Values (floats) an im2col buffer may hold: a batch whose receptive fields take more is convolved in
 * chunks of images that fit, so evaluation's batches of 1000 stay bounded and a chunk's fields are still
 * in the caches when the product reads them. 512K floats (2 MiB, 15 images of the issue-15 convnet's
 * second layer) trained that convnet 5–15% faster than 1 MiB or 4 MiB chunks on the 2-core EPYC.
 */
export const COLS_LIMIT = 1 << 19;

/**
 * Taps (C·k·k) up to which forward multiplies weights first, Y_n [O, P] = W · cols_nᵀ per image, instead of
 * receptive fields first. A few taps per row make the fields-first product all overhead (its row kernel
 * flags and sorts every one of N·P short rows): the issue-15 convnet's first layer (9 taps, 43,264 rows a
 * batch) took 3.7 ms that way plus 0.4 ms to transpose Y, and 0.13 + 0.63 ms weights first.
 */
export const WEIGHTS_FIRST_TAPS = 32;

/**
 * 2-D convolution (cross-correlation, as in every deep-learning library), NCHW as PyTorch's nn.Conv2d:
 *
 *   y[n,o,i,j] = b[o] + Σ_c Σ_u Σ_v W[o,c,u,v] · x[n, c, i·s + u − p, j·s + v − p]     (x = 0 outside the image)
 *
 * Shapes: x [N, C, H, W], W [O, C, k, k], b [O], y [N, O, H', W'] with H' = ⌊(H + 2p − k)/s⌋ + 1.
 *
 * The whole batch is one matrix product: im2col lays every receptive field out as a row,
 * cols [N·P, C·k·k] with P = H'·W' positions per image, so that
 *
 *   Y_rows [N·P, O] = cols · Wᵀ + b,   y = Y_rows transposed per image ([P, O] → [O, P], NCHW)
 *
 * and backward, with dY_n [O, P] one image's gradient and dY_rows [N·P, O] = dY transposed per image:
 *
 *   dW = Σ_n dY_n · cols_n,   db[o] = Σ_n Σ_ij dY[n,o,i,j],   dX = col2im((dY_rows · W) transposed per image)
 *
 * One product over N·P rows rather than N products of O rows: the rows are many (7,744 for the issue-15
 * convnet's second layer at batch 64), so the product splits across threads, and the row kernels skip
 * the zeros that ReLU and max pooling leave in x and in dY. A layer with few taps (WEIGHTS_FIRST_TAPS)
 * multiplies the other way round, Y_n = W · cols_nᵀ per image, which writes NCHW directly.
 *
 * dW is summed image by image, dW += dY_n · cols_n with dY_n [O, P] as it comes (NCHW): the row kernel
 * skips the zeros max pooling leaves in dY, and dY needs no transpose (5.1 against 7.7 ms on one thread
 * for the second layer of the issue-15 convnet at batch 64, 1.3 against 3.4 ms for its first).
 * A batch whose cols would pass COLS_LIMIT is convolved in chunks of images; the receptive fields of the
 * last chunk are kept for backward.
 */
export class Conv2d implements Layer {
  readonly type = 'conv2d';
  /** W: [outChannels, inChannels, kernel, kernel]. */
  readonly weight: Param;
  /** b: [outChannels], or null without a bias. */
  readonly bias: Param | null;
  readonly stride: number;
  readonly padding: Padding;
  readonly init: InitName;
  private window: Window | null = null;
  private input: Tensor | null = null;
  private output: BatchBuffer | null = null;
  private inputGrad: BatchBuffer | null = null;
  private cols: BatchBuffer | null = null; // per image [P, C·k·k]: one chunk's receptive fields
  private dcols: BatchBuffer | null = null; // per image [P, C·k·k]: their gradient (then tap-major, in cols)
  private rows: BatchBuffer | null = null; // per image [P, O]: Y_rows in forward, dY_rows in backward
  private colsChunk = -1; // which chunk's receptive fields are in cols (−1: none)
  private chunkImages = 1; // images per chunk, so that cols stays within COLS_LIMIT
  private readonly chunkBiasGrad: Float32Array; // one chunk's db, when a batch takes several

  /**
   * @throws {@link ScratchnetError} if a size is not a positive integer, the padding is negative, or 'same' is asked for with stride ≠ 1.
   */
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernel: number,
    options: Conv2dOptions = {},
  ) {
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    this.init = options.init ?? 'he-normal';
    for (const [what, value] of [
      ['inChannels', inChannels],
      ['outChannels', outChannels],
      ['kernel', kernel],
      ['stride', this.stride],
    ] as const) {
      if (!(Number.isInteger(value) && value > 0))
        throw new ScratchnetError(`Conv2d: ${what} must be a positive integer, got ${value}`);
    }
    const p = this.padding;
    if (!(p === 'same' || p === 'valid' || (Number.isInteger(p) && p >= 0)))
      throw new ScratchnetError(`Conv2d: padding must be a non-negative integer, 'same' or 'valid', got ${String(p)}`);
    if (p === 'same' && this.stride !== 1) throw new ScratchnetError("Conv2d: padding 'same' needs stride 1 (as in PyTorch)");
    if (!INIT_NAMES.includes(this.init))
      throw new ScratchnetError(`Conv2d: unknown init '${this.init}' (known: ${INIT_NAMES.join(', ')})`);
    const alloc = kernels().alloc;
    const fan = kernel * kernel;
    const shape = [outChannels, inChannels, kernel, kernel];
    this.weight = {
      name: 'weight',
      value: new Tensor(alloc(outChannels * inChannels * fan), shape),
      grad: new Tensor(alloc(outChannels * inChannels * fan), shape),
    };
    this.bias =
      options.bias === false
        ? null
        : {
            name: 'bias',
            value: new Tensor(alloc(outChannels), [outChannels]),
            grad: new Tensor(alloc(outChannels), [outChannels]),
          };
    this.chunkBiasGrad = alloc(outChannels);
    initWeights(this.weight.value.data, this.init, inChannels * fan, outChannels * fan, options.rng ?? new Rng());
  }

  /** Zeros before and after along each axis: 'same' splits k − 1 as PyTorch does (the extra one after). */
  private paddings(): [number, number] {
    if (this.padding === 'valid') return [0, 0];
    if (this.padding === 'same') return [(this.kernel - 1) >> 1, this.kernel - 1 - ((this.kernel - 1) >> 1)];
    return [this.padding, this.padding];
  }

  /** The window over a [C, H, W] sample, made (with the buffers that depend on it) when the size changes. */
  private windowFor(shape: readonly number[]): Window {
    const [channels, height, width] = shape;
    const w = this.window;
    if (w && w.height === height && w.width === width) return w;
    const [before, after] = this.paddings();
    const next = windowOf(channels, height, width, this.kernel, this.stride, before, after);
    if (!(next.outHeight > 0 && next.outWidth > 0)) {
      throw new ScratchnetError(
        `Conv2d: a ${this.kernel}×${this.kernel} kernel does not fit the input [${shape.join(', ')}] with padding ${String(this.padding)}`,
      );
    }
    const positions = next.outHeight * next.outWidth;
    const taps = channels * this.kernel * this.kernel;
    this.chunkImages = Math.max(1, Math.floor(COLS_LIMIT / (positions * taps)));
    this.cols = new BatchBuffer([positions, taps]);
    this.dcols = new BatchBuffer([positions, taps]);
    this.rows = new BatchBuffer([positions, this.outChannels]);
    this.output = new BatchBuffer([this.outChannels, next.outHeight, next.outWidth]);
    this.inputGrad = new BatchBuffer([channels, height, width]);
    return (this.window = next);
  }

  // Y_rows = im2col(x) · Wᵀ + b,  y = Y_rows transposed per image, chunk by chunk
  forward(x: Tensor, _mode: Mode = 'train'): Tensor {
    assertShape('Conv2d.forward input', x.shape, [-1, this.inChannels, -1, -1]);
    const w = this.windowFor(x.shape.slice(1));
    const y = this.output!.forBatch(x.rows);
    const k = kernels();
    const { taps, positions, inSize, outSize } = this.sizes(w);
    const epilogue = this.bias ? { bias: this.bias.value.data } : undefined;
    const per = this.chunkImages;
    const weightsFirst = taps <= WEIGHTS_FIRST_TAPS;
    for (let chunk = 0; chunk * per < x.rows; chunk++) {
      const images = Math.min(per, x.rows - chunk * per);
      const cols = this.cols!.forBatch(images).data;
      k.im2col(images, w, sampleOf(x.data, chunk, per * inSize), cols);
      this.colsChunk = chunk;
      if (weightsFirst) {
        const colsT = this.dcols!.forBatch(images).data; // per image [C·k·k, P]
        k.transposeSamples(images, positions, taps, cols, colsT);
        for (let n = chunk * per; n < chunk * per + images; n++)
          this.weightsFirst(y, n, sampleOf(colsT, n - chunk * per, positions * taps));
        continue;
      }
      const rows = this.rows!.forBatch(images).data;
      k.gemm(false, true, images * positions, this.outChannels, taps, cols, this.weight.value.data, rows, false, epilogue);
      k.transposeSamples(images, positions, this.outChannels, rows, sampleOf(y.data, chunk, per * outSize));
    }
    this.input = x;
    return y;
  }

  // y_n [O, P] = b (broadcast along P) + W · cols_nᵀ, from colsT_n [C·k·k, P]
  private weightsFirst(y: Tensor, n: number, colsT: Float32Array): void {
    const positions = y.shape[2] * y.shape[3];
    const out = sampleOf(y.data, n, this.outChannels * positions);
    const bias = this.bias?.value.data;
    if (bias) for (let o = 0; o < this.outChannels; o++) out.fill(bias[o], o * positions, (o + 1) * positions);
    const taps = this.inChannels * this.kernel * this.kernel;
    kernels().gemm(false, false, this.outChannels, positions, taps, this.weight.value.data, colsT, out, bias !== undefined);
  }

  // dW = Σ_n dY_n · cols_n,  db[o] = Σ_n Σ_ij dY[n,o,i,j],  dY_rows = dY transposed per image,
  // dX = col2im of dcols = dY_rows · W, tap-major (each tap's row adds into dX as one run)
  backward(dY: Tensor, needInputGrad = true): Tensor | null {
    const x = this.input;
    const w = this.window;
    if (!x || !w) throw new ScratchnetError('Conv2d.backward called before forward');
    assertShape('Conv2d.backward output gradient', dY.shape, [x.rows, this.outChannels, w.outHeight, w.outWidth]);
    const k = kernels();
    const { taps, positions, inSize, outSize } = this.sizes(w);
    const dX = needInputGrad ? this.inputGrad!.forBatch(x.rows) : null;
    const per = this.chunkImages;
    for (let chunk = 0; chunk * per < x.rows; chunk++) {
      const images = Math.min(per, x.rows - chunk * per);
      const windows = images * positions;
      const cols = this.cols!.forBatch(images).data;
      if (this.bias) {
        const db = chunk === 0 ? this.bias.grad.data : this.chunkBiasGrad;
        k.sumChannels(images, this.outChannels, positions, sampleOf(dY.data, chunk, per * outSize), db);
        if (chunk > 0) for (let o = 0; o < this.outChannels; o++) this.bias.grad.data[o] += db[o];
      }
      if (this.colsChunk !== chunk) k.im2col(images, w, sampleOf(x.data, chunk, per * inSize), cols);
      this.colsChunk = chunk;
      for (let n = 0; n < images; n++) {
        const dYn = sampleOf(dY.data, chunk * per + n, outSize);
        const colsN = sampleOf(cols, n, positions * taps);
        k.gemm(false, false, this.outChannels, taps, positions, dYn, colsN, this.weight.grad.data, chunk > 0 || n > 0);
      }
      if (dX) {
        const rows = this.rows!.forBatch(images).data;
        k.transposeSamples(images, this.outChannels, positions, sampleOf(dY.data, chunk, per * outSize), rows);
        const dcols = this.dcols!.forBatch(images).data;
        k.gemm(false, false, windows, taps, this.outChannels, rows, this.weight.value.data, dcols, false);
        k.transposeSamples(images, positions, taps, dcols, cols); // cols is free once dW has it
        this.colsChunk = -1;
        k.col2imTapMajor(images, w, cols, sampleOf(dX.data, chunk, per * inSize));
      }
    }
    return dX;
  }

  /** C·k·k taps per window, H'·W' windows per image, and the values of one input and one output image. */
  private sizes(w: Window) {
    const positions = w.outHeight * w.outWidth;
    return {
      taps: this.inChannels * this.kernel * this.kernel,
      positions,
      inSize: this.inChannels * w.height * w.width,
      outSize: this.outChannels * positions,
    };
  }

  params(): Param[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  outputShape(inputShape: readonly number[]): number[] {
    assertShape('Conv2d input', inputShape, [this.inChannels, -1, -1]);
    const [before, after] = this.paddings();
    const w = windowOf(this.inChannels, inputShape[1], inputShape[2], this.kernel, this.stride, before, after);
    if (!(w.outHeight > 0 && w.outWidth > 0))
      throw new ScratchnetError(
        `Conv2d: a ${this.kernel}×${this.kernel} kernel does not fit the input [${inputShape.join(', ')}]`,
      );
    return [this.outChannels, w.outHeight, w.outWidth];
  }

  config(): Conv2dConfig {
    return {
      type: 'conv2d',
      inChannels: this.inChannels,
      outChannels: this.outChannels,
      kernel: this.kernel,
      stride: this.stride,
      padding: this.padding,
      bias: this.bias !== null,
      init: this.init,
    };
  }

  flops(inputShape: readonly number[]): number {
    const [outChannels, outHeight, outWidth] = this.outputShape(inputShape);
    const macs = outChannels * outHeight * outWidth * this.inChannels * this.kernel * this.kernel;
    return 2 * macs + (this.bias ? outChannels * outHeight * outWidth : 0);
  }

  toString(): string {
    const extras = [this.stride !== 1 ? `stride ${this.stride}` : '', this.padding !== 0 ? `padding ${String(this.padding)}` : '']
      .filter(Boolean)
      .join(', ');
    return `Conv2d(${this.inChannels} → ${this.outChannels}, ${this.kernel}×${this.kernel}${extras ? `, ${extras}` : ''})`;
  }
}

registerLayer('conv2d', (c, rng) => {
  const config = c as Conv2dConfig;
  return new Conv2d(config.inChannels, config.outChannels, config.kernel, {
    stride: config.stride,
    padding: config.padding,
    bias: config.bias,
    init: config.init,
    rng,
  });
});
