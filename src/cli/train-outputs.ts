import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { ScratchnetError } from '../errors.js';
import { CHECKPOINT_FILE, checkpointDir as checkpointDirOf } from '../io/checkpoint.js';
import { type ModelInfo, saveModel } from '../io/model-file.js';
import type { Sequential } from '../network/sequential.js';
import { type FolderLock, lockFolder } from '../util/folder-lock.js';
import { assertFolderCanBeMade, assertWritable, assertWritableFolder, refuseUnlessFileOrNothing } from '../util/fs.js';
import type { TrainOptions } from './train-flags.js';

/**
 * Where a training run writes, decided and checked before any data is loaded: a run that can only
 * fail to save must fail in its first second, not after an hour of training.
 */
export interface TrainOutputs {
  /** Where a stopped run writes its checkpoint: --checkpoint-dir, the folder resumed from, or `<out-stem>.checkpoint/`. */
  checkpointDir: string;
  /** Whether a checkpoint is written after every epoch (--checkpoint-dir given, or kept from the resumed run). */
  everyEpoch: boolean;
  /** The checkpoint folder's lock, held until the run ends (null when no folder is written yet). */
  lock: FolderLock | null;
}

/**
 * Checks every output target of `scratchnet train` — the model file, the checkpoint folder and its
 * file, the report folder and its page — and takes the checkpoint folder's lock. Each must be nothing
 * yet or of the right kind (a regular file, a folder) with a writable folder; missing folders are made.
 * @throws ScratchnetError naming the first target that cannot be written and why.
 */
export function prepareOutputs(options: TrainOptions): TrainOutputs {
  assertWritable(options.out, 'model file');
  const everyEpoch = options.checkpointDir !== undefined;
  const explicitDir = options.checkpointDir ?? (options.resume !== undefined ? checkpointDirOf(options.resume) : undefined);
  if (options.report !== undefined) {
    assertFolderCanBeMade(options.report, 'report folder'); // made when the report is written
    refuseUnlessFileOrNothing(join(options.report, 'index.html'), 'report');
  }
  if (explicitDir === undefined) return { checkpointDir: defaultCheckpointDir(options.out), everyEpoch, lock: null };
  assertWritableFolder(explicitDir, 'checkpoint folder');
  assertWritable(join(explicitDir, CHECKPOINT_FILE), 'checkpoint');
  return { checkpointDir: explicitDir, everyEpoch, lock: lockFolder(explicitDir, 'checkpoint folder') };
}

/** `model.safetensors` → `model.checkpoint/` beside it: where Ctrl-C saves when no --checkpoint-dir was given. */
export function defaultCheckpointDir(out: string): string {
  return join(dirname(out), `${basename(out, extname(out))}.checkpoint`);
}

/** The option keys that name files or folders: saved absolute in checkpoints, so a run resumed from elsewhere finds them. */
export const PATH_OPTIONS = ['train', 'test', 'trainLabels', 'testLabels', 'out', 'checkpointDir', 'report'] as const;

/** The options with every path made absolute (against the current folder), as a checkpoint keeps them. */
export function withAbsolutePaths(options: TrainOptions): TrainOptions {
  const absolute: Record<string, unknown> = { ...options };
  for (const key of PATH_OPTIONS) if (typeof absolute[key] === 'string') absolute[key] = resolve(absolute[key]);
  return absolute as TrainOptions;
}

/**
 * Saves the trained model to `out`; if that fails at the end of a run (the disk filled up, the folder
 * went away, something was put at the path), saves it to the first fallback that works — beside the
 * checkpoint, else in the OS temporary folder — and throws one error saying both what failed and where
 * the model is. A finished run's weights are never thrown away because of where they were to go.
 */
export function saveModelOrFallback(out: string, network: Sequential, info: ModelInfo, checkpointDir: string | null): void {
  try {
    saveModel(out, network, info);
    return;
  } catch (error) {
    if (!(error instanceof ScratchnetError)) throw error;
    const name = `${basename(out, extname(out))}.${process.pid}.safetensors`;
    const fallbacks = [...(checkpointDir ? [join(checkpointDir, name)] : []), join(tmpdir(), `scratchnet-${name}`)];
    const failures: string[] = [];
    for (const fallback of fallbacks) {
      try {
        saveModel(fallback, network, info);
      } catch (fallbackError) {
        if (!(fallbackError instanceof ScratchnetError)) throw fallbackError;
        failures.push(fallbackError.message);
        continue;
      }
      throw new ScratchnetError(`${error.message}; the trained model was saved to ${fallback} instead`);
    }
    throw new ScratchnetError(`${error.message}; the fallbacks failed too (${failures.join('; ')}): the trained model is lost`);
  }
}
