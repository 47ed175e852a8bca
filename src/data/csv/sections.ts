import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ScratchnetError } from '../../errors.js';
import { parseByteRange } from './chunks.js';
import type { CsvLayout } from './header.js';
import { RowParser } from './parser.js';
import type { RowStore, RowStoreOptions, SharedRows } from '../row-store.js';
import { fileError } from '../source.js';

/** Below this size one thread is faster: starting a worker (≈ 30 ms) costs about what parsing 15 MB does. */
export const SECTION_MIN_BYTES = 16 << 20;
/**
 * The calling thread's share of the bytes: more than half, as the worker's start-up (≈ 30 ms) outlasts the
 * line count done here meanwhile (≈ 15 ms). 0.54 and 0.62 measured no better on MNIST.
 */
const CALLER_SHARE = 0.58;
/** Small enough to stay in the L2 cache between the read into it and the scan over it. */
const COUNT_BUFFER_BYTES = 256 << 10;
const NEWLINE = 10;

/** What the worker needs besides the shared storage (see section-worker.ts). */
export interface SectionTask {
  path: string;
  start: number;
  end: number;
  layout: CsvLayout;
  store: RowStoreOptions;
}
/** Sent to the worker once the calling thread knows where its rows start. */
export interface SectionStart extends SharedRows {
  /** Line number of the section's first line. */
  firstLine: number;
}
/**
 * The worker's answer: its row count and largest label, or the error it met (`scratchnet` true when the
 * error was a ScratchnetError, so the caller rethrows it as one).
 */
export type SectionResult = { rows: number; largestLabel: number } | { error: string; scratchnet: boolean };

/**
 * Whether a CSV file may be parsed in two sections on two threads: a plain file (gzip streams cannot be
 * entered in the middle), numeric labels (class names are numbered in order of appearance), storage
 * whose type is fixed in advance (pixels or float32 — bytes that may turn into floats cannot be shared),
 * and by default only a file large enough to repay the worker's start-up, while a second core is idle.
 */
export function splittable(
  gzipped: boolean,
  fileBytes: number,
  layout: CsvLayout,
  store: RowStoreOptions,
  parallel?: boolean,
): boolean {
  if (parallel === false || gzipped || layout.namedLabels || !(store.pixels || store.float32)) return false;
  if (sectionWorkerUrl() === null) return false;
  return parallel === true || (fileBytes >= SECTION_MIN_BYTES && idleCores() >= 2);
}

/**
 * Cores not running another task at this moment: the machine's cores minus the tasks Linux reports as
 * runnable right now (/proc/loadavg, 4th field, which counts this thread too). With the second core busy,
 * two threads are slower than one (they share one core and add the worker's start-up and the line count:
 * measured 0.30–0.36 s against 0.27–0.31 s for MNIST into float32). Elsewhere: all cores.
 */
function idleCores(): number {
  const cores = availableParallelism();
  try {
    const runnable = Number.parseInt(readFileSync('/proc/loadavg', 'latin1').split(' ')[3], 10);
    return Number.isFinite(runnable) ? cores - (runnable - 1) : cores;
  } catch {
    return cores;
  }
}

/**
 * Parses the data rows of a plain CSV file, bytes [dataStart, fileBytes), on two threads: this one takes
 * the first section (CALLER_SHARE of the bytes, up to a line end), a worker the rest. Both write into one
 * shared storage, so the result needs no copying: the worker's rows start at row n, where n bounds the
 * first section's rows — its line count, counted here (a fast byte scan) while the worker starts up; rows
 * are moved down over the gap if blank lines leave one. Errors keep
 * their meaning: line numbers are the file's, and a bad line in the first section is reported before one
 * in the second. Returns null when there is no second section (the data is one line) or no thread.
 */
