import { InvalidArgumentError } from 'commander';

/**
 * Option value parsers. Each turns the text after a flag into a value or throws commander's
 * InvalidArgumentError, which the CLI reports as one line: `error: option '--epochs <n>' argument '-1'
 * is invalid. <reason>`.
 */
export function positiveInteger(text: string): number {
  const n = Number(text);
  if (!(Number.isInteger(n) && n > 0 && /^\s*\+?\d+\s*$/.test(text)))
    throw new InvalidArgumentError('Expected a positive whole number (1, 2, 3, …).');
  return n;
}

export function nonNegativeInteger(text: string): number {
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= 0 && /^\s*\+?\d+\s*$/.test(text)))
    throw new InvalidArgumentError('Expected a whole number ≥ 0.');
  return n;
}

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
