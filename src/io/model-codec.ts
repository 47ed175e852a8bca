import type { DataProvenance } from '../data/provenance.js';
import { ScratchnetError } from '../errors.js';
import type { NamedBuffer } from '../layers/layer.js';
import { Sequential, type SequentialConfig } from '../network/sequential.js';
import { Tensor } from '../tensor/tensor.js';
import { firstNegative, firstNonFinite } from '../tensor/finite.js';
import { checkArchitectureAgainstTensors, checkClassNames } from './architecture-check.js';
import { type Metadata, type StoredTensor, decodeSafetensors, encodeSafetensors, f32 } from './safetensors.js';

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
 */
export const MODEL_FORMAT = 'scratchnet-model';
/** `__metadata__.format` of a checkpoint: a model file plus `optimizer/…`, `fit/…` and `callbacks/…` tensors. */
export const CHECKPOINT_FORMAT = 'scratchnet-checkpoint';
/** `__metadata__.version` written, and the only version read. */
export const FORMAT_VERSION = '1';

/** Parameters whose stored layout is the transpose of ours, by layer type (PyTorch's nn.Linear). */
const TRANSPOSED: Record<string, readonly string[]> = { dense: ['weight'] };

/** What a model file holds besides the network: how it was trained, what its classes are called. */
export interface ModelInfo {
  /** How the model was trained: options, data, metrics. Free-form JSON. */
  training?: Record<string, unknown>;
  /** Human names of the output classes, when the data had them. */
  classNames?: readonly string[];
  /** Which data the model was trained on (absent in files written before it was recorded). */
  trainedOn?: DataProvenance;
}

/**
 * The network's tensors in PyTorch's layout, in layer order, ready for a safetensors file.
 * Throws a ScratchnetError naming the tensor and index of a NaN or ±Inf: such a file would be refused on loading.
 */
export function modelTensors(network: Sequential): Map<string, StoredTensor> {
  const tensors = new Map<string, StoredTensor>();
  const stored: NamedBuffer[] = [...network.params(), ...network.buffers()];
  for (const { name, value, count } of stored) {
    const bad = firstNonFinite(value.data);
    if (bad >= 0) throw new ScratchnetError(`cannot save the network: tensor '${name}' has ${value.data[bad]} at index ${bad}`);
    if (count)
      tensors.set(name, { dtype: 'I64', shape: [...value.shape], data: BigInt64Array.from(value.data, (v) => BigInt(v)) });
    else
      tensors.set(
        name,
        isTransposed(network, name)
          ? f32([value.shape[1], value.shape[0]], transpose(value))
          : f32([...value.shape], value.data.slice()),
      );
  }
  return tensors;
}

/** The `__metadata__` of a model file (or, with `format` = {@link CHECKPOINT_FORMAT}, of a checkpoint). */
export function modelMetadata(network: Sequential, info: ModelInfo = {}, format = MODEL_FORMAT): Metadata {
  const metadata: Metadata = { format, version: FORMAT_VERSION, architecture: JSON.stringify(network.config()) };
  if (info.training) metadata.training = JSON.stringify(info.training);
  if (info.classNames) metadata.class_names = JSON.stringify(info.classNames);
  if (info.trainedOn) metadata.trained_on = JSON.stringify(info.trainedOn);
  return metadata;
}

/** The model file's bytes (safetensors): what {@link saveModel} writes, for a download or a message. */
export function encodeModel(network: Sequential, info: ModelInfo = {}): Uint8Array {
  return encodeSafetensors(modelTensors(network), modelMetadata(network, info));
}

