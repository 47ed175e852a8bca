/**
 * The page: a form that trains in a worker (train-worker.ts), live charts with the report's own Vega-Lite
 * specs (vega-embed), a drawing pad with ten probability bars, pictures of the network's inside, and model
 * files in and out. The page keeps its own copy of the network, rebuilt from model-file bytes (the
 * worker's, or a dropped file), and predicts with it on this thread: a drawing never waits for training.
 */
import * as vegaEmbed from 'vega-embed';
import type { TopLevelSpec } from 'vega-lite';
import { ScratchnetError } from '../errors.js';
import { decodeModel, type ModelInfo } from '../io/model-codec.js';
import type { Sequential } from '../network/sequential.js';
import { Tensor } from '../tensor/tensor.js';
import type { History } from '../training/callbacks.js';
import { activationDerivativesChart, activationFunctionsChart } from '../viz/activation-charts.js';
import { trainingHistoryChart } from '../viz/training-charts.js';
import { DIGITS_FILE, fetchBuiltinDigits } from './digits.js';
import { type FromWorker, NETWORKS, type NetworkChoice, type ToWorker, type TrainSettings } from './messages.js';
import { Pad } from './pad.js';
import { paintActivations, paintFeatureMaps, paintFirstLayer } from './pictures.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** What tests and the benchmark read from the page (window.scratchnetPage); the page itself never reads it. */
export interface PageProbe {
  /** The last prediction's ten probabilities, full precision; null without one. */
  probabilities: number[] | null;
  /** The last 28×28 input the network was given. */
  seen: number[] | null;
  /** Milliseconds from each pointer event to its updated bars. */
  latencies: number[];
  /** Batches and epochs the training chart was last drawn with. */
  charted: { batches: number; epochs: number };
  /** The last finished run's test accuracy, as shown. */
  testAccuracy: number | null;
  /** The backend the worker trains on and its extra threads. */
  engine: { backend: string; threads: number } | null;
  /** The run's losses and epochs so far, as charted. */
  history: History;
  /** Training samples per second of the run so far (time in fit, validation included). */
  samplesPerSecond: number;
}
const history: History = { batchLoss: [], epochs: [] };
const probe: PageProbe = {
  probabilities: null,
  seen: null,
  latencies: [],
  charted: { batches: 0, epochs: 0 },
  testAccuracy: null,
  engine: null,
  history,
  samplesPerSecond: 0,
};
(window as unknown as { scratchnetPage: PageProbe }).scratchnetPage = probe;

/** Shows a message in the page (an error in red): nothing goes only to the console. */
function say(text: string, kind: 'error' | 'info' = 'error'): void {
  const box = document.createElement('p');
  box.className = kind;
  box.textContent = text;
  $('messages').replaceChildren(box);
}
const describe = (error: unknown): string =>
  error instanceof ScratchnetError
    ? error.message
    : `Something went wrong (a bug): ${(error as Error)?.message ?? String(error)}`;
window.addEventListener('error', (event) => say(describe(event.error ?? event.message)));
window.addEventListener('unhandledrejection', (event) => say(describe(event.reason)));

// ---- the model the page draws with ----
let network: Sequential | null = null;
let modelBytes: Uint8Array | null = null;
let modelInfo: ModelInfo = {};

function useModel(bytes: Uint8Array, source: string): void {
  const model = decodeModel(bytes, source);
  const inputs = model.network.inputShape.reduce((a, b) => a * b, 1);
  const classes = model.network.outputShape()[0];
  if (inputs !== 784 || classes !== 10)
    throw new ScratchnetError(
      `${source}: the model takes ${inputs} inputs and gives ${classes} classes; this page draws 28×28 digits (784 inputs, 10 classes)`,
    );
  network = model.network;
  modelInfo = model.info;
  modelBytes = bytes;
  $('download-button').removeAttribute('disabled');
  $('model-info').textContent = `Model: ${String(network)} (${source})`;
  $('weights-note').textContent = paintFirstLayer($<HTMLCanvasElement>('weights'), network);
  predict(null);
}

// ---- drawing and predicting ----
const bars = $('bars');
for (let digit = 0; digit < 10; digit++) {
  const item = document.createElement('li');
  item.innerHTML = `<span>${digit}</span><span class="bar"><span class="fill"></span></span><span class="value">–</span>`;
  bars.append(item);
}
const pad = new Pad($<HTMLCanvasElement>('pad'), (time) => predict(time));

function showSeen(values: Float32Array | null): void {
  const canvas = $<HTMLCanvasElement>('seen');
  const context = canvas.getContext('2d')!;
  const pixels = context.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const level = Math.round(255 * Math.min(1, Math.max(0, values?.[i] ?? 0)));
    pixels.data.set([level, level, level, 255], 4 * i);
  }
  const small = new OffscreenCanvas(28, 28);
  small.getContext('2d')!.putImageData(pixels, 0, 0);
  context.imageSmoothingEnabled = false;
  context.drawImage(small, 0, 0, canvas.width, canvas.height);
}

