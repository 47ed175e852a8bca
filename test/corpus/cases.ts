import { gzipSync } from 'node:zlib';
import { encodeSafetensors, type StoredTensor } from '../../src/io/safetensors.js';
import { idxBytes, mnistRows, MNIST_HEADER } from '../data-files.js';

/**
 * The regression corpus: hostile inputs a user can give the CLI, generated here (no committed
 * binaries). Each case writes its files into an empty folder and runs one command there; the runner
 * (test/cli/corpus.test.ts) asserts exit status 1, one line on stderr that starts `scratchnet:` and
 * names what it must (the file, the line or field, the flag), no stack trace, and that nothing at the
 * output paths was written or changed.
 *
 * Every `train` case writes to `out.safetensors`, which exists beforehand with other content: a
 * refused run must leave it as it was.
 */
export interface HostileCase {
  /** What is wrong, as a fact: the test's name. */
  name: string;
  /** Files written into the case's folder first (relative paths; folders are made). */
  files?: Record<string, string | Uint8Array>;
  /** The command line after `scratchnet`. */
  args: string[];
  /** Every string here must appear in the error line (file names, line numbers, field or flag names). */
  mentions: string[];
}

const rows = mnistRows(6).lines;
const csv = (lines: string[]): string => [MNIST_HEADER, ...lines].join('\n') + '\n';
const train = (file: string, extra: string[] = []): string[] => [
  'train',
  '--train',
  file,
  '--epochs',
  '1',
  '--out',
  'out.safetensors',
  ...extra,
];
const withCell = (line: number, column: number, value: string): string[] =>
  rows.map((row, i) =>
    i === line
      ? row
          .split(',')
          .map((v, c) => (c === column ? value : v))
          .join(',')
      : row,
  );

const images = (count: number): Uint8Array => idxBytes([count, 28, 28], new Uint8Array(count * 784).fill(9));
const labels = (values: number[]): Uint8Array => idxBytes([values.length], values);

function safetensors(tensors: Record<string, StoredTensor>, metadata: Record<string, string> = {}): Uint8Array {
  return encodeSafetensors(new Map(Object.entries(tensors)), metadata);
}
/** A safetensors file with a hand-made header (for headers the encoder would never write). */
function rawSafetensors(header: string, data: Uint8Array = new Uint8Array(0), claimedLength?: bigint): Uint8Array {
  const json = Buffer.from(header);
  const out = Buffer.alloc(8 + json.length + data.length);
  out.writeBigUInt64LE(claimedLength ?? BigInt(json.length), 0);
  json.copy(out, 8);
  out.set(data, 8 + json.length);
  return out;
}
const architecture = JSON.stringify({
  inputShape: [784],
  layers: [{ type: 'dense', inputs: 784, units: 10, init: 'he-normal' }],
});
const modelMeta = { format: 'scratchnet-model', version: '1', architecture };
const weight = (shape: number[]): StoredTensor => ({
  dtype: 'F32',
  shape,
  data: new Float32Array(shape.reduce((a, b) => a * b, 1)),
});
const denseTensors = { '0.weight': weight([10, 784]), '0.bias': weight([10]) };

