import { kernels } from '../kernels/index.js';
import { type Layer, type LayerConfig, type Mode, type NamedBuffer, type Param, layerFromConfig } from '../layers/layer.js';
import { ScratchnetError } from '../errors.js';
import type { Loss } from '../losses/loss.js';
import { SoftmaxCrossEntropy } from '../losses/softmax-cross-entropy.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { Rng, type RngState } from '../tensor/rng.js';
import { Tensor, assertShape } from '../tensor/tensor.js';
import { NonFiniteError } from '../tensor/finite.js';
import { EvaluationPlan } from './evaluation-plan.js';
import { type MlpOptions, mlpLayers } from './mlp.js';
// Each layer module registers its type when imported; fromConfig must know every type, whatever else a program imports.
import '../layers/conv2d.js';
import '../layers/pooling.js';
import '../layers/global-avg-pool2d.js';
import '../layers/flatten.js';

/** The saved form of a whole network: the per-sample input shape and every layer's config. */
export interface SequentialConfig {
  inputShape: number[];
  layers: LayerConfig[];
}

/**
 * A network as a list of layers applied in order (the tutorial's `network = [Dense(...), ReLU(), ...]`).
 * The last layer outputs logits; training minimises a Loss on them, softmax cross-entropy unless told.
 */
export class Sequential {
  readonly layers: Layer[];
  readonly inputShape: readonly number[];
  private readonly activations: Tensor[] = [];
  private readonly namedParams: Param[];
  private plan: EvaluationPlan | null = null;
  private crossEntropy: SoftmaxCrossEntropy | null = null;
  private readonly reshaped = new WeakMap<Float32Array, Tensor>(); // inputs seen in inputShape: one view per buffer
  private readonly inputSize: number;

  constructor(layers: Layer[], inputShape: readonly number[]) {
    if (layers.length === 0) throw new ScratchnetError('Sequential: a network needs at least one layer');
    this.layers = layers;
    this.inputShape = [...inputShape];
    this.inputSize = inputShape.reduce((a, b) => a * b, 1);
    this.outputShape(); // validates that the layers fit together
    this.namedParams = layers.flatMap((layer, i) =>
      layer.params().map((p) => ({ name: `${i}.${p.name}`, value: p.value, grad: p.grad })),
    );
  }

  /** A multilayer perceptron, the tutorial's 784 → 64 → ReLU → 32 → ReLU → 10 by default (its layers: mlpLayers). */
  static mlp(options: MlpOptions = {}): Sequential {
    const { layers, inputShape } = mlpLayers(options);
    return new Sequential(layers, inputShape);
  }

  /** Rebuilds a network from its config; weights are freshly initialised from `rng` (load them after). */
  static fromConfig(config: SequentialConfig, rng: Rng = new Rng(42)): Sequential {
    return new Sequential(
      config.layers.map((c) => layerFromConfig(c, rng)),
      config.inputShape,
    );
  }

  /** The saved form: the per-sample input shape and every layer's config (`Sequential.fromConfig`). */
  config(): SequentialConfig {
    return { inputShape: [...this.inputShape], layers: this.layers.map((l) => l.config()) };
  }

  /** Every learnable tensor, named `<layer index>.<name>` (`0.weight`, `0.bias`, `2.weight`, …). */
  params(): Param[] {
    return this.namedParams;
  }

  /** Non-learned state saved with the model (batch norm running statistics), named like params. */
  buffers(): NamedBuffer[] {
    return this.layers.flatMap((layer, i) => (layer.buffers?.() ?? []).map((b) => ({ name: `${i}.${b.name}`, value: b.value })));
  }

  /** The random state of every layer that draws while training (dropout), by layer index, for checkpoints. */
  randomStates(): Record<string, RngState> {
    const states: Record<string, RngState> = {};
    this.layers.forEach((layer, i) => {
      const state = layer.randomState?.();
      if (state) states[String(i)] = state;
    });
    return states;
  }

  /** Puts back the random states `randomStates()` returned (a resumed run draws the same masks). */
  setRandomStates(states: Record<string, RngState>): void {
    for (const [index, state] of Object.entries(states)) {
      const layer = this.layers[Number(index)];
      if (!layer?.setRandomState) throw new ScratchnetError(`setRandomStates: layer ${index} keeps no random state`);
      layer.setRandomState(state);
    }
  }

