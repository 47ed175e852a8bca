import { Command, Option } from 'commander';
import { INIT_NAMES } from '../layers/init.js';
import { loadModel } from '../io/model-file.js';
import { ACTIVATION_NAMES, type ActivationName } from '../network/mlp.js';
import { Sequential } from '../network/sequential.js';
import { Rng } from '../tensor/rng.js';
import { summarize } from '../network/summary.js';
import { MAX_BATCH_SIZE, MAX_LAYER_WIDTH } from '../limits.js';
import { layerSpec, path, sizeUpTo, widthList } from './parse.js';
import { checkMlpFlags, checkNetworkSize, networkFromLayers } from './train-recipe.js';
import { count, table } from './table.js';

interface SummaryOptions {
  model?: string;
  layers?: string;
  inputs: number;
  hidden: number[];
  classes: number;
  activation: ActivationName;
  batchSize: number;
  json: boolean;
}

export function summaryCommand(): Command {
  return new Command('summary')
    .description("each layer's shapes, parameter count and FLOPs per sample — for a model file or a network described by options")
    .option('--model <file>', 'summarise this model file (otherwise the network the options below describe)', path)
    .option(
      '--layers <spec>',
      'the network as PyTorch-named layers, as `train --layers` takes it (instead of --hidden and --activation)',
      layerSpec,
    )
    .option(
      '--inputs <n>',
      'input features per sample (with --layers starting with conv2d or a pool: a square n is a one-channel image)',
      sizeUpTo(MAX_LAYER_WIDTH, 'the pixels of a 256×256 image'),
      784,
    )
    .addOption(
      new Option('--hidden <widths>', 'hidden layer widths, comma-separated ("none" for none)')
        .argParser(widthList)
        .default([64, 32], '64,32'),
    )
    .option('--classes <n>', 'output classes', sizeUpTo(MAX_LAYER_WIDTH, 'the widest layer scratchnet builds'), 10)
    .addOption(new Option('--activation <name>', 'activation after each hidden layer').choices(ACTIVATION_NAMES).default('relu'))
    .option(
      '--batch-size <n>',
      'batch size for the matrix shapes shown',
      sizeUpTo(MAX_BATCH_SIZE, 'the largest batch train takes'),
      32,
    )
    .option('--json', 'print the summary as JSON', false)
    .action((options: SummaryOptions, command: Command) => {
      checkMlpFlags(options, (key) => command.getOptionValueSource(key) === 'cli');
      if (!options.model && options.layers === undefined) checkNetworkSize(options.inputs, options.hidden, options.classes);
      const network = options.model
        ? loadModel(options.model).network
        : options.layers !== undefined
          ? networkFromLayers(options.layers, [options.inputs], options.classes, new Rng(42))
          : Sequential.mlp({
              inputs: options.inputs,
              hidden: options.hidden,
              classes: options.classes,
              activation: options.activation,
              init: INIT_NAMES[0],
            });
      const summary = summarize(network);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
        return;
      }
      const b = options.batchSize;
      const shape = (s: number[]): string => `[${[b, ...s].join(', ')}]`;
      const rows = [['#', 'layer', `input (batch ${b})`, 'parameters', `output (batch ${b})`, 'params', 'FLOPs/sample']];
      for (const l of summary.layers) {
        const params = l.params.map((p) => `${p.name} [${p.shape.join(', ')}]`).join(', ') || 'none';
        rows.push([
          String(l.index),
          l.layer,
          shape(l.inputShape),
          params,
          shape(l.outputShape),
          count(l.paramCount),
          count(l.flops),
        ]);
      }
      rows.push([
        '',
        'total',
        shape(summary.inputShape),
        '',
        shape(summary.outputShape),
        count(summary.paramCount),
        count(summary.flops),
      ]);
      process.stdout.write(`${options.model ?? 'network'}: ${String(network)}\n\n${table(rows)}\n`);
    });
}
