import { parentPort, workerData } from 'node:worker_threads';
import { ScratchnetError } from '../errors.js';
import type { ErrorEvent } from './train-events.js';
import { runTraining } from './train-job.js';
import type { TrainOptions } from './train-flags.js';

/**
 * The training thread. Training is one long synchronous loop, so it runs here, off the main thread:
 * the main thread stays free to receive Ctrl-C (signals are only delivered to it) and to draw
 * progress. Ctrl-C sets a flag in shared memory; the loop reads it after every batch.
 */
const { options, stopFlag } = workerData as { options: TrainOptions; stopFlag: SharedArrayBuffer };
const flag = new Int32Array(stopFlag);
const port = parentPort!;

try {
  await runTraining(
    options,
    () => Atomics.load(flag, 0) === 1,
    (event) => port.postMessage(event),
  );
} catch (error) {
  const user = error instanceof ScratchnetError;
  const message = user ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  port.postMessage({ event: 'error', message, user } satisfies ErrorEvent);
}
