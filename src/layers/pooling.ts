import { ScratchnetError } from '../errors.js';
import { kernels } from '../kernels/index.js';
import { BatchBuffer } from './batch-buffer.js';
import { Tensor, assertShape } from '../tensor/tensor.js';
import { type Window, windowOf } from './im2col.js';
import { type Layer, type LayerConfig, type Mode, type Param, registerLayer } from './layer.js';

/** Saved form of a {@link MaxPool2d} or {@link AvgPool2d} layer. */
export interface Pool2dConfig extends LayerConfig {
  readonly type: 'max-pool2d' | 'avg-pool2d';
  /** Side of the square window. */
  readonly kernel: number;
  /** Step between windows; default the kernel size (windows side by side). */
  readonly stride?: number;
}

/**
 * What max and average pooling share: a k × k window stepping by s over each channel of x [N, C, H, W],
 * no padding, giving y [N, C, H', W'] with H' = ⌊(H − k)/s⌋ + 1 (PyTorch's defaults: stride = kernel,
 * windows that do not fit are dropped). No parameters.
 */
abstract class Pool2d implements Layer {
  abstract readonly type: 'max-pool2d' | 'avg-pool2d';
  readonly stride: number;
  private window: Window | null = null;
  protected input: Tensor | null = null;
  private outputs: BatchBuffer | null = null;
  private inputGrads: BatchBuffer | null = null;

  /** @throws {@link ScratchnetError} unless kernel and stride are positive integers. */
  constructor(
    readonly kernel: number,
    stride?: number,
  ) {
    this.stride = stride ?? kernel;
    for (const [what, value] of [
      ['kernel', kernel],
      ['stride', this.stride],
    ] as const) {
      if (!(Number.isInteger(value) && value > 0))
        throw new ScratchnetError(`${this.constructor.name}: ${what} must be a positive integer, got ${value}`);
    }
  }

  /** Pools every window of the batch x [images, C, H, W] into y [images, C, H', W']. */
  protected abstract pool(w: Window, images: number, x: Float32Array, y: Float32Array): void;
  /** Sends each output gradient back to the inputs its window read: dx [images, C, H, W], overwritten. */
  protected abstract unpool(w: Window, images: number, dy: Float32Array, dx: Float32Array): void;

  forward(x: Tensor, _mode: Mode = 'train'): Tensor {
    assertShape(`${this.constructor.name}.forward input`, x.shape, [-1, -1, -1, -1]);
    const [, channels, height, width] = x.shape;
    let w = this.window;
    if (!w || w.channels !== channels || w.height !== height || w.width !== width) {
      w = this.window = this.windowOver(x.shape.slice(1));
      this.outputs = new BatchBuffer([channels, w.outHeight, w.outWidth]);
      this.inputGrads = new BatchBuffer([channels, height, width]);
    }
    const y = this.outputs!.forBatch(x.rows);
    this.pool(w, x.rows, x.data, y.data);
    this.input = x;
    return y;
  }

  backward(dY: Tensor, needInputGrad = true): Tensor | null {
    const x = this.input;
    const w = this.window;
    if (!x || !w) throw new ScratchnetError(`${this.constructor.name}.backward called before forward`);
    assertShape(`${this.constructor.name}.backward output gradient`, dY.shape, [x.rows, w.channels, w.outHeight, w.outWidth]);
    if (!needInputGrad) return null;
    const dX = this.inputGrads!.forBatch(x.rows);
    this.unpool(w, x.rows, dY.data, dX.data);
    return dX;
  }

  private windowOver(shape: readonly number[]): Window {
    const [channels, height, width] = shape;
    const w = windowOf(channels, height, width, this.kernel, this.stride, 0);
    if (!(w.outHeight > 0 && w.outWidth > 0))
      throw new ScratchnetError(
        `${this.constructor.name}: a ${this.kernel}×${this.kernel} window does not fit the input [${shape.join(', ')}]`,
      );
    return w;
  }

  params(): Param[] {
    return [];
  }

  outputShape(inputShape: readonly number[]): number[] {
    assertShape(`${this.constructor.name} input`, inputShape, [-1, -1, -1]);
    const w = this.windowOver(inputShape);
    return [w.channels, w.outHeight, w.outWidth];
  }

