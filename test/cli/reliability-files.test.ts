import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBuiltinMnist } from '../../src/data/builtin.js';
import { loadModel } from '../../src/io/model-file.js';
import { type Metadata, type StoredTensor } from '../../src/io/safetensors.js';
import { readSafetensorsFile, writeSafetensorsFile } from '../../src/io/safetensors-file.js';
import { LOCK_FILE } from '../../src/util/folder-lock.js';
import { type CliResult, runCli, runCliStreaming, tempDir } from './run.js';

/**
 * Issue 14, sections 1, 2, 5 and 6 through the real CLI: output targets of the wrong kind, resumed runs
 * writing where they resumed from, corrupted checkpoint fields, and the built-in digits as a test set.
 */

const SMALL = ['--subset', '300', '--hidden', '8', '--seed', '3'];
const isRoot = process.getuid?.() === 0;
const mounts: string[] = [];
afterAll(() => {
  for (const mount of mounts) spawnSync('umount', [mount]);
});

/** A user's mistake: exit 1, one line on stderr that contains `text`, no stack trace. */
function refused(result: CliResult, ...texts: string[]): void {
  expect(result.stderr).toMatch(/^scratchnet: [^\n]*\n$/);
  for (const text of texts) expect(result.stderr).toContain(text);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.status).toBe(1);
}

/** Each kind of thing that must not be replaced by a file, made fresh at `path`; returns how to see it is still there. */
const WRONG_KINDS: Record<string, (path: string) => () => boolean> = {
  'a FIFO': (path) => {
    execFileSync('mkfifo', [path]);
    return () => lstatSync(path).isFIFO();
  },
  'a symbolic link': (path) => {
    writeFileSync(`${path}.target`, 'the target');
    symlinkSync(`${path}.target`, path);
    return () => lstatSync(path).isSymbolicLink() && readFileSync(`${path}.target`, 'utf8') === 'the target';
  },
  'a folder': (path) => {
    mkdirSync(path);
    writeFileSync(join(path, 'keep'), 'kept');
    return () => lstatSync(path).isDirectory() && readFileSync(join(path, 'keep'), 'utf8') === 'kept';
  },
};

/** A folder no one may write into: a read-only tmpfs as root (root ignores permissions), else mode 555. */
function unwritableFolder(path: string): string {
  mkdirSync(path);
  if (isRoot) {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=16k', 'tmpfs', path]);
    mounts.push(path);
  } else chmodSync(path, 0o555);
  return path;
}

