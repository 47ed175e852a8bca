/**
 * scratchnet — neural networks from scratch in TypeScript.
 * The public API: everything the CLI and the examples use is exported here.
 */
export { ScratchnetError, ShapeError } from './errors.js';
export { Tensor, sizeOf, assertShape, type NestedNumbers } from './tensor/tensor.js';
export { Rng, type RngState } from './tensor/rng.js';
export { BatchBuffer } from './layers/batch-buffer.js';

export {
  kernels,
  setKernels,
  useBackend,
  reference,
  BACKEND_NAMES,
  type Kernels,
  type Epilogue,
  type DenseStep,
  type BackendName,
} from './kernels/index.js';
export {
  createWasmKernels,
  wasmSupported,
  type KernelBuild,
  type WasmKernels,
  type WasmOptions,
} from './kernels/wasm/backend.js';

export {
  type Layer,
  type Param,
  type NamedBuffer,
  type Mode,
  type LayerConfig,
  registerLayer,
  layerFromConfig,
  registeredLayerTypes,
} from './layers/layer.js';
export { Dense, type DenseConfig } from './layers/dense.js';
export { Dropout, type DropoutConfig } from './layers/dropout.js';
export { BatchNorm, type BatchNormConfig } from './layers/batch-norm.js';
export { ReLU, LeakyReLU, Sigmoid, Tanh, Softmax } from './layers/activations.js';
export { initWeights, initVariance, INIT_NAMES, type InitName } from './layers/init.js';

export { type Loss, type LossConfig, registerLoss, lossFromConfig } from './losses/loss.js';
export { SoftmaxCrossEntropy, softmaxCrossEntropyWithLogits } from './losses/softmax-cross-entropy.js';
export { MeanSquaredError, meanSquaredError } from './losses/mse.js';

export type { Optimizer, OptimizerState } from './optimizers/optimizer.js';
export { SGD, type SgdOptions } from './optimizers/sgd.js';
export { BaseOptimizer, globalGradNorm, clipGradients, type CommonOptions } from './optimizers/base.js';
export { RMSprop, type RmsPropOptions } from './optimizers/rmsprop.js';
export { Adagrad, type AdagradOptions } from './optimizers/adagrad.js';
export { Adam, type AdamOptions } from './optimizers/adam.js';
export { AdamW } from './optimizers/adamw.js';
export {
  makeOptimizer,
  optimizerFromConfig,
  OPTIMIZER_NAMES,
  type OptimizerName,
  type OptimizerOptions,
} from './optimizers/make-optimizer.js';
export { LearningRateSchedule, SCHEDULE_NAMES, type ScheduleName, type ScheduleOptions } from './training/schedules.js';

export { Sequential, type SequentialConfig } from './network/sequential.js';
export { mlpLayers, makeActivation, ACTIVATION_NAMES, type ActivationName, type MlpOptions } from './network/mlp.js';
export {
  fit,
  type FitOptions,
  type FitState,
  type FitEvent,
  type Callbacks,
  type EpochBegin,
  type BatchEnd,
  type EpochEnd,
  type EpochSummary,
  type TrainEnd,
  type History,
} from './training/fit.js';
export { evaluate, type Evaluation } from './network/evaluate.js';
export { EvaluationPlan } from './network/evaluation-plan.js';
export { EarlyStopping, type EarlyStoppingOptions } from './training/early-stopping.js';
export {
  checkLayerGradients,
  checkLossGradients,
  checkNetworkGradients,
  type GradCheckOptions,
  type NetworkGradCheckOptions,
  type GradCheckResult,
} from './network/gradcheck.js';

export { type Dataset, sampleSize, selectRows, sampleFeatures, classCounts } from './data/dataset.js';
export { Batcher } from './data/batches.js';
export { trainValidationSplit, randomSubset, type SplitOptions } from './data/split.js';
export { loadBuiltinMnist } from './data/builtin.js';
export { loadDataset, labelsBeside, type LoadOptions } from './data/load.js';
export { loadCsv, type CsvOptions } from './data/csv/load.js';
export { loadIdx, readIdx, FASHION_MNIST_CLASSES, type IdxOptions, type IdxArray } from './data/idx.js';
export { batches } from './data/batches.js';
export { standardise, featureStatistics, normalised, type FeatureStatistics } from './data/standardise.js';

export {
  encodeSafetensors,
  decodeSafetensors,
  readSafetensorsFile,
  writeSafetensorsFile,
  MAX_HEADER_BYTES,
  type StoredTensor,
  type DType,
  type Metadata,
} from './io/safetensors.js';
export {
  saveModel,
  loadModel,
  modelTensors,
  modelMetadata,
  modelFromSafetensors,
  MODEL_FORMAT,
  CHECKPOINT_FORMAT,
  type ModelInfo,
} from './io/model-file.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  checkpointPath,
  checkpointDir,
  CHECKPOINT_FILE,
  type Checkpoint,
} from './io/checkpoint.js';
export { writeFileAtomic, readFileOrFail } from './util/fs.js';

// Figures and reports (Vega-Lite, resvg; Node only) are a separate entry point, `scratchnet/viz`
// (src/viz/index.ts), so the core library stays light and free of native modules.
