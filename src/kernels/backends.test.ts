import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBuiltinMnist } from '../data/builtin.js';
import { evaluate } from '../network/evaluate.js';
import { fit } from '../training/fit.js';
import { Sequential } from '../network/sequential.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { autoBackendName } from '../../test/helpers.js';
import { kernels, reference, useBackend } from './index.js';

afterAll(async () => {
  await useBackend('js');
});

describe('backend selection', () => {
  it("'auto' picks the native kernels where they run (else wasm), 'js' the reference, and buffers come from the active one", async () => {
    const auto = await autoBackendName();
    expect((await useBackend('auto')).name).toBe(auto);
    expect(kernels().name).toBe(auto);
    expect(kernels().alloc(4).buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(await useBackend('js')).toBe(reference);
    expect(kernels().alloc(4).buffer).toBeInstanceOf(ArrayBuffer);
    expect((await useBackend('wasm')).name).toBe('wasm');
  });

  it("where the native kernels cannot run, 'auto' says why once per process and runs on wasm; a forced 'native' fails naming the reason", () => {
    // the compiled library in a fresh process, with an instruction set no CPU has forced
    const script = [
      "import { useBackend } from './dist/src/kernels/index.js';",
      "for (let i = 0; i < 3; i++) console.log((await useBackend('auto')).name);",
      "await useBackend('native').catch((error) => console.log(error.message));",
    ].join('\n');
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, SCRATCHNET_NATIVE_ISA: 'avx1024' },
      encoding: 'utf8',
    });
    const reason = 'SCRATCHNET_NATIVE_ISA=avx1024 is not one of avx512, avx2';
    expect(run.stdout).toBe(`wasm\nwasm\nwasm\nnative backend unavailable: ${reason}\n`);
    const fallback =
      process.arch === 'x64' ? `scratchnet: the native kernels cannot run here (${reason}); running on WebAssembly\n` : '';
    expect(run.stderr).toBe(fallback);
  });

  it('rejects an unknown backend name', async () => {
    await expect(useBackend('gpu' as 'js')).rejects.toThrow(/unknown backend 'gpu' \(known: js, wasm, native, auto\)/);
  });
});

describe('training with either backend', () => {
  it("the tutorial's network on the built-in digits reaches the same test accuracy (within noise) with js, wasm and native (where it runs)", async () => {
    const { train, test } = loadBuiltinMnist();
    const accuracy: Record<string, number> = {};
    const firstLoss: Record<string, number> = {};
    const backends = (await autoBackendName()) === 'native' ? (['js', 'wasm', 'native'] as const) : (['js', 'wasm'] as const);
    for (const backend of backends) {
      await useBackend(backend);
      const net = Sequential.mlp({ rng: new Rng(42) });
      const history = fit(net, train, { epochs: 3, batchSize: 32, rng: new Rng(42) });
      firstLoss[backend] = history.batchLoss[0];
      accuracy[backend] = evaluate(net, test).accuracy;
    }
    // Same start (same weights, same first batch), then float rounding differs in the last bits.
    expect(firstLoss.wasm).toBeCloseTo(firstLoss.js, 4);
    expect(accuracy.js).toBeGreaterThan(0.9);
    expect(accuracy.wasm).toBeGreaterThan(0.9);
    expect(Math.abs(accuracy.wasm - accuracy.js)).toBeLessThan(0.015);
    if (backends.length === 3) {
      expect(firstLoss.native).toBeCloseTo(firstLoss.js, 4);
      expect(Math.abs(accuracy.native - accuracy.js)).toBeLessThan(0.015);
    }
  });

  it('a wasm network predicts a single image given as an ordinary Float32Array as the reference network does', async () => {
    const { test } = loadBuiltinMnist();
    const image = new Tensor(
      Float32Array.from(test.features.subarray(0, 784), (v) => v * test.scale),
      [1, 784],
    );
    const logits: Record<string, Float32Array> = {};
    const backends = (await autoBackendName()) === 'native' ? (['js', 'wasm', 'native'] as const) : (['js', 'wasm'] as const);
    for (const backend of backends) {
      await useBackend(backend);
      logits[backend] = Sequential.mlp({ rng: new Rng(3) })
        .logits(image)
        .data.slice();
    }
    for (let c = 0; c < 10; c++) expect(logits.wasm[c]).toBeCloseTo(logits.js[c], 4);
    if (logits.native) for (let c = 0; c < 10; c++) expect(logits.native[c]).toBeCloseTo(logits.js[c], 4);
  });
});
