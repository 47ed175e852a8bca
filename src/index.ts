/**
 * scratchnet — neural networks from scratch in TypeScript.
 *
 * This entry point is what a user writes: tensors, layers, losses, optimizers, the network, training,
 * data and model files. Backend construction and file-format internals are in `scratchnet/internals`;
 * the figures are in `scratchnet/viz`.
 *
 * @packageDocumentation
 */
export { ScratchnetError, ShapeError } from './errors.js';
export { NonFiniteError } from './tensor/finite.js';

// Numbers
export { Tensor, type NestedNumbers } from './tensor/tensor.js';
export { Rng, type RngState } from './tensor/rng.js';
export {
  kernels,
  useBackend,
  BACKEND_NAMES,
  type Kernels,
  type BackendName,
  type DenseStep,
  type Epilogue,
  type ImageWindow,
} from './kernels/index.js';
export type { WasmOptions } from './kernels/wasm/backend.js';
export type { NativeIsa } from './kernels/native/native.js';

// Layers
export {
  type Layer,
  type Param,
  type NamedBuffer,
  type Mode,
  type LayerConfig,
  type LayerFactory,
  registerLayer,
} from './layers/layer.js';
export { Dense, type DenseConfig } from './layers/dense.js';
export { Dropout, type DropoutConfig } from './layers/dropout.js';
export { BatchNorm, type BatchNormConfig } from './layers/batch-norm.js';
export { ReLU, LeakyReLU, Sigmoid, Tanh, Softmax } from './layers/activations.js';
export { Conv2d, type Conv2dConfig, type Conv2dOptions, type Padding } from './layers/conv2d.js';
export { MaxPool2d, AvgPool2d, type Pool2dConfig } from './layers/pooling.js';
export { GlobalAvgPool2d } from './layers/global-avg-pool2d.js';
export { Flatten } from './layers/flatten.js';
export { INIT_NAMES, type InitName } from './layers/init.js';

// Losses
export { type Loss, type LossConfig, type LossFactory, registerLoss } from './losses/loss.js';
export { SoftmaxCrossEntropy, softmaxCrossEntropyWithLogits } from './losses/softmax-cross-entropy.js';
export { MeanSquaredError, meanSquaredError } from './losses/mse.js';

// Optimizers
export type { Optimizer, OptimizerState } from './optimizers/optimizer.js';
export { BaseOptimizer, type CommonOptions } from './optimizers/base.js';
export { SGD, type SgdOptions } from './optimizers/sgd.js';
export { RMSprop, type RmsPropOptions } from './optimizers/rmsprop.js';
export { Adagrad, type AdagradOptions } from './optimizers/adagrad.js';
export { Adam, type AdamOptions } from './optimizers/adam.js';
export { AdamW } from './optimizers/adamw.js';
export { makeOptimizer, OPTIMIZER_NAMES, type OptimizerName, type OptimizerOptions } from './optimizers/make-optimizer.js';

// The network
export { Sequential, type SequentialConfig } from './network/sequential.js';
export { parseLayerSpec, LAYER_NAMES, type LayerSpec } from './network/layer-spec.js';
export { layersFromSpec, type BuiltLayers } from './network/from-spec.js';
export { mlpLayers, makeActivation, ACTIVATION_NAMES, type ActivationName, type MlpOptions } from './network/mlp.js';
export { evaluate, type Evaluation } from './network/evaluate.js';
export { summarize, type NetworkSummary, type LayerSummary } from './network/summary.js';
export { confusionMatrix, perClassMetrics, type ClassMetrics } from './network/metrics.js';
export {
  checkLayerGradients,
  checkLossGradients,
  checkNetworkGradients,
  type GradCheckOptions,
  type NetworkGradCheckOptions,
  type GradCheckResult,
  type GradCheckEntry,
} from './network/gradcheck.js';

// Training
export { fit, type FitOptions } from './training/fit.js';
export type {
  FitState,
  FitEvent,
  Callbacks,
  EpochBegin,
  BatchEnd,
  EpochEnd,
  EpochSummary,
  TrainEnd,
  History,
} from './training/callbacks.js';
export { restoreRun, saveRun, Checkpointing, type RunParts, type StatefulCallback } from './training/resume.js';
export { EarlyStopping, type EarlyStoppingOptions } from './training/early-stopping.js';
export { LearningRateSchedule, SCHEDULE_NAMES, type ScheduleName, type ScheduleOptions } from './training/schedules.js';

// Data
export { type Dataset, classCounts } from './data/dataset.js';
export { loadBuiltinMnist } from './data/builtin.js';
export { loadDataset, type LoadOptions } from './data/load.js';
export { loadCsv, type CsvOptions } from './data/csv/load.js';
export { loadIdx, FASHION_MNIST_CLASSES, type IdxOptions } from './data/idx.js';
export { trainValidationSplit, randomSubset, type SplitOptions } from './data/split.js';
export { standardise, featureStatistics, normalised, type FeatureStatistics } from './data/standardise.js';
export { batches } from './data/batches.js';
export { ImageAugmentation, imageShapeOf, shiftAndRotate, type AugmentOptions, type BatchAugmentation } from './data/augment.js';

// Model files and checkpoints
export { saveModel, loadModel, DEFAULT_INPUT_SCALE, type ModelInfo, type LoadModelOptions } from './io/model-file.js';
export { encodeModel, decodeModel } from './io/model-codec.js';

// Interoperability: ONNX out, PyTorch weights in (docs/interop.md)
export { exportOnnx, onnxMetadata, ONNX_OPSET, ONNX_INPUT, ONNX_OUTPUT } from './interop/onnx-export.js';
export { loadTorchWeights } from './io/torch-weights.js';
export { type DataProvenance, datasetFingerprint } from './data/provenance.js';
export { saveCheckpoint, loadCheckpoint, type Checkpoint } from './io/checkpoint.js';