/** The corpus. Add a case for every hostile input a fix is made for. */
export function hostileCases(): HostileCase[] {
  const cases: HostileCase[] = [];

  // CSV: every problem names the file and, where there is one, the line.
  const csvCases: [string, string | Uint8Array, string[]][] = [
    ['an empty CSV file', '', []],
    ['a CSV file with only its header', csv([]), []],
    ['a CSV file of blank lines', '\n\n\n', []],
    ['a letter among the pixels', csv(withCell(2, 5, 'abc')), ['line 4']],
    ['a row with a column missing', csv(rows.map((r, i) => (i === 1 ? r.split(',').slice(0, -1).join(',') : r))), ['line 3']],
    ['a row with a column too many', csv(rows.map((r, i) => (i === 3 ? `${r},5` : r))), ['line 5']],
    ['a negative label', csv(withCell(0, 0, '-1')), ['line 2']],
    ['a fractional label', csv(withCell(4, 0, '2.5')), ['line 6']],
    ['an empty cell', csv(withCell(1, 300, '')), ['line 3']],
    ['binary bytes instead of text', Uint8Array.from({ length: 4000 }, (_, i) => (i * 97) % 256), []],
    ['a gzip file cut off in the middle', gzipSync(csv(rows)).subarray(0, 200), []],
    ['a gzip file with damaged bytes', Uint8Array.from(gzipSync(csv(rows)), (b, i) => (i > 40 && i < 60 ? b ^ 0x5a : b)), []],
  ];
  for (const [what, content, mentions] of csvCases) {
    const name = typeof content !== 'string' && content[0] === 0x1f ? 'digits.csv.gz' : 'digits.csv';
    cases.push({ name: `train: ${what}`, files: { [name]: content }, args: train(name), mentions: [name, ...mentions] });
  }
  cases.push(
    {
      name: 'train: a test file whose rows are wider than the training rows',
      files: { 'train.csv': csv(rows), 'test.csv': csv(rows.map((r) => `${r},0`)) },
      args: train('train.csv', ['--test', 'test.csv']),
      mentions: ['test.csv'],
    },
    {
      name: 'train: a label column that is not in the header',
      files: { 'digits.csv': csv(rows) },
      args: train('digits.csv', ['--label-column', 'digit']),
      mentions: ['digits.csv', 'digit'],
    },
    { name: 'train: a training file that does not exist', args: train('missing.csv'), mentions: ['missing.csv'] },
    {
      name: 'train: a training path that is a folder',
      files: { 'folder/inside.txt': 'x' },
      args: train('folder'),
      mentions: ['folder'],
    },
  );

  // IDX images and labels.
  const badMagic = images(2);
  badMagic[2] = 0x42;
  const idxCases: [string, Uint8Array, Uint8Array, string[]][] = [
    ['images with an unknown element type', badMagic, labels([1, 2]), ['images-idx3-ubyte']],
    ['images cut short', images(3).subarray(0, 700), labels([1, 2, 3]), ['images-idx3-ubyte']],
    ['more labels than images', images(2), labels([1, 2, 3]), []],
    ['labels in an images file', images(2), images(2), ['labels-idx1-ubyte']],
    ['an empty images file', new Uint8Array(0), labels([1]), ['images-idx3-ubyte']],
    ['images of one dimension', idxBytes([4], [1, 2, 3, 4]), labels([1, 2, 3, 4]), ['images-idx3-ubyte']],
  ];
  for (const [what, imageBytes, labelBytes, mentions] of idxCases) {
    cases.push({
      name: `train: IDX ${what}`,
      files: { 'images-idx3-ubyte': imageBytes, 'labels-idx1-ubyte': labelBytes },
      args: train('images-idx3-ubyte', ['--train-labels', 'labels-idx1-ubyte']),
      mentions,
    });
  }

  // Model files, through `evaluate --model`: each names the file and what is wrong.
  const modelCases: [string, Uint8Array, string[]][] = [
    ['an empty model file', new Uint8Array(0), []],
    ['a model file of 5 bytes', new Uint8Array(5), []],
    ['a header length far beyond the file', rawSafetensors('{}', new Uint8Array(0), 1n << 40n), ['header length']],
    ['a header that is not JSON', rawSafetensors('{"a": [1, 2'), ['JSON']],
    ['a header that is a JSON list', rawSafetensors('[1, 2, 3]'), ['header']],
    [
      'a tensor stored as F16',
      rawSafetensors(JSON.stringify({ w: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }), new Uint8Array(4)),
      ['F16'],
    ],
    [
      'tensors with a gap between them',
      rawSafetensors(
        JSON.stringify({
          a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
          b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
        }),
        new Uint8Array(12),
      ),
      ["'b'"],
    ],
    [
      'a tensor running past the end of the file',
      rawSafetensors(JSON.stringify({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }), new Uint8Array(8)),
      ["'w'"],
    ],
    ['a safetensors file from elsewhere (no format)', safetensors(denseTensors), ['format']],
    ['a model file of another version', safetensors(denseTensors, { ...modelMeta, version: '9' }), ['version']],
    [
      'an architecture with an unknown layer',
      safetensors(denseTensors, {
        ...modelMeta,
        architecture: JSON.stringify({ inputShape: [784], layers: [{ type: 'conv9' }] }),
      }),
      ['conv9'],
    ],
    ['a model file missing its bias', safetensors({ '0.weight': weight([10, 784]) }, modelMeta), ['0.bias']],
    ['a weight of the wrong shape', safetensors({ ...denseTensors, '0.weight': weight([10, 783]) }, modelMeta), ['0.weight']],
    ['an architecture that is not JSON', safetensors(denseTensors, { ...modelMeta, architecture: '{dense' }), ['architecture']],
  ];
  const damaged = Uint8Array.from(safetensors(denseTensors, modelMeta));
  damaged[damaged.length - 3] ^= 0x10;
  modelCases.push(['a model file damaged after it was saved', damaged, ['checksum']]);
  for (const [what, bytes, mentions] of modelCases) {
    cases.push({
      name: `evaluate: ${what}`,
      files: { 'model.safetensors': bytes },
      args: ['evaluate', '--model', 'model.safetensors'],
      mentions: ['model.safetensors', ...mentions],
    });
  }
  cases.push(
    {
      name: 'evaluate: a model file that does not exist',
      args: ['evaluate', '--model', 'none.safetensors'],
      mentions: ['none.safetensors'],
    },
    {
      name: 'evaluate: a model path that is a folder',
      files: { 'model.safetensors/x': 'x' },
      args: ['evaluate', '--model', 'model.safetensors'],
      mentions: ['model.safetensors'],
    },
  );

  // Checkpoints, through `train --resume`.
  cases.push(
    { name: 'train --resume: a folder that does not exist', args: ['train', '--resume', 'run'], mentions: ['run'] },
    {
      name: 'train --resume: a folder without a checkpoint',
      files: { 'run/notes.txt': 'x' },
      args: ['train', '--resume', 'run'],
      mentions: ['run'],
    },
    {
      name: 'train --resume: a model file where the checkpoint should be',
      files: { 'run/checkpoint.safetensors': safetensors(denseTensors, modelMeta) },
      args: ['train', '--resume', 'run'],
      mentions: ['checkpoint.safetensors'],
    },
    {
      name: 'train --resume: a checkpoint cut off',
      files: { 'run/checkpoint.safetensors': safetensors(denseTensors, modelMeta).subarray(0, 100) },
      args: ['train', '--resume', 'run'],
      mentions: ['checkpoint.safetensors'],
    },
  );

  // Pictures, through `predict`; the model is valid (written by the runner's setup as `good.safetensors`).
  const pictureCases: [string, string, string | Uint8Array][] = [
    ['a text file given as a picture', 'note.png', 'not a picture'],
    ['an empty picture file', 'empty.png', new Uint8Array(0)],
    ['a PNG signature and nothing else', 'cut.png', Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)],
    ['a JPEG start and nothing else', 'cut.jpg', Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 0x10)],
  ];
  for (const [what, file, content] of pictureCases) {
    cases.push({
      name: `predict: ${what}`,
      files: { [file]: content },
      args: ['predict', '--model', 'good.safetensors', file],
      mentions: [file],
    });
  }
  cases.push({
    name: 'predict: a picture that does not exist',
    args: ['predict', '--model', 'good.safetensors', 'absent.png'],
    mentions: ['absent.png'],
  });

  // Flags: every bad value names the flag.
  const flagCases: [string, string[], string][] = [
    ['negative epochs', ['--epochs', '-1'], '--epochs'],
    ['fractional epochs', ['--epochs', '1.5'], '--epochs'],
    ['epochs as a word', ['--epochs', 'ten'], '--epochs'],
    ['a learning rate of 0', ['--lr', '0'], '--lr'],
    ['a learning rate as a word', ['--lr', 'fast'], '--lr'],
    ['an infinite learning rate', ['--lr', 'Infinity'], '--lr'],
    ['a batch size of 0', ['--batch-size', '0'], '--batch-size'],
    ['a validation share of 1', ['--val-split', '1'], '--val-split'],
    ['a negative validation share', ['--val-split', '-0.1'], '--val-split'],
    ['a hidden width of 0', ['--hidden', '0'], '--hidden'],
    ['hidden widths as words', ['--hidden', 'a,b'], '--hidden'],
    ['an unknown activation', ['--activation', 'swish'], '--activation'],
    ['an unknown optimizer', ['--optimizer', 'lion'], '--optimizer'],
    ['a dropout rate of 1', ['--dropout', '1'], '--dropout'],
    ['a negative momentum', ['--momentum', '-0.5'], '--momentum'],
    ['a negative weight decay', ['--weight-decay', '-1'], '--weight-decay'],
    ['a clip norm of 0', ['--clip-norm', '0'], '--clip-norm'],
    ['a beta1 of 1', ['--optimizer', 'adam', '--beta1', '1'], '--beta1'],
    ['an unknown backend', ['--backend', 'gpu'], '--backend'],
    ['a subset of 0 rows', ['--subset', '0'], '--subset'],
    ['a negative seed', ['--seed', '-3'], '--seed'],
    ['a log interval of 0', ['--log-every', '0'], '--log-every'],
    ['an unknown flag', ['--epoch', '3'], '--epoch'],
    ['an option without its value', ['--lr'], '--lr'],
  ];
  for (const [what, flags, flag] of flagCases) {
    cases.push({ name: `train: ${what}`, args: ['train', '--out', 'out.safetensors', ...flags], mentions: [flag] });
  }

  // Output targets: refused before any work, the thing at the path left as it was.
  cases.push(
    {
      name: 'train: --out names a folder',
      files: { 'taken/inside.txt': 'x' },
      args: ['train', '--epochs', '1', '--out', 'taken'],
      mentions: ['taken', 'folder'],
    },
    {
      name: 'train: --out under a file',
      files: { 'plain.txt': 'x' },
      args: ['train', '--epochs', '1', '--out', 'plain.txt/model.safetensors'],
      mentions: ['plain.txt/model.safetensors'],
    },
  );
  return cases;
}
