import { ScratchnetError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import { type Checkpoint, saveCheckpoint } from '../io/checkpoint.js';
import type { ModelInfo } from '../io/model-file.js';
import type { Sequential } from '../network/sequential.js';
import type { Optimizer, OptimizerState } from '../optimizers/optimizer.js';
import type { Callbacks, EpochEnd, FitState } from './callbacks.js';

/**
 * Checkpoint and resume a run with the library alone. A run's state is spread over its parts: the
 * network (weights, batch-norm statistics, dropout's random state), the optimizer (moments, step
 * count, learning rate), the stateful callbacks (a schedule's plateau count, early stopping's best
 * weights) and fit's own position (`FitState`). `saveRun` writes all of it into one checkpoint file;
 * `restoreRun` puts it back into freshly made parts and returns the FitState to pass as
 * `fit(…, { resume })`. The resumed run then ends bit for bit where the uninterrupted one would:
 *
 *   const checkpoint = loadCheckpoint('ckpt');
 *   const network = checkpoint.network;
 *   const optimizer = new Adam({ lr: 1e-3 });
 *   const schedule = new LearningRateSchedule(optimizer, { schedule: 'cosine', epochs: 10 });
 *   const stopper = new EarlyStopping(network, { patience: 3 });
 *   const callbacks = { schedule, earlyStopping: stopper };
 *   const resume = restoreRun(checkpoint, { network, optimizer, callbacks }, train);
 *   fit(network, train, { epochs: 10, optimizer, validation, callbacks: [schedule, stopper], resume });
 *
 * What must match the first run, and is not checked: the fit options (batch size, shuffle, epochs for a
 * cosine schedule) and the settings of the optimizer and callbacks. What is checked: the optimizer's
 * kind, the set of stateful callbacks, the network's architecture and the number of training rows.
 */

/** A callback whose state must survive a checkpoint (`LearningRateSchedule`, `EarlyStopping`). */
export interface StatefulCallback {
  /** Everything needed to continue, as plain numbers and typed arrays (saved in the checkpoint). */
  state(): OptimizerState;
  /** Puts back what `state()` returned. */
  loadState(state: OptimizerState): void;
}

/** The parts of a run that hold state between batches, besides fit's own position. */
export interface RunParts {
  network: Sequential;
  optimizer: Optimizer;
  /** Stateful callbacks by name ('schedule', 'earlyStopping'); a checkpoint keeps each state under its name. */
  callbacks?: Record<string, StatefulCallback>;
}

/**
 * Writes the run into `DIR/checkpoint.safetensors` and returns the file's path. `fit` is where the run
 * stands (`event.state()` in a callback, `TrainEnd.state` at the end); `run` is any plain data to keep
 * beside it (the CLI keeps its options there); `info` is the model's (its training data's provenance,
 * class names), as a model file keeps it. Save after the stateful callbacks have seen the event.
 */
export function saveRun(
  dir: string,
  parts: RunParts,
  fit: FitState,
  run: Record<string, unknown> = {},
  info: ModelInfo = {},
): string {
  const callbacks: Record<string, OptimizerState> = {};
  for (const [name, callback] of Object.entries(parts.callbacks ?? {})) callbacks[name] = callback.state();
  return saveCheckpoint(dir, { network: parts.network, optimizer: parts.optimizer, fit, run, info, callbacks });
}

/**
 * Puts a checkpoint's state back into a run's parts and returns the FitState to resume fit from.
 * `parts` are made as for the first run; `parts.network` is `checkpoint.network` or one of the same
 * architecture (the weights are then copied into it). `train` is the training data fit will be given.
 * Restores the optimizer's state and learning rate, each callback's state, the layers' random states
 * and (through the returned FitState) the row order, subset, shuffle Rng and history. Throws a
 * ScratchnetError naming the checkpoint when the run is not the checkpoint's.
 */
export function restoreRun(checkpoint: Checkpoint, parts: RunParts, train: Dataset): FitState {
  const fail = (message: string): never => {
    throw new ScratchnetError(`${checkpoint.source ?? 'checkpoint'}: ${message}`);
  };
  const { network, optimizer, callbacks = {} } = parts;
  if (checkpoint.optimizer.name !== optimizer.name)
    fail(`the checkpoint's optimizer is ${checkpoint.optimizer.name}, this run's ${optimizer.name}`);
  for (const name of Object.keys(checkpoint.callbacks))
    if (!(name in callbacks)) fail(`the checkpoint has the state of callback '${name}', which this run does not have`);
  for (const name of Object.keys(callbacks))
    if (!(name in checkpoint.callbacks)) fail(`this run's callback '${name}' has no state in the checkpoint`);
  const { subset, order } = checkpoint.fit;
  const rows = subset ? subset.length : train.count;
  if (order.length !== rows)
    fail(`the checkpoint was trained on ${order.length} rows, the data now gives ${rows}: not the same data`);
  if (subset && subset.some((row) => row >= train.count))
    fail(`the checkpoint's subset takes rows up to ${Math.max(...subset)}, the data now has ${train.count}: not the same data`);
  if (network !== checkpoint.network) copyWeights(checkpoint.network, network, fail);

  for (const [name, callback] of Object.entries(callbacks)) callback.loadState(checkpoint.callbacks[name]);
  optimizer.loadState(checkpoint.optimizer.state);
  optimizer.learningRate = checkpoint.optimizer.learningRate;
  network.setRandomStates(checkpoint.randomStates);
  return checkpoint.fit;
}

/** Copies every param and buffer of `from` into `to`, which must have the same architecture. */
function copyWeights(from: Sequential, to: Sequential, fail: (message: string) => never): void {
  if (JSON.stringify(from.config()) !== JSON.stringify(to.config()))
    fail(`the checkpoint's network is ${String(from)}, this run's ${String(to)}`);
  const target = [...to.params(), ...to.buffers()];
  [...from.params(), ...from.buffers()].forEach((t, i) => target[i].value.data.set(t.value.data));
}

/**
 * A fit callback that saves the run with `saveRun` after every epoch, into the same file each time.
 * Put it after the stateful callbacks in fit's list, so their end-of-epoch state is what it saves.
 * `onSave` hears of every file written (the CLI reports it).
 */
export class Checkpointing implements Callbacks {
  constructor(
    readonly dir: string,
    private readonly parts: RunParts,
    private readonly options: {
      run?: Record<string, unknown>;
      info?: ModelInfo;
      onSave?: (path: string, event: EpochEnd) => void;
    } = {},
  ) {}

  /** Saves the run as it stands at the end of each epoch. */
  onEpochEnd(event: EpochEnd): void {
    const path = saveRun(this.dir, this.parts, event.state(), this.options.run, this.options.info);
    this.options.onSave?.(path, event);
  }
}
