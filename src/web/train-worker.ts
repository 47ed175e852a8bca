/**
 * The page's training worker: the library's own `fit` on the built-in digits, off the page's thread so the
 * page never freezes. `fit` is one synchronous loop, so it runs in slices of about SLICE_MS: `shouldStop`
 * ends a slice, the worker reads its messages (pause, reset), sends the batches' losses and, now and then,
 * the weights, then resumes from the saved FitState — which continues a run exactly where it stopped.
 */
import type { Dataset } from '../data/dataset.js';
import { provenanceOf } from '../data/provenance.js';
import { trainValidationSplit } from '../data/split.js';
import { ScratchnetError } from '../errors.js';
import { encodeModel } from '../io/model-codec.js';
import { useBackend } from '../kernels/index.js';
import { type WasmKernels, wasmSupported } from '../kernels/wasm/backend.js';
import { evaluate } from '../network/evaluate.js';
import { layersFromSpec } from '../network/from-spec.js';
import { parseLayerSpec } from '../network/layer-spec.js';
import { Sequential } from '../network/sequential.js';
import { makeOptimizer } from '../optimizers/make-optimizer.js';
import { Rng } from '../tensor/rng.js';
import type { FitState } from '../training/callbacks.js';
import { fit } from '../training/fit.js';
import { DIGITS_FILE, fetchBuiltinDigits } from './digits.js';
import { type FromWorker, NETWORKS, type ToWorker, type TrainSettings } from './messages.js';

/** Milliseconds of training between looks at the mailbox: short enough for pause to feel immediate. */
const SLICE_MS = 100;
/** Milliseconds between copies of the weights sent to the page (its drawing and pictures follow training). */
const MODEL_EVERY_MS = 1000;
/** Share of the training digits held out for validation, as `scratchnet train`'s default --val-split. */
const VALIDATION_SHARE = 0.1;

const scope = globalThis as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  crossOriginIsolated?: boolean;
};
/** Posts `message`, tagged with the run it belongs to (`runId`) when it belongs to one. */
const send = (message: FromWorker, transfer: Transferable[] = [], runId?: number): void =>
  scope.postMessage(runId === undefined ? message : { ...message, run: runId }, transfer);

/** One run: its network and optimizer, where fit stopped, and whether the page paused it. */
interface Run {
  id: number;
  settings: TrainSettings;
  network: Sequential;
  optimizer: ReturnType<typeof makeOptimizer>;
  rng: Rng;
  state: FitState | null;
  paused: boolean;
  trainedSeconds: number;
}

let run: Run | null = null;
let data: { train: Dataset; validation: Dataset; test: Dataset; provenance: ReturnType<typeof provenanceOf> } | null = null;

/** The network a setting names, initialised from `rng` as `scratchnet train --hidden`/`--layers` would build it. */
function buildNetwork(settings: TrainSettings, rng: Rng): Sequential {
  const choice = NETWORKS[settings.network];
  if (choice.hidden) return Sequential.mlp({ inputs: 784, hidden: choice.hidden, classes: 10, activation: 'relu', rng });
  const { layers, inputShape } = layersFromSpec(parseLayerSpec(choice.layers!), [1, 28, 28], 10, rng);
  return new Sequential(layers, inputShape);
}

function modelBytes(current: Run, metrics: Record<string, unknown> = {}): Uint8Array {
  return encodeModel(current.network, {
    training: { source: 'scratchnet web page', settings: current.settings, ...metrics },
    trainedOn: data!.provenance,
  });
}

function sendModel(current: Run, final: boolean, metrics?: Record<string, unknown>): void {
  const bytes = modelBytes(current, metrics);
  send({ type: 'model', bytes, final }, [bytes.buffer as ArrayBuffer], current.id);
}

/** Lets the worker read its messages between slices. */
const yieldToMessages = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

