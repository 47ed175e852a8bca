import {
  CHAIN,
  CHUNKS,
  claimChunks,
  CLOSED,
  FINISHED,
  GEMM,
  IMAGES,
  JOB,
  KIND,
  MAILBOX_SLOTS,
  MAX_THREADS,
  type RowKernels,
  ROWS,
  ROWS_PER_CHUNK,
  SCRATCH,
  STOP,
  TICKET,
  UPDATE,
} from './mailbox.js';
import type { WasmHeap } from './memory.js';
import type { WorkerData, WorkerHost } from './worker-loop.js';
import { webWorkers } from './web-host.js';
import type { WasmModule } from './webassembly.js';

/**
 * Worker threads for the large matrix products: every worker instantiates the same module over the
 * same shared memory, and a product's rows of C are shared out in chunks.
 *
 * Hand-off is one mailbox of Int32 slots in the shared memory (mailbox.ts). The caller writes the job
 * (row-job.ts), then publishes a ticket — job number << 16 | next chunk — and notifies. Every thread,
 * the caller included, claims chunks by compare-and-swap on the ticket until none is left; the caller
 * then waits only for chunks that are still running. A worker that wakes late (the machine is busy)
 * finds nothing left and costs nothing: the caller never waits for a thread that has not started.
 * A worker preempted in the middle of a chunk does stall the caller; when that keeps happening the
 * pool stays on one thread for a while (PAUSE_MS), then tries again.
 * Small products never leave the calling thread: waking a thread costs microseconds that a
 * 32×784·784×64 product cannot repay (PyTorch with two threads is slower than with one at batch 32).
 */
export interface ThreadPool {
  /** Worker threads besides the caller. */
  readonly threads: number;
  /** Whether a product of this size gains from splitting. */
  worthSplitting(m: number, n: number, k: number): boolean;
  /** The gemm job at `job` (row-job.ts) over all rows [0, m), shared between the caller and the workers, each with `listBytes` of its own scratch. */
  gemmRows(job: number, m: number, listBytes: number): void;
  /** The chain job at `job` likewise: each thread runs every layer of the chain on its rows. */
  chainRows(job: number, m: number, listBytes: number): void;
  /** Whether an optimizer's update of n values gains from splitting (UPDATE_SPLIT). */
  worthSplittingUpdate(n: number): boolean;
  /** The update job at `job` over its n values, shared likewise. */
  updateRows(job: number, n: number): void;
  /** Whether an image kernel touching this many values gains from splitting (IMAGE_SPLIT). */
  worthSplittingImages(values: number): boolean;
  /** The image job at `job` over its rows (images, or values for ReLU), shared likewise. */
  imageRows(job: number, rows: number): void;
  /** Stops the workers. */
  close(): Promise<void>;
}

/** How startThreadPool sets up its workers. */
export interface PoolOptions {
  /** Worker threads besides the caller; default one per extra core, at most 3. */
  threads?: number;
  /** Multiply–adds (m·n·k) from which a product is split; default SPLIT_THRESHOLD. */
  splitThreshold?: number;
  /** Polls of the mailbox an idle worker makes before it sleeps (futex); default WORKER_SPINS. */
  spins?: number;
  /** The native addon's file and instruction set: workers then run its row kernels, as the caller does (native/native.ts). */
  native?: WorkerData['native'];
}

/**
 * Multiply–adds below which a product stays on one thread: the tutorial's first layer (32·64·784 ≈ 1.6M)
 * stays, 784-256-256-10 at batch 128 (25.7M, 8.4M) and inference batches split — the second layer of the
 * tutorial's network too at batch 1000 (1000·64·32 ≈ 2.05M: 0.107 → 0.078 ms). Measured on 2 cores:
 * splitting the tutorial's first layer (splitThreshold 1 << 20) trains 10–30% faster when the second
 * core is idle, for twice the CPU, and 20–40% slower when other processes want it — as PyTorch's two
 * threads are slower than one at batch 32 — so by default it stays on one thread.
 */
export const SPLIT_THRESHOLD = 1_800_000;
/**
 * Values from which an optimizer's update is shared between the threads. The updates are bound by memory
 * (Adam reads four buffers and writes three), and two cores draw more of it than one: on 784-256-128-10,
 * whose first layer has 200,704 weights, a whole Adam step took 0.55–0.65 ms on one thread. Below this
 * size (a 256 KB buffer) waking a worker costs more than half the work saves.
 */
export const UPDATE_SPLIT = 65536;
/**
 * Values (read and written) from which an image kernel — receptive fields, transposes, pooling, ReLU —
 * is shared between the threads: the passes around a convolution, memory-bound as the updates are.
 */
export const IMAGE_SPLIT = 65536;
/** Milliseconds products run on one thread after the workers kept the caller waiting three times in a row. */
export const PAUSE_MS = 250;
/** Polls before an idle worker sleeps (about 0.1 ms), so back-to-back products find it awake. */
export const WORKER_SPINS = 20000;

