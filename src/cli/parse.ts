import { InvalidArgumentError } from 'commander';
import { INIT_NAMES, type InitName } from '../layers/init.js';

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

/** A fraction in [0, 1): the share of rows held out for validation. */
export function fraction(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !(n >= 0 && n < 1)) throw new InvalidArgumentError('Expected a fraction in [0, 1), e.g. 0.1.');
  return n;
}

/** A comma-separated list of layer widths: "64,32". An empty string means no hidden layer. */
export function widthList(text: string): number[] {
  if (text.trim() === '' || text.trim() === 'none') return [];
  return text.split(',').map((part) => {
    const n = Number(part);
    if (!(Number.isInteger(n) && n > 0))
      throw new InvalidArgumentError(`Expected comma-separated positive whole numbers like 64,32; '${part}' is not one.`);
    return n;
  });
}

/** Any text, as given (a path, a column name). */
export function text(value: string): string {
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
