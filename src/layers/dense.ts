import { type DenseStep, type Epilogue, kernels } from '../kernels/index.js';
import { BatchBuffer } from './batch-buffer.js';
import { Rng } from '../tensor/rng.js';
import { Tensor, assertShape } from '../tensor/tensor.js';
import { type InitName, INIT_NAMES, initWeights } from './init.js';
import { type Layer, type LayerConfig, type Mode, type Param, registerLayer } from './layer.js';
import { ScratchnetError } from '../errors.js';

export interface DenseConfig extends LayerConfig {
  readonly type: 'dense';
  readonly inputs: number;
  readonly units: number;
  /** Weight initialisation; default 'he-normal' (normal × sqrt(2 / inputs), what the tutorial does). */
  readonly init?: InitName;
}

/**
 * Fully connected layer: every output is a weighted sum of every input plus a bias.
 *
 * Shapes: X [batch, inputs], W [inputs, units], b [units], Y [batch, units] — the tutorial's layout, so
 * Y = X·W reads left to right. (Model files store W transposed, as PyTorch's nn.Linear does.)
 *
 * Initialisation: W ~ N(0, 2/inputs), b = 0. The tutorial's comment calls this Xavier/Glorot; it is He
 * (Kaiming) initialisation, which suits ReLU. Glorot would use 2/(inputs + units).
 */
export class Dense implements Layer {
  readonly type = 'dense';
  readonly weight: Param;
  readonly bias: Param;
  private input: Tensor | null = null;
  private readonly output: BatchBuffer;
  private readonly inputGrad: BatchBuffer;
  private readonly addBias: Epilogue;

  constructor(
    readonly inputs: number,
    readonly units: number,
    rng: Rng = new Rng(),
    readonly init: InitName = 'he-normal',
  ) {
    if (!(Number.isInteger(inputs) && inputs > 0 && Number.isInteger(units) && units > 0)) {
      throw new ScratchnetError(`Dense: inputs and units must be positive integers, got ${inputs} and ${units}`);
    }
    if (!INIT_NAMES.includes(init)) throw new ScratchnetError(`Dense: unknown init '${init}' (known: ${INIT_NAMES.join(', ')})`);
    const k = kernels();
    this.weight = param('weight', [inputs, units], (n) => k.alloc(n));
    this.bias = param('bias', [units], (n) => k.alloc(n));
    initWeights(this.weight.value.data, init, inputs, units, rng);
    this.output = new BatchBuffer([units]);
    this.inputGrad = new BatchBuffer([inputs]);
    this.addBias = { bias: this.bias.value.data };
  }

  // Y = X·W + b  (the bias is added by the product's epilogue, row by row while each row is in cache)
  forward(x: Tensor, _mode: Mode = 'train'): Tensor {
    assertShape('Dense.forward input', x.shape, [-1, this.inputs]);
    const y = this.output.forBatch(x.rows);
    kernels().gemm(false, false, x.rows, this.units, this.inputs, x.data, this.weight.value.data, y.data, false, this.addBias);
    this.input = x;
    return y;
  }

  /**
   * This layer as one step of a chain the kernels run in evaluation (Kernels.denseChain), with the
   * (leaky) ReLU after it folded in when a slope is given: Y = act(X·W + b). The step refers to this
   * layer's weight and bias, so it follows every update; its output buffer belongs to the chain.
   */
  chainStep(reluSlope?: number): DenseStep {
    return {
      inputs: this.inputs,
      units: this.units,
      weight: this.weight.value.data,
      epilogue: { bias: this.bias.value.data, reluSlope },
    };
  }

  // dW = Xᵀ·dY,  db = Σ_batch dY,  dX = dY·Wᵀ
  // dY is already the gradient of the *mean* loss (the loss divided by the batch size), so nothing is
  // divided here. The tutorial divides again, which shrinks every step by the batch size.
  backward(dY: Tensor, needInputGrad = true): Tensor | null {
    const x = this.input;
    if (!x) throw new ScratchnetError('Dense.backward called before forward');
    assertShape('Dense.backward output gradient', dY.shape, [x.rows, this.units]);
    const batch = x.rows;
    const k = kernels();
    k.gemm(true, false, this.inputs, this.units, batch, x.data, dY.data, this.weight.grad.data, false);
    k.sumRows(batch, this.units, dY.data, this.bias.grad.data);
    if (!needInputGrad) return null;
    const dX = this.inputGrad.forBatch(batch);
    k.gemm(false, true, batch, this.inputs, this.units, dY.data, this.weight.value.data, dX.data, false);
    return dX;
  }

  params(): Param[] {
    return [this.weight, this.bias];
  }

  outputShape(inputShape: readonly number[]): number[] {
    assertShape('Dense input', inputShape, [this.inputs]);
    return [this.units];
  }

  config(): DenseConfig {
    return { type: 'dense', inputs: this.inputs, units: this.units, init: this.init };
  }

  flops(): number {
    return 2 * this.inputs * this.units + this.units;
  }

  toString(): string {
    return `Dense(${this.inputs} → ${this.units})`;
  }
}

function param(name: string, shape: number[], alloc: (n: number) => Float32Array): Param {
  const size = shape.reduce((a, b) => a * b, 1);
  return { name, value: new Tensor(alloc(size), shape), grad: new Tensor(alloc(size), shape) };
}

registerLayer('dense', (c, rng) => {
  const config = c as DenseConfig;
  return new Dense(config.inputs, config.units, rng, config.init ?? 'he-normal');
});
