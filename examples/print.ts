import type { Tensor } from '../src/index.js';

/** Prints a tensor's rows the way NumPy does, with a fixed number of decimals. */
export function formatTensor(t: Tensor, decimals = 4): string {
  const cols = t.shape.length > 1 ? t.shape[t.shape.length - 1] : t.size;
  const rows: string[] = [];
  for (let r = 0; r < t.size / cols; r++) {
    const values = Array.from(t.data.subarray(r * cols, (r + 1) * cols), (v) => v.toFixed(decimals).padStart(decimals + 4));
    rows.push(`[${values.join(' ')}]`);
  }
  return t.shape.length > 1 ? `[${rows.join('\n ')}]` : rows[0];
}

export function shapeOf(t: Tensor): string {
  return `(${t.shape.join(', ')}${t.shape.length === 1 ? ',' : ''})`;
}
