import {
  accessSync,
  closeSync,
  constants,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ScratchnetError } from '../errors.js';

/**
 * Reads a whole file, turning "missing", "is a folder" and "not allowed" into one clear ScratchnetError
 * that names the file and what it was meant to be (`what`: "model file", "image", …).
 */
export function readFileOrFail(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ScratchnetError(`cannot read ${what} '${path}': ${describeFsError(error)}`);
  }
}

/**
 * Writes `bytes` to `path` atomically: into a temporary file in the same folder, flushed to disk
 * (fsync), then renamed over `path`. A crash at any moment leaves either the old file or the new one,
 * never a half-written file. Missing parent folders are created.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array, what = 'file'): void {
  const folder = dirname(path);
  const temporary = join(folder, `.${basename(path)}.${process.pid}.tmp`);
  try {
    mkdirSync(folder, { recursive: true });
    const fd = openSync(temporary, 'w');
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
    syncFolder(folder);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new ScratchnetError(`cannot write ${what} '${path}': ${describeFsError(error)}`);
  }
}

/**
 * Checks early that a file can later be written at `path` (its folder exists or can be made, and is
 * writable), so a long training run does not end by failing to save its result.
 */
export function assertWritable(path: string, what = 'file'): void {
  const folder = dirname(path);
  try {
    mkdirSync(folder, { recursive: true });
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw new ScratchnetError(`cannot write ${what} '${path}': ${describeFsError(error)}`);
  }
}

/** Makes the rename itself durable (best effort: some platforms cannot fsync a folder). */
function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Windows and some file systems refuse to open or sync a directory; the rename is still atomic.
  }
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'EEXIST':
      return 'a file stands where a folder is needed';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
