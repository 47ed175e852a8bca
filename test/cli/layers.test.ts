import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/io/model-file.js';
import { runCli, tempDir } from './run.js';

const SMALL = 'conv2d(4,3),batchnorm,relu,maxpool2d(2),flatten,dropout(0.25),dense(10)';

describe('train --layers', () => {
  it('a mistake in the string is one line naming the flag and the position, before any data is read', () => {
    const { status, stdout, stderr } = runCli(['train', '--layers', 'conv2d(32,3),relu,maxpol2d(2),flatten,dense(10)']);
    expect({ status, stdout, stderr }).toEqual({
      status: 1,
      stdout: '',
      stderr: "scratchnet: --layers: position 19: unknown layer 'maxpol2d' (did you mean maxpool2d?)\n",
    });
  });

  it('a layer that does not fit its input names the layer and the shape', () => {
    const { status, stderr } = runCli(['train', '--layers', 'conv2d(8,3),relu,maxpool2d(2),dense(10)', '--subset', '50']);
    expect(status).toBe(1);
    expect(stderr).toBe(
      'scratchnet: --layers: position 31: dense needs a flat input, but its input is [8, 13, 13]: put flatten before dense\n',
    );
  });

  it('is refused beside the MLP flags it replaces, naming them', () => {
    const { status, stderr } = runCli(['train', '--layers', SMALL, '--hidden', '64', '--batch-norm']);
    expect(status).toBe(1);
    expect(stderr).toBe(
      'scratchnet: --layers describes the whole network, so --hidden, --batch-norm have nothing to shape: give the layers in --layers (e.g. dropout(0.5), batchnorm) or leave --layers out\n',
    );
  });

  it('trains a convnet on the built-in digits, saves it, and resumes it from a checkpoint with the same layers', () => {
    const dir = tempDir();
    const out = join(dir, 'convnet.safetensors');
    const checkpoints = join(dir, 'ckpt');
    const args = ['train', '--layers', SMALL, '--subset', '320', '--epochs', '2', '--checkpoint-dir', checkpoints, '--out', out];
    const stopped = runCli([...args, '--stop-after-batches', '3', '--json']);
    expect(stopped.status, stopped.stderr).toBe(130);
    const start = JSON.parse(stopped.stdout.split('\n')[0]) as { network: string };
    expect(start.network).toBe(
      'Sequential(Conv2d(1 → 4, 3×3) → BatchNorm(4) → ReLU → MaxPool2d(2) → Flatten → Dropout(0.25) → Dense(676 → 10))',
    );
    const resumed = runCli(['train', '--resume', checkpoints, '--json']);
    expect(resumed.status, resumed.stderr).toBe(0);
    const { network, info } = loadModel(out);
    expect(network.inputShape).toEqual([1, 28, 28]);
    expect(info.training).toMatchObject({ options: { layers: SMALL }, epochs: 2 });
    const refused = runCli(['train', '--resume', checkpoints, '--layers', 'flatten,dense(10)']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^scratchnet: --layers flatten,dense\(10\) differs from the checkpoint's ".*"/);

    const evaluated = runCli(['evaluate', '--model', out, '--json']);
    expect(evaluated.status, evaluated.stderr).toBe(0);
    expect((JSON.parse(evaluated.stdout) as { accuracy: number }).accuracy).toBeGreaterThan(0.5);
  });
});

describe('summary --layers', () => {
  it("prints each layer's output shape, parameters and FLOPs, with 784 inputs read as a 28×28 image", () => {
    const { status, stdout } = runCli(['summary', '--layers', 'conv2d(32,3),relu,maxpool2d(2),flatten,dense(10)', '--json']);
    expect(status).toBe(0);
    const summary = JSON.parse(stdout) as {
      inputShape: number[];
      paramCount: number;
      layers: { outputShape: number[]; paramCount: number; flops: number }[];
    };
    expect(summary.inputShape).toEqual([1, 28, 28]);
    expect(summary.layers.map((l) => [l.outputShape, l.paramCount, l.flops])).toEqual([
      [[32, 26, 26], 32 * 9 + 32, 2 * 32 * 26 * 26 * 9 + 32 * 26 * 26], // a multiply–add per weight and position, plus the bias
      [[32, 26, 26], 0, 32 * 26 * 26],
      [[32, 13, 13], 0, 32 * 26 * 26],
      [[5408], 0, 0],
      [[10], 5408 * 10 + 10, 2 * 5408 * 10 + 10],
    ]);
  });
});
