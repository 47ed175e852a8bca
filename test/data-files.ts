import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** A fresh temporary directory for one test file's data; `cleanup` removes it. */
export function tempDir(prefix = 'scratchnet-data-'): {
  dir: string;
  file(name: string, content: string | Uint8Array): string;
  cleanup(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file(name, content) {
      const path = join(dir, name);
      writeFileSync(path, name.endsWith('.gz') ? gzipSync(content) : content);
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** An IDX file: magic (0, 0, type, dims), big-endian uint32 dimensions, then the elements (unsigned bytes). */
export function idxBytes(shape: number[], data: ArrayLike<number>, type = 0x08): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = type;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(Array.from(data), 4 + 4 * shape.length);
  return out;
}

/** `rows` MNIST-layout rows (label, 784 pixels): row r has label r % 10 and pixel i = (r + i) % 256. */
export function mnistRows(rows: number): { lines: string[]; pixel(r: number, i: number): number } {
  const pixel = (r: number, i: number) => (r * 7 + i) % 256;
  const lines = Array.from({ length: rows }, (_, r) => [r % 10, ...Array.from({ length: 784 }, (_, i) => pixel(r, i))].join(','));
  return { lines, pixel };
}

export const MNIST_HEADER = ['label', ...Array.from({ length: 784 }, (_, i) => `${Math.floor(i / 28) + 1}x${(i % 28) + 1}`)].join(
  ',',
);
