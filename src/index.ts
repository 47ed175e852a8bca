/**
 * scratchnet — neural networks from scratch in TypeScript.
 * The public API: everything the CLI and the examples use is exported here.
 */
export { ScratchnetError, ShapeError } from './errors.js';
export { Tensor, sizeOf, assertShape, type NestedNumbers } from './tensor/tensor.js';
export { Rng, type RngState } from './tensor/rng.js';
export { BatchBuffer } from './tensor/batch-buffer.js';

export { kernels, setKernels, useBackend, reference, BACKEND_NAMES, type Kernels, type BackendName } from './kernels/index.js';
export { createWasmKernels, wasmSupported, type WasmOptions } from './kernels/wasm/backend.js';

export { type Layer, type Param, type NamedBuffer, type Mode, type LayerConfig, registerLayer, layerFromConfig, registeredLayerTypes } from './layers/layer.js';
export { Dense, type DenseConfig } from './layers/dense.js';
export { ReLU, LeakyReLU, Sigmoid, Tanh, Softmax } from './layers/activations.js';
export { initWeights, initVariance, INIT_NAMES, type InitName } from './layers/init.js';

export { SoftmaxCrossEntropy, softmaxCrossEntropyWithLogits } from './losses/softmax-cross-entropy.js';
export { meanSquaredError } from './losses/mse.js';

export type { Optimizer, OptimizerState } from './optimizers/optimizer.js';
export { SGD } from './optimizers/sgd.js';

export { Sequential, makeActivation, ACTIVATION_NAMES, type ActivationName, type MlpOptions, type SequentialConfig } from './network/sequential.js';
export { fit, type FitOptions, type FitState, type FitEvent, type Callbacks, type EpochBegin, type BatchEnd, type EpochEnd, type EpochSummary, type TrainEnd, type History } from './network/fit.js';
export { evaluate, type Evaluation } from './network/evaluate.js';
export { checkLayerGradients, checkNetworkGradients, type GradCheckOptions, type GradCheckResult } from './network/gradcheck.js';

export { type Dataset, sampleSize, selectRows, sampleFeatures, classCounts } from './data/dataset.js';
export { Batcher } from './data/batches.js';
export { trainValidationSplit, randomSubset, type SplitOptions } from './data/split.js';
export { loadBuiltinMnist } from './data/builtin.js';
