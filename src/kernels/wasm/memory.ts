/**
 * The WebAssembly backend's memory: one shared WebAssembly.Memory that every buffer of a network lives
 * in, so kernels receive pointers (`array.byteOffset`) and never copy.
 *
 * - `alloc` hands out zero-filled Float32Array views, 64-byte aligned, from a bump pointer. The memory
 *   is shared (SharedArrayBuffer-backed), so growing it never detaches a view handed out earlier.
 *   Buffers are never freed: a network allocates once, and BatchBuffers only grow by doubling.
 * - When the memory cannot grow any more, `alloc` returns an ordinary Float32Array; the backend then
 *   copies that array through a staging region (slower, still exact).
 * - `scratch` regions are reusable per-purpose workspaces (nonzero lists, transposes, staged inputs).
 */
import type { WasmMemory } from './webassembly.js';
import { ScratchnetError } from '../../errors.js';

export const PAGE_BYTES = 65536;
const ALIGN = 64;

type Typed = Float32Array | Int32Array | Uint32Array;

export class WasmHeap {
  private top: number;
  /** Every ArrayBuffer object this memory has shown (a new one appears after each grow). */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  private current: ArrayBufferLike;
  private readonly regions = new Map<string, { ptr: number; bytes: number }>();

  constructor(
    readonly memory: WasmMemory,
    heapBase: number,
  ) {
    this.top = alignUp(heapBase);
    this.current = memory.buffer;
    this.buffers.add(this.current);
  }

  /** Bytes handed out so far (for reports and tests). */
  get used(): number {
    return this.top;
  }

  /** A zero-filled Float32Array of `length` floats inside the memory (or outside it, if the memory is full). */
  alloc(length: number): Float32Array {
    const ptr = this.reserve(length * 4);
    return ptr < 0 ? new Float32Array(length) : new Float32Array(this.buffer(), ptr, length);
  }

  /** True when `array` is a view of this memory, so a kernel may use its byteOffset as a pointer. */
  owns(array: Typed): boolean {
    const buffer = array.buffer;
    return buffer === this.current || this.buffers.has(buffer);
  }

  /** A reusable region of at least `bytes` bytes for one purpose (its contents are not preserved). */
  scratch(purpose: string, bytes: number): number {
    const region = this.regions.get(purpose);
    if (region && region.bytes >= bytes) return region.ptr;
    const size = Math.max(alignUp(bytes), region ? region.bytes * 2 : 0);
    const ptr = this.reserve(size);
    if (ptr < 0)
      throw new ScratchnetError(`wasm kernels: out of WebAssembly memory (needed ${size} bytes of scratch for ${purpose})`);
    this.regions.set(purpose, { ptr, bytes: size });
    return ptr;
  }

  /** A pointer to `array`'s data: its own when it lives here, else a copy in the `purpose` region. */
  pointer(array: Typed, purpose: string, copyIn = true): number {
    if (this.owns(array)) return array.byteOffset;
    const ptr = this.scratch(purpose, array.byteLength);
    if (copyIn)
      new Uint8Array(this.buffer(), ptr, array.byteLength).set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    return ptr;
  }

  /** Copies `length` floats from `ptr` back into `array` (the result of a kernel that wrote into a staged copy). */
  copyOut(ptr: number, array: Float32Array, length: number): void {
    array.set(new Float32Array(this.buffer(), ptr, length));
  }

  buffer(): ArrayBufferLike {
    const buffer = this.memory.buffer;
    if (buffer !== this.current) {
      this.current = buffer;
      this.buffers.add(buffer);
    }
    return buffer;
  }

  /** Byte offset of `bytes` fresh zeroed bytes, growing the memory if needed; −1 when it cannot grow. */
  private reserve(bytes: number): number {
    const ptr = this.top;
    const end = ptr + alignUp(Math.max(bytes, 1));
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE_BYTES));
      } catch {
        return -1;
      }
    }
    this.top = end;
    this.buffer();
    return ptr;
  }
}

function alignUp(bytes: number): number {
  return Math.ceil(bytes / ALIGN) * ALIGN;
}
