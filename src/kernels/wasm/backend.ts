import type { Kernels } from '../kernels.js';
import { reference } from '../reference.js';
import { WasmHeap } from './memory.js';
import { loadNativeAddon, type NativeIsa, nativeRowKernels } from '../native/native.js';
import type { RowKernels } from './mailbox.js';
import * as job from './row-job.js';
import { LIST_REGIONS, type ThreadPool, startThreadPool } from './threads.js';
import { type WasmModule, webAssembly } from './webassembly.js';
import { ScratchnetError } from '../../errors.js';
import { type ImageExports, type ImageSharing, wasmImageKernels } from './image-kernels.js';

/** The functions src/kernels/wasm/assembly/index.ts exports (pointers are byte offsets). */
export interface WasmExports extends ImageExports {
  heapBase(): number;
  /** Rows [rowStart, rowEnd) of the gemm job at `job` (row-job.ts). */
  gemmRows(job: number, rowStart: number, rowEnd: number, scratch: number): void;
  /** Rows [rowStart, rowEnd) of the chain job at `job` (row-job.ts). */
  chainRows(job: number, rowStart: number, rowEnd: number, scratch: number): void;
  transpose(rowStart: number, rowEnd: number, rows: number, cols: number, src: number, out: number): void;
  sumRows(rows: number, cols: number, x: number, out: number): void;
  leakyRelu(n: number, slope: number, x: number, y: number): void;
  leakyReluBackward(n: number, slope: number, x: number, dy: number, dx: number): void;
  sgdStep(n: number, lr: number, grad: number, value: number): void;
  sgdDecayStep(n: number, lr: number, weightDecay: number, grad: number, value: number): void;
  /** Rows [rowStart, rowEnd) of the update job at `job` (row-job.ts): an optimizer kernel on those values. */
  updateRows(job: number, rowStart: number, rowEnd: number, scratch: number): void;
  /** Rows [rowStart, rowEnd) of the image job at `job` (row-job.ts): an image kernel on those images. */
  imageRows(job: number, rowStart: number, rowEnd: number, scratch: number): void;
  momentumStep(
    n: number,
    lr: number,
    weightDecay: number,
    momentum: number,
    dampening: number,
    nesterov: boolean,
    first: boolean,
    grad: number,
    value: number,
    buffer: number,
  ): void;
  adamStep(
    n: number,
    stepSize: number,
    rootCorrection: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    shrink: number,
    grad: number,
    value: number,
    m: number,
    v: number,
  ): void;
  /** `average` and `buffer` are 0 when absent (not centered, no momentum). */
  rmspropStep(
    n: number,
    lr: number,
    alpha: number,
    eps: number,
    weightDecay: number,
    momentum: number,
    grad: number,
    value: number,
    square: number,
    average: number,
    buffer: number,
  ): void;
  adagradStep(n: number, lr: number, eps: number, weightDecay: number, grad: number, value: number, sum: number): void;
  sumOfSquares(n: number, x: number): number;
  scaleInPlace(n: number, factor: number, x: number): void;
  firstNonFinite(n: number, x: number): number;
  softmaxCrossEntropy(rows: number, cols: number, logits: number, labels: number, probs: number, dLogits: number): number;
  bytesToFloats(n: number, bytes: number, scale: number, out: number): void;
  batchNormStatistics(outer: number, channels: number, inner: number, x: number, mean: number, variance: number): void;
  batchNormForward(
    outer: number,
    channels: number,
    inner: number,
    x: number,
    mean: number,
    inverseStd: number,
    gamma: number,
    beta: number,
    xhat: number,
    y: number,
  ): void;
  batchNormBackward(
    outer: number,
    channels: number,
    inner: number,
    xhat: number,
    dy: number,
    gamma: number,
    inverseStd: number,
    batchStatistics: number,
    dGamma: number,
    dBeta: number,
    dx: number,
  ): void;
  /** `state`: the generator's four 32-bit words, advanced n steps. */
  dropout(n: number, rate: number, state: number, x: number, y: number, mask: number): void;
  dropoutBackward(n: number, mask: number, dy: number, dx: number): void;
}

/** How the WebAssembly (and native) backend is made: its threads and, for native, the instruction set. */
export interface WasmOptions {
  /** Worker threads besides the calling one for large products; default: one per extra core, at most 3. */
  threads?: number;
  /** Multiply–adds (m·n·k) from which a product is split across threads; default SPLIT_THRESHOLD. */
  splitThreshold?: number;
  /** Use the fused multiply-add build where the engine allows (default true; see compileKernels). */
  relaxedSimd?: boolean;
  /**
   * Run the matrix products and the evaluation chain in the native addon (src/kernels/native; AVX-512
   * or AVX2, Node on x86-64), the rest as WebAssembly: the 'native' backend. Throws where the addon cannot run.
   */
  native?: boolean;
  /** With `native`: the instruction set to run (default: SCRATCHNET_NATIVE_ISA, else the fastest this CPU has). */
  nativeIsa?: NativeIsa;
}

