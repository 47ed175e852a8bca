/**
 * The slice of the WebAssembly JavaScript API the backend uses, typed here because the project compiles
 * against ES2022 + Node types, which do not declare the `WebAssembly` global (the DOM library does).
 */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  /** Grows by `pages` of 64 KiB; throws RangeError beyond the maximum. */
  grow(pages: number): number;
}

/** A compiled module (opaque; it can be sent to worker threads). */
export type WasmModule = object;

interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: object): Promise<{ exports: object }>;
  validate(bytes: Uint8Array): boolean;
}

/** The engine's WebAssembly object, or undefined where there is none. */
export const webAssembly = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