/** Names of each thread's scratch region for nonzero lists (thread 0 is the caller). */
export const LIST_REGIONS = Array.from({ length: MAX_THREADS + 1 }, (_, t) => `list${t}`);

/** The platform's threads, or null where there are none (a browser page that is not cross-origin isolated). */
async function workerHost(): Promise<WorkerHost | null> {
  const node = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
  if (node === undefined) return webWorkers();
  return (await import('./node-host.js')).nodeWorkers(); // only in Node: the browser build never loads it
}

/** Starts `threads` workers (default: one per extra core, at most 3); null when there is only one core or no threads (workerHost). */
export async function startThreadPool(
  module: WasmModule,
  heap: WasmHeap,
  own: RowKernels,
  options: PoolOptions = {},
): Promise<ThreadPool | null> {
  const { splitThreshold = SPLIT_THRESHOLD, spins = WORKER_SPINS, native = null } = options;
  const host = await workerHost();
  if (host === null) return null;
  const count = Math.min(MAX_THREADS, Math.max(0, Math.floor(options.threads ?? Math.min(host.cores - 1, 3))));
  if (count === 0) return null;

  const mailbox = heap.scratch('mailbox', MAILBOX_SLOTS * 4);
  const box = new Int32Array(heap.buffer(), mailbox, MAILBOX_SLOTS);
  const workers: { terminate(): unknown }[] = [];
  for (let t = 1; t <= count; t++) workers.push(host.spawn({ module, memory: heap.memory, mailbox, thread: t, spins, native }));
  let job = 0;
  let strikes = 0;
  let pausedUntil = 0;
  let closed = false;

  // Publishes the job at `at` (rows [0, m) in chunks), takes chunks until none is left, then waits for
  // the ones still running. The ticket is closed while the mailbox is rewritten: a worker still looking
  // at the last job's exhausted ticket then cannot claim a chunk of a half-written one.
  const run = (kind: number, at: number, m: number, listBytes: number) => {
    job = (job + 1) & 0x7fff;
    Atomics.store(box, TICKET, (job << 16) | CLOSED);
    // about four chunks per thread, of a multiple of four rows (the kernels take rows in pairs, the
    // native ones in fours: a chunk's leftover rows would go to their slower kernels)
    const perChunk = 4 * Math.ceil(m / (16 * (count + 1)));
    const chunks = Math.ceil(m / perChunk);
    for (let t = 0; t <= count; t++) box[SCRATCH + t] = heap.scratch(LIST_REGIONS[t], listBytes);
    box[CHUNKS] = chunks;
    box[ROWS_PER_CHUNK] = perChunk;
    box[ROWS] = m;
    box[KIND] = kind;
    box[JOB] = at;
    Atomics.store(box, FINISHED, 0);
    Atomics.store(box, TICKET, job << 16);
    Atomics.notify(box, TICKET);
    const started = performance.now();
    claimChunks(box, own, 0);
    const claimed = performance.now();
    // Only chunks already running remain. Spin briefly, then sleep until a worker reports, so a
    // worker that shares our core on a busy machine gets it instead of a spinning caller.
    for (let spins = 0, done = Atomics.load(box, FINISHED); done < chunks; done = Atomics.load(box, FINISHED)) {
      if (++spins > 1000) Atomics.wait(box, FINISHED, done, 1);
    }
    // A worker descheduled mid-chunk (a busy machine) makes the caller wait longer than the whole
    // product takes alone: after a few such products in a row, stay on one thread for a while.
    const waited = performance.now() - claimed;
    strikes = waited > 0.5 * (claimed - started) ? strikes + 1 : 0;
    pausedUntil = 0;
    if (strikes >= 3) {
      pausedUntil = performance.now() + PAUSE_MS;
      strikes = 0;
    }
  };

  return {
    threads: count,
    worthSplitting: (m, n, k) => {
      if (closed || !(m >= 2 * (count + 1) && m * n * k >= splitThreshold)) return false;
      return pausedUntil === 0 || performance.now() >= pausedUntil;
    },

    worthSplittingUpdate: (n) => !closed && n >= UPDATE_SPLIT && (pausedUntil === 0 || performance.now() >= pausedUntil),

    gemmRows: (at, m, listBytes) => run(GEMM, at, m, listBytes),
    chainRows: (at, m, listBytes) => run(CHAIN, at, m, listBytes),
    updateRows: (at, n) => run(UPDATE, at, n, 0),
    worthSplittingImages: (values) => !closed && values >= IMAGE_SPLIT && (pausedUntil === 0 || performance.now() >= pausedUntil),
    imageRows: (at, rows) => run(IMAGES, at, rows, 0),

    async close() {
      closed = true;
      Atomics.store(box, STOP, 1);
      Atomics.notify(box, TICKET);
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
