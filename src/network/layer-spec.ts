import { distance } from 'fastest-levenshtein';
import { ScratchnetError } from '../errors.js';
import type { Padding } from '../layers/conv2d.js';

/**
 * A network written as a string in PyTorch's names, so that it reads as an `nn.Sequential`:
 *
 *   conv2d(32,3),relu,maxpool2d(2),conv2d(64,3),relu,maxpool2d(2),flatten,dropout(0.25),dense(128),relu,dense(10)
 *
 * Each item is a layer name with its arguments in parentheses; input channels and sizes are not written,
 * they follow from the data and the layers before. This file only reads the string: which layers, with
 * which arguments, starting at which character (`at`, 0-based; messages count from 1). Building them is the network's job.
 */
export type LayerSpec = { readonly at: number } & (
  | {
      readonly kind: 'conv2d';
      readonly channels: number;
      readonly kernel: number;
      readonly stride: number;
      readonly padding: Padding;
    }
  | { readonly kind: 'maxpool2d' | 'avgpool2d'; readonly kernel: number; readonly stride: number }
  | { readonly kind: 'globalavgpool2d' | 'flatten' | 'batchnorm' | 'relu' | 'sigmoid' | 'tanh' }
  | { readonly kind: 'leakyrelu'; readonly slope: number }
  | { readonly kind: 'dense'; readonly units: number }
  | { readonly kind: 'dropout'; readonly rate: number }
);

/** One argument as written: a number or a word (`same`, `valid`), with its position. */
interface Argument {
  readonly text: string;
  readonly at: number;
}

/** The names a string may use, with the arguments each takes (in order; `?` optional) and any alias. */
const LAYERS: Record<string, { readonly args: string; readonly kind: LayerSpec['kind'] }> = {
  conv2d: { args: 'channels, kernel, stride?, padding?', kind: 'conv2d' },
  maxpool2d: { args: 'kernel, stride?', kind: 'maxpool2d' },
  avgpool2d: { args: 'kernel, stride?', kind: 'avgpool2d' },
  globalavgpool2d: { args: '', kind: 'globalavgpool2d' },
  flatten: { args: '', kind: 'flatten' },
  dense: { args: 'units', kind: 'dense' },
  linear: { args: 'units', kind: 'dense' },
  batchnorm: { args: '', kind: 'batchnorm' },
  batchnorm1d: { args: '', kind: 'batchnorm' },
  batchnorm2d: { args: '', kind: 'batchnorm' },
  dropout: { args: 'rate', kind: 'dropout' },
  relu: { args: '', kind: 'relu' },
  leakyrelu: { args: 'slope?', kind: 'leakyrelu' },
  sigmoid: { args: '', kind: 'sigmoid' },
  tanh: { args: '', kind: 'tanh' },
};

/** Every layer name `parseLayerSpec` accepts. */
export const LAYER_NAMES: readonly string[] = Object.keys(LAYERS);

/**
 * Reads a layer string into the layers it names, in order.
 * @throws {@link ScratchnetError} `position N: …` at the first mistake: an unknown name (with the nearest
 * known one), a missing or extra argument, a value out of range, a stray character.
 */
export function parseLayerSpec(text: string): LayerSpec[] {
  const layers: LayerSpec[] = [];
  let i = 0;
  const fail = (at: number, message: string): never => {
    throw new ScratchnetError(`position ${at + 1}: ${message}`);
  };
  const skipSpaces = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const word = () => {
    const start = i;
    while (i < text.length && /[A-Za-z0-9_.+-]/.test(text[i])) i++;
    return text.slice(start, i);
  };
  skipSpaces();
  if (i === text.length) fail(0, 'no layers (write them as e.g. "dense(128),relu,dense(10)")');
  for (;;) {
    skipSpaces();
    const at = i;
    const name = word();
    if (name === '')
      fail(at, i < text.length ? `expected a layer name, found '${text[i]}'` : 'expected a layer name after the comma');
    const entry = LAYERS[name.toLowerCase()];
    if (!entry) fail(at, `unknown layer '${name}'${suggestion(name.toLowerCase())}`);
    skipSpaces();
    const args: Argument[] = [];
    if (text[i] === '(') {
      i++;
      for (;;) {
        skipSpaces();
        const argAt = i;
        const arg = word();
        if (arg === '')
          fail(argAt, i < text.length ? `expected an argument of ${name}, found '${text[i]}'` : `${name}( is not closed`);
        args.push({ text: arg, at: argAt });
        skipSpaces();
        if (text[i] === ',') i++;
        else if (text[i] === ')') break;
        else fail(i, i < text.length ? `expected ',' or ')' in ${name}(…), found '${text[i]}'` : `${name}( is not closed`);
      }
      i++;
    }
    layers.push(layerOf(name.toLowerCase(), at, args, fail));
    skipSpaces();
    if (i === text.length) return layers;
    if (text[i] !== ',') fail(i, `expected ',' between layers, found '${text[i]}'`);
    i++;
  }
}

