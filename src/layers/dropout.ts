import { ScratchnetError } from '../errors.js';
import { kernels } from '../kernels/index.js';
import { BatchBuffer } from './batch-buffer.js';
import { Rng, type RngState } from '../tensor/rng.js';
import { Tensor, assertShape } from '../tensor/tensor.js';
import { type Layer, type LayerConfig, type Mode, type Param, registerLayer } from './layer.js';

/** Saved form of a {@link Dropout} layer. */
export interface DropoutConfig extends LayerConfig {
  readonly type: 'dropout';
  /** Probability p of zeroing each value while training. */
  readonly rate: number;
}

/**
 * Dropout (Srivastava et al., 2014) with inverted scaling: in training each value is kept with
 * probability 1 − p and scaled by 1/(1 − p), so the expected output equals the input and evaluation
 * needs no rescaling.
 *
 *   train: y = x ⊙ m,  m_i = 0 with probability p, else 1/(1 − p)        eval: y = x
 *   backward: dx = dy ⊙ m
 *
 * Shapes: x, y [batch, ...features]. The masks come from the layer's own xoshiro128** stream, seeded from
 * the rng that built it, so a run is reproducible and a checkpoint resumes the mask stream (`randomState`).
 * The stream's four words live in the backend's memory, where the dropout kernel draws and advances them.
 */
export class Dropout implements Layer {
  readonly type = 'dropout';
  /** The mask stream's xoshiro128** state (Rng's four words), in the backend's memory. */
  private readonly stream: Uint32Array;
  private masks: BatchBuffer | null = null;
  private outputs: BatchBuffer | null = null;
  private inputGrads: BatchBuffer | null = null;
  private mask: Tensor | null = null;
  private lastMode: Mode = 'eval';

  /**
   * @param rate - probability p of zeroing each value while training, in [0, 1).
   * @param rng - seeds the layer's own mask stream (one draw is taken from it).
   * @throws {@link ScratchnetError} if `rate` is outside [0, 1).
   */
  constructor(
    readonly rate: number,
    rng: Rng = new Rng(),
  ) {
    if (!(rate >= 0 && rate < 1)) throw new ScratchnetError(`Dropout: rate must be in [0, 1), got ${rate}`);
    const words = kernels().alloc(4);
    this.stream = new Uint32Array(words.buffer, words.byteOffset, 4);
    this.stream.set(new Rng(rng.nextUint32()).state().s);
  }

  forward(x: Tensor, mode: Mode = 'train'): Tensor {
    this.lastMode = mode;
    if (mode === 'eval' || this.rate === 0) return x;
    if (!this.masks || !this.outputs || !sameSample(this.masks.sampleShape, x.shape)) {
      this.masks = new BatchBuffer(x.shape.slice(1));
      this.outputs = new BatchBuffer(x.shape.slice(1));
      this.inputGrads = new BatchBuffer(x.shape.slice(1));
    }
    const mask = this.masks.forBatch(x.rows);
    const y = this.outputs.forBatch(x.rows);
    // m_i = 0 if u_i < p else 1/(1 − p), u_i uniform in [0, 1) from the stream;  y = x ⊙ m
    kernels().dropout(x.size, this.rate, this.stream, x.data, y.data, mask.data);
    this.mask = mask;
    return y;
  }

  // dx = dy ⊙ m (the identity in eval mode)
  backward(dY: Tensor, needInputGrad = true): Tensor | null {
    if (!needInputGrad) return null;
    if (this.lastMode === 'eval' || this.rate === 0) return dY;
    const mask = this.mask;
    if (!mask || !this.inputGrads) throw new ScratchnetError('Dropout.backward called before forward');
    assertShape('Dropout.backward output gradient', dY.shape, mask.shape);
    const dX = this.inputGrads.forBatch(dY.rows);
    kernels().dropoutBackward(dY.size, mask.data, dY.data, dX.data);
    return dX;
  }

  params(): Param[] {
    return [];
  }

  outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  config(): DropoutConfig {
    return { type: 'dropout', rate: this.rate };
  }

  flops(inputShape: readonly number[]): number {
    return inputShape.reduce((a, b) => a * b, 1);
  }

  randomState(): RngState {
    return { s: Array.from(this.stream), spareNormal: null };
  }

  /** Continues the mask stream saved by `randomState`; throws as {@link Rng.setState} for an invalid state. */
  setRandomState(state: RngState): void {
    this.stream.set(Rng.fromState(state).state().s); // validated by Rng; dropout draws no normals, so spareNormal is unused
  }

  toString(): string {
    return `Dropout(${this.rate})`;
  }
}

/** Whether a batch of `batchShape` has samples of `sampleShape` (without allocating: it runs every batch). */
function sameSample(sampleShape: readonly number[], batchShape: readonly number[]): boolean {
  return sampleShape.length === batchShape.length - 1 && sampleShape.every((d, i) => d === batchShape[i + 1]);
}

registerLayer('dropout', (c, rng) => new Dropout((c as DropoutConfig).rate, rng));
