import { Command } from 'commander';
import { ScratchnetError } from '../errors.js';
import type { BackendName } from '../kernels/index.js';
import { loadModel } from '../io/model-file.js';
import { evaluate } from '../network/evaluate.js';
import { confusionMatrix, perClassMetrics } from '../network/metrics.js';
import { addBackendOption, selectBackend } from './backend.js';
import { checkDataFitsModel, loadEvaluationData } from './data.js';
import { printable } from '../util/printable.js';
import { path, text } from './parse.js';
import { count, table } from './table.js';
import { percent } from './train-reporter.js';

interface EvaluateOptions {
  model: string;
  test?: string;
  labelColumn?: string;
  testLabels?: string;
  json: boolean;
  backend: BackendName;
}

export function evaluateCommand(): Command {
  return addBackendOption(new Command('evaluate'))
    .description('accuracy, per-class precision and recall, and the confusion matrix of a model on a labelled dataset')
    .option('--model <file>', 'the model file (safetensors)', path, 'model.safetensors')
    .option(
      '--test <path>',
      "labelled data: CSV, CSV.gz or IDX; default: the built-in test digits (a test set only for models trained on the built-in training digits: all 10,000 are from MNIST's training set)",
      path,
    )
    .option('--label-column <column>', 'CSV: the label column, a 0-based index (-1 = last) or a header name', text)
    .option('--test-labels <path>', 'IDX: the labels file, when it is not beside the images file', path)
    .option('--json', 'print the results as one JSON object', false)
    .action(async (options: EvaluateOptions) => {
      const backend = await selectBackend(options.backend); // before the network is built: its buffers come from the backend
      const { network, info } = loadModel(options.model);
      const data = await loadEvaluationData(options.test, options.labelColumn, options.testLabels, {
        path: options.model,
        info,
        network,
      });
      checkDataFitsModel(network, data, options.model);
      const classes = network.outputShape()[0];
      const result = evaluate(network, data);
      if (!Number.isFinite(result.loss))
        throw new ScratchnetError(
          `${options.model}: the loss on ${data.name} is ${result.loss}: the model's outputs overflow float32`,
        );
      const matrix = confusionMatrix(data.labels, result.predictions, classes);
      const metrics = perClassMetrics(matrix);
      const names = (info.classNames ?? data.classNames ?? Array.from({ length: classes }, (_, c) => String(c))).map((name) =>
        printable(name, 40),
      );
      if (options.json) {
        const perClass = metrics.map((m, c) => ({
          class: c,
          name: names[c],
          precision: nullIfNaN(m.precision),
          recall: nullIfNaN(m.recall),
          f1: nullIfNaN(m.f1),
          support: m.support,
        }));
        process.stdout.write(
          `${JSON.stringify({ model: options.model, data: data.name, backend, count: data.count, accuracy: result.accuracy, loss: result.loss, perClass, confusionMatrix: matrix })}\n`,
        );
        return;
      }
      const lines = [
        `Model: ${options.model}: ${String(network)}`,
        `Data: ${data.name}, ${count(data.count)} samples (evaluated on the ${backend} backend)`,
        `Accuracy: ${percent(result.accuracy)}  (loss ${result.loss.toFixed(4)})`,
        '',
        table([
          ['class', 'precision', 'recall', 'f1', 'support'],
          ...metrics.map((m, c) => [names[c], pct(m.precision), pct(m.recall), pct(m.f1), count(m.support)]),
        ]),
        '',
        'Confusion matrix (rows: true class, columns: predicted class)',
        table([['', ...names.map((_, c) => String(c))], ...matrix.map((row, t) => [names[t], ...row.map(String)])]),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

function pct(x: number): string {
  return Number.isNaN(x) ? '-' : `${(x * 100).toFixed(1)}%`;
}

function nullIfNaN(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}
