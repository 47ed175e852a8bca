import { claimChunks, MAILBOX_SLOTS, type RowKernels, STOP, TICKET } from './mailbox.js';
import type { NativeIsa } from '../native/native.js';
import { type WasmMemory, type WasmModule, webAssembly } from './webassembly.js';

/**
 * The life of one thread of the pool (threads.ts), in Node's worker_threads (worker.ts) and in a browser's
 * Web Workers (wasm-worker.ts) alike: instantiate the WebAssembly kernels over the shared memory, then claim
 * chunks of every job published in the mailbox until told to stop. Idle, it polls the ticket `spins`
 * times, then sleeps on it (futex), so back-to-back products find it awake and a quiet pool costs no CPU.
 */

/** What threads.ts hands each worker. */
export interface WorkerData {
  module: WasmModule;
  memory: WasmMemory;
  /** Byte address of the mailbox. */
  mailbox: number;
  /** This worker's number, 1…threads (0 is the caller). */
  thread: number;
  /** Polls of the ticket before sleeping. */
  spins: number;
  /** The native addon's file and the instruction set the caller runs it with; null: the WebAssembly kernels. */
  native: { path: string; isa: NativeIsa } | null;
}

/** How the pool starts a thread: worker_threads in Node (node-host.ts), Web Workers in a browser (web-host.ts). */
export interface WorkerHost {
  /** Cores the machine reports. */
  cores: number;
  /** Starts worker `data.thread` on the shared memory. */
  spawn(data: WorkerData): { terminate(): unknown };
}

/**
 * Runs the worker until the pool stops. `rowsFor` may replace the WebAssembly row kernels (the native
 * addon's, in Node); by default the instance's own run.
 */
export async function runWorker(data: WorkerData, rowsFor?: (wasm: RowKernels) => RowKernels): Promise<void> {
  const { module, memory, mailbox, thread, spins: patience } = data;
  const wasm = (await webAssembly!.instantiate(module, { env: { memory } })).exports as unknown as RowKernels;
  const rows = rowsFor ? rowsFor(wasm) : wasm;
  const box = new Int32Array(memory.buffer, mailbox, MAILBOX_SLOTS);

  let seen = Atomics.load(box, TICKET);
  for (;;) {
    let spins = 0;
    while (Atomics.load(box, TICKET) === seen && !box[STOP]) {
      if (++spins > patience) {
        Atomics.wait(box, TICKET, seen);
        spins = 0;
      }
    }
    if (box[STOP]) break;
    claimChunks(box, rows, thread);
    seen = Atomics.load(box, TICKET);
  }
}
