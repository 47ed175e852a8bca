import { ScratchnetError } from '../errors.js';
import type { FitState } from '../training/callbacks.js';
import type { RngState } from '../tensor/rng.js';
import type { StoredTensor } from './safetensors.js';

/** A checkpoint's parts besides the model, each checked for type and range. */
export interface CheckpointFields {
  optimizer: { name: string; learningRate: number; scalars: Record<string, number> };
  fit: FitState;
  randomStates: Record<string, RngState>;
  run: Record<string, unknown>;
  callbacks: Record<string, Record<string, number>>;
}

/**
 * Checks every field of a checkpoint as thoroughly as the model header is checked, and returns them
 * typed. `metadata` holds the parsed JSON of `__metadata__.optimizer`, `.fit`, `.random_states`, `.run`
 * and `.callbacks`; `tensors` the file's tensors. A hand-edited or corrupted file is refused here with
 * the first wrong field named (`__metadata__.fit.batch is -1, …`), instead of resuming silently from a
 * nonsense position or failing later inside a kernel:
 * - optimizer: a name, a finite learning rate ≥ 0, finite scalars;
 * - fit: whole epoch and batch counts ≥ 0, `batch` below the rows, as many history epochs as `epoch`;
 *   the Rng state four 32-bit words, not all zero (xoshiro's fixed point), and a finite spare normal or null;
 * - `fit/order` (I32) a permutation of 0…n−1, `fit/subset` (I32) n distinct rows ≥ 0;
 * - every layer's random state valid as the fit's; callbacks' scalars numbers; `run` an object (when it
 *   has `epochs`, as the CLI's options do, `fit.epoch` is not past it).
 * `source` is the file named in every message.
 */
export function validateCheckpointFields(
  metadata: Record<'optimizer' | 'fit' | 'random_states' | 'run' | 'callbacks', unknown>,
  tensors: ReadonlyMap<string, StoredTensor>,
  source: string,
): CheckpointFields {
  const fail = (message: string): never => {
    throw new ScratchnetError(`${source}: ${message}`);
  };
  const optimizer = object(metadata.optimizer, '__metadata__.optimizer', fail);
  if (typeof optimizer.name !== 'string' || optimizer.name === '')
    fail(`__metadata__.optimizer.name is ${JSON.stringify(optimizer.name)}, expected an optimizer's name`);
  number(optimizer.learningRate, '__metadata__.optimizer.learningRate', fail, { min: 0 });
  const scalars = numbers(optimizer.scalars ?? {}, '__metadata__.optimizer.scalars', fail);

  const fit = object(metadata.fit, '__metadata__.fit', fail);
  const epoch = number(fit.epoch, '__metadata__.fit.epoch', fail, { min: 0, integer: true });
  const batch = number(fit.batch, '__metadata__.fit.batch', fail, { min: 0, integer: true });
  const rng = rngState(fit.rng, '__metadata__.fit.rng', fail);
  const history = object(fit.history, '__metadata__.fit.history', fail);
  if (!Array.isArray(history.batchLoss) || !history.batchLoss.every((l) => typeof l === 'number' || l === null))
    fail('__metadata__.fit.history.batchLoss must be a list of numbers');
  if (!Array.isArray(history.epochs)) return fail('__metadata__.fit.history.epochs must be a list');
  if (history.epochs.length !== epoch)
    fail(`__metadata__.fit.epoch is ${epoch}, but fit.history has ${history.epochs.length} finished epochs: they must agree`);
  history.epochs.forEach((e, i) => {
    const summary = object(e, `__metadata__.fit.history.epochs[${i}]`, fail);
    for (const key of ['trainLoss', 'learningRate', 'seconds'])
      if (typeof summary[key] !== 'number' && summary[key] !== null)
        fail(`__metadata__.fit.history.epochs[${i}].${key} is ${JSON.stringify(summary[key])}, expected a number`);
  });

  const order = int32Tensor(tensors, 'fit/order', fail);
  if (!order) return fail("tensor 'fit/order' (I32) is missing");
  const rows = order.length;
  if (rows === 0) fail("tensor 'fit/order' is empty: a run has at least one training row");
  checkPermutation(order, fail);
  if (batch >= rows) fail(`__metadata__.fit.batch is ${batch}, but an epoch of ${rows} rows has fewer batches`);
  const subset = int32Tensor(tensors, 'fit/subset', fail);
  if (subset) checkSubset(subset, rows, fail);

  const randomStates: Record<string, RngState> = {};
  for (const [layer, state] of Object.entries(object(metadata.random_states ?? {}, '__metadata__.random_states', fail)))
    randomStates[layer] = rngState(state, `__metadata__.random_states.${layer}`, fail);
  const run = object(metadata.run, '__metadata__.run', fail);
  // The CLI keeps its options in `run`: a run of N epochs never saves a position past epoch N.
  if (typeof run.epochs === 'number' && epoch > run.epochs)
    fail(`__metadata__.fit.epoch is ${epoch}, past the run's ${run.epochs} epochs (__metadata__.run.epochs)`);
  const callbacks: Record<string, Record<string, number>> = {};
  for (const [name, values] of Object.entries(object(metadata.callbacks ?? {}, '__metadata__.callbacks', fail)))
    callbacks[name] = numbers(values, `__metadata__.callbacks.${name}`, fail);

  return {
    optimizer: { name: optimizer.name as string, learningRate: optimizer.learningRate as number, scalars },
    fit: {
      epoch,
      batch,
      rng,
      history: history as unknown as FitState['history'],
      order,
      subset,
    },
    randomStates,
    run,
    callbacks,
  };
}

