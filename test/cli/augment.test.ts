import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafetensorsFile } from '../../src/io/safetensors-file.js';
import { augmentation } from '../../src/cli/parse.js';
import { runCli, tempDir } from './run.js';

const RECIPE = ['--subset', '640', '--epochs', '2', '--seed', '7', '--hidden', '16', '--augment', 'shift=2,rotate=10'];

/** Every bit of every tensor of a model file. */
function weights(path: string): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, t] of readSafetensorsFile(path).tensors) out[name] = Array.from(new Uint32Array(t.data.buffer));
  return out;
}

describe('train --augment (the real CLI)', () => {
  const dir = tempDir();

  it('reads shift=N,rotate=D,flip in any order or alone, and refuses anything else in one line', () => {
    expect(augmentation('shift=2,rotate=10')).toEqual({ shift: 2, rotate: 10, flip: false });
    expect(augmentation('rotate=7.5, shift=1')).toEqual({ shift: 1, rotate: 7.5, flip: false });
    expect(augmentation('shift=3')).toEqual({ shift: 3, rotate: 0, flip: false });
    expect(augmentation('flip')).toEqual({ shift: 0, rotate: 0, flip: true });
    expect(augmentation('flip=1,shift=1')).toEqual({ shift: 1, rotate: 0, flip: true });
    expect(augmentation('flip=0')).toEqual({ shift: 0, rotate: 0, flip: false });
    expect(() => augmentation('flip=yes')).toThrow(/'flip', 'flip=1' or 'flip=0'/);
    expect(() => augmentation('shift')).toThrow(/shift=N,rotate=D,flip/);
    expect(() => augmentation('shift=1.5')).toThrow(/whole number of pixels/);
    expect(() => augmentation('rotate=200')).toThrow(/0 to 180/);
    expect(() => augmentation('shift=1,shift=2')).toThrow(/twice/);
    expect(() => augmentation('scale=2')).toThrow(/shift=N,rotate=D/);
    const result = runCli(['train', '--augment', 'shfit=2']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^scratchnet: option '--augment <shift=N,rotate=D,flip>' argument 'shfit=2' is invalid\. Expected/,
    );
  });

  // One CLI run per test: spawnSync blocks this worker, and a test of several long runs kept it from
  // answering vitest's calls on a loaded machine.
  const reference = join(dir, 'uninterrupted.safetensors');
  const checkpoints = join(dir, 'ckpt');
  const out = join(dir, 'resumed.safetensors');

  it('an uninterrupted run is the reference', () => {
    expect(runCli(['train', ...RECIPE, '--out', reference]).status).toBe(0);
  });

  it('stopped mid-epoch, it writes a checkpoint and exits 130', () => {
    const stopped = runCli(['train', ...RECIPE, '--out', out, '--checkpoint-dir', checkpoints, '--stop-after-batches', '25']);
    expect(stopped.status).toBe(130);
  });

  it('resumed, it ends with the weights of the uninterrupted run, bit for bit', () => {
    const resumed = runCli(['train', '--resume', checkpoints]);
    expect(resumed.stderr).toBe('');
    expect(resumed.status).toBe(0);
    expect(weights(out)).toEqual(weights(reference));
  });

  it('without --augment the same recipe ends elsewhere: augmentation did change the run', () => {
    const plain = join(dir, 'plain.safetensors');
    expect(runCli(['train', ...RECIPE.slice(0, -2), '--out', plain]).status).toBe(0);
    expect(weights(plain)).not.toEqual(weights(reference));
  });

  it('refuses samples that are not images before training', () => {
    const csv = join(dir, 'five.csv');
    const rows = Array.from({ length: 20 }, (_, i) => `${i % 2},1,2,3,4,5`).join('\n');
    writeFileSync(csv, `label,a,b,c,d,e\n${rows}\n`);
    const result = runCli(['train', '--train', csv, '--augment', 'shift=1', '--out', join(dir, 'x.safetensors')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/--augment: augmentation needs images/);
  });
});
