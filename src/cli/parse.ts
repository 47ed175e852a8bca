import { InvalidArgumentError } from 'commander';
import { INIT_NAMES, type InitName } from '../layers/init.js';
import { MAX_HIDDEN_LAYERS, MAX_LAYER_WIDTH } from '../limits.js';
import { ScratchnetError } from '../errors.js';
import { parseLayerSpec } from '../network/layer-spec.js';

/**
 * Option value parsers. Each turns the text after a flag into a value or throws commander's
 * InvalidArgumentError, which the CLI reports as one line: `error: option '--epochs <n>' argument '-1'
 * is invalid. <reason>`.
 */
/** A whole number > 0. */
export function positiveInteger(text: string): number {
  const n = Number(text);
  if (!(Number.isInteger(n) && n > 0 && /^\s*\+?\d+\s*$/.test(text)))
    throw new InvalidArgumentError('Expected a positive whole number (1, 2, 3, …).');
  return n;
}

/** A whole number ≥ 0. */
export function nonNegativeInteger(text: string): number {
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= 0 && /^\s*\+?\d+\s*$/.test(text)))
    throw new InvalidArgumentError('Expected a whole number ≥ 0.');
  return n;
}

/** A number > 0: learning rates. */
export function positiveNumber(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError('Expected a number > 0, e.g. 0.1.');
  return n;
}

/** A number in (0, max]: `limit` says what the bound is, for the message. */
export function positiveNumberUpTo(max: number, limit: string): (text: string) => number {
  return (text: string) => {
    const n = positiveNumber(text);
    if (n > max) throw new InvalidArgumentError(`Expected a number > 0 and at most ${max} (${limit}).`);
    return n;
  };
}

/** A number > 0 written as a decimal or a fraction: an input scale, `1/255` or `0.5` or `1`. */
export function scale(text: string): number {
  const parts = text.split('/');
  const n = parts.length === 2 ? Number(parts[0]) / Number(parts[1]) : Number(text);
  if (text.trim() === '' || parts.length > 2 || !(Number.isFinite(n) && n > 0))
    throw new InvalidArgumentError('Expected a number > 0 or a fraction, e.g. 1/255 or 1.');
  return n;
}

/** A fraction in [0, 1): the share of rows held out for validation. */
export function fraction(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !(n >= 0 && n < 1)) throw new InvalidArgumentError('Expected a fraction in [0, 1), e.g. 0.1.');
  return n;
}

/**
 * A whole number 1..max: a size. `limit` says what the bound is (see src/limits.ts), for the message:
 * `Expected a whole number from 1 to 100 (the most digits a figure draws).`
 */
export function sizeUpTo(max: number, limit: string): (text: string) => number {
  return (text: string) => {
    const n = positiveInteger(text);
    if (n > max) throw new InvalidArgumentError(`Expected a whole number from 1 to ${max.toLocaleString('en-US')} (${limit}).`);
    return n;
  };
}

/**
 * A comma-separated list of layer widths: "64,32"; "none" for no hidden layer. An empty value is refused
 * (it would silently build a network without hidden layers); each width is at most MAX_LAYER_WIDTH,
 * and there are at most MAX_HIDDEN_LAYERS.
 */
export function widthList(text: string): number[] {
  if (text.trim() === 'none') return [];
  if (text.trim() === '')
    throw new InvalidArgumentError('Expected comma-separated widths like 64,32, or "none" for no hidden layer.');
  const parts = text.split(',');
  if (parts.length > MAX_HIDDEN_LAYERS)
    throw new InvalidArgumentError(`Expected at most ${MAX_HIDDEN_LAYERS} hidden layers; ${parts.length} are listed.`);
  return parts.map((part) => {
    const n = Number(part);
    if (!(Number.isInteger(n) && n > 0 && part.trim() !== ''))
      throw new InvalidArgumentError(`Expected comma-separated positive whole numbers like 64,32; '${part}' is not one.`);
    if (n > MAX_LAYER_WIDTH)
      throw new InvalidArgumentError(
        `A layer may have at most ${MAX_LAYER_WIDTH.toLocaleString('en-US')} units (the pixels of a 256×256 image); ${part.trim()} is more.`,
      );
    return n;
  });
}

