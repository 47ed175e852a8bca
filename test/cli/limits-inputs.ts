import { closeSync, openSync, writeSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Sequential } from '../../src/network/sequential.js';
import { modelMetadata, modelTensors } from '../../src/io/model-file.js';
import type { Metadata, StoredTensor } from '../../src/io/safetensors.js';
import { writeSafetensorsFile } from '../../src/io/safetensors-file.js';

/**
 * Hostile inputs for the limits tests, generated (never committed binaries) and small on disk.
 */

/**
 * A gzip file that decompresses to `copies` × `block`: one gzip member of the block, written `copies`
 * times (a gzip stream may be several members, read one after the other). 2 GB of commas in 2 MB,
 * written in milliseconds without ever holding the decompressed bytes.
 */
export function writeGzipBomb(path: string, block: Uint8Array, copies: number): void {
  const member = gzipSync(block, { level: 9 });
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i < copies; i++) writeSync(fd, member);
  } finally {
    closeSync(fd);
  }
}

/** 1 MiB of one byte. */
export function block(byte: number): Uint8Array {
  return new Uint8Array(1 << 20).fill(byte);
}

/** 1 MiB of rows "0,0\n": valid CSV, so only the decompression limit stops a bomb of them. */
export function zeroRows(): Uint8Array {
  return Buffer.from('0,0\n'.repeat(1 << 18));
}

/** The bytes of a PNG whose header (IHDR) claims width × height; nothing valid after it. */
export function pngHeader(width: number, height: number): Buffer {
  const out = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(out, 0);
  out.writeUInt32BE(13, 8);
  out.write('IHDR', 12, 'latin1');
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.set([8, 6, 0, 0, 0], 24); // 8-bit RGBA, no interlace (the CRC after it is left zero)
  return out;
}

/** A small real model file (784-16-10), with `edit` applied to its metadata and tensors first. */
export function writeModel(
  path: string,
  edit: (metadata: Metadata, tensors: Map<string, StoredTensor>) => void = () => {},
): void {
  const network = Sequential.mlp({ inputs: 784, hidden: [16], classes: 10 });
  const tensors = modelTensors(network);
  const metadata = modelMetadata(network);
  edit(metadata, tensors);
  writeSafetensorsFile(path, tensors, metadata);
}
