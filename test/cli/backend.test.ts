import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/io/model-file.js';
import { readSafetensorsFile } from '../../src/io/safetensors-file.js';
import { autoBackendName } from '../helpers.js';
import { runCli, tempDir } from './run.js';

const RECIPE = ['--subset', '2000', '--epochs', '2', '--seed', '5', '--hidden', '32', '--json'];

type Event = Record<string, unknown> & { event: string };
const events = (stdout: string): Event[] =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Event);
const bits = (path: string) =>
  [...readSafetensorsFile(path).tensors].map(([name, t]) => [name, Array.from(new Uint32Array(t.data.buffer))]);

// The native backend joins where it runs here (CI requires it: SCRATCHNET_REQUIRE_NATIVE).
const withNative = (await autoBackendName()) === 'native';

describe('--backend (the real CLI)', () => {
  const dir = tempDir();
  const models = {
    js: join(dir, 'js.safetensors'),
    wasm: join(dir, 'wasm.safetensors'),
    native: join(dir, 'native.safetensors'),
  };
  const backends = withNative ? (['js', 'wasm', 'native'] as const) : (['js', 'wasm'] as const);

  it(`train --backend ${backends.join(', ')} reach the same accuracy within noise, and say which backend ran`, () => {
    const accuracy: Record<string, number> = {};
    for (const backend of backends) {
      const run = runCli(['train', ...RECIPE, '--backend', backend, '--out', models[backend]]);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const all = events(run.stdout);
      expect(all[0]).toMatchObject({ event: 'start', backend });
      expect(all.filter((e) => e.event === 'epoch').map((e) => e.backend)).toEqual([backend, backend]);
      expect(all.at(-1)).toMatchObject({ event: 'end', backend, exitCode: 0 });
      accuracy[backend] = all.at(-1)!.testAccuracy as number;
      expect(loadModel(models[backend]).info.training).toMatchObject({ backend, options: { backend } });
    }
    expect(accuracy.js).toBeGreaterThan(0.8);
    expect(Math.abs(accuracy.wasm - accuracy.js)).toBeLessThan(0.02);
    if (withNative) expect(Math.abs(accuracy.native - accuracy.js)).toBeLessThan(0.02);
  });

  it('evaluate gives the same accuracy on every backend and names the one it used', () => {
    const results = backends.map((backend) => {
      const run = runCli(['evaluate', '--model', models.wasm, '--json', '--backend', backend]);
      expect(run.status).toBe(0);
      return JSON.parse(run.stdout) as { backend: string; accuracy: number };
    });
    expect(results.map((r) => r.backend)).toEqual([...backends]);
    for (const r of results.slice(1)) expect(Math.abs(results[0].accuracy - r.accuracy)).toBeLessThan(0.002);
  });

  it('a run resumed with --backend js from its checkpoint keeps the js backend and ends bit for bit as the uninterrupted one', () => {
    const out = join(dir, 'resumed-js.safetensors');
    const checkpoints = join(dir, 'ckpt-js');
    expect(
      runCli(['train', ...RECIPE, '--backend', 'js', '--out', out, '--checkpoint-dir', checkpoints, '--stop-after-batches', '70'])
        .status,
    ).toBe(130);
    const resumed = runCli(['train', '--resume', checkpoints]);
    expect(resumed.status).toBe(0);
    expect(events(resumed.stdout)[0]).toMatchObject({ event: 'start', backend: 'js' });
    expect(bits(out)).toEqual(bits(models.js));
  });

  it('an unknown backend is one line on stderr for every command that runs a network', () => {
    for (const command of [['train'], ['evaluate'], ['predict', 'x.png'], ['plot', 'confusion']]) {
      const run = runCli([...command, '--backend', 'gpu']);
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        "scratchnet: option '--backend <name>' argument 'gpu' is invalid. Allowed choices are js, wasm, native, auto.\n",
      );
    }
  });
});