  config(): Pool2dConfig {
    return { type: this.type, kernel: this.kernel, stride: this.stride };
  }

  flops(inputShape: readonly number[]): number {
    const [c, h, w] = this.outputShape(inputShape);
    return c * h * w * this.kernel * this.kernel;
  }

  toString(): string {
    return `${this.constructor.name}(${this.kernel}${this.stride !== this.kernel ? `, stride ${this.stride}` : ''})`;
  }
}

/**
 * Max pooling, as PyTorch's nn.MaxPool2d(kernel, stride):
 *
 *   y[n,c,i,j] = max_{u,v < k} x[n, c, i·s + u, j·s + v]
 *   backward: dx at the window's (first) largest input += dy[n,c,i,j]; every other input of the window gets 0
 *
 * NaN counts as the largest value, so it propagates (as in PyTorch). The winner of each window is kept
 * for backward as an index into the batch.
 */
export class MaxPool2d extends Pool2d {
  readonly type = 'max-pool2d';
  private winners: Int32Array<ArrayBufferLike> = new Int32Array(0); // [batch, C, H', W']: the index into x of each window's largest input

  protected pool(w: Window, images: number, x: Float32Array, y: Float32Array): void {
    const outputs = images * w.channels * w.outHeight * w.outWidth;
    if (this.winners.length < outputs) {
      // grown only for a larger batch; in the kernels' memory, so their fast versions can write it
      const words = kernels().alloc(Math.max(outputs, 2 * this.winners.length));
      this.winners = new Int32Array(words.buffer, words.byteOffset, words.length);
    }
    kernels().maxPool2d(images, w, x, y, this.winners);
  }

  protected unpool(w: Window, images: number, dy: Float32Array, dx: Float32Array): void {
    const outputs = images * w.channels * w.outHeight * w.outWidth;
    kernels().maxPool2dBackward(images, outputs, images * w.channels * w.height * w.width, dy, this.winners, dx);
  }
}

/**
 * Average pooling, as PyTorch's nn.AvgPool2d(kernel, stride):
 *
 *   y[n,c,i,j] = (1/k²) Σ_{u,v < k} x[n, c, i·s + u, j·s + v]
 *   backward: each input of the window += dy[n,c,i,j] / k²
 */
export class AvgPool2d extends Pool2d {
  readonly type = 'avg-pool2d';

  protected pool(w: Window, images: number, x: Float32Array, y: Float32Array): void {
    const { channels, height, width, kernel, stride, outHeight, outWidth } = w;
    const scale = 1 / (kernel * kernel);
    let out = 0;
    for (let c = 0; c < images * channels; c++) {
      const plane = c * height * width;
      for (let i = 0; i < outHeight; i++) {
        for (let j = 0; j < outWidth; j++, out++) {
          let sum = 0;
          for (let u = 0; u < kernel; u++) {
            const line = plane + (i * stride + u) * width + j * stride;
            for (let v = 0; v < kernel; v++) sum += x[line + v];
          }
          y[out] = sum * scale;
        }
      }
    }
  }

  protected unpool(w: Window, images: number, dy: Float32Array, dx: Float32Array): void {
    const { channels, height, width, kernel, stride, outHeight, outWidth } = w;
    const scale = 1 / (kernel * kernel);
    dx.fill(0, 0, images * channels * height * width);
    let out = 0;
    for (let c = 0; c < images * channels; c++) {
      const plane = c * height * width;
      for (let i = 0; i < outHeight; i++) {
        for (let j = 0; j < outWidth; j++, out++) {
          const share = dy[out] * scale;
          for (let u = 0; u < kernel; u++) {
            const line = plane + (i * stride + u) * width + j * stride;
            for (let v = 0; v < kernel; v++) dx[line + v] += share;
          }
        }
      }
    }
  }
}

registerLayer('max-pool2d', (c) => new MaxPool2d((c as Pool2dConfig).kernel, (c as Pool2dConfig).stride));
registerLayer('avg-pool2d', (c) => new AvgPool2d((c as Pool2dConfig).kernel, (c as Pool2dConfig).stride));
