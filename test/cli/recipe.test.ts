import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/io/model-file.js';
import { readSafetensorsFile } from '../../src/io/safetensors-file.js';
import { runCli, tempDir } from './run.js';

const events = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

function weights(path: string): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, t] of readSafetensorsFile(path).tensors) out[name] = Array.from(new Uint32Array(t.data.buffer));
  return out;
}

describe('scratchnet train: optimizer, regularisation, schedule and early-stopping flags', () => {
  it('builds Dense → BatchNorm → ReLU → Dropout, steps the schedule, and records the recipe in the model file', () => {
    const out = join(tempDir(), 'm.safetensors');
    const args = [
      'train',
      '--json',
      '--subset',
      '400',
      '--epochs',
      '2',
      '--hidden',
      '16',
      '--batch-norm',
      '--dropout',
      '0.2',
      '--init',
      'he-uniform,xavier-normal',
      '--optimizer',
      'adam',
      '--weight-decay',
      '0.0001',
      '--clip-norm',
      '5',
      '--schedule',
      'step',
      '--step-size',
      '1',
      '--gamma',
      '0.5',
      '--out',
      out,
    ];
    const { status, stdout, stderr } = runCli(args);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const all = events(stdout);
    expect(all[0].network).toBe('Sequential(Dense(784 → 16) → BatchNorm(16) → ReLU → Dropout(0.2) → Dense(16 → 10))');
    expect(all.filter((e) => e.event === 'epoch').map((e) => e.learningRate)).toEqual([0.001, 0.0005]);
    const { network, info } = loadModel(out);
    expect(network.buffers().map((b) => b.name)).toEqual(['1.running_mean', '1.running_var', '1.num_batches_tracked']);
    expect(info.training).toMatchObject({
      options: {
        optimizer: 'adam',
        weightDecay: 0.0001,
        clipNorm: 5,
        batchNorm: true,
        dropout: 0.2,
        init: ['he-uniform', 'xavier-normal'],
        schedule: 'step',
        stepSize: 1,
        gamma: 0.5,
      },
      optimizer: { optimizer: 'adam', beta1: 0.9, beta2: 0.999, weightDecay: 0.0001, clipNorm: 5 },
      schedule: { schedule: 'step', baseLr: 0.001, stepSize: 1, gamma: 0.5 },
    });
  });

  it('a stopped run with Adam, dropout, batch norm and reduce-on-plateau resumes to the same weights bit for bit', () => {
    const dir = tempDir();
    const recipe = [
      '--subset',
      '600',
      '--epochs',
      '3',
      '--seed',
      '5',
      '--hidden',
      '24',
      '--batch-norm',
      '--dropout',
      '0.3',
      '--optimizer',
      'adamw',
      '--schedule',
      'plateau',
      '--plateau-patience',
      '0',
      '--plateau-factor',
      '0.5',
      '--warmup',
      '5',
      '--early-stopping',
      '2',
    ];
    const reference = join(dir, 'reference.safetensors');
    expect(runCli(['train', ...recipe, '--out', reference]).status).toBe(0);
    const out = join(dir, 'resumed.safetensors');
    const checkpoints = join(dir, 'ckpt');
    const stopped = runCli(['train', ...recipe, '--out', out, '--checkpoint-dir', checkpoints, '--stop-after-batches', '45']);
    expect(stopped.status).toBe(130);
    const saved = readSafetensorsFile(join(checkpoints, 'checkpoint.safetensors'));
    expect([...saved.tensors.keys()].filter((k) => k.startsWith('optimizer/')).sort()).toContain('optimizer/0.weight/exp_avg_sq');
    expect(JSON.parse(saved.metadata.callbacks)).toHaveProperty('schedule');
    const resumed = runCli(['train', '--resume', checkpoints]);
    expect(resumed.stderr).toBe('');
    expect(resumed.status).toBe(0);
    expect(weights(out)).toEqual(weights(reference));
  });

  it('early stopping ends the run, says so, and keeps the best epoch (recorded in the metadata)', () => {
    const out = join(tempDir(), 'm.safetensors');
    // A learning rate far too high makes the validation loss climb after the first epoch.
    const { status, stdout } = runCli([
      'train',
      '--subset',
      '300',
      '--epochs',
      '8',
      '--hidden',
      '16',
      '--lr',
      '3',
      '--early-stopping',
      '2',
      '--out',
      out,
    ]);
    expect(status).toBe(0);
    const { info } = loadModel(out);
    const early = info.training!.earlyStopping as { bestEpoch: number; stoppedEpoch: number | null };
    expect(early.stoppedEpoch).not.toBeNull();
    expect(stdout).toMatch(
      new RegExp(
        `^Early stopping after epoch ${early.stoppedEpoch}: best validation loss \\d\\.\\d{4} at epoch ${early.bestEpoch}`,
        'm',
      ),
    );
    expect(early.stoppedEpoch).toBe(early.bestEpoch + 2);
    expect(existsSync(out)).toBe(true);
  });

  const mistakes: [string, string[], RegExp][] = [
    [
      'an unknown optimizer',
      ['train', '--optimizer', 'lbfgs'],
      /argument 'lbfgs' is invalid\. Allowed choices are sgd, momentum, nesterov, rmsprop, adagrad, adam, adamw\.\n$/,
    ],
    ['an unknown init', ['train', '--init', 'orthogonal'], /'orthogonal' is not one of he-normal/],
    [
      'one init too many',
      ['train', '--hidden', '8', '--init', 'he-normal,he-normal,he-normal'],
      /^scratchnet: mlp: init lists 3 schemes for 2 Dense layers/,
    ],
    ['a dropout rate of 1', ['train', '--dropout', '1'], /argument '1' is invalid\. Expected a fraction in \[0, 1\)/],
    [
      'momentum ≥ 1',
      ['train', '--optimizer', 'momentum', '--momentum', '1'],
      /argument '1' is invalid\. Expected a number in \[0, 1\)/,
    ],
    [
      'plateau without validation data',
      ['train', '--subset', '100', '--schedule', 'plateau', '--val-split', '0'],
      /^scratchnet: schedule 'plateau' watches the validation loss/,
    ],
    [
      'early stopping without validation data',
      ['train', '--subset', '100', '--early-stopping', '2', '--val-split', '0'],
      /^scratchnet: early stopping watches the validation loss/,
    ],
  ];
  for (const [what, args, message] of mistakes) {
    it(`refuses ${what} in one line`, () => {
      const { status, stderr } = runCli([...args, '--out', join(tempDir(), 'x.safetensors')]);
      expect(status).toBe(1);
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at /);
    });
  }
});