  /** How many numbers the network learns (every param's size, summed). */
  parameterCount(): number {
    return this.namedParams.reduce((n, p) => n + p.value.size, 0);
  }

  /** Per-sample output shape (number of classes for a classifier). */
  outputShape(): number[] {
    let shape: number[] = [...this.inputShape];
    for (const layer of this.layers) shape = layer.outputShape(shape);
    return shape;
  }

  /**
   * Runs x [batch, ...inputShape] through every layer and returns each layer's output, the last being
   * the logits — as the tutorial's `forward(network, X)` does. The returned tensors are the layers'
   * own buffers: read them before the next forward.
   */
  forward(x: Tensor, mode: Mode = 'eval'): readonly Tensor[] {
    let input = this.asInput(x);
    for (let i = 0; i < this.layers.length; i++) {
      input = this.layers[i].forward(input, mode);
      this.activations[i] = input;
    }
    return this.activations;
  }

  /**
   * Logits [batch, classes] for x. Training mode runs every layer (forward); evaluation mode runs the
   * network's EvaluationPlan, which gives the same numbers with runs of Dense layers (and the ReLU
   * after each) in one kernel call.
   */
  logits(x: Tensor, mode: Mode = 'eval'): Tensor {
    if (mode === 'train') {
      const activations = this.forward(x, mode);
      return activations[activations.length - 1];
    }
    return this.evaluate(x);
  }

  // The evaluation plan (made on first use; the layers never change) run on x, filling `classes` when given.
  private evaluate(x: Tensor, classes?: Int32Array): Tensor {
    this.plan ??= new EvaluationPlan(this.layers);
    return this.plan.run(this.asInput(x), classes);
  }

  /**
   * x as [batch, ...inputShape]: itself, or the same values seen in that shape when only the shape of a
   * sample differs (784 pixels for a network taking [1, 28, 28] images, or the other way round).
   */
  private asInput(x: Tensor): Tensor {
    const shape = this.inputShape;
    if (x.shape.length === shape.length + 1 && shape.every((d, i) => d === x.shape[i + 1])) return x;
    if (x.shape.length === 0 || x.size !== x.rows * this.inputSize) assertShape('network input', x.shape, [-1, ...shape]);
    let view = this.reshaped.get(x.data);
    if (!view || view.rows !== x.rows) this.reshaped.set(x.data, (view = new Tensor(x.data, [x.rows, ...shape])));
    return view;
  }

  /** Backpropagates dLogits through every layer, last to first; the first layer skips its input gradient. */
  backward(dLogits: Tensor): void {
    let grad: Tensor | null = dLogits;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      grad = this.layers[i].backward(grad!, i > 0);
    }
  }

  /** Class with the highest score for each row of x [batch, ...inputShape]. */
  predict(x: Tensor): Int32Array {
    const classes = new Int32Array(x.rows);
    this.evaluate(x, classes);
    return classes;
  }

  /** Softmax probabilities [batch, classes] for x (a new tensor). */
  predictProba(x: Tensor): Tensor {
    const logits = this.logits(x, 'eval');
    const probs = Tensor.zeros(logits.shape);
    kernels().softmax(logits.rows, logits.cols, logits.data, probs.data);
    return probs;
  }

  /**
   * One step of mini-batch gradient descent: forward (training mode), `loss` against `labels`
   * (softmax cross-entropy when none is given), backward, then the optimizer updates every parameter.
   * Returns the batch's mean loss.
   * @throws {@link NonFiniteError} when the loss is NaN or ±Inf, before the backward pass and the step: one
   * such step would make the weights NaN, and a NaN network still trains on. (The gradients are checked
   * where clipping computes their norm: see BaseOptimizer.step.)
   */
  trainStep(x: Tensor, labels: Int32Array, optimizer: Optimizer, loss?: Loss): number {
    const lossFunction = loss ?? (this.crossEntropy ??= new SoftmaxCrossEntropy());
    const value = lossFunction.forward(this.logits(x, 'train'), labels);
    if (!Number.isFinite(value)) throw new NonFiniteError(`the loss is ${value}`);
    this.backward(lossFunction.backward());
    optimizer.step(this.namedParams);
    return value;
  }

  /** `Sequential(Dense(784 → 64) → ReLU → …)`. */
  toString(): string {
    return `Sequential(${this.layers.map(String).join(' → ')})`;
  }
}
