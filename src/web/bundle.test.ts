import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Metafile, NODE_ONLY, NODE_PACKAGES, buildWeb } from '../../scripts/web/build.mjs';
import { builtinDigitBytes } from '../data/builtin.js';
import { parseDigitsFile } from './digits.js';

// The page's bundles as `npm run web:build` makes them (platform 'browser': a Node built-in anywhere on the
// way fails the build), and what they hold.
const dir = mkdtempSync(join(tmpdir(), 'scratchnet-web-'));
let metafile: Metafile;
beforeAll(async () => {
  metafile = await buildWeb(dir, { minify: false });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the browser bundles', () => {
  it('reach no Node built-in and no Node-only package from the page, the training worker or the kernels’ worker', () => {
    const inputs = Object.keys(metafile.inputs);
    expect(inputs).toContain('src/network/sequential.ts');
    expect(inputs).toContain('src/training/fit.ts');
    expect(inputs).toContain('src/kernels/wasm/backend.ts');
    expect(inputs).toContain('src/io/model-codec.ts');
    for (const [input, { imports }] of Object.entries(metafile.inputs))
      for (const imported of imports) expect(imported.path, `${input} imports ${imported.path}`).not.toMatch(/^node:/);
    const packages = inputs.filter((file) => NODE_PACKAGES.some((name) => file.includes(`node_modules/${name}/`)));
    expect(packages).toEqual([]);
    expect(inputs.filter((file) => /^src\/(cli|util\/fs|data\/(source|load|rows|image)\.ts)/.test(file))).toEqual([]);
  });

  it('replace each Node-only module, reached only by a dynamic import, with a stub that throws', () => {
    const stubs = Object.keys(metafile.inputs).filter((file) => file.startsWith('node-only:'));
    expect(stubs.sort()).toEqual(NODE_ONLY.map((file) => `node-only:${file}`).sort());
    for (const { imports } of Object.values(metafile.inputs))
      for (const imported of imports) if (imported.path.startsWith('node-only:')) expect(imported.kind).toBe('dynamic-import');
    for (const file of NODE_ONLY) expect(Object.keys(metafile.inputs)).not.toContain(file);
  });

  it('ship the built-in digits as the CLI reads them, byte for byte', () => {
    const digits = parseDigitsFile(gunzipSync(readFileSync(join(dir, 'mnist-digits.bin.gz'))));
    const expected = builtinDigitBytes();
    expect(digits.map((d) => d.length)).toEqual(expected.map((d) => d.length));
    digits.forEach((bytes, digit) =>
      expect(Buffer.from(bytes).equals(Buffer.from(expected[digit])), `digit ${digit}`).toBe(true),
    );
  });
});
