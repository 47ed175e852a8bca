import { ScratchnetError } from '../errors.js';
import { BatchBuffer } from './batch-buffer.js';
import { Tensor, assertShape } from '../tensor/tensor.js';
import { type Layer, type LayerConfig, type Mode, type Param, registerLayer } from './layer.js';

/**
 * Global average pooling: the mean of each channel over the whole image, as PyTorch's
 * nn.AdaptiveAvgPool2d(1) followed by nn.Flatten():
 *
 *   y[n,c] = (1/(H·W)) Σ_{i,j} x[n,c,i,j]          backward: dx[n,c,i,j] = dy[n,c] / (H·W)
 *
 * Shapes: x [N, C, H, W] → y [N, C]. A network ending in it takes images of any size.
 */
export class GlobalAvgPool2d implements Layer {
  readonly type = 'global-avg-pool2d';
  private inputShape: readonly number[] | null = null;
  private outputs: BatchBuffer | null = null;
  private inputGrads: BatchBuffer | null = null;

  forward(x: Tensor, _mode: Mode = 'train'): Tensor {
    assertShape('GlobalAvgPool2d.forward input', x.shape, [-1, -1, -1, -1]);
    const [batch, channels, height, width] = x.shape;
    if (!this.inputShape || this.inputShape.slice(1).join() !== x.shape.slice(1).join()) {
      this.outputs = new BatchBuffer([channels]);
      this.inputGrads = new BatchBuffer([channels, height, width]);
    }
    this.inputShape = x.shape;
    const y = this.outputs!.forBatch(batch);
    const pixels = height * width;
    for (let plane = 0; plane < batch * channels; plane++) {
      let sum = 0;
      for (let i = plane * pixels, end = i + pixels; i < end; i++) sum += x.data[i];
      y.data[plane] = sum / pixels;
    }
    return y;
  }

  backward(dY: Tensor, needInputGrad = true): Tensor | null {
    const shape = this.inputShape;
    if (!shape) throw new ScratchnetError('GlobalAvgPool2d.backward called before forward');
    assertShape('GlobalAvgPool2d.backward output gradient', dY.shape, [shape[0], shape[1]]);
    if (!needInputGrad) return null;
    const dX = this.inputGrads!.forBatch(shape[0]);
    const pixels = shape[2] * shape[3];
    for (let plane = 0; plane < shape[0] * shape[1]; plane++)
      dX.data.fill(dY.data[plane] / pixels, plane * pixels, (plane + 1) * pixels);
    return dX;
  }

  params(): Param[] {
    return [];
  }

  outputShape(inputShape: readonly number[]): number[] {
    assertShape('GlobalAvgPool2d input', inputShape, [-1, -1, -1]);
    return [inputShape[0]];
  }

  config(): LayerConfig {
    return { type: 'global-avg-pool2d' };
  }

  flops(inputShape: readonly number[]): number {
    return inputShape.reduce((a, b) => a * b, 1);
  }

  toString(): string {
    return 'GlobalAvgPool2d';
  }
}

registerLayer('global-avg-pool2d', () => new GlobalAvgPool2d());