/** Any text, as given (a column name); an empty value is refused (it would be silently taken as unset or as column 0). */
export function text(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('Expected a value; it is empty.');
  return value;
}

/** A file or folder path; an empty value is refused (it would name the current folder, or no file at all). */
export function path(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('Expected a path; it is empty.');
  return value;
}

/** A number ≥ 0: weight decay, minimum rates. */
export function nonNegativeNumber(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !(Number.isFinite(n) && n >= 0))
    throw new InvalidArgumentError('Expected a number ≥ 0, e.g. 0.0005.');
  return n;
}

/** A number in [0, 1): momentum, Adam's betas. */
export function unitInterval(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !(n >= 0 && n < 1)) throw new InvalidArgumentError('Expected a number in [0, 1), e.g. 0.9.');
  return n;
}

/** A number in (0, 1): decay factors. */
export function unitIntervalOpen(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !(n > 0 && n < 1)) throw new InvalidArgumentError('Expected a number in (0, 1), e.g. 0.5.');
  return n;
}

/** One initialisation scheme for every Dense layer ("he-normal"), or one per Dense layer ("he-normal,xavier-normal"). */
export function initList(text: string): InitName | InitName[] {
  const names = text.split(',').map((s) => s.trim());
  for (const name of names) {
    if (!INIT_NAMES.includes(name as InitName))
      throw new InvalidArgumentError(`'${name}' is not one of ${INIT_NAMES.join(', ')} (comma-separate one per Dense layer).`);
  }
  return names.length === 1 ? (names[0] as InitName) : (names as InitName[]);
}

/**
 * A network as a layer string (`conv2d(32,3),relu,maxpool2d(2),flatten,dense(10)`), checked by
 * parseLayerSpec and kept as text (it is saved with the run and parsed again to build the network).
 * A mistake is a ScratchnetError rather than commander's InvalidArgumentError, so the one line names
 * the flag and the position without repeating the whole string:
 * `--layers: position 19: unknown layer 'maxpol2d' (did you mean maxpool2d?)`.
 */
export function layerSpec(text: string): string {
  try {
    parseLayerSpec(text);
  } catch (error) {
    if (error instanceof ScratchnetError) throw new ScratchnetError(`--layers: ${error.message}`);
    throw error;
  }
  return text;
}

/**
 * --augment's value: `shift=N,rotate=D,flip` in any order, each part optional (an absent one is off): shifts
 * of up to N whole pixels, rotations of up to D degrees (0–180), and `flip` (or `flip=1`, `flip=0`) to
 * mirror half the samples left-right. Named parts rather than bare numbers, so the value reads the same in
 * a saved run's options and can gain parts later.
 */
export function augmentation(text: string): { shift: number; rotate: number; flip: boolean } {
  const value = { shift: 0, rotate: 0, flip: false };
  const seen = new Set<string>();
  for (const part of text.split(',')) {
    const match = /^\s*(shift|rotate|flip)\s*(?:=\s*([^\s=]+)\s*)?$/.exec(part);
    if (!match || (match[1] !== 'flip' && match[2] === undefined))
      throw new InvalidArgumentError(`Expected shift=N,rotate=D,flip (e.g. shift=2,rotate=10); '${part}' is not one of them.`);
    const [, key, number] = match;
    if (seen.has(key)) throw new InvalidArgumentError(`'${key}' is given twice.`);
    seen.add(key);
    if (key === 'flip') {
      if (number !== undefined && number !== '0' && number !== '1')
        throw new InvalidArgumentError(`flip is on or off: 'flip', 'flip=1' or 'flip=0'; '${number}' is not one.`);
      value.flip = number !== '0';
      continue;
    }
    const n = Number(number);
    if (key === 'shift' && !(Number.isInteger(n) && n >= 0 && /^\+?\d+$/.test(number)))
      throw new InvalidArgumentError(`shift is a whole number of pixels ≥ 0; '${number}' is not one.`);
    if (key === 'rotate' && !(n >= 0 && n <= 180))
      throw new InvalidArgumentError(`rotate is a number of degrees from 0 to 180; '${number}' is not one.`);
    value[key as 'shift' | 'rotate'] = n;
  }
  return value;
}
