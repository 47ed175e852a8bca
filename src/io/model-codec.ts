import type { DataProvenance } from '../data/provenance.js';
import { ScratchnetError } from '../errors.js';
import { Sequential, type SequentialConfig } from '../network/sequential.js';
import { checkArchitectureAgainstTensors, checkClassNames } from './architecture-check.js';
import { type Metadata, type StoredTensor, decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { loadStateDict, modelTensors } from './state-dict.js';

export { modelTensors };

/**
 * Model files as bytes, with no file system: what the browser page uses, and what saveModel/loadModel
 * (model-file.ts) write and read. A model file is one safetensors file holding a whole model:
 * - `__metadata__.format` = "scratchnet-model", `version` = "1";
 * - `__metadata__.architecture` = JSON of `Sequential.config()` (input shape and every layer's config);
 * - `__metadata__.training` = JSON of how it was trained (options, data, final metrics), optional;
 * - `__metadata__.trained_on` = JSON of the training data's {@link DataProvenance} (name, rows, fingerprint,
 *   class names), optional: `evaluate` warns when it evaluates on data the model may have seen;
 * - one F32 tensor per parameter and buffer, named and laid out as PyTorch's `nn.Sequential.state_dict()`:
 *   `0.weight` [out, in], `0.bias` [out], `2.weight`, … so `model.load_state_dict(tensors)` takes them:
 *   Conv2d's weight [out, in, kh, kw]; batch norm's running_mean, running_var and num_batches_tracked
 *   (I64, shape []). (Dense keeps W as [in, out] to compute X·W; it is transposed on the way in and out.)
 * - `__metadata__.input_scale` = what each raw input value is multiplied by (1/255 for pixels), optional.
 * The tensors are state-dict.ts's; a PyTorch state_dict saved as safetensors holds the same, without the metadata.
 */
export const MODEL_FORMAT = 'scratchnet-model';
/** `__metadata__.format` of a checkpoint: a model file plus `optimizer/…`, `fit/…` and `callbacks/…` tensors. */
export const CHECKPOINT_FORMAT = 'scratchnet-checkpoint';
/** Tensors of a checkpoint beside the model's: the optimizer's state, fit's position, the callbacks' state. */
const CHECKPOINT_PREFIXES = ['optimizer/', 'fit/', 'callbacks/'];
/** `__metadata__.version` written, and the only version read. */
export const FORMAT_VERSION = '1';

/** What a model file holds besides the network: how it was trained, what its classes are called. */
export interface ModelInfo {
  /** How the model was trained: options, data, metrics. Free-form JSON. */
  training?: Record<string, unknown>;
  /** Human names of the output classes, when the data had them. */
  classNames?: readonly string[];
  /** Which data the model was trained on (absent in files written before it was recorded). */
  trainedOn?: DataProvenance;
  /**
   * What each raw input value was multiplied by before it entered the network: 1/255 for pixels 0–255
   * (the built-in digits, MNIST-style CSV and IDX), 1 for features read as they are. Absent in files
   * written before it was recorded: {@link DEFAULT_INPUT_SCALE} is then assumed.
   */
  inputScale?: number;
}

/** The input scale of a model file that does not record one: pixels 0–255 → [0, 1], as the CLI reads image data. */
export const DEFAULT_INPUT_SCALE = 1 / 255;

/** The `__metadata__` of a model file (or, with `format` = {@link CHECKPOINT_FORMAT}, of a checkpoint). */
export function modelMetadata(network: Sequential, info: ModelInfo = {}, format = MODEL_FORMAT): Metadata {
  const metadata: Metadata = { format, version: FORMAT_VERSION, architecture: JSON.stringify(network.config()) };
  if (info.training) metadata.training = JSON.stringify(info.training);
  if (info.classNames) metadata.class_names = JSON.stringify(info.classNames);
  if (info.trainedOn) metadata.trained_on = JSON.stringify(info.trainedOn);
  if (info.inputScale !== undefined) metadata.input_scale = String(info.inputScale);
  return metadata;
}

/** The model file's bytes (safetensors): what {@link saveModel} writes, for a download or a message. */
export function encodeModel(network: Sequential, info: ModelInfo = {}): Uint8Array {
  return encodeSafetensors(modelTensors(network), modelMetadata(network, info));
}

/**
 * A model from a model file's bytes (a dropped file, a fetch, a message), validated as {@link loadModel} validates a file.
 * @param source - what to call the bytes in messages (a file name).
 * @throws {@link ScratchnetError} naming `source` and its problems.
 */
export function decodeModel(bytes: Uint8Array, source: string): { network: Sequential; info: ModelInfo } {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  return modelFromSafetensors(tensors, metadata, source);
}

/**
 * Rebuilds the network from `__metadata__.architecture` and fills it with the stored tensors. Every
 * parameter and buffer must be present with exactly the shape the architecture implies; tensors the
 * architecture does not have are refused (except a checkpoint's `optimizer/…` and `fit/…` entries).
 */
export function modelFromSafetensors(
  tensors: ReadonlyMap<string, StoredTensor>,
  metadata: Metadata,
  source: string,
): { network: Sequential; info: ModelInfo } {
  const fail = (message: string): never => {
    throw new ScratchnetError(`${source}: ${message}`);
  };
  if (metadata.format !== MODEL_FORMAT && metadata.format !== CHECKPOINT_FORMAT) {
    fail(
      metadata.format === undefined
        ? '__metadata__ has no "format": not a scratchnet model file (its architecture is unknown)'
        : `__metadata__.format is '${metadata.format}', expected '${MODEL_FORMAT}'`,
    );
  }
  if (metadata.version !== FORMAT_VERSION)
    fail(`__metadata__.version is '${metadata.version}', this scratchnet reads version ${FORMAT_VERSION}`);
  const config = parseJson<SequentialConfig>(metadata.architecture, '__metadata__.architecture', fail);
  if (!config || !Array.isArray(config.inputShape) || !Array.isArray(config.layers))
    fail('__metadata__.architecture must hold { inputShape, layers }');
  checkArchitectureAgainstTensors(config, tensors, fail); // before building: nothing allocated yet
  let network: Sequential;
  try {
    network = Sequential.fromConfig(config);
  } catch (error) {
    return fail(`__metadata__.architecture does not describe a valid network: ${(error as Error).message}`);
  }

  loadStateDict(
    network,
    tensors,
    fail,
    (name) => metadata.format === CHECKPOINT_FORMAT && CHECKPOINT_PREFIXES.some((p) => name.startsWith(p)),
  );
  const info: ModelInfo = {};
  if (metadata.training) info.training = parseJson<Record<string, unknown>>(metadata.training, '__metadata__.training', fail);
  if (metadata.class_names) {
    info.classNames = parseJson<string[]>(metadata.class_names, '__metadata__.class_names', fail);
    checkClassNames(info.classNames, network.outputShape()[0], fail);
  }
  if (metadata.trained_on)
    info.trainedOn = checkProvenance(parseJson(metadata.trained_on, '__metadata__.trained_on', fail), fail);
  if (metadata.input_scale !== undefined) {
    info.inputScale = Number(metadata.input_scale);
    if (!(info.inputScale > 0 && Number.isFinite(info.inputScale)))
      fail(`__metadata__.input_scale is '${metadata.input_scale}', expected a number > 0`);
  }
  return { network, info };
}

/** `__metadata__.trained_on` as written by {@link modelMetadata}, or the first field that is not. */
function checkProvenance(value: unknown, fail: (message: string) => never): DataProvenance {
  const field = (name: string): string => `__metadata__.trained_on.${name}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail('__metadata__.trained_on must be an object');
  const { name, rows, fingerprint, classNames } = value as Record<string, unknown>;
  if (typeof name !== 'string') fail(`${field('name')} must be a string, got ${JSON.stringify(name)}`);
  if (!(Number.isInteger(rows) && (rows as number) >= 0))
    fail(`${field('rows')} must be a whole number, got ${JSON.stringify(rows)}`);
  if (typeof fingerprint !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(fingerprint))
    fail(`${field('fingerprint')} must be 'sha256:' and 64 hex digits, got ${JSON.stringify(fingerprint)}`);
  if (!Array.isArray(classNames) || !classNames.every((c) => typeof c === 'string'))
    fail(`${field('classNames')} must be a list of strings, got ${JSON.stringify(classNames)}`);
  return value as DataProvenance;
}

function parseJson<T>(text: string | undefined, field: string, fail: (message: string) => never): T {
  if (text === undefined) return fail(`${field} is missing`);
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    return fail(`${field} is not valid JSON: ${(error as Error).message}`);
  }
}
