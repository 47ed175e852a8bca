import { ScratchnetError } from '../errors.js';
import { flagsOfRole, kebab } from './flags.js';
import { TRAIN_FLAGS, type TrainOptions } from './train-flags.js';

/** The flags a resumed run may change: how it runs and reports, and where the data is read from. */
export const RESUMABLE_FLAGS: readonly string[] = flagsOfRole(TRAIN_FLAGS, 'run', 'data');

/**
 * The options of a resumed run: the checkpoint's, with the run and data flags given now. A recipe
 * flag given explicitly with a different value is a mistake (the run would not be the same run any
 * more) and is refused, naming the flag. `explicit(key)`: whether the user typed that flag.
 */
export function resumedOptions(
  saved: Record<string, unknown>,
  given: TrainOptions,
  explicit: (key: string) => boolean,
  checkpoint: string,
): TrainOptions {
  const merged: Record<string, unknown> = { ...saved };
  for (const [key, value] of Object.entries(given)) {
    if (!explicit(key)) continue;
    if (RESUMABLE_FLAGS.includes(key)) merged[key] = value;
    else if (JSON.stringify(saved[key]) !== JSON.stringify(value)) {
      throw new ScratchnetError(
        `--${kebab(key)} ${String(value)} differs from the checkpoint's ${saved[key] === undefined ? 'default (the flag was not given)' : JSON.stringify(saved[key])} (${checkpoint}); a resumed run keeps its recipe — drop the option or start a new run`,
      );
    }
  }
  merged.resume = given.resume;
  return merged as TrainOptions;
}