async function train(settings: TrainSettings, id: number): Promise<void> {
  const rng = new Rng(settings.seed);
  const network = buildNetwork(settings, rng);
  const optimizer = makeOptimizer(settings.optimizer, { lr: settings.learningRate });
  const current: Run = { id, settings, network, optimizer, rng, state: null, paused: false, trainedSeconds: 0 };
  run = current;
  const { train: rows, validation, test } = data!;
  const batchesPerEpoch = Math.ceil(rows.count / settings.batchSize);
  const total = batchesPerEpoch * settings.epochs;
  send(
    {
      type: 'started',
      batchesPerEpoch,
      epochs: settings.epochs,
      parameters: network.params().reduce((n, p) => n + p.value.data.length, 0),
      network: String(network),
    },
    [],
    id,
  );
  sendModel(current, false);
  let lastModel = performance.now();
  let done = 0;
  for (;;) {
    if (run !== current) return; // reset while waiting
    if (current.paused) {
      await yieldToMessages();
      continue;
    }
    const losses: number[] = [];
    const sliceStart = performance.now();
    const history = fit(network, rows, {
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      optimizer,
      rng,
      validation,
      resume: current.state ?? undefined,
      shouldStop: () => performance.now() - sliceStart > SLICE_MS,
      callbacks: {
        onBatchEnd: (event) => losses.push(event.loss),
        onEpochEnd: (event) => {
          // The summary fields only: the event also carries functions and the loop's state.
          const { epoch, trainLoss, valLoss, valAccuracy, learningRate, seconds } = event;
          send({ type: 'epoch', summary: { epoch, trainLoss, valLoss, valAccuracy, learningRate, seconds } }, [], id);
        },
        onTrainEnd: (event) => {
          current.state = event.stopped ? event.state : null;
        },
      },
    });
    if (run !== current) return; // reset during the slice: its batches belong to no run any more
    current.trainedSeconds += (performance.now() - sliceStart) / 1000;
    done += losses.length;
    const samplesPerSecond = (done * settings.batchSize) / Math.max(current.trainedSeconds, 1e-9);
    const secondsLeft = ((total - done) * settings.batchSize) / Math.max(samplesPerSecond, 1e-9);
    send({ type: 'batches', losses, done, total, samplesPerSecond, secondsLeft }, [], id);
    if (current.state === null) {
      const result = evaluate(network, test);
      const last = history.epochs.at(-1);
      sendModel(current, true, {
        epochs: history.epochs.length,
        validationAccuracy: last?.valAccuracy ?? null,
        testAccuracy: result.accuracy,
        testLoss: result.loss,
      });
      send(
        { type: 'finished', testAccuracy: result.accuracy, testLoss: result.loss, testRows: test.count, stopped: false },
        [],
        id,
      );
      run = null;
      return;
    }
    if (performance.now() - lastModel > MODEL_EVERY_MS) {
      sendModel(current, false);
      lastModel = performance.now();
    }
    await yieldToMessages();
  }
}

/** Chooses the backend (WebAssembly with threads where the page is cross-origin isolated) and loads the digits. */
async function start(): Promise<void> {
  const isolated = scope.crossOriginIsolated === true;
  let backend = 'js';
  let threads = 0;
  if (isolated && wasmSupported()) {
    const kernels = (await useBackend('wasm')) as WasmKernels;
    backend = 'wasm';
    threads = kernels.threads;
  }
  const { train, test } = await fetchBuiltinDigits(new URL(`./${DIGITS_FILE}`, import.meta.url));
  const split = trainValidationSplit(train, { fraction: VALIDATION_SHARE, seed: 42 });
  data = { train: split.train, validation: split.validation, test, provenance: provenanceOf(train) };
  send({
    type: 'ready',
    backend,
    threads,
    trainRows: split.train.count,
    validationRows: split.validation.count,
    testRows: test.count,
  });
}

const fail = (error: unknown): void =>
  send({
    type: 'error',
    message: error instanceof ScratchnetError ? error.message : `bug: ${String((error as Error)?.stack ?? error)}`,
  });

const started = start();
started.catch(fail);
scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === 'train') {
    started.then(() => train(message.settings, message.run)).catch(fail);
  } else if (message.type === 'pause' && run) {
    run.paused = true;
    send({ type: 'paused' }, [], run.id);
  } else if (message.type === 'resume' && run) {
    run.paused = false;
  } else if (message.type === 'reset') {
    run = null;
  }
};