describe('section 1: every output target is checked before any work starts', () => {
  const dir = tempDir();
  let n = 0;
  const fresh = (): string => join(dir, `t${++n}`);

  describe.each([
    ['train --out', (path: string) => ['train', ...SMALL, '--out', path], Object.keys(WRONG_KINDS)],
    ['plot activations --out', (path: string) => ['plot', 'activations', '--out', path], ['a FIFO', 'a symbolic link']], // a folder is what plot writes into
  ])('%s', (name, command, kinds) => {
    it.each(kinds)('refuses %s at the target, leaves it as it was, and trains nothing', (kind) => {
      const path = fresh();
      const intact = WRONG_KINDS[kind](path);
      const result = runCli(command(path));
      if (name === 'train --out') refused(result, `cannot write model file '${path}': ${kind} is there`);
      else refused(result, `cannot write figure folder '${path}': it is ${kind}, not a folder`);
      expect(result.stdout).toBe(''); // no data loaded, no epoch run
      expect(intact()).toBe(true);
    });
  });

  it('train --out /dev/null (a character device) is refused and the device stays', () => {
    refused(runCli(['train', ...SMALL, '--out', '/dev/null']), "cannot write model file '/dev/null': a device is there");
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it.each([
    ['--checkpoint-dir', 'checkpoint folder'],
    ['--report', 'report folder'],
  ])('train %s naming an existing file, a FIFO or a device is refused in a second, before epoch 1', (flag, what) => {
    const file = fresh();
    writeFileSync(file, 'mine');
    const fifo = fresh();
    execFileSync('mkfifo', [fifo]);
    for (const [path, kind] of [
      [file, 'a regular file'],
      [fifo, 'a FIFO'],
      ['/dev/null', 'a device'],
    ]) {
      const started = performance.now();
      const result = runCli(['train', ...SMALL, '--out', join(dir, 'never.safetensors'), flag, path]);
      refused(result, `cannot write ${what} '${path}': it is ${kind}, not a folder`);
      expect(result.stdout).toBe('');
      expect(performance.now() - started).toBeLessThan(5000); // measured ≈ 0.4 s; generous for a loaded machine
    }
    expect(readFileSync(file, 'utf8')).toBe('mine');
    expect(existsSync(join(dir, 'never.safetensors'))).toBe(false);
  });

  it('a parent that is a file, or a folder that cannot be written, fails at once for every output flag', () => {
    const file = fresh();
    writeFileSync(file, 'mine');
    const locked = unwritableFolder(fresh());
    for (const args of [
      ['train', ...SMALL, '--out', join(file, 'm.safetensors')],
      ['train', ...SMALL, '--checkpoint-dir', join(file, 'ckpt')],
      ['train', ...SMALL, '--report', join(file, 'report')],
      ['plot', 'activations', '--out', join(file, 'figures')],
      ['predict', '--save-preprocessed', join(file, 'pictures'), 'digit.png'],
    ])
      refused(runCli(args, dir), join(file, ''));
    for (const args of [
      ['train', ...SMALL, '--out', join(locked, 'm.safetensors')],
      ['train', ...SMALL, '--checkpoint-dir', join(locked, 'ckpt')],
      ['plot', 'activations', '--out', join(locked, 'figures')],
    ])
      refused(runCli(args), locked, isRoot ? 'read-only' : 'permission denied');
    expect(readFileSync(file, 'utf8')).toBe('mine');
  });

  it('predict --save-preprocessed into a file, or onto a FIFO where a picture goes, fails before any picture is read', () => {
    const file = fresh();
    writeFileSync(file, 'mine');
    refused(
      runCli(['predict', '--save-preprocessed', file, 'missing.png']),
      `cannot write folder for preprocessed pictures '${file}'`,
    );
    const out = fresh();
    mkdirSync(out);
    execFileSync('mkfifo', [join(out, 'digit.28x28.png')]);
    refused(
      runCli(['predict', '--save-preprocessed', out, 'digit.png']),
      `cannot write preprocessed picture '${join(out, 'digit.28x28.png')}': a FIFO is there`,
    );
  });

  it('when --out cannot be written at the end (a folder appeared there during training), the model goes to a fallback and the message says where', async () => {
    const out = join(fresh(), 'm.safetensors');
    const run = await runCliStreaming(
      ['train', ...SMALL, '--epochs', '3', '--json', '--log-every', '1', '--out', out],
      (line) => {
        if (line.includes('"event":"batch"') && !existsSync(out)) mkdirSync(out);
      },
    );
    expect(run.status).toBe(1);
    const saved = /the trained model was saved to (\S+) instead\n$/.exec(run.stderr);
    expect(run.stderr).toMatch(new RegExp(`^scratchnet: cannot write model file '${out}': a folder is there`));
    expect(saved).not.toBeNull();
    expect(loadModel(saved![1]).network.toString()).toContain('Dense(784 → 8)');
  });

  it.runIf(isRoot)('on a full disk (a 100 kB tmpfs) the model is saved to the fallback and nothing is left on the disk', () => {
    const small = fresh();
    mkdirSync(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=100k', 'tmpfs', small]);
    mounts.push(small);
    const result = runCli(['train', '--subset', '300', '--epochs', '1', '--out', join(small, 'm.safetensors')]); // 211 kB
    refused(result, `cannot write model file '${join(small, 'm.safetensors')}': no space left on the device`, 'saved to');
    expect(readdirSync(small)).toEqual([]); // the temporary file is gone
  });

  it('temporary files of a killed save to the same target are removed by the next save', () => {
    const folder = fresh();
    mkdirSync(folder);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const stale = join(folder, `.m.safetensors.${dead.stdout}.tmp`);
    writeFileSync(stale, 'half a model');
    expect(runCli(['train', ...SMALL, '--epochs', '1', '--out', join(folder, 'm.safetensors')]).status).toBe(0);
    expect(readdirSync(folder).sort()).toEqual(['m.safetensors']);
  });
});

describe('section 2: a resumed run writes into the folder it resumed from', () => {
  const dir = tempDir();

  it('cp -r cpA cpB; train --resume cpB --epochs 2 writes cpB and leaves cpA byte for byte', () => {
    const cpA = join(dir, 'cpA');
    expect(
      runCli(['train', ...SMALL, '--epochs', '1', '--checkpoint-dir', cpA, '--out', join(dir, 'a.safetensors')]).status,
    ).toBe(0);
    const cpB = join(dir, 'cpB');
    cpSync(cpA, cpB, { recursive: true });
    const original = readFileSync(join(cpA, 'checkpoint.safetensors'));
    const resumed = runCli(['train', '--resume', cpB, '--epochs', '2']);
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toContain(`Checkpoint written: ${join(cpB, 'checkpoint.safetensors')}`);
    expect(readFileSync(join(cpA, 'checkpoint.safetensors')).equals(original)).toBe(true);
    expect(JSON.parse(readSafetensorsFile(join(cpB, 'checkpoint.safetensors')).metadata.fit)).toMatchObject({ epoch: 2 });
    expect(readdirSync(cpB)).toEqual(['checkpoint.safetensors']); // the lock was released
  });

  it('paths are saved absolute; a moved run folder is resumed from another folder, its data found beside the checkpoint with a note naming both', () => {
    const run = join(dir, 'run');
    mkdirSync(join(run, 'data'), { recursive: true });
    writeFileSync(join(run, 'data', 'train.csv'), digitsCsv(600));
    const first = runCli(
      [
        'train',
        '--train',
        'data/train.csv',
        ...SMALL,
        '--checkpoint-dir',
        'ck',
        '--out',
        'm.safetensors',
        '--stop-after-batches',
        '5',
      ],
      run,
    );
    expect(first.status).toBe(130);
    const saved = JSON.parse(readSafetensorsFile(join(run, 'ck', 'checkpoint.safetensors')).metadata.run) as Record<
      string,
      string
    >;
    expect([saved.train, saved.out, saved.checkpointDir]).toEqual([
      join(run, 'data', 'train.csv'),
      join(run, 'm.safetensors'),
      join(run, 'ck'),
    ]);

    const moved = join(dir, 'moved');
    renameSync(run, moved);
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const resumed = runCli(['train', '--resume', join('..', 'moved', 'ck')], elsewhere);
    expect(resumed.status).toBe(0);
    expect(resumed.stderr).toContain(
      `--train '${join(run, 'data', 'train.csv')}' saved in the checkpoint is missing; using '${join(moved, 'data', 'train.csv')}'`,
    );
    expect(existsSync(join(moved, 'm.safetensors'))).toBe(true);
    expect(existsSync(run)).toBe(false); // nothing recreated at the old place

    // Data neither where it was saved nor beside the checkpoint: one line naming both.
    cpSync(join(moved, 'ck'), join(dir, 'lonely'), { recursive: true });
    renameSync(join(moved, 'data'), join(moved, 'gone'));
    refused(
      runCli(['train', '--resume', join(dir, 'lonely'), '--epochs', '2']),
      `--train '${join(moved, 'data', 'train.csv')}' saved in`,
      `and so is '${join(dir, 'data', 'train.csv')}' beside the checkpoint`,
    );
  });

  it('two runs cannot write one checkpoint folder at once; a lock left by a dead process is taken over with a note', async () => {
    const folder = join(dir, 'shared');
    let second: CliResult | null = null;
    const first = await runCliStreaming(
      [
        'train',
        '--hidden', // all 7,200 rows: 225 batches per epoch, so the run is far from done when the second starts
        '8',
        '--epochs',
        '50',
        '--json',
        '--log-every',
        '1',
        '--checkpoint-dir',
        folder,
        '--out',
        join(dir, 'one.safetensors'),
      ],
      (line, child) => {
        if (second || !line.includes('"event":"batch"')) return;
        second = runCli(['train', ...SMALL, '--checkpoint-dir', folder, '--out', join(dir, 'two.safetensors')]);
        child.kill('SIGINT');
      },
    );
    expect(first.status).toBe(130);
    refused(second!, `checkpoint folder '${folder}' is in use by another run (process `);
    expect(existsSync(join(dir, 'two.safetensors'))).toBe(false);
    expect(existsSync(join(folder, LOCK_FILE))).toBe(false); // released by the stopped run

    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(folder, LOCK_FILE), JSON.stringify({ pid: Number(dead.stdout), host: hostname(), started: 'then' }));
    const taken = runCli(['train', '--resume', folder, '--stop-after-batches', '1']);
    expect(taken.stderr).toContain(
      `Took over ${join(folder, LOCK_FILE)}: process ${dead.stdout}, which held it, is no longer running`,
    );
    expect(taken.status).toBe(130);
    expect(existsSync(join(folder, LOCK_FILE))).toBe(false);
  });
});

/** The parsed `__metadata__.fit`, loosely typed so a test can break any field. */
interface FitJson {
  epoch: unknown;
  batch: unknown;
  rng: { s?: unknown; spareNormal?: unknown };
}

describe('section 5: every field of a checkpoint is validated, the message names it', () => {
  const dir = tempDir();
  const base = join(dir, 'base');
  // 300 rows, batch 32: 10 batches per epoch; stopped at epoch 2, batch 2.
  const made = runCli([
    'train',
    ...SMALL,
    '--epochs',
    '2',
    '--checkpoint-dir',
    base,
    '--out',
    join(dir, 'm.safetensors'),
    '--stop-after-batches',
    '12',
  ]);
  const file = join(base, 'checkpoint.safetensors');
  let n = 0;

  /** A copy of the checkpoint with `change` applied, resumed: returns the result, and checks that nothing was written. */
  function resumeCorrupted(change: (metadata: Metadata, tensors: Map<string, StoredTensor>, fit: FitJson) => void): CliResult {
    const { tensors, metadata } = readSafetensorsFile(file);
    const original = metadata.fit;
    const fit = JSON.parse(original) as FitJson;
    change(metadata, tensors, fit);
    if (metadata.fit === original) metadata.fit = JSON.stringify(fit); // unless the change replaced the text itself
    const copy = join(dir, `c${++n}`);
    mkdirSync(copy);
    writeSafetensorsFile(join(copy, 'checkpoint.safetensors'), tensors, metadata);
    const before = readFileSync(join(copy, 'checkpoint.safetensors'));
    const out = join(copy, 'm.safetensors');
    const result = runCli(['train', '--resume', copy, '--out', out]);
    expect(readFileSync(join(copy, 'checkpoint.safetensors')).equals(before)).toBe(true);
    expect(existsSync(out)).toBe(false);
    return result;
  }
  const order = (values: ArrayLike<number>): StoredTensor => ({
    dtype: 'I32',
    shape: [values.length],
    data: Int32Array.from(values),
  });

  it('the base checkpoint resumes (exit 0)', () => {
    expect(made.status).toBe(130);
    const copy = join(dir, 'good');
    cpSync(base, copy, { recursive: true });
    expect(runCli(['train', '--resume', copy, '--out', join(copy, 'm.safetensors')]).status).toBe(0);
  });

  it.each([
    [
      'a negative fit.batch',
      (_m: Metadata, _t: Map<string, StoredTensor>, fit: FitJson) => (fit.batch = -3),
      '__metadata__.fit.batch is -3, expected a whole number ≥ 0',
    ],
    [
      'a fit.batch past the epoch',
      (_m: Metadata, _t: Map<string, StoredTensor>, fit: FitJson) => (fit.batch = 10),
      '__metadata__.fit.batch is 10, but an epoch has 10 batches of 32',
    ],
    [
      'epoch 99 of 1 finished',
      (_m: Metadata, _t: Map<string, StoredTensor>, fit: FitJson) => (fit.epoch = 99),
      '__metadata__.fit.epoch is 99, but fit.history has 1 finished epochs',
    ],
    [
      'an all-zero RNG state',
      (_m: Metadata, _t: Map<string, StoredTensor>, fit: FitJson) => (fit.rng.s = [0, 0, 0, 0]),
      '__metadata__.fit.rng.s is all zero',
    ],
    [
      'a malformed RNG state',
      (_m: Metadata, _t: Map<string, StoredTensor>, fit: FitJson) => (fit.rng = { s: 'abcd' }),
      '__metadata__.fit.rng.s is "abcd", expected four whole numbers',
    ],
    [
      'lr "NaN"',
      (m: Metadata) => (m.optimizer = m.optimizer.replace(/"learningRate":[^,]+/, '"learningRate":"NaN"')),
      '__metadata__.optimizer.learningRate is "NaN", expected a finite number',
    ],
    ['fit that is not JSON', (m: Metadata) => (m.fit = '{"epoch": 1,'), '__metadata__.fit is not valid JSON'],
    ['no optimizer entry', (m: Metadata) => delete m.optimizer, '__metadata__.optimizer is null, expected an object'],
    [
      'an all-zero fit/order',
      (_m: Metadata, t: Map<string, StoredTensor>) => t.set('fit/order', order(new Int32Array(300))),
      "tensor 'fit/order'[1] repeats row 0",
    ],
    [
      'an out-of-range fit/order',
      (_m: Metadata, t: Map<string, StoredTensor>) =>
        t.set('fit/order', order([999999, ...Array.from({ length: 299 }, (_, i) => i + 1)])),
      "tensor 'fit/order'[0] is 999999, outside 0…299",
    ],
    [
      'a fit/order of the wrong length',
      (_m: Metadata, t: Map<string, StoredTensor>) => t.set('fit/order', order(Array.from({ length: 299 }, (_, i) => i))),
      "tensor 'fit/subset' has 300 rows, but 'fit/order' has 299",
    ],
    [
      'a fit/subset with a repeated row',
      (_m: Metadata, t: Map<string, StoredTensor>) => t.set('fit/subset', order(new Int32Array(300))),
      "tensor 'fit/subset'[1] repeats row 0",
    ],
  ])('%s is refused in one line naming the file and the field', (_, change, message) => {
    refused(resumeCorrupted(change), message);
  });
});

describe('section 6: the built-in digits are a test set only for models trained on the built-in training digits', () => {
  const dir = tempDir();
  const csv = join(dir, 'mnist600.csv');
  writeFileSync(csv, digitsCsv(600));
  const builtinModel = join(dir, 'builtin.safetensors');
  const csvModel = join(dir, 'csv.safetensors');
  const namedModel = join(dir, 'named.safetensors');
  const trained = [
    runCli(['train', ...SMALL, '--epochs', '1', '--out', builtinModel]),
    runCli(['train', '--train', csv, ...SMALL, '--epochs', '1', '--out', csvModel]),
  ];
  // Text labels give class names: the same digits labelled "even" or "odd".
  writeFileSync(
    join(dir, 'named.csv'),
    digitsCsv(200, (digit) => (digit % 2 ? 'odd' : 'even')),
  );
  trained.push(runCli(['train', '--train', join(dir, 'named.csv'), ...SMALL, '--epochs', '1', '--out', namedModel]));

  it('the model file records the training data: name, rows, a SHA-256 fingerprint, class names', () => {
    for (const t of trained) expect(t.status).toBe(0);
    expect(loadModel(csvModel).info.trainedOn).toEqual({
      name: 'mnist600.csv',
      rows: 600,
      fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as string,
      classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    });
    expect(loadModel(builtinModel).info.trainedOn).toMatchObject({ name: 'built-in MNIST train', rows: 8000 });
    expect(loadModel(namedModel).info.trainedOn?.classNames).toEqual(['even', 'odd']);
  });

  it('evaluate and plot on the built-in digits say nothing for a model trained on them', () => {
    const result = runCli(['evaluate', '--model', builtinModel]);
    expect([result.status, result.stderr]).toEqual([0, '']);
  });

  it.each([
    ['evaluate', (model: string) => ['evaluate', '--model', model]],
    ['plot confusion', (model: string) => ['plot', 'confusion', '--model', model, '--out', join(dir, 'figures')]],
  ])('%s warns (one line, exit 0) when the model was trained on other data, and not with --test', (_, command) => {
    const result = runCli(command(csvModel));
    expect(result.status).toBe(0);
    expect(result.stderr).toBe(
      `scratchnet: warning: ${csvModel} was trained on mnist600.csv (600 rows), not the built-in training digits; the built-in digits are 10,000 digits from MNIST's training set, so a model trained on MNIST has seen them and scores too high: give --test for a real test set\n`,
    );
    expect(runCli([...command(csvModel), '--test', csv]).stderr).toBe('');
  });

  it('evaluate refuses the built-in digits for a model of other classes', () => {
    refused(runCli(['evaluate', '--model', namedModel]), `${namedModel} was trained on named.csv with classes even, odd`);
  });
});

/** The first `rows` built-in test digits as the tutorial's CSV (a header, then label and 784 pixels); `label` names each class. */
function digitsCsv(rows: number, label: (digit: number) => string = String): string {
  const data = loadBuiltinMnist().test;
  const header = ['label', ...Array.from({ length: 784 }, (_, i) => `pixel${i}`)].join(',');
  const lines = Array.from({ length: rows }, (_, i) =>
    [label(data.labels[i]), ...data.features.subarray(i * 784, (i + 1) * 784)].join(','),
  );
  return `${header}\n${lines.join('\n')}\n`;
}
