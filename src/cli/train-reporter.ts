import cliProgress from 'cli-progress';
import type { BackendUsed, TrainEvent } from './train-events.js';

/** Turns training events into output: a live bar on a terminal, plain lines otherwise, or JSON lines. */
export interface Reporter {
  handle(event: TrainEvent): void;
  /** A status note (e.g. "stopping after this batch") that must not garble the bar. */
  note(text: string): void;
}

export function makeReporter(options: { json: boolean; logEvery: number }, out: NodeJS.WriteStream = process.stdout): Reporter {
  if (options.json) return jsonReporter(out);
  return out.isTTY ? progressBarReporter(out) : lineReporter(out);
}

/** `--json`: every event as one line of JSON. Batch events only every --log-every batches. */
function jsonReporter(out: NodeJS.WriteStream): Reporter {
  return {
    handle(event) {
      if (event.event === 'batch' && !event.logged) return;
      if (event.event === 'batch') {
        const { logged: _logged, ...rest } = event;
        out.write(`${JSON.stringify(rest)}\n`);
      } else out.write(`${JSON.stringify(event)}\n`);
      if (event.event === 'interrupted') process.stderr.write(interruptedMessage(event)); // for the person watching
      if (event.event === 'note') process.stderr.write(`${event.message}\n`);
    },
    note(text) {
      process.stderr.write(`${text}\n`);
    },
  };
}

/** Not a terminal: the tutorial's output — a line every --log-every batches, a line per epoch. */
function lineReporter(out: NodeJS.WriteStream): Reporter {
  const print = (line: string): boolean => out.write(`${line}\n`);
  return {
    handle(event) {
      if (event.event === 'batch') {
        if (event.batch === 1) print(`Epoch ${event.epoch}/${event.epochs}`);
        if (event.logged)
          print(
            `  Batch ${event.batch}/${event.batches}, Loss: ${event.loss.toFixed(4)} (mean ${event.meanLoss.toFixed(4)}, ${Math.round(event.samplesPerSecond)} samples/s)`,
          );
      } else common(event, print);
    },
    note(text) {
      process.stderr.write(`${text}\n`);
    },
  };
}

/** A terminal: one live bar per epoch with samples/s, running loss and ETA, then the epoch's line. */
function progressBarReporter(out: NodeJS.WriteStream): Reporter {
  let bar: cliProgress.SingleBar | null = null;
  const stopBar = (): void => {
    bar?.stop();
    bar = null;
  };
  const print = (line: string): void => {
    stopBar();
    out.write(`${line}\n`);
  };
  return {
    handle(event) {
      if (event.event !== 'batch') return common(event, print);
      if (!bar) {
        bar = new cliProgress.SingleBar(
          {
            stream: out,
            format: `Epoch ${event.epoch}/${event.epochs} {bar} {value}/{total} batches | {speed} samples/s | loss {loss} | ETA {eta_formatted}`,
            barCompleteChar: '█',
            barIncompleteChar: '░',
            hideCursor: true,
            etaBuffer: 50,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(event.batches, event.batch - 1, { speed: '-', loss: '-' });
      }
      bar.update(event.batch, { speed: Math.round(event.samplesPerSecond), loss: event.meanLoss.toFixed(4) });
    },
    note(text) {
      stopBar();
      process.stderr.write(`${text}\n`);
    },
  };
}

/** The lines every text reporter prints the same way. */
function common(event: TrainEvent, print: (line: string) => void): void {
  switch (event.event) {
    case 'start':
      print(`Data: ${event.data}: ${event.train} training, ${event.validation} validation, ${event.test} test samples`);
      print(
        `Network: ${event.network}, ${event.parameters.toLocaleString('en-US')} parameters; ${plural(event.epochs, 'epoch')} of ${plural(event.batches, 'batch', 'batches')} of ${event.batchSize}`,
      );
      print(`Backend: ${BACKEND_DESCRIPTIONS[event.backend]}`);
      if (event.resumedFrom) print(`Resuming at epoch ${event.resumedFrom.epoch}, batch ${event.resumedFrom.batch}`);
      break;
    case 'epoch': {
      const validation =
        event.valAccuracy === null
          ? 'no validation'
          : `val loss ${event.valLoss!.toFixed(4)}, val accuracy ${percent(event.valAccuracy)}`;
      print(
        `  Epoch ${event.epoch}/${event.epochs}: train loss ${event.trainLoss.toFixed(4)}, ${validation}, ${event.seconds.toFixed(1)}s (${Math.round(event.samplesPerSecond).toLocaleString('en-US')} samples/s on ${event.backend})`,
      );
      break;
    }
    case 'checkpoint':
      print(`  Checkpoint written: ${event.path}`);
      break;
    case 'note':
      process.stderr.write(`${event.message}\n`);
      break;
    case 'early-stop':
      print(
        `Early stopping after epoch ${event.epoch}: best validation loss ${event.bestValLoss.toFixed(4)} at epoch ${event.bestEpoch}, whose weights are kept`,
      );
      break;
    case 'interrupted':
      process.stderr.write(interruptedMessage(event));
      break;
    case 'test':
      print(`Test accuracy: ${percent(event.accuracy)} (${event.count} samples, loss ${event.loss.toFixed(4)})`);
      break;
    case 'saved':
      print(`Model saved to ${event.path}`);
      break;
    case 'report':
      print(`Report written: ${event.path} (${event.figures} figures)`);
      break;
    case 'end':
      if (event.exitCode === 0) print(`Total time: ${event.seconds.toFixed(1)}s (${event.backend} backend)`);
      break;
    default:
      break;
  }
}

/** What each backend is, for the start of a run. */
export const BACKEND_DESCRIPTIONS: Record<BackendUsed, string> = {
  native: 'native (matrix products in C with AVX-512 or AVX2+FMA, the rest WebAssembly SIMD; worker threads for large products)',
  wasm: 'wasm (WebAssembly SIMD kernels, worker threads for large products)',
  js: 'js (the reference TypeScript kernels: readable, slow)',
};

function interruptedMessage(event: Extract<TrainEvent, { event: 'interrupted' }>): string {
  const where =
    event.batch === 0 ? `after epoch ${event.epoch - 1}` : `in epoch ${event.epoch} after batch ${event.batch}/${event.batches}`;
  return `Interrupted ${where}. Checkpoint written: ${event.checkpoint}\nResume with: ${event.resume}\n`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}
