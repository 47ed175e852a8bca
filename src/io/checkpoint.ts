import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ScratchnetError } from '../errors.js';
import type { FitState } from '../training/callbacks.js';
import type { Sequential } from '../network/sequential.js';
import type { Optimizer, OptimizerState } from '../optimizers/optimizer.js';
import type { RngState } from '../tensor/rng.js';
import { CHECKPOINT_FORMAT, type ModelInfo, modelFromSafetensors, modelMetadata, modelTensors } from './model-file.js';
import { validateCheckpointFields } from './checkpoint-fields.js';
import { type StoredTensor, f32 } from './safetensors.js';
import { readSafetensorsFile, writeSafetensorsFile } from './safetensors-file.js';
import { firstNegative, firstNonFinite } from '../tensor/finite.js';

/**
 * A checkpoint is everything needed to continue a training run bit for bit, in one safetensors file
 * `DIR/checkpoint.safetensors` (written atomically, so a crash leaves the previous checkpoint intact):
 * - the model, exactly as in a model file (so `scratchnet evaluate --model DIR/checkpoint.safetensors` works);
 * - the optimizer's buffers as `optimizer/<param>/<slot>` (F32) and its scalars and learning rate in metadata;
 * - fit's position: `fit/order` (this epoch's row order, I32), `fit/subset` (I32, when training on a
 *   subset), and in metadata the epoch, batch, Rng state and history;
 * - the layers' random states (dropout) and the run's options (`run`), so `--resume` needs nothing else;
 * - `folder`: the absolute folder it was written into, so paths saved in `run` can be looked up again
 *   relative to the checkpoint when the folder has been moved or copied;
 * Every field is validated on load (checkpoint-fields.ts), naming the first wrong one.
 * - the state of stateful callbacks (reduce-on-plateau, early stopping's best weights): buffers as
 *   `callbacks/<callback>/<key>` (F32), scalars in metadata `callbacks`.
 */
export const CHECKPOINT_FILE = 'checkpoint.safetensors';

/** A checkpoint as loaded: the network with its weights, and every other part of the run's state. */
export interface Checkpoint {
  /** Where it was loaded from, as given to `loadCheckpoint`; errors about it name this. */
  source?: string;
  network: Sequential;
  info: ModelInfo;
  optimizer: { name: string; learningRate: number; state: OptimizerState };
  fit: FitState;
  randomStates: Record<string, RngState>;
  /** The absolute folder it was written into (absent in older checkpoints): where it was before any move or copy. */
  folder?: string;
  /** The options of the run that wrote it (the CLI's train options). */
  run: Record<string, unknown>;
  /** Saved states of stateful callbacks, by callback name ('schedule', 'earlyStopping'). */
  callbacks: Record<string, OptimizerState>;
}

/** `DIR/checkpoint.safetensors`. */
export function checkpointPath(dir: string): string {
  return join(dir, CHECKPOINT_FILE);
}

/** The folder of a checkpoint given as its folder or as its file. */
export function checkpointDir(dirOrFile: string): string {
  return existsSync(dirOrFile) && statSync(dirOrFile).isFile() ? dirname(dirOrFile) : dirOrFile;
}

/**
 * Writes `DIR/checkpoint.safetensors` (atomically) and returns its path. `saveRun` (training/resume.ts)
 * assembles the parts from a run's network, optimizer and stateful callbacks.
 */
export function saveCheckpoint(
  dir: string,
  parts: {
    network: Sequential;
    optimizer: Optimizer;
    fit: FitState;
    run: Record<string, unknown>;
    info?: ModelInfo;
    callbacks?: Record<string, OptimizerState>;
  },
): string {
  const { network, optimizer, fit, run, info = {}, callbacks = {} } = parts;
  const tensors: Map<string, StoredTensor> = modelTensors(network);
  const optimizerState = optimizer.state();
  for (const [key, buffer] of Object.entries(optimizerState.buffers))
    tensors.set(`optimizer/${key}`, f32([buffer.length], buffer.slice()));
  tensors.set('fit/order', { dtype: 'I32', shape: [fit.order.length], data: fit.order.slice() });
  if (fit.subset) tensors.set('fit/subset', { dtype: 'I32', shape: [fit.subset.length], data: fit.subset.slice() });
  const callbackScalars: Record<string, Record<string, number>> = {};
  for (const [name, state] of Object.entries(callbacks)) {
    callbackScalars[name] = state.scalars;
    for (const [key, buffer] of Object.entries(state.buffers))
      tensors.set(`callbacks/${name}/${key}`, f32([buffer.length], buffer.slice()));
  }
  const metadata = {
    ...modelMetadata(network, info, CHECKPOINT_FORMAT),
    optimizer: JSON.stringify({ name: optimizer.name, learningRate: optimizer.learningRate, scalars: optimizerState.scalars }),
    fit: JSON.stringify({ epoch: fit.epoch, batch: fit.batch, rng: fit.rng, history: fit.history }),
    random_states: JSON.stringify(network.randomStates()),
    run: JSON.stringify(run),
    callbacks: JSON.stringify(callbackScalars),
    folder: resolve(dir), // where it was written: paths in `run` are found again relative to it after a move
  };
  const path = checkpointPath(dir);
  writeSafetensorsFile(path, tensors, metadata, 'checkpoint');
  return path;
}