/**
 * A model from a model file's bytes (a dropped file, a fetch, a message), validated as {@link loadModel} validates a file.
 * @param source - what to call the bytes in messages (a file name).
 * @throws {@link ScratchnetError} naming `source` and the first problem.
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

  const expected: NamedBuffer[] = [...network.params().map((p) => ({ name: p.name, value: p.value })), ...network.buffers()];
  const known = new Set(expected.map((e) => e.name));
  for (const name of tensors.keys()) {
    const extra =
      metadata.format === CHECKPOINT_FORMAT &&
      (name.startsWith('optimizer/') || name.startsWith('fit/') || name.startsWith('callbacks/'));
    if (!known.has(name) && !extra) fail(`tensor '${name}' is not part of the architecture (expected: ${[...known].join(', ')})`);
  }
  for (const { name, value, count } of expected) {
    const stored = tensors.get(name);
    if (count) {
      if (stored) value.data[0] = storedCount(name, stored, fail); // absent in files written before counts were saved: 0
      continue;
    }
    if (!stored) return fail(`tensor '${name}' is missing (the architecture needs ${[...known].join(', ')})`);
    const transposed = isTransposed(network, name);
    const shape = transposed ? [value.shape[1], value.shape[0]] : [...value.shape];
    if (stored.dtype !== 'F32') fail(`tensor '${name}' has dtype ${stored.dtype}, expected F32`);
    if (stored.shape.length !== shape.length || stored.shape.some((d, i) => d !== shape[i])) {
      fail(`tensor '${name}' has shape [${stored.shape.join(', ')}], the architecture needs [${shape.join(', ')}]`);
    }
    checkValues(name, stored.data as Float32Array, fail);
    if (transposed) transposeInto(stored.data as Float32Array, shape[0], shape[1], value.data);
    else value.data.set(stored.data as Float32Array);
  }
  const info: ModelInfo = {};
  if (metadata.training) info.training = parseJson<Record<string, unknown>>(metadata.training, '__metadata__.training', fail);
  if (metadata.class_names) {
    info.classNames = parseJson<string[]>(metadata.class_names, '__metadata__.class_names', fail);
    checkClassNames(info.classNames, network.outputShape()[0], fail);
  }
  if (metadata.trained_on)
    info.trainedOn = checkProvenance(parseJson(metadata.trained_on, '__metadata__.trained_on', fail), fail);
  return { network, info };
}

/**
 * A stored weight or buffer must be finite (one NaN makes every output NaN), and a variance ≥ 0 (its
 * square root divides). The index is in the file's layout.
 */
function checkValues(name: string, data: Float32Array, fail: (message: string) => never): void {
  const bad = firstNonFinite(data);
  if (bad >= 0) fail(`tensor '${name}' has ${data[bad]} at index ${bad}: every weight and statistic must be finite`);
  const negative = name.endsWith('.running_var') ? firstNegative(data) : -1;
  if (negative >= 0) fail(`tensor '${name}' has ${data[negative]} at index ${negative}: a variance cannot be negative`);
}

/** A count as stored (I64 of shape [], as PyTorch saves num_batches_tracked): a whole number ≥ 0. */
function storedCount(name: string, stored: StoredTensor, fail: (message: string) => never): number {
  if (stored.dtype !== 'I64' || stored.shape.length !== 0)
    fail(`tensor '${name}' is ${stored.dtype} [${stored.shape.join(', ')}], expected a count: I64 of shape []`);
  const value = (stored.data as BigInt64Array)[0];
  if (value < 0n) fail(`tensor '${name}' is ${value}: a count cannot be negative`);
  return Number(value);
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

function isTransposed(network: Sequential, name: string): boolean {
  const [index, param] = name.split('.');
  const layer = network.layers[Number(index)];
  return TRANSPOSED[layer.type]?.includes(param) ?? false;
}

/** value [rows, cols] → a new [cols, rows] array. */
function transpose(value: Tensor): Float32Array {
  const [rows, cols] = value.shape;
  const out = new Float32Array(rows * cols);
  transposeInto(value.data, rows, cols, out);
  return out;
}

/** src [rows, cols] → out [cols, rows]. */
function transposeInto(src: Float32Array, rows: number, cols: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c];
}

function parseJson<T>(text: string | undefined, field: string, fail: (message: string) => never): T {
  if (text === undefined) return fail(`${field} is missing`);
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    return fail(`${field} is not valid JSON: ${(error as Error).message}`);
  }
}
