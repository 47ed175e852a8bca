import { existsSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { ScratchnetError } from '../errors.js';
import { type Checkpoint, checkpointDir, checkpointPath } from '../io/checkpoint.js';
import { flagsOfRole, kebab } from './flags.js';
import { TRAIN_FLAGS, type TrainOptions } from './train-flags.js';

/** The flags a resumed run may change: how it runs and reports, and where the data is read from. */
export const RESUMABLE_FLAGS: readonly string[] = flagsOfRole(TRAIN_FLAGS, 'run', 'data');

/** The data flags whose saved paths are looked up again, relative to the checkpoint, when they are missing. */
const DATA_PATHS = ['train', 'test', 'trainLabels', 'testLabels'] as const;
/** The outputs looked up the same way when their folder is missing (the run's folder was moved with them). */
const OUTPUT_PATHS = ['out', 'report'] as const;

/**
 * The options of a resumed run: the checkpoint's, with the run and data flags given now. A recipe
 * flag given explicitly with a different value is a mistake (the run would not be the same run any
 * more) and is refused, naming the flag. `explicit(key)`: whether the user typed that flag.
 *
 * Two things follow the checkpoint's folder rather than its saved options: a run that checkpointed
 * every epoch goes on doing so into the folder it was resumed from (resuming a copy `cpB` of `cpA`
 * must not write into `cpA`), unless --checkpoint-dir is given; and a saved data file that is missing
 * (or an output whose folder is) is looked for at the same place relative to the checkpoint (the run's
 * folder was moved or copied with its data), which `note` reports naming both paths.
 */
export function resumedOptions(
  saved: Record<string, unknown>,
  given: TrainOptions,
  explicit: (key: string) => boolean,
  checkpoint: string,
  found: Pick<Checkpoint, 'folder'> = {},
  note: (message: string) => void = () => {},
): TrainOptions {
  const merged: Record<string, unknown> = { ...saved };
  for (const [key, value] of Object.entries(given)) {
    if (!explicit(key)) continue;
    if (RESUMABLE_FLAGS.includes(key)) merged[key] = value;
    else if (JSON.stringify(saved[key]) !== JSON.stringify(value)) {
      throw new ScratchnetError(
        `--${kebab(key)} ${typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value) : String(value)} differs from the checkpoint's ${saved[key] === undefined ? 'default (the flag was not given)' : JSON.stringify(saved[key])} (${checkpoint}); a resumed run keeps its recipe — drop the option or start a new run`,
      );
    }
  }
  merged.resume = given.resume;
  const folder = resolve(checkpointDir(checkpoint));
  if (merged.checkpointDir !== undefined && !explicit('checkpointDir')) merged.checkpointDir = checkpointDir(checkpoint);
  for (const key of [...DATA_PATHS, ...OUTPUT_PATHS]) {
    const path = merged[key];
    if (typeof path !== 'string' || explicit(key)) continue;
    // A data file must exist; an output needs only its folder (a missing one is made, unless it moved with the run).
    const output = (OUTPUT_PATHS as readonly string[]).includes(key);
    const present = (p: string): boolean => existsSync(output ? dirname(p) : p);
    if (present(path)) continue;
    // Where the path was relative to the checkpoint's folder when it was written, now relative to where it is.
    const moved = resolve(folder, found.folder && isAbsolute(path) ? relative(found.folder, path) : path);
    const flag = `--${kebab(key)}`;
    if (!present(moved)) {
      if (output) continue;
      throw new ScratchnetError(
        `${flag} '${path}' saved in ${checkpointPath(folder)} is missing, and so is '${moved}' beside the checkpoint; name the file again with ${flag}`,
      );
    }
    note(
      `${flag} '${path}' saved in the checkpoint ${output ? 'is in a folder that is gone' : 'is missing'}; using '${moved}', at the same place relative to ${checkpointPath(folder)}`,
    );
    merged[key] = moved;
  }
  return merged as TrainOptions;
}
