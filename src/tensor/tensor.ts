import { ShapeError } from '../errors.js';
import { ScratchnetError } from '../errors.js';

/**
 * A Tensor is a Float32Array plus a shape, row-major and contiguous:
 * element [i, j, k] of a [I, J, K] tensor sits at data[(i·J + j)·K + k].
 * A 4-D image batch is simply [N, C, H, W]; nothing here assumes two dimensions.
 * `data` may be a view into a larger buffer (a batch taken from a preallocated block).
 */
export class Tensor {
  /** The values, row-major; length is the product of `shape`. */
  readonly data: Float32Array;
  /** The size of each dimension, outermost first (frozen). */
  readonly shape: readonly number[];

  /**
   * Wraps `data` without copying it.
   * @throws {@link ScratchnetError} if `data.length` is not the product of `shape`.
   */
  constructor(data: Float32Array, shape: readonly number[]) {
    const size = sizeOf(shape);
    if (data.length !== size) {
      throw new ScratchnetError(`Tensor: shape [${shape.join(', ')}] needs ${size} values, got ${data.length}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
  }

  /** A new tensor of the given shape, every element 0. */
  static zeros(shape: readonly number[]): Tensor {
    return new Tensor(new Float32Array(sizeOf(shape)), shape);
  }

  /**
   * Builds a tensor from nested arrays, e.g. `[[1, 2], [3, 4]]` gives shape [2, 2].
   * @throws {@link ScratchnetError} if the arrays are ragged.
   */
  static from(nested: NestedNumbers): Tensor {
    const shape: number[] = [];
    let level: NestedNumbers = nested;
    while (Array.isArray(level)) {
      shape.push(level.length);
      level = level[0];
    }
    const flat = (nested as unknown[]).flat(Infinity);
    if (flat.length !== sizeOf(shape)) throw new ScratchnetError(`Tensor.from: ragged nested array, shape [${shape.join(', ')}]`);
    return new Tensor(Float32Array.from(flat), shape);
  }

  /** Number of elements: the product of the shape. */
  get size(): number {
    return this.data.length;
  }

  /** Number of rows when the tensor is read as [shape[0], everything else]: the batch size. */
  get rows(): number {
    return this.shape[0] ?? 1;
  }

  /** Values per row: the product of every dimension after the first. */
  get cols(): number {
    return this.shape.length === 0 ? 1 : this.data.length / (this.shape[0] || 1);
  }

  /**
   * Reads one element by its multi-dimensional index, one number per dimension.
   * @throws {@link ShapeError} on the wrong number of indices; {@link ScratchnetError} on an index out of range.
   */
  get(...index: number[]): number {
    return this.data[this.offset(index)];
  }

  /** Writes one element; the index and its errors are as in {@link Tensor.get}. */
  set(value: number, ...index: number[]): void {
    this.data[this.offset(index)] = value;
  }

  /** The same data under another shape with the same number of elements (no copy). */
  reshape(shape: readonly number[]): Tensor {
    return new Tensor(this.data, shape);
  }

  /** A deep copy: new buffer, same shape and values. */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape);
  }

  /** Nested plain arrays, for printing and tests. */
  toArray(): NestedNumbers {
    const build = (dim: number, offset: number): NestedNumbers => {
      if (dim === this.shape.length) return this.data[offset];
      const stride = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** The shape, e.g. `Tensor[64, 784]`; the values are left out (see {@link Tensor.toArray}). */
  toString(): string {
    return `Tensor[${this.shape.join(', ')}]`;
  }

  private offset(index: number[]): number {
    if (index.length !== this.shape.length) throw new ShapeError('Tensor index', this.shape, index);
    let offset = 0;
    for (let d = 0; d < index.length; d++) {
      const i = index[d];
      if (i < 0 || i >= this.shape[d])
        throw new ScratchnetError(`index ${i} out of range for dimension ${d} of [${this.shape.join(', ')}]`);
      offset = offset * this.shape[d] + i;
    }
    return offset;
  }
}

/** A number, or arrays of them nested to any depth: the plain-array form of a tensor. */
export type NestedNumbers = number | NestedNumbers[];

/**
 * Number of elements in a tensor of this shape (1 for the scalar shape []).
 * @throws {@link index.ScratchnetError} if a dimension is not a non-negative integer.
 */
export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ScratchnetError(`invalid dimension ${d} in shape [${shape.join(', ')}]`);
    size *= d;
  }
  return size;
}

/** Throws a {@link ShapeError} naming both shapes unless `actual` equals `expected` (-1 in `expected` matches any size). */
export function assertShape(what: string, actual: readonly number[], expected: readonly number[]): void {
  const same = actual.length === expected.length && expected.every((d, i) => d === -1 || d === actual[i]);
  if (!same) throw new ShapeError(what, expected, actual);
}
