import { kernels } from '../kernels/index.js';
import { ScratchnetError } from '../errors.js';
import { BatchBuffer } from './batch-buffer.js';
import { Tensor, assertShape } from '../tensor/tensor.js';
import { type Layer, type LayerConfig, type Mode, type NamedBuffer, type Param, registerLayer } from './layer.js';

/** Saved form of a {@link BatchNorm} layer. */
export interface BatchNormConfig extends LayerConfig {
  readonly type: 'batch-norm';
  /** Number of features normalised (the input is [batch, features]). */
  readonly features: number;
  /** Weight of the newest batch in the running averages; default 0.1 (PyTorch's). */
  readonly momentum?: number;
  /** Added to the variance before the square root; default 1e-5. */
  readonly eps?: number;
}

/**
 * Batch normalisation for dense layers (Ioffe & Szegedy, 2015), PyTorch's BatchNorm1d on [batch, features].
 *
 * train: per feature j over the batch of N rows,
 *   μ = (1/N) Σ x,  σ² = (1/N) Σ (x − μ)²,  x̂ = (x − μ) / √(σ² + ε),  y = γ·x̂ + β
 *   running_mean ← (1 − m)·running_mean + m·μ,  running_var ← (1 − m)·running_var + m·σ²·N/(N − 1)
 * eval: x̂ = (x − running_mean) / √(running_var + ε),  y = γ·x̂ + β
 *
 * γ and β are the params `weight` and `bias` (initialised to 1 and 0); the running statistics are the
 * buffers `running_mean` and `running_var` (0 and 1 at first), all named as PyTorch names them.
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
  private readonly normalized: BatchBuffer; // x̂, kept for backward
  private readonly output: BatchBuffer;
  private readonly inputGrad: BatchBuffer;
  private readonly inverseStd: Float32Array; // 1/√(σ² + ε) of the last forward, per feature
  private readonly mean: Float64Array;
  private lastMode: Mode | null = null;
  private lastBatch = 0;

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
    this.normalized = new BatchBuffer([features]);
    this.output = new BatchBuffer([features]);
    this.inputGrad = new BatchBuffer([features]);
    this.inverseStd = new Float32Array(features);
    this.mean = new Float64Array(features);
  }

  forward(x: Tensor, mode: Mode = 'train'): Tensor {
    assertShape('BatchNorm.forward input', x.shape, [-1, this.features]);
    const n = x.rows;
    const f = this.features;
    if (mode === 'train' && n < 2)
      throw new ScratchnetError(
        `BatchNorm: training needs at least 2 rows per batch to estimate a variance, got input [${x.shape.join(', ')}]`,
      );
    const xs = x.data;
    const mean = this.mean;
    if (mode === 'train') {
      // Batch statistics (summed in float64), then the running averages with the unbiased variance.
      mean.fill(0);
      for (let r = 0; r < n; r++) for (let j = 0; j < f; j++) mean[j] += xs[r * f + j];
      for (let j = 0; j < f; j++) mean[j] /= n;
      const m = this.momentum;
      for (let j = 0; j < f; j++) {
        let sq = 0;
        for (let r = 0; r < n; r++) {
          const d = xs[r * f + j] - mean[j];
          sq += d * d;
        }
        const variance = sq / n;
        this.inverseStd[j] = 1 / Math.sqrt(variance + this.eps);
        this.runningMean.data[j] = (1 - m) * this.runningMean.data[j] + m * mean[j];
        this.runningVar.data[j] = (1 - m) * this.runningVar.data[j] + m * (sq / (n - 1));
      }
    } else {
      for (let j = 0; j < f; j++) {
        mean[j] = this.runningMean.data[j];
        this.inverseStd[j] = 1 / Math.sqrt(this.runningVar.data[j] + this.eps);
      }
    }
    const xhat = this.normalized.forBatch(n).data;
    const y = this.output.forBatch(n);
    const gamma = this.weight.value.data;
    const beta = this.bias.value.data;
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < f; j++) {
        const i = r * f + j;
        xhat[i] = (xs[i] - mean[j]) * this.inverseStd[j];
        y.data[i] = gamma[j] * xhat[i] + beta[j];
      }
    }
    this.lastMode = mode;
    this.lastBatch = n;
    return y;
  }

  // dβ = Σ_batch dy,  dγ = Σ_batch dy·x̂
  // train: dx = γ/(N·√(σ² + ε)) · (N·dy − Σ_batch dy − x̂·Σ_batch dy·x̂)    (the batch statistics depend on x)
  // eval:  dx = γ·dy/√(running_var + ε)
  backward(dY: Tensor, needInputGrad = true): Tensor | null {
    if (this.lastMode === null) throw new ScratchnetError('BatchNorm.backward called before forward');
    const n = this.lastBatch;
    const f = this.features;
    assertShape('BatchNorm.backward output gradient', dY.shape, [n, f]);
    const dy = dY.data;
    const xhat = this.normalized.forBatch(n).data;
    const dGamma = this.weight.grad.data;
    const dBeta = this.bias.grad.data;
    dGamma.fill(0);
    dBeta.fill(0);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < f; j++) {
        const i = r * f + j;
        dBeta[j] += dy[i];
        dGamma[j] += dy[i] * xhat[i];
      }
    }
    if (!needInputGrad) return null;
    const dX = this.inputGrad.forBatch(n);
    const gamma = this.weight.value.data;
    const train = this.lastMode === 'train';
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < f; j++) {
        const i = r * f + j;
        const scale = gamma[j] * this.inverseStd[j];
        dX.data[i] = train ? (scale / n) * (n * dy[i] - dBeta[j] - xhat[i] * dGamma[j]) : scale * dy[i];
      }
    }
    return dX;
  }

  params(): Param[] {
    return [this.weight, this.bias];
  }

  buffers(): NamedBuffer[] {
    return [
      { name: 'running_mean', value: this.runningMean },
      { name: 'running_var', value: this.runningVar },
    ];
  }

  outputShape(inputShape: readonly number[]): number[] {
    assertShape('BatchNorm input', inputShape, [this.features]);
    return [this.features];
  }

  config(): BatchNormConfig {
    return { type: 'batch-norm', features: this.features, momentum: this.momentum, eps: this.eps };
  }

  flops(): number {
    return 4 * this.features;
  }

  toString(): string {
    return `BatchNorm(${this.features})`;
  }
}

registerLayer('batch-norm', (c) => {
  const config = c as BatchNormConfig;
  return new BatchNorm(config.features, config.momentum ?? 0.1, config.eps ?? 1e-5);
});
