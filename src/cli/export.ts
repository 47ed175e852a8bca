import { resolve } from 'node:path';
import { dirname } from 'node:path';
import { Command, Option } from 'commander';
import { ScratchnetError } from '../errors.js';
import { ONNX_INPUT, ONNX_OPSET, ONNX_OUTPUT, exportOnnx } from '../interop/onnx-export.js';
import { loadModel } from '../io/model-file.js';
import { assertFolderCanBeMade, refuseUnlessFileOrNothing, writeFileAtomic } from '../util/fs.js';
import { path } from './parse.js';

interface ExportOptions {
  model: string;
  format: 'onnx';
  out: string;
}

/** The formats `export` writes. */
const EXPORT_FORMATS = ['onnx'] as const;

/**
 * `scratchnet export --model model.safetensors --format onnx --out model.onnx`: the model as an ONNX
 * graph computing predict's probabilities (exportOnnx). The output is checked before the model is read,
 * and written atomically only once the whole graph exists: a bad --out or a layer without an ONNX form
 * leaves nothing behind.
 */
export function exportCommand(): Command {
  return new Command('export')
    .description(
      'write a model file in another format for other runtimes: ONNX (onnxruntime, …), computing the probabilities predict prints',
    )
    .option('--model <file>', 'the model file (safetensors)', path, 'model.safetensors')
    .addOption(new Option('--format <format>', 'the format to write').choices(EXPORT_FORMATS).default('onnx'))
    .requiredOption('--out <file>', 'where to write it (e.g. model.onnx)', path)
    .action((options: ExportOptions) => {
      const what = 'ONNX model';
      if (resolve(options.out) === resolve(options.model))
        throw new ScratchnetError(`--out '${options.out}' is the model file itself: give another name (e.g. model.onnx)`);
      refuseUnlessFileOrNothing(options.out, what);
      assertFolderCanBeMade(dirname(options.out), `folder for the ${what}`);
      const { network, info } = loadModel(options.model);
      const bytes = exportOnnx(network, info);
      writeFileAtomic(options.out, bytes, what);
      const classes = network.outputShape().join(', ');
      process.stdout.write(
        `wrote ${options.out}: ONNX opset ${ONNX_OPSET}, input '${ONNX_INPUT}' [batch, ${network.inputShape.join(', ')}], output '${ONNX_OUTPUT}' [batch, ${classes}] (softmax probabilities), ${bytes.length.toLocaleString('en-US')} bytes\n`,
      );
    });
}
