import { join } from 'node:path';
import { Command } from 'commander';
import { ScratchnetError } from '../errors.js';
import { assertFolderCanBeMade } from '../util/fs.js';
import { loadBuiltinMnist } from '../data/builtin.js';
import type { Dataset } from '../data/dataset.js';
import { loadModel } from '../io/model-file.js';
import { Conv2d } from '../layers/conv2d.js';
import type { BackendName } from '../kernels/index.js';
import { evaluate } from '../network/evaluate.js';
import type { TopLevelSpec } from 'vega-lite';
import type { FigureFile } from '../viz/figures.js';
import { addBackendOption, selectBackend } from './backend.js';
import { checkDataFitsModel, loadDataFile, loadEvaluationData, refuseDataFlags } from './data.js';
import { MAX_FIGURE_SAMPLES, MAX_PNG_SCALE } from '../limits.js';
import { nonNegativeInteger, path, positiveNumberUpTo, sizeUpTo, text } from './parse.js';

/** --n of the digit figures: at most MAX_FIGURE_SAMPLES. */
const figureCount = sizeUpTo(MAX_FIGURE_SAMPLES, 'the most digits a figure draws');

/**
 * `scratchnet plot …`: the figures as SVG + PNG files, one subcommand per figure (or family). Each
 * prints the files it wrote. Everything here is a library call (src/viz); `train --report` writes all of
 * them at once with an HTML page. The charting libraries load only when a plot command runs, so they
 * do not slow down the start of every other command.
 */

/** The figure modules, loaded on first use. */
async function viz() {
  const [figures, digitCharts, trainingCharts, convCharts, render] = await Promise.all([
    import('../viz/figures.js'),
    import('../viz/digit-charts.js'),
    import('../viz/training-charts.js'),
    import('../viz/conv-charts.js'),
    import('../viz/render.js'),
  ]);
  return { ...figures, ...digitCharts, ...trainingCharts, ...convCharts, ...render };
}

interface PlotOptions {
  out: string;
  scale: number;
}

interface DataPlotOptions extends PlotOptions {
  n: number;
  seed: number;
}

function withOutput(command: Command): Command {
  return command
    .option('--out <dir>', 'folder to write the figures into (created if missing)', path, 'figures')
    .option('--scale <factor>', 'PNG pixels per SVG pixel', positiveNumberUpTo(MAX_PNG_SCALE, 'the largest PNG scale'), 2);
}

function report(figures: readonly FigureFile[], dir: string): void {
  for (const f of figures)
    process.stdout.write(
      `${f.title}: ${join(dir, f.svg)}, ${join(dir, f.png)} (${Math.round(f.width)}×${Math.round(f.height)} px)\n`,
    );
}

interface ModelDataOptions {
  model: string;
  test?: string;
  labelColumn?: string;
  testLabels?: string;
  backend: BackendName;
}

/** A model and a labelled dataset it was checked against (with the model's class names), and its evaluation. */
async function modelOnData(options: ModelDataOptions) {
  const { network, test } = await modelAndData(options);
  return { network, test, evaluation: evaluate(network, test) };
}

/** A model and a labelled dataset it was checked against (with the model's class names). */
async function modelAndData(options: ModelDataOptions) {
  await selectBackend(options.backend); // before the network is built: its buffers come from the backend
  const { network, info } = loadModel(options.model);
  const data = await loadEvaluationData(options.test, options.labelColumn, options.testLabels, {
    path: options.model,
    info,
    network,
  });
  checkDataFitsModel(network, data, options.model);
  const classNames = data.classNames ?? info.classNames;
  const test: Dataset = classNames ? { ...data, classNames } : data;
  return { network, test };
}

function activations(): Command {
  return withOutput(new Command('activations'))
    .description("the tutorial's activation figures: sigmoid, ReLU, tanh, leaky ReLU over [−5, 5], and each with its derivative")
    .action(async (options: PlotOptions) => {
      report(await (await viz()).writeActivationFigures(options.out, { scale: options.scale }), options.out);
    });
}

function samples(): Command {
  return withOutput(new Command('samples'))
    .description('random digits with their labels (default: 25 from the built-in training digits)')
    .option('--n <count>', 'how many digits', figureCount, 25)
    .option('--train <path>', 'labelled data: CSV, CSV.gz or IDX; default: the built-in training digits', path)
    .option('--label-column <column>', 'CSV: the label column, a 0-based index (-1 = last) or a header name', text)
    .option('--train-labels <path>', 'IDX: the labels file, when it is not beside the images file', path)
    .option('--seed <n>', 'seed of the random choice', nonNegativeInteger, 42)
    .action(async (options: DataPlotOptions & { train?: string; labelColumn?: string; trainLabels?: string }) => {
      if (options.train === undefined) refuseDataFlags({ labelColumn: options.labelColumn, trainLabels: options.trainLabels });
      const dataset: Dataset =
        options.train === undefined
          ? loadBuiltinMnist().train
          : await loadDataFile(options.train, options.labelColumn, options.trainLabels);
      report(
        [await (await viz()).writeSamplesFigure(options.out, dataset, options.n, options.seed, { scale: options.scale })],
        options.out,
      );
    });
}

function modelCommand(name: string, description: string): Command {
  return addBackendOption(withOutput(new Command(name)))
    .description(description)
    .option('--model <file>', 'the model file (safetensors)', path, 'model.safetensors')
    .option('--test <path>', 'labelled data: CSV, CSV.gz or IDX; default: the built-in test digits', path)
    .option('--label-column <column>', 'CSV: the label column, a 0-based index (-1 = last) or a header name', text)
    .option('--test-labels <path>', 'IDX: the labels file, when it is not beside the images file', path);
}

