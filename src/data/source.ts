import { createReadStream } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import { ScratchnetError } from '../errors.js';
import { GZIP_MAX_RATIO, gzipLimit } from '../limits.js';

/**
 * A data file opened for reading, plain or gzip-compressed (detected by the magic bytes 1f 8b, not by the
 * name), read as a stream of bytes into buffers the caller owns. Nothing reads the whole file at once.
 */
export interface ByteSource {
  /** The path as the user gave it, for messages. */
  readonly path: string;
  readonly gzipped: boolean;
  /** Size of the file on disk (compressed size for .gz). */
  readonly fileBytes: number;
  /**
   * Expected decoded size: the file size, or for gzip the size its trailer records, at most the gzip limit
   * (null when unknown).
   */
  readonly sizeHint: number | null;
  /** The most bytes this source yields: the file size, or for gzip {@link gzipLimit} of it (more is an error). */
  readonly decodedLimit: number;
  /** Fills target[offset..offset+length) as far as possible; returns how many bytes were read (0 at the end). */
  read(target: Uint8Array, offset: number, length: number): Promise<number>;
  close(): Promise<void>;
}

/** Opens `path` for reading, with one clear error for a missing file, a directory or an unreadable file. */
export async function openByteSource(path: string): Promise<ByteSource> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw fileError(path, error);
  });
  if (info.isDirectory()) throw new ScratchnetError(`${path}: is a directory, expected a data file (CSV or IDX)`);
  if (!info.isFile()) throw new ScratchnetError(`${path}: is not a regular file`);
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw fileError(path, error);
  });
  const magic = new Uint8Array(2);
  const { bytesRead } = await handle.read(magic, 0, 2, 0);
  if (bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b) {
    // The gzip trailer's last 4 bytes hold the uncompressed size mod 2^32 (of the last member).
    const trailer = new Uint8Array(4);
    const got = info.size >= 18 ? (await handle.read(trailer, 0, 4, info.size - 4)).bytesRead : 0;
    await handle.close();
    const recorded = got === 4 ? (trailer[0] | (trailer[1] << 8) | (trailer[2] << 16) | (trailer[3] << 24)) >>> 0 : 0;
    // The trailer is only a claim: never size anything beyond what the file may decompress to.
    return new GzipSource(path, info.size, recorded >= info.size ? Math.min(recorded, gzipLimit(info.size)) : null);
  }
  return new PlainSource(path, info.size, handle);
}

/** Turns an operating-system error into a message a user can act on. */
export function fileError(path: string, error: NodeJS.ErrnoException): ScratchnetError {
  switch (error.code) {
    case 'ENOENT':
      return new ScratchnetError(`${path}: no such file`);
    case 'EISDIR':
      return new ScratchnetError(`${path}: is a directory, expected a data file (CSV or IDX)`);
    case 'EACCES':
    case 'EPERM':
      return new ScratchnetError(`${path}: permission denied`);
    default:
      return new ScratchnetError(`${path}: cannot read (${error.code ?? error.message})`);
  }
}

/**
 * Bytes [start, end) of a plain (not gzipped) file, read like a whole file: one section of a CSV file
 * parsed on its own thread (see data/csv/sections.ts).
 */
export async function openByteRange(path: string, start: number, end: number): Promise<ByteSource> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw fileError(path, error);
  });
  return new PlainSource(path, end - start, handle, start);
}

/** Reads with positional reads straight into the caller's buffer: no intermediate copies. */
class PlainSource implements ByteSource {
  readonly gzipped = false;
  private position: number;
  private readonly end: number;
  get sizeHint(): number {
    return this.fileBytes;
  }
  get decodedLimit(): number {
    return this.fileBytes;
  }

  /** fileBytes bytes from byte `start` on. */
  constructor(
    readonly path: string,
    readonly fileBytes: number,
    private readonly handle: FileHandle,
    start = 0,
  ) {
    this.position = start;
    this.end = start + fileBytes;
  }

