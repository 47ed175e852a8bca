import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafetensorsFile } from '../../src/io/safetensors-file.js';
import { runCli, runCliStreaming, tempDir } from './run.js';

const RECIPE = ['--subset', '2000', '--epochs', '2', '--seed', '7', '--hidden', '32', '--lr', '0.05'];

/** The model's tensors (names, shapes, every bit of every value); metadata may differ between runs. */
function weights(path: string): Record<string, { shape: number[]; bits: number[] }> {
  const out: Record<string, { shape: number[]; bits: number[] }> = {};
  for (const [name, t] of readSafetensorsFile(path).tensors)
    out[name] = { shape: t.shape, bits: Array.from(new Uint32Array(t.data.buffer)) };
  return out;
}

describe('checkpoints and exact resume (the real CLI)', () => {
  const dir = tempDir();
  const reference = join(dir, 'uninterrupted.safetensors');

  it('an uninterrupted run is the reference', () => {
    expect(runCli(['train', ...RECIPE, '--out', reference]).status).toBe(0);
  });

  it('stopped mid-epoch (as by Ctrl-C), it writes a checkpoint, says how to resume, exits 130; resumed, it ends with the same weights bit for bit', () => {
    const out = join(dir, 'resumed.safetensors');
    const checkpoints = join(dir, 'ckpt');
    const stopped = runCli(['train', ...RECIPE, '--out', out, '--checkpoint-dir', checkpoints, '--stop-after-batches', '80']);
    expect(stopped.status).toBe(130);
    expect(stopped.stderr).toBe(
      `Interrupted in epoch 2 after batch 17/63. Checkpoint written: ${join(checkpoints, 'checkpoint.safetensors')}\nResume with: scratchnet train --resume ${checkpoints}\n`,
    );
    expect(stopped.stdout).toContain(`Checkpoint written: ${join(checkpoints, 'checkpoint.safetensors')}`); // after epoch 1
    expect(existsSync(out)).toBe(false);

    const resumed = runCli(['train', '--resume', checkpoints]);
    expect(resumed.stderr).toBe('');
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toMatch(/^Resuming at epoch 2, batch 18$/m);
    expect(resumed.stdout).not.toMatch(/Epoch 1\/2:/);
    expect(weights(out)).toEqual(weights(reference));
  });

  it('a real SIGINT during training stops after the batch, checkpoints, and the resumed run matches bit for bit', async () => {
    const out = join(dir, 'sigint.safetensors');
    let signalled = false;
    const run = await runCliStreaming(['train', ...RECIPE, '--json', '--log-every', '1', '--out', out], (line, child) => {
      if (!signalled && line.includes('"event":"batch"')) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    expect(run.status).toBe(130);
    const checkpointDir = join(dir, 'sigint.checkpoint'); // default: beside --out
    expect(run.stderr).toContain(`Resume with: scratchnet train --resume ${checkpointDir}`);
    const interrupted = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string })
      .find((e) => e.event === 'interrupted');
    expect(interrupted).toMatchObject({ checkpoint: join(checkpointDir, 'checkpoint.safetensors') });

    const resumed = runCli(['train', '--resume', checkpointDir, '--json']);
    expect(resumed.status).toBe(0);
    expect(weights(out)).toEqual(weights(reference));
  });

  it('a finished run continued from its last epoch checkpoint with more --epochs equals the longer run', () => {
    const checkpoints = join(dir, 'short');
    const out = join(dir, 'continued.safetensors');
    expect(runCli(['train', ...RECIPE, '--epochs', '1', '--checkpoint-dir', checkpoints, '--out', out]).status).toBe(0);
    const continued = runCli(['train', '--resume', checkpoints, '--epochs', '2']);
    expect(continued.status).toBe(0);
    expect(continued.stdout).toMatch(/^Resuming at epoch 2, batch 1$/m);
    expect(weights(out)).toEqual(weights(reference));
  });

  it('a resumed run refuses a changed recipe', () => {
    const checkpoints = join(dir, 'ckpt');
    const changed = runCli(['train', '--resume', checkpoints, '--lr', '0.2']);
    expect(changed.status).toBe(1);
    expect(changed.stderr).toMatch(/^scratchnet: --lr 0.2 differs from the checkpoint's 0.05 .*a resumed run keeps its recipe/);
    const model = runCli(['train', '--resume', reference]);
    expect(model.status).toBe(1);
    expect(model.stderr).toMatch(/expected 'scratchnet-checkpoint' \(a model file cannot be resumed/);
  });
});
