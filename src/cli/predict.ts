import { basename, extname, join } from 'node:path';
import { Command } from 'commander';
import { ScratchnetError } from '../errors.js';
import { FIELD, decodeImage, encodeGrayPng, mnistStyle, readImageFile } from '../data/image.js';
import { readFeatureRows } from '../data/rows.js';
import { assertFolderCanBeMade, refuseUnlessFileOrNothing, writeFileAtomic } from '../util/fs.js';
import { loadModel } from '../io/model-file.js';
import type { BackendName } from '../kernels/index.js';
import type { Sequential } from '../network/sequential.js';
import { Tensor } from '../tensor/tensor.js';
import { addBackendOption, selectBackend } from './backend.js';
import { printable } from '../util/printable.js';
import { path } from './parse.js';

interface PredictOptions {
  model: string;
  json: boolean;
  savePreprocessed?: string;
  backend: BackendName;
}

interface Prediction {
  input: string;
  class: number;
  name?: string;
  probability: number;
  probabilities: number[];
  label?: number;
}

const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'];

export function predictCommand(): Command {
  return addBackendOption(new Command('predict'))
    .description('classify PNG/JPEG pictures of digits (preprocessed as MNIST was) and CSV rows of pixels')
    .argument(
      '<inputs...>',
      'PNG or JPEG files (any size: grayscale, inverted if dark on light, cropped, scaled into 20×20, centred by mass in 28×28) and CSV files (pixels 0–255, optionally a label first)',
    )
    .option('--model <file>', 'the model file (safetensors)', path, 'model.safetensors')
    .option('--json', 'print one JSON object per input', false)
    .option('--save-preprocessed <dir>', 'write each picture as the network sees it (28×28 PNG) into this folder', path)
    .action(async (inputs: string[], options: PredictOptions) => {
      if (options.savePreprocessed !== undefined) {
        // Every output checked before any input is read, so nothing is half done when one cannot be written.
        assertFolderCanBeMade(options.savePreprocessed, 'folder for preprocessed pictures');
        for (const input of inputs)
          if (IMAGE_EXTENSIONS.includes(extname(input).toLowerCase()))
            refuseUnlessFileOrNothing(preprocessedPath(options.savePreprocessed, input), 'preprocessed picture');
      }
      await selectBackend(options.backend); // before the network is built: its buffers come from the backend
      const { network, info } = loadModel(options.model);
      const inputCount = network.inputShape.reduce((a, b) => a * b, 1);
      for (const input of inputs) {
        const extension = extname(input.replace(/\.gz$/i, '')).toLowerCase();
        let predictions: Prediction[];
        if (IMAGE_EXTENSIONS.includes(extension)) {
          if (inputCount !== FIELD * FIELD)
            throw new ScratchnetError(
              `${options.model} takes ${inputCount} inputs; pictures become 28×28 = 784, so it cannot classify ${input}`,
            );
          const pixels = mnistStyle(decodeImage(readImageFile(input), input), input);
          if (options.savePreprocessed !== undefined) {
            writeFileAtomic(
              preprocessedPath(options.savePreprocessed, input),
              encodeGrayPng(pixels, FIELD, FIELD),
              'preprocessed picture',
            );
          }
          predictions = classify(network, pixels, 1, input).map((p) => ({ input, ...p }));
        } else if (extension === '.csv') {
          const rows = readFeatureRows(input, inputCount);
          predictions = classify(network, rows.features, rows.count, input).map((p, r) => ({
            input: `${input}:${rows.lines[r]}`,
            ...p,
            ...(rows.labels ? { label: rows.labels[r] } : {}),
          }));
        } else {
          throw new ScratchnetError(`${input}: predict reads .png, .jpg, .jpeg and .csv (.csv.gz) files`);
        }
        for (const p of predictions) {
          if (info.classNames) p.name = info.classNames[p.class];
          process.stdout.write(options.json ? `${JSON.stringify(p)}\n` : `${describe(p)}\n`);
        }
      }
    });
}

/** `DIR/<picture name>.28x28.png`: where --save-preprocessed writes a picture as the network sees it. */
function preprocessedPath(dir: string, input: string): string {
  return join(dir, `${basename(input, extname(input))}.28x28.png`);
}

/** Class, its probability and all probabilities for `count` rows of features (from `input`). */
function classify(network: Sequential, features: Float32Array, count: number, input: string): Omit<Prediction, 'input'>[] {
  const probs = network.predictProba(new Tensor(features, [count, ...network.inputShape]));
  const classes = probs.cols;
  return Array.from({ length: count }, (_, r) => {
    const probabilities = Array.from(probs.data.subarray(r * classes, (r + 1) * classes));
    // A loaded model's weights are finite, but the products can still overflow: no class is then "most likely".
    if (!probabilities.every(Number.isFinite))
      throw new ScratchnetError(
        `${input}${count > 1 ? ` row ${r + 1}` : ''}: the model's outputs overflow float32 (probabilities NaN)`,
      );
    const best = probabilities.reduce((b, v, c) => (v > probabilities[b] ? c : b), 0); // no spread: any class count
    return { class: best, probability: probabilities[best], probabilities };
  });
}

function describe(p: Prediction): string {
  const label = p.label === undefined ? '' : ` (label ${p.label}${p.label === p.class ? '' : ', wrong'})`;
  const all = p.probabilities.map((v, c) => `${c}:${v.toFixed(3)}`).join(' ');
  return `${printable(p.input)}: ${p.name === undefined ? p.class : printable(p.name, 40)} ${(p.probability * 100).toFixed(1)}%${label}  [${all}]`;
}
