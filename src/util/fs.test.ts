import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScratchnetError } from '../errors.js';
import { assertWritable, assertWritableFolder, readFileOrFail, writeFileAtomic } from './fs.js';

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

  it('refuse to replace a symlink or a FIFO, say what is there, and leave it as it was', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scratchnet-atomic-'));
    writeFileSync(join(dir, 'real'), 'kept');
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    expect(() => writeFileAtomic(join(dir, 'link'), Buffer.from('new'), 'model file')).toThrow(
      new ScratchnetError(
        `cannot write model file '${join(dir, 'link')}': a symbolic link is there, and only a regular file is replaced`,
      ),
    );
    expect(lstatSync(join(dir, 'link')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'real'), 'utf8')).toBe('kept');
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    expect(() => assertWritable(join(dir, 'fifo'), 'model file')).toThrow(/a FIFO is there, and only a regular file is replaced/);
    expect(() => writeFileAtomic(join(dir, 'fifo'), Buffer.from('new'))).toThrow(/a FIFO is there/);
    expect(lstatSync(join(dir, 'fifo')).isFIFO()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['fifo', 'link', 'real']);
  });

  it('a path through a file fails with the real reason, not a clean-up error about the temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scratchnet-atomic-'));
    writeFileSync(join(dir, 'file'), 'x');
    const target = join(dir, 'file', 'model.safetensors');
    expect(() => writeFileAtomic(target, Buffer.from('new'), 'model file')).toThrow(
      new RegExp(
        `^cannot write model file '${target}': (a part of the path is not a folder|a file stands where a folder is needed)$`,
      ),
    );
    expect(() => assertWritableFolder(join(dir, 'file'), 'report folder')).toThrow(
      new ScratchnetError(`cannot write report folder '${join(dir, 'file')}': it is a regular file, not a folder`),
    );
  });

  it('a save removes the temporary files of an earlier, killed save to the same target, not a live one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scratchnet-atomic-'));
    const dead = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, `.model.safetensors.${dead}.tmp`), 'half a model');
    writeFileSync(join(dir, `.model.safetensors.${process.ppid}.tmp`), 'another run saving now');
    writeFileSync(join(dir, `.other.safetensors.${dead}.tmp`), 'not this target');
    writeFileAtomic(join(dir, 'model.safetensors'), Buffer.from('whole'));
    expect(readdirSync(dir).sort()).toEqual(
      [`.model.safetensors.${process.ppid}.tmp`, `.other.safetensors.${dead}.tmp`, 'model.safetensors'].sort(),
    );
  });
});
