import { kernels } from '../kernels/index.js';
import { ScratchnetError } from '../errors.js';
import { BatchBuffer } from './batch-buffer.js';
import { Tensor, assertShape } from '../tensor/tensor.js';
import { type Layer, type LayerConfig, type Mode, type NamedBuffer, type Param, registerLayer } from './layer.js';

/** Saved form of a {@link BatchNorm} layer. */
export interface BatchNormConfig extends LayerConfig {
  readonly type: 'batch-norm';
  /** Number of features (channels) normalised: the input is [batch, features] or [batch, features, ...positions]. */
  readonly features: number;
  /** Weight of the newest batch in the running averages; default 0.1 (PyTorch's). */
  readonly momentum?: number;
  /** Added to the variance before the square root; default 1e-5. */
  readonly eps?: number;
}

/**
 * Batch normalisation (Ioffe & Szegedy, 2015): PyTorch's BatchNorm1d on [batch, features] after a dense
 * layer, and its BatchNorm2d on [batch, channels, height, width] after a convolution, where each channel
 * is one feature and its statistics run over the batch and every position.
 *
 * train: per feature j over its N values (batch × positions),
 *   μ = (1/N) Σ x,  σ² = (1/N) Σ (x − μ)²,  x̂ = (x − μ) / √(σ² + ε),  y = γ·x̂ + β
 *   running_mean ← (1 − m)·running_mean + m·μ,  running_var ← (1 − m)·running_var + m·σ²·N/(N − 1)
 * eval: x̂ = (x − running_mean) / √(running_var + ε),  y = γ·x̂ + β
 *
 * γ and β are the params `weight` and `bias` (initialised to 1 and 0); the running statistics are the
 * buffers `running_mean` and `running_var` (0 and 1 at first) with `num_batches_tracked`, the training
 * batches counted, all named as PyTorch names them (so its load_state_dict takes a model file's tensors).
 */
export class BatchNorm implements Layer {
  readonly type = 'batch-norm';
  /** γ: [features], the learned scale. */
  readonly weight: Param;
  /** β: [features], the learned shift. */
  readonly bias: Param;
  /** [features], the running mean eval mode normalises with (buffer `running_mean`). */
  readonly runningMean: Tensor;
  /** [features], the running unbiased variance eval mode normalises with (buffer `running_var`). */
  readonly runningVar: Tensor;
  /** [] (a scalar): how many training batches the running statistics have seen (buffer `num_batches_tracked`). */
  readonly batchesTracked: Tensor;
  // x̂ (kept for backward), y and dx, for the sample shape of the last input
  private normalized: BatchBuffer;
  private output: BatchBuffer;
  private inputGrad: BatchBuffer;
  // Per feature, from the backend's memory: the last forward's μ and 1/√(σ² + ε), and the batch's σ².
  private readonly mean: Float32Array;
  private readonly inverseStd: Float32Array;
  private readonly variance: Float32Array;
  private lastMode: Mode | null = null;
  private lastShape: readonly number[] = [];

  /**
   * @param features - size of the last dimension of the [batch, features] input.
   * @param momentum - weight m of the newest batch in the running averages, in [0, 1].
   * @param eps - ε added to the variance before the square root, positive.
   * @throws {@link ScratchnetError} if an option is out of range.
   */
  constructor(
    readonly features: number,
    readonly momentum = 0.1,
    readonly eps = 1e-5,
  ) {
    if (!(Number.isInteger(features) && features > 0))
      throw new ScratchnetError(`BatchNorm: features must be a positive integer, got ${features}`);
    if (!(momentum >= 0 && momentum <= 1)) throw new ScratchnetError(`BatchNorm: momentum must be in [0, 1], got ${momentum}`);
    if (!(eps > 0)) throw new ScratchnetError(`BatchNorm: eps must be > 0, got ${eps}`);
    const alloc = kernels().alloc;
    this.weight = {
      name: 'weight',
      value: new Tensor(alloc(features).fill(1), [features]),
      grad: new Tensor(alloc(features), [features]),
    };
    this.bias = { name: 'bias', value: new Tensor(alloc(features), [features]), grad: new Tensor(alloc(features), [features]) };
    this.runningMean = new Tensor(alloc(features), [features]);
    this.runningVar = new Tensor(alloc(features).fill(1), [features]);
    this.batchesTracked = new Tensor(new Float32Array(1), []);
    this.normalized = new BatchBuffer([features]);
    this.output = new BatchBuffer([features]);
    this.inputGrad = new BatchBuffer([features]);
    this.mean = alloc(features);
    this.inverseStd = alloc(features);
    this.variance = alloc(features);
  }

