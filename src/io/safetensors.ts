import { ScratchnetError } from '../errors.js';
import { sha256Hex } from '../util/sha256.js';

/**
 * The safetensors format (huggingface.co/docs/safetensors), as PyTorch, NumPy and JAX users read it:
 *
 *   [8 bytes: N, little-endian unsigned 64-bit] [N bytes: JSON header] [raw tensor bytes]
 *
 * The header maps each tensor name to `{ dtype, shape, data_offsets: [begin, end] }` (byte offsets into
 * the raw part, which the tensors tile exactly, without gaps) plus an optional `__metadata__` object of
 * string → string. scratchnet writes F32 (weights), I32 (row orders in checkpoints) and I64 (batch norm's
 * `num_batches_tracked`, a scalar as PyTorch keeps it), little-endian.
 *
 * The format carries no checksum, so scratchnet adds one: `__metadata__["scratchnet.sha256"]`, the
 * SHA-256 of the data part (every byte after the header), written on save and checked on load. A flipped
 * bit in a weight is then an error naming the file instead of a silently different model. Files from
 * other tools (no such key) load as before.
 */
export type DType = 'F32' | 'I32' | 'I64';
/** One tensor as a safetensors file holds it. */
export interface StoredTensor {
  /** Element type: `data` is a Float32Array for F32, an Int32Array for I32, a BigInt64Array for I64. */
  dtype: DType;
  /** In the file's (PyTorch's) layout; the product of the dimensions is `data.length`. */
  shape: number[];
  /** The values, row-major. */
  data: Float32Array | Int32Array | BigInt64Array;
}
/** The header's `__metadata__`: string keys to string values (anything structured is JSON text). */
export type Metadata = Record<string, string>;

/** Headers above this size are refused: a real header lists tensors, it does not hold data. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;
const BYTES_PER_ELEMENT: Record<DType, number> = { F32: 4, I32: 4, I64: 8 };
/** The metadata key holding the SHA-256 (hex) of the data part. */
export const CHECKSUM_KEY = 'scratchnet.sha256';
const KNOWN_DTYPES = ['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL', 'F8_E4M3', 'F8_E5M2'];

/** An F32 {@link StoredTensor} over `data` (not copied). */
export function f32(shape: number[], data: Float32Array): StoredTensor {
  return { dtype: 'F32', shape, data };
}

/**
 * Encodes tensors (in the given order) and metadata as safetensors bytes.
 * @throws {@link index.ScratchnetError} if a tensor's value count disagrees with its shape.
 */
