import { ScratchnetError } from '../errors.js';
import type { NamedBuffer } from '../layers/layer.js';
import type { Sequential } from '../network/sequential.js';
import { firstNegative, firstNonFinite } from '../tensor/finite.js';
import type { Tensor } from '../tensor/tensor.js';
import { type StoredTensor, f32 } from './safetensors.js';

/**
 * A network's tensors as PyTorch's `nn.Sequential.state_dict()` names and lays them out: `<index>.<name>`
 * for the layer at that index (activations and dropout take indices too, and store nothing), nn.Linear's
 * weight [units, inputs], nn.Conv2d's [out, in, k, k], batch norm's `weight`, `bias`, `running_mean`,
 * `running_var` and `num_batches_tracked` (I64 of shape []). Model files hold exactly these, and so does
 * a PyTorch model's `state_dict` saved as safetensors: both directions go through this file.
 */

/** Parameters whose stored layout is the transpose of ours, by layer type (PyTorch's nn.Linear). */
const TRANSPOSED: Record<string, readonly string[]> = { dense: ['weight'] };

/**
 * The network's tensors in PyTorch's layout, in layer order, ready for a safetensors file.
 * Throws a ScratchnetError naming the tensor and index of a NaN or ±Inf: such a file would be refused on loading.
 */
export function modelTensors(network: Sequential): Map<string, StoredTensor> {
  const tensors = new Map<string, StoredTensor>();
  const stored: NamedBuffer[] = [...network.params(), ...network.buffers()];
  for (const { name, value, count } of stored) {
    const bad = firstNonFinite(value.data);
    if (bad >= 0) throw new ScratchnetError(`cannot save the network: tensor '${name}' has ${value.data[bad]} at index ${bad}`);
    if (count)
      tensors.set(name, { dtype: 'I64', shape: [...value.shape], data: BigInt64Array.from(value.data, (v) => BigInt(v)) });
    else
      tensors.set(
        name,
        isTransposed(network, name)
          ? f32([value.shape[1], value.shape[0]], transpose(value))
          : f32([...value.shape], value.data.slice()),
      );
  }
  return tensors;
}

/**
 * Fills the network's params and buffers with `tensors` (in PyTorch's layout), after checking them all:
 * every problem is collected and reported together, one ScratchnetError through `fail` listing each
 * tensor that is missing (with the shape the architecture needs), not part of the architecture, of the
 * wrong shape (both shapes) or dtype, or holding a NaN, ±Inf or negative variance. Nothing is written
 * into the network unless every tensor is right. `num_batches_tracked` may be absent (0, as PyTorch
 * fills in for files older than the buffer). Names for which `ignored(name)` holds are skipped (a
 * checkpoint's optimizer state).
 */
export function loadStateDict(
  network: Sequential,
  tensors: ReadonlyMap<string, StoredTensor>,
  fail: (message: string) => never,
  ignored: (name: string) => boolean = () => false,
): void {
  const expected: NamedBuffer[] = [...network.params().map((p) => ({ name: p.name, value: p.value })), ...network.buffers()];
  const known = new Set(expected.map((e) => e.name));
  const problems: string[] = [];
  let namesWrong = false;
  for (const name of tensors.keys()) {
    if (known.has(name) || ignored(name)) continue;
    problems.push(`tensor '${name}' is not part of the architecture`);
    namesWrong = true;
  }
  const counts = new Map<string, number>();
  for (const { name, value, count } of expected) {
    const stored = tensors.get(name);
    if (count) {
      const problem = stored && countProblem(name, stored);
      if (problem) problems.push(problem);
      else if (stored) counts.set(name, Number((stored.data as BigInt64Array)[0]));
      continue;
    }
    const shape = isTransposed(network, name) ? [value.shape[1], value.shape[0]] : [...value.shape];
    if (!stored) {
      problems.push(`tensor '${name}' is missing (the architecture needs it with shape [${shape.join(', ')}])`);
      namesWrong = true;
    } else if (stored.dtype !== 'F32') problems.push(`tensor '${name}' has dtype ${stored.dtype}, expected F32`);
    else if (stored.shape.length !== shape.length || stored.shape.some((d, i) => d !== shape[i]))
      problems.push(`tensor '${name}' has shape [${stored.shape.join(', ')}], the architecture needs [${shape.join(', ')}]`);
    else {
      const problem = valuesProblem(name, stored.data as Float32Array);
      if (problem) problems.push(problem);
    }
  }
  if (problems.length > 0) {
    const listing = namesWrong ? ` (the architecture has: ${[...known].join(', ')})` : '';
    fail(`${problems.join('; ')}${listing}`);
  }
  for (const { name, value, count } of expected) {
    const stored = tensors.get(name);
    if (count) value.data[0] = counts.get(name) ?? 0;
    else if (isTransposed(network, name)) transposeInto(stored!.data as Float32Array, value.shape[1], value.shape[0], value.data);
    else value.data.set(stored!.data as Float32Array);
  }
}

/**
 * A stored weight or buffer must be finite (one NaN makes every output NaN), and a variance ≥ 0 (its
 * square root divides). The index is in the file's layout.
 */
function valuesProblem(name: string, data: Float32Array): string | null {
  const bad = firstNonFinite(data);
  if (bad >= 0) return `tensor '${name}' has ${data[bad]} at index ${bad}: every weight and statistic must be finite`;
  const negative = name.endsWith('.running_var') ? firstNegative(data) : -1;
  if (negative >= 0) return `tensor '${name}' has ${data[negative]} at index ${negative}: a variance cannot be negative`;
  return null;
}

/** A count as stored (I64 of shape [], as PyTorch saves num_batches_tracked) must be a whole number ≥ 0. */
function countProblem(name: string, stored: StoredTensor): string | null {
  if (stored.dtype !== 'I64' || stored.shape.length !== 0)
    return `tensor '${name}' is ${stored.dtype} [${stored.shape.join(', ')}], expected a count: I64 of shape []`;
  const value = (stored.data as BigInt64Array)[0];
  if (value < 0n) return `tensor '${name}' is ${value}: a count cannot be negative`;
  return null;
}

function isTransposed(network: Sequential, name: string): boolean {
  const [index, param] = name.split('.');
  const layer = network.layers[Number(index)];
  return TRANSPOSED[layer.type]?.includes(param) ?? false;
}

/** value [rows, cols] → a new [cols, rows] array. */
function transpose(value: Tensor): Float32Array {
  const [rows, cols] = value.shape;
  const out = new Float32Array(rows * cols);
  transposeInto(value.data, rows, cols, out);
  return out;
}

/** src [rows, cols] → out [cols, rows]. */
function transposeInto(src: Float32Array, rows: number, cols: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c];
}