function predictions(): Command {
  return modelCommand(
    'predictions',
    'random test digits with the predicted label (green right, red wrong) above the class probabilities',
  )
    .option('--n <count>', 'how many digits', figureCount, 10)
    .option('--seed <n>', 'seed of the random choice', nonNegativeInteger, 42)
    .action(async (options: DataPlotOptions & ModelDataOptions) => {
      const { test, evaluation } = await modelOnData(options);
      report(
        [
          await (
            await viz()
          ).writePredictionsFigure(options.out, test, evaluation, options.n, options.seed, { scale: options.scale }),
        ],
        options.out,
      );
    });
}

function wrong(): Command {
  return modelCommand('wrong', 'the test digits the model got wrong with the most confidence')
    .option('--n <count>', 'how many digits', figureCount, 10)
    .action(async (options: DataPlotOptions & ModelDataOptions) => {
      const { test, evaluation } = await modelOnData(options);
      const spec = (await viz()).confidentlyWrongChart(test, evaluation, options.n);
      if (!spec) {
        process.stdout.write(`No wrong predictions on ${test.name}: nothing to plot.\n`);
        return;
      }
      report([await figure(options, 'confidently-wrong', 'Most confidently wrong', spec)], options.out);
    });
}

function confusion(): Command {
  return modelCommand('confusion', 'confusion-matrix heat map of the model on labelled data').action(
    async (options: PlotOptions & ModelDataOptions) => {
      const { test, evaluation } = await modelOnData(options);
      report(
        [await figure(options, 'confusion-matrix', 'Confusion matrix', (await viz()).confusionMatrixChart(test, evaluation))],
        options.out,
      );
    },
  );
}

function weights(): Command {
  return withOutput(new Command('weights'))
    .description("the first layer's weights as one 28×28 image per hidden unit")
    .option('--model <file>', 'the model file (safetensors)', path, 'model.safetensors')
    .action(async (options: PlotOptions & { model: string }) => {
      const { network } = loadModel(options.model);
      if (network.layers.some((layer) => layer instanceof Conv2d))
        throw new ScratchnetError(
          `${options.model} is a convolutional network: its first layer's weights are filters; draw them with \`scratchnet plot filters\``,
        );
      const inputs = network.inputShape.reduce((a, b) => a * b, 1);
      const side = Math.round(Math.sqrt(inputs));
      if (side * side !== inputs)
        throw new ScratchnetError(
          `${options.model}: ${inputs} inputs per sample are not a square image; its weights cannot be drawn as images`,
        );
      if (network.layers[0].type !== 'dense')
        throw new ScratchnetError(
          `${options.model}: its first layer is ${String(network.layers[0])}, not a Dense layer; 'plot weights' draws a Dense layer's weight per input pixel`,
        );
      report(
        [
          await figure(
            options,
            'first-layer-weights',
            'First-layer weights',
            (await viz()).firstLayerWeightsChart(network, side),
          ),
        ],
        options.out,
      );
    });
}

function filters(): Command {
  return withOutput(new Command('filters'))
    .description("a convolutional network's first-layer filters, one small image per output channel")
    .option('--model <file>', 'the model file (safetensors)', path, 'model.safetensors')
    .action(async (options: PlotOptions & { model: string }) => {
      const { network } = loadModel(options.model);
      if (!network.layers.some((layer) => layer instanceof Conv2d))
        throw new ScratchnetError(`${options.model} has no convolution; draw its first layer with \`scratchnet plot weights\``);
      report(
        [await figure(options, 'conv-filters', 'Convolution filters', (await viz()).convFiltersChart(network))],
        options.out,
      );
    });
}

function featureMaps(): Command {
  return modelCommand('feature-maps', 'the feature maps of every convolution for one test image, one small image per channel')
    .option('--index <n>', 'which test sample (0-based); default: one chosen with --seed', nonNegativeInteger)
    .option('--seed <n>', 'seed of the random choice', nonNegativeInteger, 42)
    .action(async (options: PlotOptions & ModelDataOptions & { index?: number; seed: number }) => {
      const { network, test } = await modelAndData(options);
      if (!network.layers.some((layer) => layer instanceof Conv2d))
        throw new ScratchnetError(`${options.model} has no convolution: it makes no feature maps`);
      const v = await viz();
      const index = options.index ?? v.pickSamples(test, 1, options.seed)[0];
      if (index >= test.count)
        throw new ScratchnetError(`--index ${index}: ${test.name} has ${test.count} samples (0..${test.count - 1})`);
      report([await figure(options, 'feature-maps', 'Feature maps', v.featureMapsChart(network, test, index))], options.out);
    });
}

async function figure(options: PlotOptions, id: string, title: string, spec: TopLevelSpec): Promise<FigureFile> {
  const written = await (await viz()).writeChart(spec, join(options.out, id), { scale: options.scale });
  return { id, title, caption: '', svg: `${id}.svg`, png: `${id}.png`, width: written.width, height: written.height };
}

export function plotCommand(): Command {
  const plot = new Command('plot')
    .description(
      'draw figures as SVG and PNG files: activations, samples, predictions, wrong, confusion, weights, filters, feature-maps',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  scratchnet plot activations --out figures\n  scratchnet plot samples --n 25\n  scratchnet plot predictions --model model.safetensors --n 10',
    );
  for (const command of [activations(), samples(), predictions(), wrong(), confusion(), weights(), filters(), featureMaps()])
    plot.addCommand(command);
  // Before any model or data is read: a folder that cannot take the figures fails at once.
  plot.hook('preAction', (_plot, command) => assertFolderCanBeMade(command.opts<PlotOptions>().out, 'figure folder'));
  return plot;
}
