import { Tensor } from '../tensor/tensor.js';
import { type Layer, type LayerConfig, type Mode, type Param, registerLayer } from './layer.js';
import { ScratchnetError } from '../errors.js';

/**
 * Flatten, as PyTorch's nn.Flatten(): x [N, C, H, W] (or any [N, ...]) → y [N, C·H·W], the same values in
 * the same row-major order (channel-major, so a following Dense sees PyTorch's order and its weights
 * load unchanged). Nothing is copied: y and dx are views of x's and dy's storage with another shape.
 */
export class Flatten implements Layer {
  readonly type = 'flatten';
  private inputShape: readonly number[] | null = null;
  private readonly views = new WeakMap<Float32Array, Tensor>(); // one view per buffer: no allocation per batch

  forward(x: Tensor, _mode: Mode = 'train'): Tensor {
    this.inputShape = x.shape;
    return this.view(x.data, [x.rows, x.size / Math.max(x.rows, 1)]);
  }

  // dx = dy, reshaped back to x's shape
  backward(dY: Tensor, needInputGrad = true): Tensor | null {
    if (!this.inputShape) throw new ScratchnetError('Flatten.backward called before forward');
    if (!needInputGrad) return null;
    if (dY.size !== this.inputShape.reduce((a, b) => a * b, 1))
      throw new ScratchnetError(
        `Flatten.backward: output gradient [${dY.shape.join(', ')}] does not fit the input [${this.inputShape.join(', ')}]`,
      );
    return this.view(dY.data, this.inputShape);
  }

  private view(data: Float32Array, shape: readonly number[]): Tensor {
    const cached = this.views.get(data);
    if (cached && cached.shape.length === shape.length && cached.shape.every((d, i) => d === shape[i])) return cached;
    const view = new Tensor(data, shape);
    this.views.set(data, view);
    return view;
  }

  params(): Param[] {
    return [];
  }

  outputShape(inputShape: readonly number[]): number[] {
    return [inputShape.reduce((a, b) => a * b, 1)];
  }

  config(): LayerConfig {
    return { type: 'flatten' };
  }

  flops(): number {
    return 0;
  }

  toString(): string {
    return 'Flatten';
  }
}

registerLayer('flatten', () => new Flatten());
