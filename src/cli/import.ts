import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { ScratchnetError } from '../errors.js';
import { checkClassNames } from '../io/architecture-check.js';
import { DEFAULT_INPUT_SCALE, loadModel, saveModel } from '../io/model-file.js';
import { MAX_LAYER_WIDTH } from '../limits.js';
import { Rng } from '../tensor/rng.js';
import { assertFolderCanBeMade, refuseUnlessFileOrNothing } from '../util/fs.js';
import { type FlagTable, type OptionsOf, addFlags } from './flags.js';
import * as parse from './parse.js';
import { TRAIN_FLAGS } from './train-flags.js';
import { buildNetwork, checkMlpFlags } from './train-recipe.js';

/**
 * Every flag of `scratchnet import`. The network flags are train's own (TRAIN_FLAGS), so an architecture
 * is described in the same words in both commands; the PyTorch model must have the same layers, index
 * for index.
 */
const IMPORT_FLAGS = {
  weights: {
    flag: '--weights <file>',
    description:
      "the PyTorch nn.Sequential's state_dict saved as safetensors (safetensors.torch.save_file, or json + NumPy: docs/interop.md)",
    role: 'data',
    parse: parse.path,
  },
  out: {
    flag: '--out <file>',
    description: 'the scratchnet model file to write',
    role: 'run',
    parse: parse.path,
    default: 'model.safetensors',
  },
  layers: TRAIN_FLAGS.layers,
  hidden: TRAIN_FLAGS.hidden,
  activation: TRAIN_FLAGS.activation,
  dropout: TRAIN_FLAGS.dropout,
  batchNorm: TRAIN_FLAGS.batchNorm,
  inputs: {
    flag: '--inputs <n>',
    description:
      'input values per sample (a square number read as a one-channel image by --layers starting with conv2d or a pool)',
    role: 'recipe',
    parse: parse.sizeUpTo(MAX_LAYER_WIDTH, 'the pixels of a 256×256 image'),
    default: 784,
  },
  classes: {
    flag: '--classes <n>',
    description: 'output classes',
    role: 'recipe',
    parse: parse.sizeUpTo(MAX_LAYER_WIDTH, 'the widest layer scratchnet builds'),
    default: 10,
  },
  classNames: {
    flag: '--class-names <names>',
    description: 'names of the classes, comma-separated, one per class (default: none; classes are shown as numbers)',
    role: 'recipe',
    parse: (text: string) => text.split(',').map((name) => name.trim()),
  },
  inputScale: {
    flag: '--input-scale <s>',
    description: 'what the PyTorch model multiplied each raw value (a pixel 0–255) by, e.g. 1/255 or 1',
    role: 'recipe',
    parse: parse.scale,
    default: DEFAULT_INPUT_SCALE,
    defaultText: '1/255: pixels → [0, 1], as scratchnet reads images',
  },
} as const satisfies FlagTable;

type ImportOptions = OptionsOf<typeof IMPORT_FLAGS>;

/**
 * `scratchnet import --weights torch.safetensors --layers "…" --out model.safetensors`: PyTorch weights
 * into a scratchnet model file. The architecture comes from the flags (a state_dict holds none), every
 * name and shape is checked against it, and the model file is written only when all fit.
 */
export function importCommand(): Command {
  return addFlags(
    new Command('import').description(
      "a PyTorch nn.Sequential's weights (state_dict as safetensors) as a scratchnet model file, given its layers (--layers or --hidden …)",
    ),
    IMPORT_FLAGS,
  ).action((options: ImportOptions, command: Command) => {
    if (options.weights === undefined)
      throw new ScratchnetError('--weights is required: the PyTorch state_dict saved as safetensors');
    checkMlpFlags(options, (key) => command.getOptionValueSource(key) === 'cli');
    if (resolve(options.out) === resolve(options.weights))
      throw new ScratchnetError(`--out '${options.out}' is the weights file itself: give another name`);
    refuseUnlessFileOrNothing(options.out, 'model file');
    assertFolderCanBeMade(dirname(options.out), 'folder for the model file');
    const network = buildNetwork({ ...options, init: 'he-normal' }, [options.inputs], options.classes, new Rng(0));
    if (options.classNames)
      checkClassNames(options.classNames, network.outputShape()[0], (message) => {
        throw new ScratchnetError(`--class-names: ${message.replace('__metadata__.class_names', 'the list')}`);
      });
    loadModel(options.weights, { architecture: network });
    saveModel(options.out, network, {
      inputScale: options.inputScale,
      ...(options.classNames && { classNames: options.classNames }),
      training: { importedFrom: resolve(options.weights), framework: 'PyTorch' },
    });
    process.stdout.write(
      `wrote ${options.out}: ${String(network)}, ${network.parameterCount().toLocaleString('en-US')} parameters from ${options.weights}\n`,
    );
  });
}