export function encodeSafetensors(tensors: ReadonlyMap<string, StoredTensor>, metadata: Metadata = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { ...metadata } };
  let offset = 0;
  for (const [name, tensor] of tensors) {
    const size = tensor.shape.reduce((a, b) => a * b, 1);
    if (size !== tensor.data.length)
      throw new ScratchnetError(`safetensors: '${name}' has shape [${tensor.shape.join(', ')}] but ${tensor.data.length} values`);
    const bytes = size * BYTES_PER_ELEMENT[tensor.dtype];
    header[name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  // The data part first (little-endian), so its checksum can go into the header.
  const data = new Uint8Array(offset);
  let at = 0;
  for (const { dtype, data: values } of tensors.values()) {
    const view = new DataView(data.buffer, at, values.length * BYTES_PER_ELEMENT[dtype]);
    if (values instanceof BigInt64Array) values.forEach((v, i) => view.setBigInt64(i * 8, v, true));
    else if (dtype === 'F32') values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    else values.forEach((v, i) => view.setInt32(i * 4, v, true));
    at += view.byteLength;
  }
  (header.__metadata__ as Metadata)[CHECKSUM_KEY] = sha256Hex(data);
  // The header is padded with spaces to a multiple of 8 bytes so the data starts aligned.
  const unpadded = new TextEncoder().encode(JSON.stringify(header));
  const json = new Uint8Array(unpadded.length + ((8 - (unpadded.length % 8)) % 8)).fill(0x20);
  json.set(unpadded);
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/**
 * Decodes and validates safetensors bytes. Each problem is one ScratchnetError naming `source`, the
 * byte offset or tensor, and what was expected: a header length that is absurd or runs past the end,
 * malformed JSON, a malformed entry, a dtype other than F32/I32/I64, a size that disagrees with the shape,
 * offsets that overlap, leave gaps or run out of bounds, data that does not match its checksum.
 * The returned metadata includes the checksum key when the file has one.
 */
export function decodeSafetensors(bytes: Uint8Array, source: string): { tensors: Map<string, StoredTensor>; metadata: Metadata } {
  const fail = (message: string): never => {
    throw new ScratchnetError(`${source}: ${message}`);
  };
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes; a safetensors file starts with an 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES))
    fail(
      `header length (bytes 0–7) says ${headerLength} bytes, above the ${MAX_HEADER_BYTES}-byte limit: not a safetensors file?`,
    );
  if (8n + headerLength > BigInt(bytes.length))
    fail(`header length (bytes 0–7) says ${headerLength} bytes but only ${bytes.length - 8} follow: file truncated?`);
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, dataStart)));
  } catch (error) {
    fail(`header (bytes 8–${dataStart - 1}) is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    fail('header must be a JSON object of tensor entries');
  const entries = Object.entries(header as Record<string, unknown>);

  let metadata: Metadata = {};
  const layout: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, entry] of entries) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Object.values(entry).some((v) => typeof v !== 'string'))
        fail('__metadata__ must map strings to strings');
      metadata = entry as Metadata;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) fail(`tensor '${name}': entry must be an object with dtype, shape and data_offsets`);
    if (typeof e.dtype !== 'string') fail(`tensor '${name}': missing dtype`);
    const dtype = e.dtype as string;
    if (dtype !== 'F32' && dtype !== 'I32' && dtype !== 'I64') {
      fail(
        KNOWN_DTYPES.includes(dtype)
          ? `tensor '${name}' has dtype ${dtype}; scratchnet reads F32 weights (convert with tensor.float() before saving)`
          : `tensor '${name}' has unknown dtype '${dtype}'`,
      );
    }
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0))
      fail(`tensor '${name}': shape must be a list of non-negative integers`);
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0))
      fail(`tensor '${name}': data_offsets must be [begin, end], non-negative integers`);
    const [begin, end] = offsets as number[];
    const shape = e.shape as number[];
    const expected = shape.reduce((a, b) => a * b, 1) * BYTES_PER_ELEMENT[dtype as DType];
    if (end - begin !== expected)
      fail(
        `tensor '${name}': data_offsets [${begin}, ${end}] span ${end - begin} bytes, but ${dtype} [${shape.join(', ')}] needs ${expected}`,
      );
    layout.push({ name, dtype: dtype as DType, shape, begin, end });
  }

  // The tensors must tile the data part exactly: sorted by offset, each starts where the previous ends.
  const dataLength = bytes.length - dataStart;
  const sorted = [...layout].sort((a, b) => a.begin - b.begin);
  let expectedBegin = 0;
  for (const t of sorted) {
    if (t.begin !== expectedBegin)
      fail(
        `tensor '${t.name}' starts at data byte ${t.begin}, expected ${expectedBegin}: offsets must be contiguous, without gaps or overlaps`,
      );
    if (t.end > dataLength)
      fail(`tensor '${t.name}' ends at data byte ${t.end}, past the end of the data (${dataLength} bytes): file truncated?`);
    expectedBegin = t.end;
  }
  if (expectedBegin !== dataLength)
    fail(`the tensors cover ${expectedBegin} data bytes but the file has ${dataLength}: trailing bytes after the last tensor`);
  const checksum = metadata[CHECKSUM_KEY];
  if (checksum !== undefined && checksum !== sha256Hex(bytes.subarray(dataStart))) {
    fail(
      `the tensor data does not match the checksum written with it (__metadata__ ${CHECKSUM_KEY}): the file was damaged after it was saved`,
    );
  }

  const tensors = new Map<string, StoredTensor>();
  for (const t of layout) {
    const n = (t.end - t.begin) / BYTES_PER_ELEMENT[t.dtype];
    const at = dataStart + t.begin;
    let data: Float32Array | Int32Array | BigInt64Array;
    if (t.dtype === 'I64') {
      const longs = (data = new BigInt64Array(n));
      for (let i = 0; i < n; i++) longs[i] = view.getBigInt64(at + i * 8, true);
    } else if (t.dtype === 'F32') {
      const floats = (data = new Float32Array(n));
      for (let i = 0; i < n; i++) floats[i] = view.getFloat32(at + i * 4, true);
    } else {
      const ints = (data = new Int32Array(n));
      for (let i = 0; i < n; i++) ints[i] = view.getInt32(at + i * 4, true);
    }
    tensors.set(t.name, { dtype: t.dtype, shape: t.shape, data });
  }
  return { tensors, metadata };
}
