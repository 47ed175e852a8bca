import {
  accessSync,
  existsSync,
  closeSync,
  constants,
  fsyncSync,
  mkdirSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
  type Stats,
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
 *
 * Only a regular file is ever replaced: a folder, symlink, FIFO, device or socket at `path` is refused
 * (a rename would silently put a file in its place: `--out /dev/full` must not replace the device).
 * Temporary files left by an earlier save to the same target that was killed are removed first.
 *
 * @throws ScratchnetError naming the file, what it was for and the reason.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array, what = 'file'): void {
  const folder = dirname(path);
  const temporary = join(folder, `${temporaryPrefix(path)}${process.pid}.tmp`);
  try {
    refuseNonRegular(path, what);
    makeFolders(folder);
    removeStaleTemporaries(path);
    const fd = openSync(temporary, 'wx');
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    refuseNonRegular(path, what); // again: something may have been put there while we wrote
    renameSync(temporary, path);
    syncFolder(folder);
  } catch (error) {
    removeQuietly(temporary); // never hides the error that brought us here
    if (error instanceof ScratchnetError) throw error;
    throw new ScratchnetError(`cannot write ${what} '${path}': ${describeFsError(error)}`);
  }
}

/**
 * Checks early that a file can later be written at `path`, so a long training run does not end by
 * failing to save its result: nothing but a regular file stands there, and its folder exists (or is
 * made now) and is writable.
 */
export function assertWritable(path: string, what = 'file'): void {
  refuseNonRegular(path, what);
  const folder = dirname(path);
  try {
    makeFolders(folder);
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw new ScratchnetError(`cannot write ${what} '${path}': ${describeFsError(whyNotMade(folder, error))}`);
  }
}

/**
 * Checks early that `path` can hold output files (a report, figures, checkpoints): it is a writable
 * folder, or nothing is there yet and it can be made (it is made now).
 */
export function assertWritableFolder(path: string, what = 'folder'): void {
  const kind = kindAt(path);
  if (kind !== null && kind !== 'folder') {
    throw new ScratchnetError(`cannot write ${what} '${path}': it is ${kind}, not a folder`);
  }
  try {
    makeFolders(path);
    accessSync(path, constants.W_OK);
  } catch (error) {
    throw new ScratchnetError(`cannot write ${what} '${path}': ${describeFsError(whyNotMade(path, error))}`);
  }
}

/**
 * The real reason a folder could not be made: Node's recursive mkdir reports ENOENT when the nearest
 * existing ancestor refuses a new entry (a read-only file system, no permission), so ask that ancestor.
 */
function whyNotMade(folder: string, error: unknown): unknown {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return error;
  let ancestor = dirname(folder);
  while (kindAt(ancestor) === null && dirname(ancestor) !== ancestor) ancestor = dirname(ancestor);
  try {
    accessSync(ancestor, constants.W_OK);
    return error;
  } catch (denied) {
    return denied;
  }
}

/**
 * Checks early, without creating anything, that a folder for output files could be made or used at
 * `path`: a writable folder is there, or nothing is and the nearest existing ancestor is a writable
 * folder. For commands that may still fail on their inputs and must then leave no trace.
 */
export function assertFolderCanBeMade(path: string, what = 'folder'): void {
  const kind = kindAt(path);
  if (kind !== null && kind !== 'folder') {
    throw new ScratchnetError(`cannot write ${what} '${path}': it is ${kind}, not a folder`);
  }
  let existing = path;
  while (kindAt(existing) === null && dirname(existing) !== existing) existing = dirname(existing);
  const found = kindAt(existing);
  if (found !== 'folder')
    throw new ScratchnetError(`cannot write ${what} '${path}': '${existing}' is ${found ?? 'missing'}, not a folder`);
  try {
    accessSync(existing, constants.W_OK);
  } catch (error) {
    throw new ScratchnetError(`cannot write ${what} '${path}': ${describeFsError(error)}`);
  }
}

type Kind = 'a regular file' | 'folder' | 'a symbolic link' | 'a FIFO' | 'a device' | 'a socket' | 'something unknown';

/** What stands at `path` (not following a symlink), or null when nothing does. */
function kindAt(path: string): Kind | null {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null; // ENOTDIR: the parent check reports it
    throw new ScratchnetError(`cannot use '${path}': ${describeFsError(error)}`);
  }
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'folder';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'something unknown';
}

/** Refuses anything but a regular file at `path` (nothing there is fine), naming what is there. */
export function refuseUnlessFileOrNothing(path: string, what = 'file'): void {
  refuseNonRegular(path, what);
}

function refuseNonRegular(path: string, what: string): void {
  const kind = kindAt(path);
  if (kind === null || kind === 'a regular file') return;
  const described = kind === 'folder' ? 'a folder' : kind;
  throw new ScratchnetError(`cannot write ${what} '${path}': ${described} is there, and only a regular file is replaced`);
}

/** `.model.safetensors.` for `dir/model.safetensors`: the start of every temporary file of that target. */
function temporaryPrefix(path: string): string {
  return `.${basename(path)}.`;
}

/**
 * Removes `.<name>.<pid>.tmp` files of this target whose process is gone (a save interrupted by kill -9
 * or a power cut). A live process's temporary file is left alone: it may be saving right now.
 */
function removeStaleTemporaries(path: string): void {
  const folder = dirname(path);
  const prefix = temporaryPrefix(path);
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length, -'.tmp'.length));
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || processIsAlive(pid)) continue;
    removeQuietly(join(folder, name));
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, but not ours
  }
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // best effort: the caller is already reporting the error that matters
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

/**
 * mkdir -p that reports the real cause: Node's recursive mkdir turns every failure on the way (a
 * read-only file system, no permission, a full disk) into ENOENT, "no such file or folder"
 * (nodejs/node#47098). On ENOENT the first missing folder below the nearest existing one is made
 * without `recursive`, which fails with the true code.
 */
export function makeFolders(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    let missing = path;
    while (dirname(missing) !== missing && !existsSync(dirname(missing))) missing = dirname(missing);
    mkdirSync(missing); // throws EROFS, EACCES, ENOSPC, … as they are
    mkdirSync(path, { recursive: true }); // it worked this time (a folder made meanwhile): go on
  }
}

/** A file-system error in words a user acts on ("no such file or folder", "permission denied", …). */
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
    case 'EROFS':
      return 'the file system is read-only';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