  // The input [batch, features, ...positions] is the kernels' [outer, channels, inner]: outer = batch,
  // channels = features, inner = the positions per feature (1 after a dense layer, H·W after a convolution).
  forward(x: Tensor, mode: Mode = 'train'): Tensor {
    if (!(x.shape.length >= 2 && x.shape[1] === this.features))
      assertShape('BatchNorm.forward input', x.shape, [-1, this.features, ...x.shape.slice(2)]);
    const n = x.rows;
    const f = this.features;
    const inner = x.size / (n * f);
    const count = n * inner; // values per feature
    if (mode === 'train' && count < 2)
      throw new ScratchnetError(
        `BatchNorm: training needs at least 2 values per feature to estimate a variance, got input [${x.shape.join(', ')}]`,
      );
    if (this.output.sampleShape.length !== x.shape.length - 1 || this.output.sampleShape.some((d, i) => d !== x.shape[i + 1])) {
      const sample = x.shape.slice(1);
      [this.normalized, this.output, this.inputGrad] = [
        new BatchBuffer(sample),
        new BatchBuffer(sample),
        new BatchBuffer(sample),
      ];
    }
    const { mean, variance, inverseStd } = this;
    const runningMean = this.runningMean.data;
    const runningVar = this.runningVar.data;
    if (mode === 'train') {
      // μ = (1/N) Σ x,  σ² = (1/N) Σ (x − μ)²   (the kernel sums in float64, in two passes)
      kernels().batchNormStatistics(n, f, inner, x.data, mean, variance);
      // s = 1/√(σ² + ε);  running_mean ← (1 − m)·running_mean + m·μ,  running_var ← (1 − m)·running_var + m·σ²·N/(N − 1)
      const m = this.momentum;
      this.batchesTracked.data[0] += 1; // PyTorch counts them too (it needs the count only for momentum=None)
      for (let j = 0; j < f; j++) {
        inverseStd[j] = 1 / Math.sqrt(variance[j] + this.eps);
        runningMean[j] = (1 - m) * runningMean[j] + m * mean[j];
        runningVar[j] = (1 - m) * runningVar[j] + m * ((variance[j] * count) / (count - 1));
      }
    } else {
      // μ = running_mean,  s = 1/√(running_var + ε)
      for (let j = 0; j < f; j++) {
        mean[j] = runningMean[j];
        inverseStd[j] = 1 / Math.sqrt(runningVar[j] + this.eps);
      }
    }
    // x̂ = (x − μ) / √(σ² + ε),  y = γ·x̂ + β
    const y = this.output.forBatch(n);
    const { weight, bias } = this;
    kernels().batchNormForward(
      n,
      f,
      inner,
      x.data,
      mean,
      inverseStd,
      weight.value.data,
      bias.value.data,
      this.normalized.forBatch(n).data,
      y.data,
    );
    this.lastMode = mode;
    this.lastShape = x.shape;
    return y;
  }

  // dβ = Σ dy,  dγ = Σ dy·x̂   (sums over a feature's N values)
  // train: dx = γ/(N·√(σ² + ε)) · (N·dy − Σ dy − x̂·Σ dy·x̂)    (the batch statistics depend on x)
  // eval:  dx = γ·dy/√(running_var + ε)
  backward(dY: Tensor, needInputGrad = true): Tensor | null {
    if (this.lastMode === null) throw new ScratchnetError('BatchNorm.backward called before forward');
    assertShape('BatchNorm.backward output gradient', dY.shape, this.lastShape);
    const n = this.lastShape[0];
    const f = this.features;
    const inner = dY.size / (n * f);
    const dX = needInputGrad ? this.inputGrad.forBatch(n) : null;
    const { weight, bias } = this;
    kernels().batchNormBackward(
      n,
      f,
      inner,
      this.normalized.forBatch(n).data,
      dY.data,
      weight.value.data,
      this.inverseStd,
      this.lastMode === 'train',
      weight.grad.data,
      bias.grad.data,
      dX?.data ?? null,
    );
    return dX;
  }

  params(): Param[] {
    return [this.weight, this.bias];
  }

  buffers(): NamedBuffer[] {
    return [
      { name: 'running_mean', value: this.runningMean },
      { name: 'running_var', value: this.runningVar },
      { name: 'num_batches_tracked', value: this.batchesTracked, count: true },
    ];
  }

  outputShape(inputShape: readonly number[]): number[] {
    assertShape('BatchNorm input', inputShape, [this.features, ...inputShape.slice(1)]);
    return [...inputShape];
  }

  config(): BatchNormConfig {
    return { type: 'batch-norm', features: this.features, momentum: this.momentum, eps: this.eps };
  }

  flops(inputShape: readonly number[]): number {
    return 4 * inputShape.reduce((a, b) => a * b, 1);
  }

  toString(): string {
    return `BatchNorm(${this.features})`;
  }
}

registerLayer('batch-norm', (c) => {
  const config = c as BatchNormConfig;
  return new BatchNorm(config.features, config.momentum ?? 0.1, config.eps ?? 1e-5);
});
