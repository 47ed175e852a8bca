import { LeakyReLU, ReLU, Sigmoid, Tanh } from '../layers/activations.js';
import { BatchNorm } from '../layers/batch-norm.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import { INIT_NAMES, type InitName } from '../layers/init.js';
import type { Layer } from '../layers/layer.js';
import { Rng } from '../tensor/rng.js';
import { ScratchnetError } from '../errors.js';

/** The activations an MLP's hidden layers can use, by the names the CLI and model files give them. */
export type ActivationName = 'relu' | 'leaky-relu' | 'sigmoid' | 'tanh';
/** Every ActivationName, as `--activation` lists them. */
export const ACTIVATION_NAMES: readonly ActivationName[] = ['relu', 'leaky-relu', 'sigmoid', 'tanh'];

/** The shape of a multilayer perceptron (`Sequential.mlp`, `mlpLayers`); every field has a default. */
export interface MlpOptions {
  /** Input features per sample; default 784 (28×28 pixels). */
  inputs?: number;
  /** Units of each hidden layer; default [64, 32], the tutorial's network. */
  hidden?: readonly number[];
  /** Output classes; default 10. */
  classes?: number;
  activation?: ActivationName;
  /**
   * Weight initialisation of the Dense layers: one scheme for all, or one per Dense layer (hidden
   * layers first, the output layer last). Default 'he-normal' everywhere, which suits ReLU; for tanh or
   * sigmoid networks 'xavier-normal' / 'xavier-uniform' is the usual choice. Biases start at 0.
   */
  init?: InitName | readonly InitName[];
  /** Dropout rate after each hidden activation; default 0 (no Dropout layers). */
  dropout?: number;
  /** A BatchNorm layer between each hidden Dense layer and its activation; default false. */
  batchNorm?: boolean;
  rng?: Rng;
}

/**
 * The layers of a multilayer perceptron (Sequential.mlp builds the network from them): the
 * tutorial's 784 → 64 → ReLU → 32 → ReLU → 10 by default. Each hidden layer is
 * Dense → [BatchNorm] → activation → [Dropout]; the output layer is a Dense producing logits.
 */
export function mlpLayers(options: MlpOptions = {}): { layers: Layer[]; inputShape: number[] } {
  const {
    inputs = 784,
    hidden = [64, 32],
    classes = 10,
    activation = 'relu',
    init = 'he-normal',
    dropout = 0,
    batchNorm = false,
    rng = new Rng(42),
  } = options;
  const inits: readonly InitName[] = typeof init === 'string' ? hidden.map(() => init).concat(init) : init;
  if (inits.length !== hidden.length + 1) {
    throw new ScratchnetError(
      `mlp: init lists ${inits.length} schemes for ${hidden.length + 1} Dense layers (${hidden.length} hidden + output)`,
    );
  }
  for (const name of inits)
    if (!INIT_NAMES.includes(name)) throw new ScratchnetError(`mlp: unknown init '${name}' (known: ${INIT_NAMES.join(', ')})`);
  const layers: Layer[] = [];
  let width = inputs;
  hidden.forEach((units, i) => {
    layers.push(new Dense(width, units, rng, inits[i]));
    if (batchNorm) layers.push(new BatchNorm(units));
    layers.push(makeActivation(activation));
    if (dropout > 0) layers.push(new Dropout(dropout, rng));
    width = units;
  });
  layers.push(new Dense(width, classes, rng, inits[hidden.length]));
  return { layers, inputShape: [inputs] };
}

/** The activation layer of a name; leaky ReLU with the tutorial's slope 0.1. */
export function makeActivation(name: ActivationName): Layer {
  switch (name) {
    case 'relu':
      return new ReLU();
    case 'leaky-relu':
      return new LeakyReLU(0.1);
    case 'sigmoid':
      return new Sigmoid();
    case 'tanh':
      return new Tanh();
    default:
      throw new ScratchnetError(`unknown activation '${name as string}' (known: ${ACTIVATION_NAMES.join(', ')})`);
  }
}