/** Pages the memory starts with (16 MiB) and may grow to (2 GiB); must match asconfig.json's maximum. */
const INITIAL_PAGES = 256;
const MAXIMUM_PAGES = 32768;

/** Whether this JavaScript engine can run the backend: WebAssembly SIMD over a shared memory. */
export function wasmSupported(): boolean {
  return webAssembly !== undefined && typeof SharedArrayBuffer === 'function' && typeof Atomics === 'object';
}

/**
 * The build has two modules (package.json, build:wasm): kernels-relaxed.wasm, whose matrix products use
 * relaxed SIMD's fused multiply-add, and kernels.wasm, with a separate multiply and add. The fused one
 * runs where the engine accepts it: Chrome since 114 and Node from 22 do by default; Node 20's V8 has it
 * behind --experimental-wasm-relaxed-simd, which is switched on here (before anything is compiled with
 * it) unless SCRATCHNET_RELAXED_SIMD=0 or `relaxedSimd: false` asks for the plain module. If the engine
 * still refuses the module, the plain one is used: nothing but speed depends on the choice.
 */
export type KernelBuild = 'relaxed' | 'plain';

/** The module chosen and compiled, once per process for each setting of `relaxedSimd`. */
const chosen = new Map<boolean, Promise<{ module: WasmModule; build: KernelBuild }>>();