function predict(eventTime: number | null): void {
  let input: Float32Array | null = null;
  try {
    input = pad.preprocessed();
  } catch (error) {
    if (!(error instanceof ScratchnetError)) throw error; // "no digit found": a blank or flat canvas
  }
  showSeen(input);
  const status = $('prediction');
  if (input === null || network === null) {
    probe.probabilities = null;
    status.textContent =
      network === null ? 'Prediction: none yet (train or load a model, then draw)' : 'Prediction: none (draw a digit)';
    bars.querySelectorAll('li').forEach((li) => updateBar(li, null, false));
    return;
  }
  const probabilities = Array.from(network.predictProba(new Tensor(input, [1, ...network.inputShape])).data.subarray(0, 10));
  const best = probabilities.reduce((b, v, c) => (v > probabilities[b] ? c : b), 0);
  bars.querySelectorAll('li').forEach((li, digit) => updateBar(li, probabilities[digit], digit === best));
  status.textContent = `Prediction: ${best} (${(probabilities[best] * 100).toFixed(1)}%)`;
  probe.probabilities = probabilities;
  probe.seen = Array.from(input);
  if (eventTime !== null) probe.latencies.push(performance.now() - eventTime);
  lookInside(network, input);
}

let insidePending: { network: Sequential; input: Float32Array } | null = null;
/** Paints the activations and feature maps of `input` at the next frame: the bars come first, and strokes faster than frames paint once. */
function lookInside(model: Sequential, input: Float32Array): void {
  const first = insidePending === null;
  insidePending = { network: model, input };
  if (!first) return;
  requestAnimationFrame(() => {
    const { network: current, input: latest } = insidePending!;
    insidePending = null;
    paintActivations($('activations'), current, latest);
    const convnet = paintFeatureMaps($('feature-maps'), current, latest);
    $('maps-note').textContent = convnet
      ? 'What each convolution passes on (after its activation).'
      : 'Only a convnet has feature maps.';
  });
}

function updateBar(item: Element, probability: number | null, best: boolean): void {
  (item.querySelector('.fill') as HTMLElement).style.width = `${(probability ?? 0) * 100}%`;
  item.querySelector('.value')!.textContent = probability === null ? '–' : `${(probability * 100).toFixed(1)}%`;
  item.classList.toggle('best', best);
}

$('clear-button').addEventListener('click', () => {
  pad.clear();
  predict(null);
});
let testDigits: Promise<Awaited<ReturnType<typeof fetchBuiltinDigits>>> | null = null;
$('sample-button').addEventListener('click', () => {
  testDigits ??= fetchBuiltinDigits(new URL(`./${DIGITS_FILE}`, import.meta.url));
  testDigits
    .then(({ test }) => {
      const row = Math.floor(Math.random() * test.count);
      pad.show(Array.from(test.features.subarray(row * 784, (row + 1) * 784), (v) => v / 255));
    })
    .catch((error) => say(describe(error)));
});

// ---- charts ----
// vega-embed's types describe a CommonJS module (TypeScript sees the function as default.default); its ES
// build, which the bundle takes, has the function as `default`.
type Embed = typeof vegaEmbed.default.default;
const embed = vegaEmbed.default as unknown as Embed;
type Result = Awaited<ReturnType<Embed>>;
let chart: Result | null = null;
let chartTimer: ReturnType<typeof setTimeout> | null = null;

async function draw(target: string, spec: TopLevelSpec): Promise<Result> {
  return embed(`#${target}`, spec, { renderer: 'svg', actions: false });
}

async function drawHistory(): Promise<void> {
  chartTimer = null;
  const counts = { batches: history.batchLoss.length, epochs: history.epochs.length };
  const result = await draw('history-chart', trainingHistoryChart(history, 'Training in this page'));
  chart?.finalize();
  chart = result;
  probe.charted = counts;
}
/** Redraws the charts at most every 500 ms while batches arrive, at once after an epoch. */
function scheduleHistory(now = false): void {
  if (now) {
    if (chartTimer) clearTimeout(chartTimer);
    drawHistory().catch((error) => say(describe(error)));
  } else {
    chartTimer ??= setTimeout(() => void drawHistory().catch((error) => say(describe(error))), 500);
  }
}
scheduleHistory(true); // empty until the first batches: the panels show where the curves will be
draw('activation-chart', activationFunctionsChart()).catch((error) => say(describe(error)));
draw('derivative-chart', activationDerivativesChart()).catch((error) => say(describe(error)));

// ---- training ----
const select = $<HTMLSelectElement>('network');
for (const [value, { label }] of Object.entries(NETWORKS))
  select.add(new Option(label, value, value === 'tutorial', value === 'tutorial'));
const worker = new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module', name: 'scratchnet training' });
const tell = (message: ToWorker): void => worker.postMessage(message);
const trainButton = $<HTMLButtonElement>('train-button');
const pauseButton = $<HTMLButtonElement>('pause-button');
const resetButton = $<HTMLButtonElement>('reset-button');
const progress = $('progress');
let paused = false;
/** The run the page asked for last (0: none); messages of other runs are dropped. */
let activeRun = 0;

