import { kernels } from '../kernels/index.js';
import { ScratchnetError } from '../errors.js';
import { BatchBuffer } from './batch-buffer.js';
import { Rng } from '../tensor/rng.js';
import { Tensor, assertShape } from '../tensor/tensor.js';
import { type InitName, INIT_NAMES, initWeights } from './init.js';
import { type Window, col2im, im2col, windowOf } from './im2col.js';
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
 * 2-D convolution (cross-correlation, as in every deep-learning library), NCHW as PyTorch's nn.Conv2d:
 *
 *   y[n,o,i,j] = b[o] + Σ_c Σ_u Σ_v W[o,c,u,v] · x[n, c, i·s + u − p, j·s + v − p]     (x = 0 outside the image)
 *
 * Shapes: x [N, C, H, W], W [O, C, k, k], b [O], y [N, O, H', W'] with H' = ⌊(H + 2p − k)/s⌋ + 1.
 *
 * Each sample is one matrix product: im2col lays every receptive field out as a column,
 * cols [C·k·k, H'·W'], so that Y_n [O, H'·W'] = W [O, C·k·k] · cols. Backward, per sample:
 *
 *   dW += dY_n · colsᵀ,   db[o] = Σ_n Σ_ij dY[n,o,i,j],   dX_n = col2im(Wᵀ · dY_n)
 *
 * The columns of one sample at a time are kept (and rebuilt in backward), so memory does not grow with
 * the batch beyond the input and output themselves.
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
  private cols: Float32Array = new Float32Array(0); // one sample's columns [C·k·k, H'·W']
  private dcols: Float32Array = new Float32Array(0);

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
    const colsSize = channels * this.kernel * this.kernel * next.outHeight * next.outWidth;
    this.cols = kernels().alloc(colsSize);
    this.dcols = kernels().alloc(colsSize);
    this.output = new BatchBuffer([this.outChannels, next.outHeight, next.outWidth]);
    this.inputGrad = new BatchBuffer([channels, height, width]);
    return (this.window = next);
  }

  forward(x: Tensor, _mode: Mode = 'train'): Tensor {
    assertShape('Conv2d.forward input', x.shape, [-1, this.inChannels, -1, -1]);
    const w = this.windowFor(x.shape.slice(1));
    const y = this.output!.forBatch(x.rows);
    const k = kernels();
    const patch = this.inChannels * this.kernel * this.kernel;
    const pixels = w.outHeight * w.outWidth;
    const inSize = this.inChannels * w.height * w.width;
    for (let n = 0; n < x.rows; n++) {
      im2col(w, x.data, n * inSize, this.cols);
      const yn = sampleOf(y.data, n, this.outChannels * pixels);
      k.gemm(false, false, this.outChannels, pixels, patch, this.weight.value.data, this.cols, yn, false);
      if (this.bias) addPerChannel(yn, this.bias.value.data, pixels);
    }
    this.input = x;
    return y;
  }

  // dW = Σ_n dY_n · cols_nᵀ,  db = Σ_n Σ_ij dY_n,  dX_n = col2im(Wᵀ · dY_n)
  backward(dY: Tensor, needInputGrad = true): Tensor | null {
    const x = this.input;
    const w = this.window;
    if (!x || !w) throw new ScratchnetError('Conv2d.backward called before forward');
    assertShape('Conv2d.backward output gradient', dY.shape, [x.rows, this.outChannels, w.outHeight, w.outWidth]);
    const k = kernels();
    const patch = this.inChannels * this.kernel * this.kernel;
    const pixels = w.outHeight * w.outWidth;
    const inSize = this.inChannels * w.height * w.width;
    const dX = needInputGrad ? this.inputGrad!.forBatch(x.rows) : null;
    if (this.bias) this.bias.grad.data.fill(0);
    for (let n = 0; n < x.rows; n++) {
      const dyn = sampleOf(dY.data, n, this.outChannels * pixels);
      im2col(w, x.data, n * inSize, this.cols);
      k.gemm(false, true, this.outChannels, patch, pixels, dyn, this.cols, this.weight.grad.data, n > 0);
      if (this.bias) sumPerChannel(dyn, this.bias.grad.data, pixels);
      if (dX) {
        k.gemm(true, false, patch, pixels, this.outChannels, this.weight.value.data, dyn, this.dcols, false);
        col2im(w, this.dcols, dX.data, n * inSize);
      }
    }
    return dX;
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

/** y[o, :] += b[o] for a [channels, pixels] sample. */
function addPerChannel(y: Float32Array, bias: Float32Array, pixels: number): void {
  for (let o = 0; o < bias.length; o++) {
    const b = bias[o];
    for (let i = o * pixels, end = i + pixels; i < end; i++) y[i] += b;
  }
}

/** db[o] += Σ dy[o, :] for a [channels, pixels] sample. */
function sumPerChannel(dy: Float32Array, db: Float32Array, pixels: number): void {
  for (let o = 0; o < db.length; o++) {
    let sum = 0;
    for (let i = o * pixels, end = i + pixels; i < end; i++) sum += dy[i];
    db[o] += sum;
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