/** The layer `name` with `args`, each checked against what it takes. */
function layerOf(name: string, at: number, args: readonly Argument[], fail: (at: number, message: string) => never): LayerSpec {
  const { args: signature, kind } = LAYERS[name];
  const wanted = signature ? signature.split(', ') : [];
  const required = wanted.filter((w) => !w.endsWith('?')).length;
  if (args.length < required || args.length > wanted.length) {
    const usage = `${name}(${wanted.map((w) => (w.endsWith('?') ? `[${w.slice(0, -1)}]` : w)).join(', ')})`;
    fail(
      at,
      `${name} takes ${wanted.length === 0 ? 'no arguments' : usage}, got ${args.length} argument${args.length === 1 ? '' : 's'}`,
    );
  }
  const count = (index: number, what: string, fallback?: number): number => {
    const arg = args[index];
    if (!arg) return fallback!;
    const value = Number(arg.text);
    if (!(Number.isInteger(value) && value > 0 && value <= 65536))
      fail(arg.at, `${name}: ${what} must be a positive integer, got '${arg.text}'`);
    return value;
  };
  const fraction = (index: number, what: string, low: number, high: number, fallback?: number): number => {
    const arg = args[index];
    if (!arg) return fallback!;
    const value = Number(arg.text);
    if (!(arg.text !== '' && value >= low && value < high))
      fail(arg.at, `${name}: ${what} must be in [${low}, ${high}), got '${arg.text}'`);
    return value;
  };
  switch (kind) {
    case 'conv2d': {
      const padding = args[3];
      let pad: Padding = 0;
      if (padding) {
        const word = padding.text.toLowerCase();
        const value = Number(padding.text);
        if (word === 'same' || word === 'valid') pad = word;
        else if (Number.isInteger(value) && value >= 0 && value <= 65536) pad = value;
        else fail(padding.at, `conv2d: padding must be a non-negative integer, 'same' or 'valid', got '${padding.text}'`);
      }
      const stride = count(2, 'stride', 1);
      if (pad === 'same' && stride !== 1) fail(padding.at, "conv2d: padding 'same' needs stride 1 (as in PyTorch)");
      return { kind, at, channels: count(0, 'output channels'), kernel: count(1, 'kernel size'), stride, padding: pad };
    }
    case 'maxpool2d':
    case 'avgpool2d': {
      const kernel = count(0, 'kernel size');
      return { kind, at, kernel, stride: count(1, 'stride', kernel) };
    }
    case 'dense':
      return { kind, at, units: count(0, 'units') };
    case 'dropout':
      return { kind, at, rate: fraction(0, 'rate', 0, 1) };
    case 'leakyrelu':
      return { kind, at, slope: fraction(0, 'slope', 0, 1, 0.01) };
    default:
      return { kind, at };
  }
}

/** " (did you mean maxpool2d?)" for the known name nearest to a misspelt one, if one is near enough. */
function suggestion(name: string): string {
  let best = '';
  let bestDistance = Infinity;
  for (const known of LAYER_NAMES) {
    const d = distance(name, known);
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3))
    ? ` (did you mean ${best}?)`
    : ` (known: ${LAYER_NAMES.join(', ')})`;
}