export async function parseInSections(
  fileBytes: number,
  dataStart: number,
  firstLine: number,
  layout: CsvLayout,
  store: RowStoreOptions,
): Promise<RowStore | null> {
  const path = store.path;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw fileError(path, error as NodeJS.ErrnoException);
  }
  let worker: Worker | null = null;
  try {
    const split = lineStartAfter(path, fd, dataStart + Math.floor((fileBytes - dataStart) * CALLER_SHARE), fileBytes);
    if (split >= fileBytes) return null;
    const task: SectionTask = { path, start: split, end: fileBytes, layout, store };
    try {
      worker = new Worker(sectionWorkerUrl()!, { workerData: task });
    } catch {
      return null; // no threads here (e.g. a restricted runtime): one thread will do
    }
    const result = workerResult(worker);
    result.catch(() => {}); // awaited below, after this thread's section (whose errors come first)

    const lines = countNewlines(path, fd, dataStart, split);
    // A row takes at least 2 bytes per column (a digit and a delimiter), which bounds each section's rows
    // by its size — and the first one's also by its line count (it has fewer rows when lines are blank).
    const rowBound = (bytes: number) => Math.ceil((bytes + 1) / (2 * layout.columns));
    const firstRows = Math.min(lines, rowBound(split - dataStart));
    const capacity = firstRows + rowBound(fileBytes - split) + 1;
    const features = store.float32
      ? new Float32Array(new SharedArrayBuffer(capacity * (layout.columns - 1) * 4))
      : new Uint8Array(new SharedArrayBuffer(capacity * (layout.columns - 1)));
    const labels = new Int32Array(new SharedArrayBuffer(capacity * 4));
    const second: SectionStart = {
      features,
      labels,
      firstRow: firstRows,
      rowLimit: capacity - firstRows,
      firstLine: firstLine + lines,
    };
    worker.postMessage(second);

    const parser = new RowParser(
      path,
      layout,
      { ...store, shared: { features, labels, firstRow: 0, rowLimit: firstRows } },
      firstLine,
    );
    await parseByteRange(path, dataStart, split, parser);
    const outcome = await result;
    if ('error' in outcome)
      throw outcome.scratchnet ? new ScratchnetError(outcome.error) : new Error(`internal: CSV section worker: ${outcome.error}`);
    parser.store.appendSection(second.firstRow, outcome.rows, outcome.largestLabel);
    return parser.store;
  } finally {
    closeSync(fd);
    // After an error here the worker may still be parsing: stop it (a finished worker has exited already).
    void worker?.terminate();
  }
}

/** The worker's one message, or its crash as an error. */
function workerResult(worker: Worker): Promise<SectionResult> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`internal: CSV section worker exited (code ${code}) without a result`)));
  });
}

/** The first byte after the first newline at or after `from` (or `end` when there is none). */
function lineStartAfter(path: string, fd: number, from: number, end: number): number {
  const buffer = new Uint8Array(64 << 10);
  for (let at = from; at < end;) {
    const got = readAt(path, fd, buffer, at, end);
    const newline = buffer.subarray(0, got).indexOf(NEWLINE);
    if (newline >= 0) return at + newline + 1;
    at += got;
  }
  return end;
}

/** Number of newline bytes in [start, end). */
function countNewlines(path: string, fd: number, start: number, end: number): number {
  const buffer = Buffer.allocUnsafe(COUNT_BUFFER_BYTES);
  let count = 0;
  for (let at = start; at < end;) {
    const got = readAt(path, fd, buffer, at, end);
    const filled = buffer.subarray(0, got);
    // Buffer.indexOf is memchr: far faster than a byte loop.
    for (let i = filled.indexOf(NEWLINE, 0); i >= 0; i = filled.indexOf(NEWLINE, i + 1)) count++;
    at += got;
  }
  return count;
}

function readAt(path: string, fd: number, buffer: Uint8Array, at: number, end: number): number {
  try {
    const got = readSync(fd, buffer, 0, Math.min(buffer.length, end - at), at);
    // An I/O error like the others, named by fileError below (not a ScratchnetError of its own).
    // eslint-disable-next-line no-restricted-syntax
    if (got === 0) throw Object.assign(new Error('file shrank while being read'), { code: 'EIO' });
    return got;
  } catch (error) {
    throw fileError(path, error as NodeJS.ErrnoException);
  }
}

/**
 * The worker script beside this module, compiled. Run from TypeScript sources (the tests), the compiled one
 * under dist/ is used. null when it does not exist (the file is then parsed on one thread).
 */
export function sectionWorkerUrl(): URL | null {
  const url = import.meta.url.endsWith('.ts')
    ? new URL('../../../dist/src/data/csv/section-worker.js', import.meta.url)
    : new URL('./section-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : null;
}
