import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { ScratchnetError } from '../../src/errors.js';
import { kebab } from '../../src/cli/flags.js';
import { TRAIN_FLAGS, type TrainOptions, addTrainFlags } from '../../src/cli/train-flags.js';
import { RESUMABLE_FLAGS, resumedOptions } from '../../src/cli/train-resume.js';

/** `scratchnet train`'s flags on a bare command, and the options (and which were typed) for `args`. */
function parseTrain(args: string[]): { options: TrainOptions; explicit: (key: string) => boolean } {
  const command = addTrainFlags(new Command('train').exitOverride());
  command.parse(args, { from: 'user' });
  return { options: command.opts<TrainOptions>(), explicit: (key) => command.getOptionValueSource(key) === 'cli' };
}

/** A value for the flag other than its default, as it would be typed. */
const OTHER_VALUE: Record<string, string | null> = {
  train: 'a.csv',
  test: 'b.csv',
  labelColumn: 'digit',
  trainLabels: 'a-labels.idx',
  testLabels: 'b-labels.idx',
  valSplit: '0.2',
  subset: '500',
  seed: '7',
  hidden: '8,4',
  activation: 'tanh',
  layers: 'flatten,dense(10)',
  epochs: '9',
  batchSize: '64',
  out: 'other.safetensors',
  checkpointDir: 'ck',
  resume: 'ckpt',
  report: 'rep',
  json: null,
  logEvery: '5',
  stopAfterBatches: '3',
  optimizer: 'adam',
  lr: '0.5',
  momentum: '0.5',
  weightDecay: '0.1',
  clipNorm: '2',
  beta1: '0.8',
  beta2: '0.99',
  dropout: '0.5',
  batchNorm: null,
  init: 'xavier-normal',
  augment: 'shift=2,rotate=10',
  schedule: 'cosine',
  stepSize: '3',
  gamma: '0.5',
  minLr: '0.001',
  plateauFactor: '0.5',
  plateauPatience: '2',
  warmup: '100',
  earlyStopping: '3',
  backend: 'js',
};

describe('the train flags table', () => {
  it('gives every flag a role, and files it under the name commander gives it', () => {
    for (const [key, flag] of Object.entries(TRAIN_FLAGS)) {
      expect(['recipe', 'data', 'run'], key).toContain(flag.role);
      expect(flag.flag.split(' ')[0], key).toBe(`--${kebab(key)}`);
    }
    expect(Object.keys(OTHER_VALUE).sort()).toEqual(Object.keys(TRAIN_FLAGS).sort()); // this test knows every flag
    expect(() => addTrainFlags(new Command('train'))).not.toThrow();
  });

  it('--resume may change exactly the run and data flags: where the data is, how long, what is written, the kernels', () => {
    expect([...RESUMABLE_FLAGS].sort()).toEqual(
      [
        'backend',
        'checkpointDir',
        'epochs',
        'json',
        'labelColumn',
        'logEvery',
        'out',
        'report',
        'resume',
        'stopAfterBatches',
        'test',
        'testLabels',
        'train',
        'trainLabels',
      ].sort(),
    );
  });

  it('commander gives the defaults of the table, parsed values, and leaves flags without a default out', () => {
    const { options } = parseTrain(['--hidden', '8,4', '--init', 'he-uniform,lecun-normal', '--lr', '0.5']);
    expect(options).toEqual({
      valSplit: 0.1,
      seed: 42,
      hidden: [8, 4],
      activation: 'relu',
      epochs: 5,
      batchSize: 32,
      out: 'model.safetensors',
      json: false,
      logEvery: 20,
      optimizer: 'sgd',
      lr: 0.5,
      dropout: 0,
      batchNorm: false,
      init: ['he-uniform', 'lecun-normal'],
      schedule: 'constant',
      stepSize: 10,
      minLr: 0,
      plateauFactor: 0.1,
      plateauPatience: 10,
      warmup: 0,
      backend: 'auto',
    });
  });

  // The checkpoint's options: those of a run with every default.
  const saved = { ...parseTrain([]).options } as Record<string, unknown>;

  for (const [key, value] of Object.entries(OTHER_VALUE)) {
    const flag = `--${kebab(key)}`;
    const args = value === null ? [flag] : [flag, value];
    if (RESUMABLE_FLAGS.includes(key)) {
      it(`a resumed run takes a new ${flag}`, () => {
        const { options, explicit } = parseTrain([...args, '--resume', 'ckpt']);
        const resumed = resumedOptions(saved, options, explicit, 'ckpt');
        expect((resumed as Record<string, unknown>)[key]).toEqual((options as Record<string, unknown>)[key]);
      });
    } else {
      it(`a resumed run refuses a changed ${flag}, naming it, and accepts it unchanged`, () => {
        const { options, explicit } = parseTrain([...args, '--resume', 'ckpt']);
        const changed = () => resumedOptions(saved, options, explicit, 'ckpt');
        expect(changed).toThrow(ScratchnetError);
        expect(changed).toThrow(
          new RegExp(`^${flag} .* differs from the checkpoint's .* \\(ckpt\\); a resumed run keeps its recipe`),
        );
        if (saved[key] === undefined) {
          // A flag the checkpoint's run left unset is named as its default, not as "undefined".
          expect(changed).toThrow(/differs from the checkpoint's default \(the flag was not given\)/);
        }
        const same = resumedOptions({ ...saved, [key]: (options as Record<string, unknown>)[key] }, options, explicit, 'ckpt');
        expect((same as Record<string, unknown>)[key]).toEqual((options as Record<string, unknown>)[key]);
      });
    }
  }
});
