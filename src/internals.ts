/**
 * scratchnet/internals — the parts below the public API, for backend authors, tools and tests:
 * constructing and swapping kernel backends, the reference kernels, the batch buffers layers allocate
 * from, dataset helpers, and the file formats' building blocks (safetensors, model metadata, atomic writes).
 * Stable enough to use, but they change with the implementation; the main entry point `scratchnet` is
 * what most code needs.
 *
 * @packageDocumentation
 */
export { setKernels, reference } from './kernels/index.js';
export { createWasmKernels, wasmSupported, type KernelBuild, type WasmKernels } from './kernels/wasm/backend.js';
export { BatchBuffer } from './layers/batch-buffer.js';
export { layerFromConfig, registeredLayerTypes } from './layers/layer.js';
export { lossFromConfig } from './losses/loss.js';
export { EvaluationPlan } from './network/evaluation-plan.js';
export { initWeights, initVariance } from './layers/init.js';
export { globalGradNorm, clipGradients } from './optimizers/base.js';
export { optimizerFromConfig } from './optimizers/make-optimizer.js';
export { sizeOf, assertShape } from './tensor/tensor.js';

export { sampleSize, selectRows, sampleFeatures } from './data/dataset.js';
export { Batcher } from './data/batches.js';
export { labelsBeside } from './data/load.js';
export { readIdx, type IdxArray } from './data/idx.js';

export {
  encodeSafetensors,
  decodeSafetensors,
  MAX_HEADER_BYTES,
  CHECKSUM_KEY,
  type StoredTensor,
  type DType,
  type Metadata,
} from './io/safetensors.js';
export { readSafetensorsFile, writeSafetensorsFile } from './io/safetensors-file.js';
export { modelTensors, modelMetadata, modelFromSafetensors, MODEL_FORMAT, CHECKPOINT_FORMAT } from './io/model-file.js';
export { loadStateDict } from './io/state-dict.js';
export { fillFromTorch } from './io/torch-weights.js';
export { ONNX_TRANSLATIONS, convPads, type LayerInGraph, type LayerNodes, type Translation } from './interop/onnx-layers.js';
export { checkpointPath, checkpointDir, CHECKPOINT_FILE } from './io/checkpoint.js';
export { writeFileAtomic, readFileOrFail } from './util/fs.js';