  async read(target: Uint8Array, offset: number, length: number): Promise<number> {
    let total = 0;
    length = Math.min(length, this.end - this.position);
    while (total < length) {
      const { bytesRead } = await this.handle.read(target, offset + total, length - total, this.position);
      if (bytesRead === 0) break;
      this.position += bytesRead;
      total += bytesRead;
    }
    return total;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/**
 * Inflates as it reads (zlib streaming, 1 MB output chunks). A truncated or corrupt stream becomes one
 * ScratchnetError naming the file and how many decompressed bytes came out before the damage; a stream
 * that inflates past {@link gzipLimit} of the file's size is stopped there, one chunk past the limit.
 */
class GzipSource implements ByteSource {
  readonly gzipped = true;
  readonly decodedLimit: number;
  private received = 0;
  private readonly chunks: AsyncIterator<Buffer>;
  private readonly stream: NodeJS.ReadableStream & { destroy(): void };
  private pending: Buffer | null = null;
  private pendingOffset = 0;
  private inflated = 0;
  private done = false;

  constructor(
    readonly path: string,
    readonly fileBytes: number,
    readonly sizeHint: number | null,
  ) {
    const file = createReadStream(path, { highWaterMark: 1 << 20 });
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    file.on('error', (error) => gunzip.destroy(error));
    this.stream = file.pipe(gunzip);
    this.chunks = (this.stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    this.decodedLimit = gzipLimit(fileBytes);
  }

  async read(target: Uint8Array, offset: number, length: number): Promise<number> {
    let total = 0;
    while (total < length) {
      if (!this.pending || this.pendingOffset === this.pending.length) {
        if (this.done) break;
        const next = await this.chunks.next().catch((error: NodeJS.ErrnoException) => {
          throw this.describe(error);
        });
        if (next.done) {
          this.done = true;
          break;
        }
        this.received += next.value.length;
        if (this.received > this.decodedLimit) throw this.bomb();
        this.pending = next.value;
        this.pendingOffset = 0;
      }
      const n = Math.min(length - total, this.pending.length - this.pendingOffset);
      target.set(this.pending.subarray(this.pendingOffset, this.pendingOffset + n), offset + total);
      this.pendingOffset += n;
      this.inflated += n;
      total += n;
    }
    return total;
  }

  close(): Promise<void> {
    this.stream.destroy();
    return Promise.resolve();
  }

  private bomb(): ScratchnetError {
    return new ScratchnetError(
      `${this.path}: decompresses to more than ${megabytes(this.decodedLimit)} (the limit for a ${megabytes(this.fileBytes)} gzip file: ${GZIP_MAX_RATIO} times its size, at least 64 MB); a damaged file or a "gzip bomb"?`,
    );
  }

  private describe(error: NodeJS.ErrnoException): ScratchnetError {
    if (error.code === 'ENOENT' || error.code === 'EACCES' || error.code === 'EISDIR') return fileError(this.path, error);
    const what =
      error.code === 'Z_BUF_ERROR' || /unexpected end/i.test(error.message)
        ? 'truncated gzip data (the file ends mid-stream)'
        : `corrupt gzip data (${error.message})`;
    return new ScratchnetError(`${this.path}: ${what}, after ${this.inflated} decompressed bytes`);
  }
}

/** Bytes in MB for messages: "3.2 MB" (decimal megabytes, one decimal below 10). */
export function megabytes(bytes: number): string {
  const mb = bytes / 1e6;
  return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
}

/** The file name without directories, for dataset names. */
export function fileLabel(path: string): string {
  return basename(path);
}

/** A class count given as an option must be a whole number ≥ 1. */
export function checkClassCount(path: string, classes: number | undefined): void {
  if (classes !== undefined && !(Number.isInteger(classes) && classes >= 1)) {
    throw new ScratchnetError(`${path}: classes must be a whole number ≥ 1, got ${classes}`);
  }
}
