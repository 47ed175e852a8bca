import type { Sequential } from '../network/sequential.js';
import { type ModelInfo, decodeModel, modelFromSafetensors, modelMetadata, modelTensors } from './model-codec.js';
import { readSafetensorsFile, writeSafetensorsFile } from './safetensors-file.js';
import { fillFromTorch } from './torch-weights.js';

/**
 * Model files on disk (Node). The format, and its encoding to and from bytes, is model-codec.ts's.
 */
export {
  type ModelInfo,
  MODEL_FORMAT,
  CHECKPOINT_FORMAT,
  FORMAT_VERSION,
  DEFAULT_INPUT_SCALE,
  modelTensors,
  modelMetadata,
  modelFromSafetensors,
  encodeModel,
  decodeModel,
} from './model-codec.js';

/**
 * Saves the network (architecture and weights) and `info` as a model file, atomically; PyTorch can load
 * the tensors into the same `nn.Sequential`. Reload with {@link loadModel}.
 * @throws {@link ScratchnetError} if the file cannot be written.
 */
export function saveModel(path: string, network: Sequential, info: ModelInfo = {}): void {
  writeSafetensorsFile(path, modelTensors(network), modelMetadata(network, info));
}

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /**
   * Read the file as the `state_dict` of a PyTorch `nn.Sequential` (which holds no architecture) and load
   * it into this network, built by the caller with the same layers ({@link loadTorchWeights}).
   */
  architecture?: Sequential;
}

/**
 * Loads a model file (or the model inside a checkpoint file), validating everything against the
 * architecture. With `options.architecture`, loads PyTorch weights into that network instead.
 * @throws {@link ScratchnetError} naming the file and its problems: unreadable, not safetensors, not a scratchnet model, tensors missing, extra or mis-shaped, a NaN or ±Inf (tensor and index), a negative variance.
 */
export function loadModel(path: string, options?: LoadModelOptions): { network: Sequential; info: ModelInfo };
/** Loads a model from a model file's bytes, as {@link decodeModel}; `source` names them in messages. */
export function loadModel(bytes: Uint8Array, source?: string): { network: Sequential; info: ModelInfo };
export function loadModel(
  from: string | Uint8Array,
  second: LoadModelOptions | string = {},
): { network: Sequential; info: ModelInfo } {
  if (typeof from !== 'string') return decodeModel(from, typeof second === 'string' ? second : 'model bytes');
  const { tensors, metadata } = readSafetensorsFile(from);
  const architecture = typeof second === 'string' ? undefined : second.architecture;
  if (architecture) {
    fillFromTorch(architecture, tensors, from);
    return { network: architecture, info: {} };
  }
  return modelFromSafetensors(tensors, metadata, from);
}