/** Whether this runs in Node, where node-host.ts (files, V8 flags, worker_threads) may be loaded. */
const inNode = (): boolean =>
  (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node !== undefined;

async function readBuild(file: string): Promise<Uint8Array> {
  const url = new URL(`./build/${file}`, import.meta.url);
  if (url.protocol === 'file:' && inNode()) return (await import('./node-host.js')).readKernelFile(url);
  const response = await fetch(url);
  if (!response.ok) throw new ScratchnetError(`wasm kernels: ${url.href} answered ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Whether the engine accepts `bytes`, after turning on Node's relaxed-SIMD flag if that is what it lacks. */
async function acceptsRelaxed(bytes: Uint8Array): Promise<boolean> {
  if (webAssembly!.validate(bytes)) return true;
  if (!inNode() || !(await import('./node-host.js')).allowRelaxedSimd()) return false;
  return webAssembly!.validate(bytes);
}

/** The module to run, compiled once per process: the relaxed build where allowed and accepted, else the plain one. */
export function compileKernels(options: { relaxedSimd?: boolean } = {}): Promise<{ module: WasmModule; build: KernelBuild }> {
  const wanted = options.relaxedSimd ?? (typeof process === 'undefined' || process.env?.SCRATCHNET_RELAXED_SIMD !== '0');
  let result = chosen.get(wanted);
  if (!result) {
    result = (async () => {
      if (wanted) {
        const relaxed = await readBuild('kernels-relaxed.wasm');
        if (await acceptsRelaxed(relaxed)) return { module: await webAssembly!.compile(relaxed), build: 'relaxed' as const };
      }
      return { module: await webAssembly!.compile(await readBuild('kernels.wasm')), build: 'plain' as const };
    })();
    chosen.set(wanted, result);
  }
  return result;
}

/**
 * Instantiates the WebAssembly kernels over a fresh shared memory and returns them as a Kernels
 * backend. Every kernel accepts arrays from anywhere: views of this backend's memory run in place,
 * other arrays are copied through a staging region (or handled by the reference kernel).
 */
export async function createWasmKernels(options: WasmOptions = {}): Promise<WasmKernels> {
  const { module, build } = await compileKernels(options);
  const memory = new webAssembly!.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
  const instance = await webAssembly!.instantiate(module, { env: { memory } });
  const wasm = instance.exports as unknown as WasmExports;
  const heap = new WasmHeap(memory, wasm.heapBase());
  let rows: RowKernels = wasm;
  let native: { path: string; isa: NativeIsa } | null = null;
  if (options.native) {
    const load = await loadNativeAddon(options.nativeIsa);
    if ('reason' in load) throw new ScratchnetError(load.reason);
    rows = nativeRowKernels(load.addon, load.isa, () => heap.buffer(), wasm);
    native = { path: load.path, isa: load.isa };
  }
  const pool = await startThreadPool(module, heap, rows, { ...options, native });
  return wasmKernels(wasm, rows, heap, pool, build, native?.isa ?? null);
}

/**
 * The wasm backend (or the native one, its row kernels in the addon): Kernels, plus which wasm build runs,
 * which native instruction set (null: none, the wasm backend) and a way to stop its worker threads.
 */
export type WasmKernels = Kernels & {
  /** Which compiled kernels run: relaxed SIMD or plain SIMD. */
  readonly build: KernelBuild;
  /** The native instruction set in use, or null when the products run in WebAssembly. */
  readonly isa: NativeIsa | null;
  /** Worker threads besides the caller (0: everything on the calling thread). */
  readonly threads: number;
  /** Stops the worker threads (the process can then exit). */
  close(): Promise<void>;
};

/** Scratch a thread's gemmRows needs at inner dimension k: the lists, pairing order and nonzero flags, or a padded copy of a narrow B, 16·k floats (gemm.ts). */
const scratchBytes = (k: number) => 64 * k + 64 + 12 * 128 + 1024;

function wasmKernels(
  wasm: WasmExports,
  rows: RowKernels,
  heap: WasmHeap,
  pool: ThreadPool | null,
  build: KernelBuild,
  isa: NativeIsa | null,
): WasmKernels {
  const fits = (what: string, array: ArrayLike<number>, length: number) => {
    if (array.length < length) throw new ScratchnetError(`wasm kernels: ${what} has ${array.length} values, needs ${length}`);
  };
  const ours = (a: Float32Array, b: Float32Array, c: Float32Array = b) => heap.owns(a) && heap.owns(b) && heap.owns(c);
  /** Each of an optimizer kernel's buffers (grad, value, its state, in its parameters' order) holds n values. */
  const fitsEach = (kernel: string, n: number, b0: Float32Array, b1: Float32Array, b2 = b1, b3 = b1, b4 = b1) => {
    if (Math.min(b0.length, b1.length, b2.length, b3.length, b4.length) >= n) return;
    [b0, b1, b2, b3, b4].forEach((buffer, i) => fits(`${kernel} buffer ${i + 1} (after n and the scalars)`, buffer, n));
  };

  // 32-bit views of byte sources (made once per source) and of the staging region (remade when it grows).
  const wordViews = new WeakMap<Uint8Array, Uint32Array>();
  const wordsOf = (bytes: Uint8Array) => {
    let view = wordViews.get(bytes);
    if (!view) wordViews.set(bytes, (view = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2)));
    return view;
  };
  const staging = {
    view: new Uint32Array(0) as Uint32Array<ArrayBufferLike>,
    words(bytes: number): Uint32Array {
      const ptr = heap.scratch('gather', bytes);
      if (this.view.byteOffset !== ptr || this.view.length < bytes >> 2 || this.view.buffer !== heap.buffer()) {
        this.view = new Uint32Array(heap.buffer(), ptr, Math.ceil(bytes / 4));
      }
      return this.view;
    },
  };

  // A job record (row-job.ts) in its own region, with 32-bit views remade only when the region moves or
  // the memory grows. The caller writes it; every thread that runs a share of its rows reads it.
  const jobRecord = (purpose: string) => {
    const record = {
      at: -1,
      ints: new Int32Array(0) as Int32Array<ArrayBufferLike>,
      floats: new Float32Array(0) as Float32Array<ArrayBufferLike>,
      doubles: new Float64Array(0) as Float64Array<ArrayBufferLike>, // slot 2i and 2i + 1 as one f64 (regions are 16-aligned)
    };
    return (slots: number) => {
      const at = heap.scratch(purpose, 4 * slots);
      if (at !== record.at || record.ints.length < slots || record.ints.buffer !== heap.buffer()) {
        record.at = at;
        record.ints = new Int32Array(heap.buffer(), at, slots);
        record.floats = new Float32Array(heap.buffer(), at, slots);
        record.doubles = new Float64Array(heap.buffer(), at, slots >> 1);
      }
      return record;
    };
  };
  const gemmJob = jobRecord('gemm job');
  const chainJob = jobRecord('chain job');
  const updateRecord = jobRecord('update job');
  const imageRecord = jobRecord('image job');
  // An image kernel (or ReLU) touching enough values to share between the threads (threads.ts IMAGE_SPLIT).
  const imageSharing: ImageSharing = {
    record(kernel, values) {
      if (!pool?.worthSplittingImages(values)) return null;
      const record = imageRecord(job.IMAGE_SLOTS);
      record.ints.fill(0);
      record.ints[job.IMAGE_KERNEL] = kernel;
      record.ints[job.IMAGE_BAD] = -1;
      return record;
    },
    run(record, rows) {
      pool!.imageRows(record.at, rows);
      return record.ints[job.IMAGE_BAD];
    },
  };

  // An optimizer's update large enough to share between the threads (threads.ts UPDATE_SPLIT): its job
  // written with the buffers' addresses, the caller then fills the scalars (`doubles`, from index 0) and
  // runs it with `pool.updateRows`. null when the update stays on this thread.
  const sharedUpdate = (
    kernel: number,
    n: number,
    grad: Float32Array,
    value: Float32Array,
    s0: Float32Array | null,
    s1: Float32Array | null = null,
    s2: Float32Array | null = null,
  ) => {
    if (!pool?.worthSplittingUpdate(n)) return null;
    const record = updateRecord(job.UPDATE_SLOTS);
    const { ints } = record;
    ints[job.UPDATE_KERNEL] = kernel;
    ints[job.UPDATE_N] = n;
    ints[job.UPDATE_NESTEROV] = 0;
    ints[job.UPDATE_FIRST] = 0;
    ints[job.UPDATE_GRAD] = grad.byteOffset;
    ints[job.UPDATE_VALUE] = value.byteOffset;
    ints[job.UPDATE_STATE] = s0?.byteOffset ?? 0;
    ints[job.UPDATE_STATE + 1] = s1?.byteOffset ?? 0;
    ints[job.UPDATE_STATE + 2] = s2?.byteOffset ?? 0;
    return record;
  };
  const scalarsFrom = job.UPDATE_SCALARS >> 1; // the first scalar's index in `doubles`

  // Rows [0, m) of C (+)= op(A)·B with B [k,n] in memory, then act(C + bias) when given (bias ≠ 0,
  // activate ≠ 0): split across threads when the product is large.
  const rowProduct = (
    transA: number,
    m: number,
    n: number,
    k: number,
    a: number,
    b: number,
    c: number,
    accumulate: number,
    bias: number,
    activate: number,
    slope: number,
  ) => {
    const { at, ints, floats } = gemmJob(job.GEMM_SLOTS);
    ints[job.GEMM_TRANS_A] = transA;
    ints[job.GEMM_M] = m;
    ints[job.GEMM_N] = n;
    ints[job.GEMM_K] = k;
    ints[job.GEMM_A] = a;
    ints[job.GEMM_B] = b;
    ints[job.GEMM_C] = c;
    ints[job.GEMM_ACCUMULATE] = accumulate;
    ints[job.GEMM_BIAS] = bias;
    ints[job.GEMM_ACTIVATE] = activate;
    floats[job.GEMM_SLOPE] = slope;
    const listBytes = scratchBytes(k);
    if (pool && pool.worthSplitting(m, n, k)) pool.gemmRows(at, m, listBytes);
    else rows.gemmRows(at, 0, m, heap.scratch(LIST_REGIONS[0], listBytes));
  };

  return {
    name: isa ? 'native' : 'wasm',
    build,
    isa,
    threads: pool?.threads ?? 0,
    alloc: (length) => heap.alloc(length),

    denseChain(m, x, layers, outputs, classes) {
      let owned = heap.owns(x);
      for (let i = 0; i < layers.length && owned; i++) {
        const { weight, epilogue } = layers[i];
        owned = heap.owns(weight) && heap.owns(outputs[i]) && (!epilogue.bias || heap.owns(epilogue.bias));
      }
      if (!owned || layers.length === 0 || m === 0) {
        // staged layer by layer
        for (let i = 0; i < layers.length; i++) {
          const { inputs, units, weight, epilogue } = layers[i];
          this.gemm(false, false, m, units, inputs, i === 0 ? x : outputs[i - 1], weight, outputs[i], false, epilogue);
        }
        if (classes && layers.length > 0)
          this.argmaxRows(m, layers[layers.length - 1].units, outputs[layers.length - 1], classes);
        return;
      }
      const { at, ints, floats } = chainJob(job.CHAIN_SLOTS + job.CHAIN_LAYER_SLOTS * layers.length);
      let inputs = layers[0].inputs,
        multiplyAdds = 0,
        listBytes = 0;
      fits('denseChain x', x, m * inputs);
      for (let i = 0; i < layers.length; i++) {
        const { units, weight, epilogue } = layers[i];
        if (layers[i].inputs !== inputs || units === 0)
          throw new ScratchnetError(
            `wasm kernels: denseChain layer ${i} takes ${layers[i].inputs} inputs, the layer before gives ${inputs}`,
          );
        fits(`denseChain layer ${i} weight`, weight, inputs * units);
        fits(`denseChain layer ${i} output`, outputs[i], m * units);
        if (epilogue.bias) fits(`denseChain layer ${i} bias`, epilogue.bias, units);
        const entry = job.CHAIN_SLOTS + job.CHAIN_LAYER_SLOTS * i;
        ints[entry + job.LAYER_INPUTS] = inputs;
        ints[entry + job.LAYER_UNITS] = units;
        ints[entry + job.LAYER_INPUT] = i === 0 ? x.byteOffset : outputs[i - 1].byteOffset;
        ints[entry + job.LAYER_WEIGHT] = weight.byteOffset;
        ints[entry + job.LAYER_OUTPUT] = outputs[i].byteOffset;
        ints[entry + job.LAYER_BIAS] = epilogue.bias?.byteOffset ?? 0;
        ints[entry + job.LAYER_ACTIVATE] = epilogue.reluSlope === undefined ? 0 : 1;
        floats[entry + job.LAYER_SLOPE] = epilogue.reluSlope ?? 0;
        multiplyAdds += inputs * units;
        listBytes = Math.max(listBytes, scratchBytes(inputs));
        inputs = units;
      }
      if (classes) fits('denseChain classes', classes, m);
      const classesAt = !classes ? 0 : heap.owns(classes) ? classes.byteOffset : heap.scratch('classes', 4 * m);
      ints[job.CHAIN_M] = m;
      ints[job.CHAIN_LAYERS] = layers.length;
      ints[job.CHAIN_CLASSES] = classesAt;
      if (pool && pool.worthSplitting(m, 1, multiplyAdds)) pool.chainRows(at, m, listBytes);
      else rows.chainRows(at, 0, m, heap.scratch(LIST_REGIONS[0], listBytes));
      if (classes && !heap.owns(classes)) classes.set(new Int32Array(heap.buffer(), classesAt, m));
    },

    gemm(transA, transB, m, n, k, a, b, c, accumulate, epilogue) {
      if (transA && transB) return reference.gemm(transA, transB, m, n, k, a, b, c, accumulate, epilogue);
      fits('gemm A', a, m * k);
      fits('gemm B', b, k * n);
      fits('gemm C', c, m * n);
      if (epilogue?.bias) fits('gemm bias', epilogue.bias, n);
      if (m === 0 || n === 0) return;
      if (k === 0) return reference.gemm(transA, transB, m, n, k, a, b, c, accumulate, epilogue); // an empty sum
      const bias = epilogue?.bias ? heap.pointer(epilogue.bias, 'stage bias') : 0;
      const slope = epilogue?.reluSlope;
      const pa = heap.pointer(a, 'stage A');
      let pb = heap.pointer(b, 'stage B');
      const cOwned = heap.owns(c);
      const pc = heap.pointer(c, 'stage C', accumulate);
      if (transB) {
        // C = A·Bᵀ with B [n,k]: transpose B once into [k,n] so the row kernel can skip A's zeros.
        const bt = heap.scratch('transpose', 4 * n * k);
        wasm.transpose(0, n, n, k, pb, bt);
        pb = bt;
      }
      rowProduct(transA ? 1 : 0, m, n, k, pa, pb, pc, accumulate ? 1 : 0, bias, slope === undefined ? 0 : 1, slope ?? 0);
      if (!cOwned) heap.copyOut(pc, c, m * n);
    },

    // A pass over the last layer's few columns: the reference loop reads this memory's views directly.
    argmaxRows: reference.argmaxRows,

    sumRows(rows, cols, x, out) {
      if (!ours(x, out)) return reference.sumRows(rows, cols, x, out);
      fits('sumRows x', x, rows * cols);
      fits('sumRows out', out, cols);
      wasm.sumRows(rows, cols, x.byteOffset, out.byteOffset);
    },

    relu(n, x, y) {
      if (!ours(x, y)) return reference.relu(n, x, y);
      fits('relu x', x, n);
      fits('relu y', y, n);
      const shared = imageSharing.record(job.IMAGE_RELU, 2 * n);
      if (!shared) return wasm.leakyRelu(n, 0, x.byteOffset, y.byteOffset);
      shared.ints[job.IMAGE_INPUT] = x.byteOffset;
      shared.ints[job.IMAGE_OUTPUT] = y.byteOffset;
      imageSharing.run(shared, n);
    },
    reluBackward(n, x, dy, dx) {
      if (!ours(x, dy, dx)) return reference.reluBackward(n, x, dy, dx);
      fits('reluBackward x', x, n);
      fits('reluBackward dy', dy, n);
      fits('reluBackward dx', dx, n);
      const shared = imageSharing.record(job.IMAGE_RELU_BACKWARD, 3 * n);
      if (!shared) return wasm.leakyReluBackward(n, 0, x.byteOffset, dy.byteOffset, dx.byteOffset);
      shared.ints[job.IMAGE_INPUT] = x.byteOffset;
      shared.ints[job.IMAGE_THIRD] = dy.byteOffset;
      shared.ints[job.IMAGE_OUTPUT] = dx.byteOffset;
      imageSharing.run(shared, n);
    },
    leakyRelu(n, slope, x, y) {
      if (!ours(x, y) || slope === 0) return reference.leakyRelu(n, slope, x, y);
      fits('leakyRelu x', x, n);
      fits('leakyRelu y', y, n);
      wasm.leakyRelu(n, slope, x.byteOffset, y.byteOffset);
    },
    leakyReluBackward(n, slope, x, dy, dx) {
      if (!ours(x, dy, dx) || slope === 0) return reference.leakyReluBackward(n, slope, x, dy, dx);
      fits('leakyReluBackward x', x, n);
      fits('leakyReluBackward dy', dy, n);
      fits('leakyReluBackward dx', dx, n);
      wasm.leakyReluBackward(n, slope, x.byteOffset, dy.byteOffset, dx.byteOffset);
    },
    // Transcendental activations and plain softmax stay in the reference backend: they are a small
    // share of the work, and the views of this memory are ordinary Float32Arrays it reads directly.
    sigmoid: reference.sigmoid,
    sigmoidBackward: reference.sigmoidBackward,
    tanh: reference.tanh,
    tanhBackward: reference.tanhBackward,
    softmax: reference.softmax,

    softmaxCrossEntropy(rows, cols, logits, labels, probs, dLogits) {
      if (!ours(logits, probs, dLogits)) return reference.softmaxCrossEntropy(rows, cols, logits, labels, probs, dLogits);
      fits('softmaxCrossEntropy logits', logits, rows * cols);
      fits('softmaxCrossEntropy labels', labels, rows);
      fits('softmaxCrossEntropy probs', probs, rows * cols);
      fits('softmaxCrossEntropy dLogits', dLogits, rows * cols);
      for (let r = 0; r < rows; r++) {
        if (!(labels[r] >= 0 && labels[r] < cols))
          throw new ScratchnetError(`softmaxCrossEntropy: label ${labels[r]} at row ${r} is outside 0..${cols - 1}`);
      }
      const pl = heap.pointer(labels.length === rows ? labels : labels.subarray(0, rows), 'stage labels');
      return wasm.softmaxCrossEntropy(rows, cols, logits.byteOffset, pl, probs.byteOffset, dLogits.byteOffset);
    },

    gatherRows(count, size, source, order, start, scale, out) {
      // Bytes (the usual dataset) are copied a 32-bit word at a time into a staging region, then widened
      // and scaled sixteen at a time; anything else (float features, odd alignment) takes the reference loop.
      // Rows are read at random from a large dataset, so the time goes in cache misses: four rows are
      // copied side by side, so that four misses are in flight at once instead of one.
      if (!(source instanceof Uint8Array) || size % 4 !== 0 || source.byteOffset % 4 !== 0 || !heap.owns(out)) {
        return reference.gatherRows(count, size, source, order, start, scale, out);
      }
      fits('gatherRows out', out, count * size);
      const words = wordsOf(source);
      const stage = staging.words(count * size);
      const rowWords = size >> 2;
      let b = 0;
      for (; b + 4 <= count; b += 4) {
        const f0 = firstWord(source, size, order, start + b),
          f1 = firstWord(source, size, order, start + b + 1);
        const f2 = firstWord(source, size, order, start + b + 2),
          f3 = firstWord(source, size, order, start + b + 3);
        const to = b * rowWords;
        for (let i = 0; i < rowWords; i++) {
          stage[to + i] = words[f0 + i];
          stage[to + rowWords + i] = words[f1 + i];
          stage[to + 2 * rowWords + i] = words[f2 + i];
          stage[to + 3 * rowWords + i] = words[f3 + i];
        }
      }
      for (; b < count; b++) {
        const from = firstWord(source, size, order, start + b);
        const to = b * rowWords;
        for (let i = 0; i < rowWords; i++) stage[to + i] = words[from + i];
      }
      wasm.bytesToFloats(count * size, stage.byteOffset, scale, out.byteOffset);
    },

    firstNonFinite(n, x) {
      if (!ours(x, x)) return reference.firstNonFinite(n, x);
      fits('firstNonFinite x', x, n);
      return wasm.firstNonFinite(n, x.byteOffset);
    },
    sgdStep(n, lr, grad, value) {
      if (!ours(grad, value)) return reference.sgdStep(n, lr, grad, value);
      fits('sgdStep grad', grad, n);
      fits('sgdStep value', value, n);
      wasm.sgdStep(n, lr, grad.byteOffset, value.byteOffset);
    },

    batchNormStatistics(outer, channels, inner, x, mean, variance) {
      if (!ours(x, mean, variance)) return reference.batchNormStatistics(outer, channels, inner, x, mean, variance);
      fits('batchNormStatistics x', x, outer * channels * inner);
      fits('batchNormStatistics mean', mean, channels);
      fits('batchNormStatistics variance', variance, channels);
      wasm.batchNormStatistics(outer, channels, inner, x.byteOffset, mean.byteOffset, variance.byteOffset);
    },
    batchNormForward(outer, channels, inner, x, mean, inverseStd, gamma, beta, xhat, y) {
      if (!(ours(x, xhat, y) && ours(mean, inverseStd) && ours(gamma, beta)))
        return reference.batchNormForward(outer, channels, inner, x, mean, inverseStd, gamma, beta, xhat, y);
      const values = outer * channels * inner;
      fits('batchNormForward x', x, values);
      fits('batchNormForward xhat', xhat, values);
      fits('batchNormForward y', y, values);
      fits('batchNormForward mean', mean, channels);
      fits('batchNormForward inverseStd', inverseStd, channels);
      fits('batchNormForward gamma', gamma, channels);
      fits('batchNormForward beta', beta, channels);
      wasm.batchNormForward(
        outer,
        channels,
        inner,
        x.byteOffset,
        mean.byteOffset,
        inverseStd.byteOffset,
        gamma.byteOffset,
        beta.byteOffset,
        xhat.byteOffset,
        y.byteOffset,
      );
    },
    batchNormBackward(outer, channels, inner, xhat, dy, gamma, inverseStd, batchStatistics, dGamma, dBeta, dx) {
      if (!(ours(xhat, dy, dx ?? dy) && ours(gamma, inverseStd) && ours(dGamma, dBeta)))
        return reference.batchNormBackward(
          outer,
          channels,
          inner,
          xhat,
          dy,
          gamma,
          inverseStd,
          batchStatistics,
          dGamma,
          dBeta,
          dx,
        );
      const values = outer * channels * inner;
      fits('batchNormBackward xhat', xhat, values);
      fits('batchNormBackward dy', dy, values);
      if (dx) fits('batchNormBackward dx', dx, values);
      fits('batchNormBackward gamma', gamma, channels);
      fits('batchNormBackward inverseStd', inverseStd, channels);
      fits('batchNormBackward dGamma', dGamma, channels);
      fits('batchNormBackward dBeta', dBeta, channels);
      wasm.batchNormBackward(
        outer,
        channels,
        inner,
        xhat.byteOffset,
        dy.byteOffset,
        gamma.byteOffset,
        inverseStd.byteOffset,
        batchStatistics ? 1 : 0,
        dGamma.byteOffset,
        dBeta.byteOffset,
        dx ? dx.byteOffset : 0,
      );
    },
    dropout(n, rate, state, x, y, mask) {
      if (!(heap.owns(state) && ours(x, y, mask))) return reference.dropout(n, rate, state, x, y, mask);
      fits('dropout state', state, 4);
      fits('dropout x', x, n);
      fits('dropout y', y, n);
      fits('dropout mask', mask, n);
      wasm.dropout(n, rate, state.byteOffset, x.byteOffset, y.byteOffset, mask.byteOffset);
    },
    dropoutBackward(n, mask, dy, dx) {
      if (!ours(mask, dy, dx)) return reference.dropoutBackward(n, mask, dy, dx);
      fits('dropoutBackward mask', mask, n);
      fits('dropoutBackward dy', dy, n);
      fits('dropoutBackward dx', dx, n);
      wasm.dropoutBackward(n, mask.byteOffset, dy.byteOffset, dx.byteOffset);
    },

    // The optimizers' updates: in place when every buffer lives in this memory (optimizers allocate
    // their state with `alloc`), else the reference loop on the arrays as they are.
    sgdDecayStep(n, lr, weightDecay, grad, value) {
      if (!ours(grad, value)) return reference.sgdDecayStep(n, lr, weightDecay, grad, value);
      fitsEach('sgdDecayStep', n, grad, value);
      const shared = sharedUpdate(job.UPDATE_SGD_DECAY, n, grad, value, null);
      if (!shared) return wasm.sgdDecayStep(n, lr, weightDecay, grad.byteOffset, value.byteOffset);
      shared.doubles[scalarsFrom] = lr;
      shared.doubles[scalarsFrom + 1] = weightDecay;
      pool!.updateRows(shared.at, n);
    },
    momentumStep(n, lr, weightDecay, momentum, dampening, nesterov, first, grad, value, buffer) {
      if (!ours(grad, value, buffer))
        return reference.momentumStep(n, lr, weightDecay, momentum, dampening, nesterov, first, grad, value, buffer);
      fitsEach('momentumStep', n, grad, value, buffer);
      const shared = sharedUpdate(job.UPDATE_MOMENTUM, n, grad, value, buffer);
      if (shared) {
        shared.ints[job.UPDATE_NESTEROV] = nesterov ? 1 : 0;
        shared.ints[job.UPDATE_FIRST] = first ? 1 : 0;
        const d = shared.doubles;
        d[scalarsFrom] = lr;
        d[scalarsFrom + 1] = weightDecay;
        d[scalarsFrom + 2] = momentum;
        d[scalarsFrom + 3] = dampening;
        return pool!.updateRows(shared.at, n);
      }
      wasm.momentumStep(
        n,
        lr,
        weightDecay,
        momentum,
        dampening,
        nesterov,
        first,
        grad.byteOffset,
        value.byteOffset,
        buffer.byteOffset,
      );
    },
    adamStep(n, stepSize, rootCorrection, beta1, beta2, eps, weightDecay, shrink, grad, value, m, v) {
      if (!ours(grad, value, m) || !heap.owns(v))
        return reference.adamStep(n, stepSize, rootCorrection, beta1, beta2, eps, weightDecay, shrink, grad, value, m, v);
      fitsEach('adamStep', n, grad, value, m, v);
      const shared = sharedUpdate(job.UPDATE_ADAM, n, grad, value, m, v);
      if (shared) {
        const d = shared.doubles;
        const at = scalarsFrom;
        d[at] = stepSize;
        d[at + 1] = rootCorrection;
        d[at + 2] = beta1;
        d[at + 3] = beta2;
        d[at + 4] = eps;
        d[at + 5] = weightDecay;
        d[at + 6] = shrink;
        return pool!.updateRows(shared.at, n);
      }
      wasm.adamStep(
        n,
        stepSize,
        rootCorrection,
        beta1,
        beta2,
        eps,
        weightDecay,
        shrink,
        grad.byteOffset,
        value.byteOffset,
        m.byteOffset,
        v.byteOffset,
      );
    },
    rmspropStep(n, lr, alpha, eps, weightDecay, momentum, grad, value, square, average, buffer) {
      if (!ours(grad, value, square) || (average && !heap.owns(average)) || (buffer && !heap.owns(buffer)))
        return reference.rmspropStep(n, lr, alpha, eps, weightDecay, momentum, grad, value, square, average, buffer);
      fitsEach('rmspropStep', n, grad, value, square, average ?? square, buffer ?? square);
      const shared = sharedUpdate(job.UPDATE_RMSPROP, n, grad, value, square, average, buffer);
      if (shared) {
        const d = shared.doubles;
        const at = scalarsFrom;
        d[at] = lr;
        d[at + 1] = alpha;
        d[at + 2] = eps;
        d[at + 3] = weightDecay;
        d[at + 4] = momentum;
        return pool!.updateRows(shared.at, n);
      }
      wasm.rmspropStep(
        n,
        lr,
        alpha,
        eps,
        weightDecay,
        momentum,
        grad.byteOffset,
        value.byteOffset,
        square.byteOffset,
        average?.byteOffset ?? 0,
        buffer?.byteOffset ?? 0,
      );
    },
    adagradStep(n, lr, eps, weightDecay, grad, value, sum) {
      if (!ours(grad, value, sum)) return reference.adagradStep(n, lr, eps, weightDecay, grad, value, sum);
      fitsEach('adagradStep', n, grad, value, sum);
      const shared = sharedUpdate(job.UPDATE_ADAGRAD, n, grad, value, sum);
      if (shared) {
        const d = shared.doubles;
        d[scalarsFrom] = lr;
        d[scalarsFrom + 1] = eps;
        d[scalarsFrom + 2] = weightDecay;
        return pool!.updateRows(shared.at, n);
      }
      wasm.adagradStep(n, lr, eps, weightDecay, grad.byteOffset, value.byteOffset, sum.byteOffset);
    },
    sumOfSquares(n, x) {
      if (!ours(x, x)) return reference.sumOfSquares(n, x);
      fits('sumOfSquares x', x, n);
      return wasm.sumOfSquares(n, x.byteOffset);
    },
    scaleInPlace(n, factor, x) {
      if (!ours(x, x)) return reference.scaleInPlace(n, factor, x);
      fits('scaleInPlace x', x, n);
      wasm.scaleInPlace(n, factor, x.byteOffset);
    },
    ...wasmImageKernels(wasm, heap, imageSharing),

    close: async () => {
      await pool?.close();
    },
  };
}

/** Index of the first 32-bit word of row order[at] (or row `at`) of a [*, size] byte source; checks the row exists. */
function firstWord(source: Uint8Array, size: number, order: Int32Array | null, at: number): number {
  const row = order ? order[at] : at;
  if (!(row >= 0 && (row + 1) * size <= source.length))
    throw new ScratchnetError(`gatherRows: row ${row} is outside the ${Math.floor(source.length / size)} rows of the source`);
  return row * (size >> 2);
}
