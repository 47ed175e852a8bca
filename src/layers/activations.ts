import { kernels } from '../kernels/index.js';
import { BatchBuffer } from './batch-buffer.js';
import { Tensor, assertShape } from '../tensor/tensor.js';
import { type Layer, type LayerConfig, type Mode, type Param, registerLayer } from './layer.js';
import { ScratchnetError } from '../errors.js';

/**
 * Elementwise activation layers. Each applies f to every value: forward y = f(x), backward dx = dy · f'(·).
 * Shapes: x, y, dy, dx all [batch, ...features], any feature shape.
 * The shared part (buffers, shape checks, config) lives in Activation; each subclass is its math.
 */
abstract class Activation implements Layer {
  abstract readonly type: string;
  /** The last forward's input x, which f' of ReLU and leaky ReLU is computed from. */
  protected input: Tensor | null = null;
  /** The last forward's output y, which f' of sigmoid, tanh and softmax is computed from. */
  protected output: Tensor | null = null;
  private outputs: BatchBuffer | null = null;
  private inputGrads: BatchBuffer | null = null;

  /** y = f(x) over the first `n` values (the whole batch, flattened); `this.input` is already set. */
  protected abstract apply(n: number, x: Float32Array, y: Float32Array): void;
  /** dx = dy · f'(·) over `n` values, reading the saved input or output, whichever f' is cheaper from. */
  protected abstract applyBackward(n: number, dy: Float32Array, dx: Float32Array): void;

  forward(x: Tensor, _mode: Mode = 'train'): Tensor {
    if (!this.outputs || !sameSample(this.outputs.sampleShape, x.shape)) {
      this.outputs = new BatchBuffer(x.shape.slice(1));
      this.inputGrads = new BatchBuffer(x.shape.slice(1));
    }
    const y = this.outputs.forBatch(x.rows);
    this.apply(x.size, x.data, y.data);
    this.input = x;
    this.output = y;
    return y;
  }

  backward(dY: Tensor, needInputGrad = true): Tensor | null {
    if (!this.input || !this.inputGrads) throw new ScratchnetError(`${this.type}.backward called before forward`);
    assertShape(`${this.type}.backward output gradient`, dY.shape, this.input.shape);
    if (!needInputGrad) return null;
    const dX = this.inputGrads.forBatch(dY.rows);
    this.applyBackward(dY.size, dY.data, dX.data);
    return dX;
  }

  params(): Param[] {
    return [];
  }

  outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  config(): LayerConfig {
    return { type: this.type };
  }

  flops(inputShape: readonly number[]): number {
    return inputShape.reduce((a, b) => a * b, 1);
  }

  toString(): string {
    return this.constructor.name;
  }
}

function sameSample(sampleShape: readonly number[], batchShape: readonly number[]): boolean {
  return sampleShape.length === batchShape.length - 1 && sampleShape.every((d, i) => d === batchShape[i + 1]);
}

/** ReLU: f(x) = max(0, x);  f'(x) = 1 if x > 0 else 0 */
export class ReLU extends Activation {
  readonly type = 'relu';
  readonly reluSlope = 0;
  protected apply(n: number, x: Float32Array, y: Float32Array): void {
    kernels().relu(n, x, y);
  }
  protected applyBackward(n: number, dy: Float32Array, dx: Float32Array): void {
    kernels().reluBackward(n, this.input!.data, dy, dx);
  }
}

/** Leaky ReLU: f(x) = x if x > 0 else slope·x;  f'(x) = 1 if x > 0 else slope. Slope 0.1 as the tutorial plots. */
export class LeakyReLU extends Activation {
  readonly type = 'leaky-relu';
  /** @param slope - the slope for x ≤ 0 (f'(x) there); 0 gives ReLU, 1 the identity. */
  constructor(readonly slope = 0.1) {
    super();
  }
  get reluSlope(): number {
    return this.slope;
  }
  protected apply(n: number, x: Float32Array, y: Float32Array): void {
    kernels().leakyRelu(n, this.slope, x, y);
  }
  protected applyBackward(n: number, dy: Float32Array, dx: Float32Array): void {
    kernels().leakyReluBackward(n, this.slope, this.input!.data, dy, dx);
  }
  /** `{ type: 'leaky-relu', slope }`: the slope is the one option. */
  override config(): LayerConfig {
    return { type: this.type, slope: this.slope };
  }
  /** `LeakyReLU(slope=0.1)`: the slope is part of what the layer is. */
  override toString(): string {
    return `LeakyReLU(slope=${this.slope})`;
  }
}

/** Sigmoid: σ(x) = 1 / (1 + e^(−x));  σ'(x) = σ(x)(1 − σ(x)) */
export class Sigmoid extends Activation {
  readonly type = 'sigmoid';
  protected apply(n: number, x: Float32Array, y: Float32Array): void {
    kernels().sigmoid(n, x, y);
  }
  protected applyBackward(n: number, dy: Float32Array, dx: Float32Array): void {
    kernels().sigmoidBackward(n, this.output!.data, dy, dx);
  }
}

/** Tanh: f(x) = tanh(x);  f'(x) = 1 − tanh²(x) */
export class Tanh extends Activation {
  readonly type = 'tanh';
  protected apply(n: number, x: Float32Array, y: Float32Array): void {
    kernels().tanh(n, x, y);
  }
  protected applyBackward(n: number, dy: Float32Array, dx: Float32Array): void {
    kernels().tanhBackward(n, this.output!.data, dy, dx);
  }
}

/**
 * Softmax probabilities over the last dimension: p_c = e^(z_c) / Σ_k e^(z_k).
 * Backward: dz = p ⊙ (dp − Σ_c dp_c p_c). For training a classifier use the fused softmax
 * cross-entropy loss on logits instead (simpler gradient, no overflow); this layer is for networks
 * that must output probabilities.
 */
export class Softmax extends Activation {
  readonly type = 'softmax';
  protected apply(_n: number, x: Float32Array, y: Float32Array): void {
    const classes = this.input ? this.input.cols : 0;
    kernels().softmax(x.length / classes, classes, x, y);
  }
  /** x: [batch, classes] → probabilities [batch, classes], each row summing to 1. */
  override forward(x: Tensor, mode: Mode = 'train'): Tensor {
    this.input = x; // apply() reads the row length from the input
    return super.forward(x, mode);
  }
  protected applyBackward(_n: number, dy: Float32Array, dx: Float32Array): void {
    const p = this.output!.data;
    const classes = this.output!.cols;
    for (let row = 0; row < p.length; row += classes) {
      let dot = 0;
      for (let c = 0; c < classes; c++) dot += dy[row + c] * p[row + c];
      for (let c = 0; c < classes; c++) dx[row + c] = p[row + c] * (dy[row + c] - dot);
    }
  }
}

registerLayer('relu', () => new ReLU());
registerLayer('leaky-relu', (c) => new LeakyReLU((c.slope as number | undefined) ?? 0.1));
registerLayer('sigmoid', () => new Sigmoid());
registerLayer('tanh', () => new Tanh());
registerLayer('softmax', () => new Softmax());