/** Loads `DIR/checkpoint.safetensors` (or a checkpoint file given directly). */
export function loadCheckpoint(dirOrFile: string): Checkpoint {
  const path = existsSync(dirOrFile) && statSync(dirOrFile).isDirectory() ? checkpointPath(dirOrFile) : dirOrFile;
  const { tensors, metadata } = readSafetensorsFile(path, 'checkpoint');
  const fail = (message: string): never => {
    throw new ScratchnetError(`${path}: ${message}`);
  };
  if (metadata.format !== CHECKPOINT_FORMAT)
    fail(
      `__metadata__.format is '${metadata.format}', expected '${CHECKPOINT_FORMAT}' (a model file cannot be resumed: it has no optimizer or position)`,
    );
  const { network, info } = modelFromSafetensors(tensors, metadata, path);
  checkStateTensors(tensors, fail);
  const read = (field: string): unknown => {
    try {
      return JSON.parse(metadata[field] ?? 'null');
    } catch (error) {
      return fail(`__metadata__.${field} is not valid JSON: ${(error as Error).message}`);
    }
  };
  const fields = validateCheckpointFields(
    {
      optimizer: read('optimizer'),
      fit: read('fit'),
      random_states: read('random_states'),
      run: read('run'),
      callbacks: read('callbacks'),
    },
    tensors,
    path,
  );
  const { optimizer, fit: position, run } = fields;
  const buffers: Record<string, Float32Array> = {};
  for (const [name, tensor] of tensors)
    if (name.startsWith('optimizer/')) buffers[name.slice('optimizer/'.length)] = tensor.data as Float32Array;
  const callbacks: Record<string, OptimizerState> = {};
  for (const [name, scalars] of Object.entries(fields.callbacks)) callbacks[name] = { scalars, buffers: {} };
  for (const [key, tensor] of tensors) {
    if (!key.startsWith('callbacks/')) continue;
    const [, name, ...rest] = key.split('/');
    if (!callbacks[name]) fail(`tensor '${key}' belongs to callback '${name}', which __metadata__.callbacks does not list`);
    callbacks[name].buffers[rest.join('/')] = tensor.data as Float32Array;
  }
  // Epochs in the history count from 1; files written before that counted from 0. Epoch i + 1 is at i either way.
  const history = { ...position.history, epochs: position.history.epochs.map((e, i) => ({ ...e, epoch: i + 1 })) };
  return {
    source: dirOrFile,
    network,
    info,
    optimizer: { name: optimizer.name, learningRate: optimizer.learningRate, state: { scalars: optimizer.scalars, buffers } },
    fit: { ...position, history },
    folder: typeof metadata.folder === 'string' ? metadata.folder : undefined,
    randomStates: fields.randomStates,
    run,
    callbacks,
  };
}

/**
 * Optimizer slots whose every value is a sum or average of squares, so ≥ 0: Adam's v (`exp_avg_sq`,
 * `max_exp_avg_sq`), RMSprop's `square_avg`, Adagrad's `sum`. A negative one gives √v = NaN at the first step.
 */
const SQUARE_SLOTS = ['exp_avg_sq', 'max_exp_avg_sq', 'square_avg', 'sum'];

/**
 * The optimizer's and callbacks' F32 tensors must be finite (a NaN moment makes the next step's weights
 * NaN), and the slots of sums of squares ≥ 0. Fails naming the tensor and the first bad index.
 * (The model's own tensors are checked by modelFromSafetensors.)
 */
export function checkStateTensors(tensors: ReadonlyMap<string, StoredTensor>, fail: (message: string) => never): void {
  for (const [name, tensor] of tensors) {
    if (tensor.dtype !== 'F32' || !(name.startsWith('optimizer/') || name.startsWith('callbacks/'))) continue;
    const data = tensor.data as Float32Array;
    const bad = firstNonFinite(data);
    if (bad >= 0) fail(`tensor '${name}' has ${data[bad]} at index ${bad}: optimizer and callback state must be finite`);
    const slot = name.slice(name.lastIndexOf('/') + 1);
    const negative = name.startsWith('optimizer/') && SQUARE_SLOTS.includes(slot) ? firstNegative(data) : -1;
    if (negative >= 0) fail(`tensor '${name}' has ${data[negative]} at index ${negative}: a sum of squares cannot be negative`);
  }
}