function settings(): TrainSettings {
  const form = new FormData($<HTMLFormElement>('settings'));
  const number = (name: string): number => Number(form.get(name));
  return {
    network: form.get('network') as NetworkChoice,
    optimizer: form.get('optimizer') as TrainSettings['optimizer'],
    learningRate: number('learningRate'),
    batchSize: number('batchSize'),
    epochs: number('epochs'),
    seed: 42,
  };
}

$('settings').addEventListener('submit', (event) => {
  event.preventDefault();
  history.batchLoss = [];
  history.epochs = [];
  paused = false;
  pauseButton.textContent = 'Pause';
  pauseButton.disabled = false;
  resetButton.disabled = false;
  probe.testAccuracy = null;
  progress.textContent = 'Starting…';
  tell({ type: 'train', settings: settings(), run: ++activeRun });
});
pauseButton.addEventListener('click', () => {
  paused = !paused;
  tell({ type: paused ? 'pause' : 'resume' });
  pauseButton.textContent = paused ? 'Resume' : 'Pause';
});
resetButton.addEventListener('click', () => {
  tell({ type: 'reset' });
  activeRun++; // whatever the reset run still sends is dropped
  history.batchLoss = [];
  history.epochs = [];
  pauseButton.disabled = resetButton.disabled = true;
  pauseButton.textContent = 'Pause';
  progress.textContent = 'Reset. Choose a network and press Train.';
  scheduleHistory(true);
});

const seconds = (s: number): string => (s >= 90 ? `${Math.round(s / 60)} min` : `${Math.max(0, Math.round(s))} s`);

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  if (message.run !== undefined && message.run !== activeRun) return; // a run the page reset
  try {
    switch (message.type) {
      case 'ready':
        probe.engine = { backend: message.backend, threads: message.threads };
        $('engine').textContent =
          message.backend === 'wasm'
            ? `Training on WebAssembly SIMD with ${message.threads + 1} thread${message.threads ? 's' : ''} (cross-origin isolated).`
            : 'Training single-threaded on the JavaScript kernels: this page is not cross-origin isolated (its server sends no COOP/COEP headers), so the WebAssembly backend, which shares memory between threads, is off. `npm run web` serves it with them.';
        progress.textContent = `${message.trainRows} training digits, ${message.validationRows} for validation, ${message.testRows} for testing. Press Train.`;
        trainButton.disabled = false;
        break;
      case 'started':
        progress.textContent = `Training ${message.network}: ${message.parameters.toLocaleString('en')} parameters, ${message.batchesPerEpoch} batches per epoch…`;
        break;
      case 'batches':
        history.batchLoss.push(...message.losses);
        probe.samplesPerSecond = message.samplesPerSecond;
        if (!paused)
          progress.textContent = `Batch ${message.done} of ${message.total}: ${Math.round(message.samplesPerSecond).toLocaleString('en')} samples/s, ${seconds(message.secondsLeft)} left`;
        scheduleHistory();
        break;
      case 'epoch':
        history.epochs.push(message.summary);
        scheduleHistory(true);
        break;
      case 'model':
        useModel(message.bytes, message.final ? 'trained in this page' : 'training in this page');
        break;
      case 'paused':
        progress.textContent = `Paused after batch ${history.batchLoss.length}.`;
        break;
      case 'finished':
        probe.testAccuracy = message.testAccuracy;
        pauseButton.disabled = resetButton.disabled = true;
        progress.textContent = `Done: test accuracy ${(message.testAccuracy * 100).toFixed(2)}% on the ${message.testRows} built-in test digits (loss ${message.testLoss.toFixed(4)}).`;
        scheduleHistory(true);
        break;
      case 'error':
        say(message.message);
        break;
    }
  } catch (error) {
    say(describe(error));
  }
};
worker.onerror = (event) => say(`The training worker failed: ${event.message}`);

// ---- model files in and out ----
async function openFile(file: File): Promise<void> {
  if (file.size > 512 << 20)
    throw new ScratchnetError(`${file.name}: ${Math.round(file.size / 1e6)} MB; this page opens model files up to 512 MiB`);
  useModel(new Uint8Array(await file.arrayBuffer()), file.name);
  tell({ type: 'reset' }); // the worker's run would overwrite it
  activeRun++;
  pauseButton.disabled = resetButton.disabled = true;
  say(`Loaded ${file.name}. Draw a digit to see what it thinks.`, 'info');
}
const drop = $('drop');
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  const file = event.dataTransfer?.files[0];
  if (file) openFile(file).catch((error) => say(describe(error)));
});
$<HTMLInputElement>('model-file').addEventListener('change', (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file) openFile(file).catch((error) => say(describe(error)));
});
$('download-button').addEventListener('click', () => {
  if (!modelBytes) return;
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([modelBytes as BlobPart], { type: 'application/octet-stream' }));
  link.download = 'scratchnet-page-model.safetensors';
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  void modelInfo;
});
