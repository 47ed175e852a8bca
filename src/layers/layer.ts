import type { DenseStep } from '../kernels/kernels.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Rng, RngState } from '../tensor/rng.js';
import { ScratchnetError } from '../errors.js';

/** Training mode uses batch statistics and random masks (dropout, batch norm); eval mode is deterministic. */
export type Mode = 'train' | 'eval';

/** A learnable tensor and the gradient of the loss with respect to it, always side by side. */
export interface Param {
  /** Name within its layer: `weight`, `bias`, … (the network prefixes the layer index: `0.weight`). */
  readonly name: string;
  /** The learned values, which the optimizer updates in place. */
  readonly value: Tensor;
  /** ∂loss/∂value, same shape as `value`; `backward` overwrites it. */
  readonly grad: Tensor;
}

/** The saved form of a layer: its type name plus the options that rebuild it. */
export interface LayerConfig {
  /** The name the layer type is registered under ({@link registerLayer}): `dense`, `relu`, … */
  readonly type: string;
  /** The layer's options, as its constructor takes them (JSON values). */
  readonly [option: string]: unknown;
}

/**
 * One layer of a network. `forward` returns a buffer the layer owns (valid until its next forward);
 * it remembers what `backward` needs. `backward(dY)` fills its params' gradients (overwriting them) and
 * returns dX — or null when `needInputGrad` is false, which the network uses for its first layer,
 * whose input gradient nobody reads.
 */
export interface Layer {
  /** The registered type name, as written in the layer's config (`dense`, `relu`, …). */
  readonly type: string;
  /** x: [batch, ...inputShape] → [batch, ...outputShape] */
  forward(x: Tensor, mode: Mode): Tensor;
  /** dY: [batch, ...outputShape] → dX: [batch, ...inputShape] */
  backward(dY: Tensor, needInputGrad: boolean): Tensor | null;
  /**
   * The learnable tensors with their gradients, in a fixed order (empty for a layer with none).
   * The one way an optimizer, a model file or a gradient check reaches the weights; the tensors are the
   * layer's own, not copies.
   */
  params(): Param[];
  /** Per-sample output shape for a per-sample input shape (without the batch dimension). */
  outputShape(inputShape: readonly number[]): number[];
  /** The saved form: type plus options, enough to rebuild the layer with {@link layerFromConfig} (the weights are saved apart). */
  config(): LayerConfig;
  /** Multiply–adds per sample of the forward pass ×2 (floating-point operations). */
  flops(inputShape: readonly number[]): number;
  /**
   * State that is not learned by gradients but belongs to the model (batch norm's running mean and
   * variance): saved in model files beside the params, named like them.
   */
  buffers?(): NamedBuffer[];
  /** Random state a layer draws from while training (dropout's masks), saved in checkpoints. */
  randomState?(): RngState;
  /** Continues the random stream saved by `randomState` (resuming from a checkpoint). */
  setRandomState?(state: RngState): void;
  /**
   * For evaluation's fast path (network/evaluation-plan.ts): a layer that computes Y = X·W + b
   * describes itself as a step of Kernels.denseChain, with the activation after it folded into the
   * product, Y = act(X·W + b), when `reluSlope` is given. The step refers to the layer's own weights.
   */
  chainStep?(reluSlope?: number): DenseStep;
  /**
   * For the same fast path: a layer that computes act(x) = x if x > 0 else reluSlope·x (ReLU: 0) gives
   * its slope, so that the product before it can apply it while writing its rows.
   */
  readonly reluSlope?: number;
  /** What the layer is, as a network summary prints it: `Dense(784 → 64)`, `ReLU`. */
  toString(): string;
}

/** A tensor a layer keeps but does not learn by gradient (batch norm's running statistics). */
export interface NamedBuffer {
  /** Name within its layer, as for a {@link Param}: `running_mean`, … */
  readonly name: string;
  /** The layer's own tensor; loading a model file writes into it. */
  readonly value: Tensor;
  /**
   * A count rather than a measurement (batch norm's `num_batches_tracked`): model files store it as a
   * whole number, I64 of shape [] as PyTorch keeps it, and a file without it loads with 0 (as PyTorch
   * fills it in for files older than the buffer). The value holds it in float32: exact to 2²⁴.
   */
  readonly count?: true;
}

/** Builds a layer of one registered type from its saved config, initialising any weights from `rng`. */
export type LayerFactory = (config: LayerConfig, rng: Rng) => Layer;
const registry = new Map<string, LayerFactory>();

/** Makes a layer type loadable from its config (model files, the CLI). Each layer file registers itself; registering a type again replaces its factory. */
export function registerLayer(type: string, factory: LayerFactory): void {
  registry.set(type, factory);
}

/**
 * Builds a layer from its saved config; parameters are freshly initialised from `rng`.
 * @throws {@link index.ScratchnetError} if no layer type is registered under `config.type`.
 */
export function layerFromConfig(config: LayerConfig, rng: Rng): Layer {
  const factory = registry.get(config.type);
  if (!factory) throw new ScratchnetError(`unknown layer type '${config.type}' (known: ${[...registry.keys()].join(', ')})`);
  return factory(config, rng);
}

/** The type names {@link layerFromConfig} knows, in registration order. */
export function registeredLayerTypes(): string[] {
  return [...registry.keys()];
}
