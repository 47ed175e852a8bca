import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ScratchnetError } from '../errors.js';
import { describeFsError } from './fs.js';

/** The lock file inside a locked folder. */
export const LOCK_FILE = 'scratchnet.lock';

/** Who holds a lock: written into the lock file as JSON. */
export interface LockOwner {
  pid: number;
  host: string;
  /** When the holder took the lock (ISO 8601). */
  started: string;
}

/** A lock this process holds; `release` removes it (only while it is still ours). */
export interface FolderLock {
  readonly path: string;
  /** The dead process whose lock was taken over, if there was one (the caller says so). */
  readonly tookOverFrom: LockOwner | null;
  release(): void;
}

/**
 * Takes `DIR/scratchnet.lock` so that two runs never write the same folder at once (two trainings
 * checkpointing into one folder overwrite each other's files). The file is created with O_EXCL, so of
 * two processes racing for it exactly one wins. A lock left by a process that no longer runs on this
 * host (kill -9, a power cut) is taken over; a live holder, or one on another host whose liveness
 * cannot be checked, refuses with one line naming the folder and the pid.
 */
export function lockFolder(dir: string, what = 'folder'): FolderLock {
  const path = join(dir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  let tookOverFrom: LockOwner | null = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(path, me)) return { path, tookOverFrom, release: () => releaseIfOurs(path, me) };
    const holder = readOwner(path);
    if (holder && holder.host !== me.host)
      throw new ScratchnetError(
        `${what} '${dir}' is locked by process ${holder.pid} on host ${holder.host} (since ${holder.started}); if no run is alive there, delete ${path}`,
      );
    if (holder && processIsAlive(holder.pid))
      throw new ScratchnetError(
        `${what} '${dir}' is in use by another run (process ${holder.pid}, since ${holder.started}); wait for it to end or choose another folder`,
      );
    // The holder is dead (or the file is empty: a holder killed between creating and writing it).
    tookOverFrom = holder ?? { pid: 0, host: me.host, started: 'unknown' };
    rmSync(path, { force: true });
  }
  throw new ScratchnetError(`${what} '${dir}': another run took the lock ${path} at the same moment; try again`);
}

function tryCreate(path: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new ScratchnetError(`cannot create lock file '${path}': ${describeFsError(error)}`);
  }
  try {
    writeSync(fd, `${JSON.stringify(owner)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The lock file's holder, or null when the file is gone, empty or not a lock we wrote. */
function readOwner(path: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (!Number.isInteger(owner.pid) || typeof owner.host !== 'string') return null;
    return { pid: owner.pid!, host: owner.host, started: String(owner.started) };
  } catch {
    return null;
  }
}

function releaseIfOurs(path: string, me: LockOwner): void {
  const holder = readOwner(path);
  if (holder && holder.pid === me.pid && holder.host === me.host && holder.started === me.started) rmSync(path, { force: true });
}

function processIsAlive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, but another user's
  }
}
