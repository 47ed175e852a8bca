import { readFileOrFail, writeFileAtomic } from '../util/fs.js';
import { type Metadata, type StoredTensor, decodeSafetensors, encodeSafetensors } from './safetensors.js';

/**
 * safetensors files on disk (Node): the codec of safetensors.ts behind the atomic writer and the
 * checked reader of util/fs.ts. The codec itself touches no file, so the browser page uses it directly.
 */

/**
 * Reads and decodes a safetensors file, as {@link decodeSafetensors}.
 * @param what - what the file is meant to be, for the message when it cannot be read ("model file", "checkpoint").
 * @throws {@link index.ScratchnetError} if the file cannot be read or is not valid safetensors.
 */
export function readSafetensorsFile(
  path: string,
  what = 'model file',
): { tensors: Map<string, StoredTensor>; metadata: Metadata } {
  return decodeSafetensors(readFileOrFail(path, what), path);
}

/**
 * Writes a safetensors file atomically (temporary file, fsync, rename): a crash leaves the old file or the new one.
 * @throws {@link index.ScratchnetError} if a tensor disagrees with its shape or the file cannot be written.
 */
export function writeSafetensorsFile(
  path: string,
  tensors: ReadonlyMap<string, StoredTensor>,
  metadata: Metadata = {},
  what = 'model file',
): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata), what);
}
