import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ScratchnetError } from '../errors.js';
import { CHECKSUM_KEY, MAX_HEADER_BYTES, type StoredTensor, decodeSafetensors, encodeSafetensors } from './safetensors.js';

/** Builds a file from a header object and a raw data part, bypassing the encoder's checks. */
function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0), headerText = JSON.stringify(header)): Uint8Array {
  const json = Buffer.from(headerText, 'utf8');
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function expectError(bytes: Uint8Array, pattern: RegExp): void {
  let caught: unknown;
  try {
    decodeSafetensors(bytes, 'bad.safetensors');
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ScratchnetError);
  expect((caught as Error).message).toMatch(/^bad\.safetensors: /);
  expect((caught as Error).message).toMatch(pattern);
}

describe('safetensors encoding', () => {
  it('writes the documented layout: u64 header length, JSON header padded to 8 bytes, little-endian data', () => {
    const tensors = new Map<string, StoredTensor>([
      ['0.weight', { dtype: 'F32', shape: [2, 1], data: Float32Array.of(1.5, -2) }],
      ['order', { dtype: 'I32', shape: [1], data: Int32Array.of(7) }],
    ]);
    const bytes = encodeSafetensors(tensors, { format: 'x' });
    const view = new DataView(bytes.buffer);
    const n = Number(view.getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString());
    // The SHA-256 of the 12 data bytes below (f32 1.5, f32 -2, i32 7, little-endian), as `sha256sum` gives it.
    const sha256 = createHash('sha256').update(Buffer.from('0000c03f000000c007000000', 'hex')).digest('hex');
    expect(header).toEqual({
      __metadata__: { format: 'x', [CHECKSUM_KEY]: sha256 },
      '0.weight': { dtype: 'F32', shape: [2, 1], data_offsets: [0, 8] },
      order: { dtype: 'I32', shape: [1], data_offsets: [8, 12] },
    });
    expect(view.getFloat32(8 + n, true)).toBe(1.5);
    expect(view.getFloat32(8 + n + 4, true)).toBe(-2);
    expect(view.getInt32(8 + n + 8, true)).toBe(7);
    const decoded = decodeSafetensors(bytes, 'x');
    expect(decoded.metadata).toEqual({ format: 'x', [CHECKSUM_KEY]: sha256 });
    expect(Array.from(decoded.tensors.get('0.weight')!.data as Float32Array)).toEqual([1.5, -2]);
    expect(decoded.tensors.get('order')!.data).toBeInstanceOf(Int32Array);
  });

  it("an I64 scalar (PyTorch's num_batches_tracked) is 8 little-endian bytes of shape [] and reads back as a BigInt64Array", () => {
    const bytes = encodeSafetensors(
      new Map<string, StoredTensor>([['n', { dtype: 'I64', shape: [], data: BigInt64Array.of(1875n) }]]),
    );
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(bytes.length - 8 - n).toBe(8);
    expect(new DataView(bytes.buffer).getBigInt64(8 + n, true)).toBe(1875n);
    const decoded = decodeSafetensors(bytes, 'x').tensors.get('n')!;
    expect(decoded).toEqual({ dtype: 'I64', shape: [], data: BigInt64Array.of(1875n) });
  });
});

describe('the data checksum', () => {
  const tensors = new Map<string, StoredTensor>([['w', { dtype: 'F32', shape: [3], data: Float32Array.of(1, 2, 3) }]]);

  it('a flipped bit in the tensor data is refused, naming the file and the checksum', () => {
    const bytes = encodeSafetensors(tensors);
    bytes[bytes.length - 1] ^= 0x01; // the lowest bit of the last weight's top byte
    expect(() => decodeSafetensors(bytes, 'model.safetensors')).toThrow(
      new ScratchnetError(
        `model.safetensors: the tensor data does not match the checksum written with it (__metadata__ ${CHECKSUM_KEY}): the file was damaged after it was saved`,
      ),
    );
  });

  it('a file without a checksum (written by another tool) loads as before', () => {
    const bytes = encodeSafetensors(tensors);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString());
    delete header.__metadata__[CHECKSUM_KEY];
    const json = Buffer.from(JSON.stringify(header));
    const other = Buffer.concat([Buffer.alloc(8), json, bytes.subarray(8 + n)]);
    other.writeBigUInt64LE(BigInt(json.length), 0);
    expect(Array.from(decodeSafetensors(other, 'torch.safetensors').tensors.get('w')!.data as Float32Array)).toEqual([1, 2, 3]);
  });
});

describe('safetensors validation: each broken file gives one clear error', () => {
  const f32 = (values: number[]): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);
  it('a file shorter than the 8-byte length', () =>
    expectError(new Uint8Array(5), /5 bytes; a safetensors file starts with an 8-byte header length/));
  it('a header length above the cap', () => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(MAX_HEADER_BYTES + 1), true);
    expectError(bytes, /above the 104857600-byte limit/);
  });
  it('a header length past the end of the file', () => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigUint64(0, 1000n, true);
    expectError(bytes, /says 1000 bytes but only 8 follow/);
  });
  it('malformed JSON', () => expectError(rawFile(null, undefined, '{"a": [1, '), /header \(bytes 8–17\) is not valid JSON/));
  it('an unsupported dtype', () =>
    expectError(
      rawFile({ w: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /'w' has dtype F16; scratchnet reads F32/,
    ));
  it('a size that disagrees with the shape', () =>
    expectError(
      rawFile({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32([1, 2])),
      /span 8 bytes, but F32 \[3\] needs 12/,
    ));
  it('a gap between tensors', () =>
    expectError(
      rawFile(
        { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } },
        f32([1, 2, 3]),
      ),
      /'b' starts at data byte 8, expected 4/,
    ));
  it('overlapping tensors', () =>
    expectError(
      rawFile(
        { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } },
        f32([1, 2]),
      ),
      /starts at data byte 4, expected 8/,
    ));
  it('offsets past the end of the file', () =>
    expectError(
      rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32([1])),
      /ends at data byte 8, past the end of the data \(4 bytes\)/,
    ));
  it('trailing bytes after the last tensor', () =>
    expectError(
      rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32([1, 2])),
      /cover 4 data bytes but the file has 8/,
    ));
  it('a malformed entry', () =>
    expectError(
      rawFile({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32([1])),
      /shape must be a list of non-negative integers/,
    ));
});