type Fail = (message: string) => never;

function object(value: unknown, field: string, fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail(`${field} is ${JSON.stringify(value)}, expected an object`);
  return value as Record<string, unknown>;
}

/** A finite number (JSON has no NaN or Infinity; a string "NaN" is refused too), optionally whole and ≥ min. */
function number(value: unknown, field: string, fail: Fail, rule: { min?: number; integer?: boolean } = {}): number {
  const { min = -Infinity, integer = false } = rule;
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min) {
    const kind = integer ? 'a whole number' : 'a finite number';
    return fail(`${field} is ${JSON.stringify(value)}, expected ${kind}${min > -Infinity ? ` ≥ ${min}` : ''}`);
  }
  return value;
}

function numbers(value: unknown, field: string, fail: Fail): Record<string, number> {
  const record = object(value, field, fail);
  for (const [key, v] of Object.entries(record)) number(v, `${field}.${key}`, fail);
  return record as Record<string, number>;
}

/** xoshiro128**'s state: four unsigned 32-bit words, not all zero (that state only ever yields zeros). */
function rngState(value: unknown, field: string, fail: Fail): RngState {
  const state = object(value, field, fail);
  const s = state.s;
  if (
    !Array.isArray(s) ||
    s.length !== 4 ||
    !s.every((w) => Number.isInteger(w) && (w as number) >= 0 && (w as number) <= 0xffffffff)
  )
    return fail(`${field}.s is ${JSON.stringify(s)}, expected four whole numbers in 0…4294967295`);
  if (s.every((w) => w === 0)) fail(`${field}.s is all zero, a state xoshiro128** never leaves (it would only draw zeros)`);
  const spare = state.spareNormal ?? null;
  if (spare !== null) number(spare, `${field}.spareNormal`, fail);
  return { s: s as number[], spareNormal: spare as number | null };
}

function int32Tensor(tensors: ReadonlyMap<string, StoredTensor>, name: string, fail: Fail): Int32Array | null {
  const tensor = tensors.get(name);
  if (!tensor) return null;
  if (tensor.dtype !== 'I32' || tensor.shape.length !== 1)
    fail(`tensor '${name}' is ${tensor.dtype} [${tensor.shape.join(', ')}], expected I32 [rows]`);
  return tensor.data as Int32Array;
}

/** `fit/order` holds each of 0…n−1 exactly once: fit gathers rows by it. */
function checkPermutation(order: Int32Array, fail: Fail): void {
  const seen = new Uint8Array(order.length);
  for (let i = 0; i < order.length; i++) {
    const row = order[i];
    if (row < 0 || row >= order.length)
      fail(`tensor 'fit/order'[${i}] is ${row}, outside 0…${order.length - 1}: not a permutation of the epoch's rows`);
    if (seen[row]) fail(`tensor 'fit/order'[${i}] repeats row ${row}: not a permutation of the epoch's rows`);
    seen[row] = 1;
  }
}

/** `fit/subset` names as many distinct rows ≥ 0 as the order has (their upper bound is the data's, checked on resume). */
function checkSubset(subset: Int32Array, rows: number, fail: Fail): void {
  if (subset.length !== rows) fail(`tensor 'fit/subset' has ${subset.length} rows, but 'fit/order' has ${rows}`);
  const seen = new Set<number>();
  for (let i = 0; i < subset.length; i++) {
    if (subset[i] < 0) fail(`tensor 'fit/subset'[${i}] is ${subset[i]}, a row number cannot be negative`);
    if (seen.has(subset[i])) fail(`tensor 'fit/subset'[${i}] repeats row ${subset[i]}`);
    seen.add(subset[i]);
  }
}
