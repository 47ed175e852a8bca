import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScratchnetError } from '../errors.js';
import { readFileOrFail, writeFileAtomic } from './fs.js';

describe('atomic writes', () => {
  it('replace a file whole, leaving no temporary file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scratchnet-atomic-'));
    const path = join(dir, 'nested', 'model.safetensors');
    writeFileAtomic(path, Buffer.from('first'));
    writeFileAtomic(path, Buffer.from('second version'));
    expect(readFileSync(path, 'utf8')).toBe('second version');
    expect(readdirSync(join(dir, 'nested'))).toEqual(['model.safetensors']);
  });

  it('a write that fails keeps the old file intact and removes the temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scratchnet-atomic-'));
    const target = join(dir, 'taken');
    mkdirSync(target); // renaming a file over a folder fails, after the temporary file was written
    writeFileSync(join(target, 'inside'), 'old');
    expect(() => writeFileAtomic(target, Buffer.from('new'), 'model file')).toThrow(ScratchnetError);
    expect(() => writeFileAtomic(target, Buffer.from('new'), 'model file')).toThrow(
      new RegExp(`^cannot write model file '${target}': `),
    );
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readFileSync(join(target, 'inside'), 'utf8')).toBe('old');
  });

  it('reading a missing file or a folder names the file and the reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scratchnet-atomic-'));
    expect(() => readFileOrFail(join(dir, 'none'), 'model file')).toThrow(
      new ScratchnetError(`cannot read model file '${join(dir, 'none')}': no such file or folder`),
    );
    expect(() => readFileOrFail(dir, 'image')).toThrow(
      new ScratchnetError(`cannot read image '${dir}': it is a folder, not a file`),
    );
  });
});
