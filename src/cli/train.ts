import { Worker } from 'node:worker_threads';
import { Command } from 'commander';
import { loadCheckpoint } from '../io/checkpoint.js';
import { fail } from './fail.js';
import type { ErrorEvent, TrainEvent } from './train-events.js';
import { type TrainOptions, addTrainFlags } from './train-flags.js';
import { checkMlpFlags } from './train-recipe.js';
import { resumedOptions } from './train-resume.js';
import { makeReporter } from './train-reporter.js';

/** `scratchnet train`: its flags (train-flags.ts), and `--resume`'s merge of the checkpoint's options with the ones given. */
export function trainCommand(): Command {
  const command = new Command('train')
    .description("train a network and save it as a model file (defaults: the tutorial's 784-64-32-10 on the built-in digits)")
    .addHelpText(
      'after',
      '\nCtrl-C stops after the current batch, writes a checkpoint and prints how to resume.\nExamples:\n  scratchnet train --epochs 5 --out model.safetensors\n  scratchnet train --hidden 128,64 --activation tanh --lr 0.05 --checkpoint-dir ckpt\n  scratchnet train --layers "conv2d(32,3),relu,maxpool2d(2),flatten,dense(10)" --optimizer adam\n  scratchnet train --resume ckpt',
    );
  addTrainFlags(command).action(async (given: TrainOptions, cmd: Command) => {
    checkMlpFlags(given, (key) => cmd.getOptionValueSource(key) === 'cli');
    let options = given;
    if (given.resume !== undefined) {
      const checkpoint = loadCheckpoint(given.resume);
      const explicit = (key: string): boolean => cmd.getOptionValueSource(key) === 'cli';
      options = resumedOptions(checkpoint.run, given, explicit, given.resume, checkpoint, (message) =>
        process.stderr.write(`${message}\n`),
      );
    }
    process.exitCode = await train(options);
  });
  return command;
}

/**
 * Runs training in a worker thread and reports its events. Ctrl-C (or SIGTERM) asks the worker to stop
 * after its current batch; a second Ctrl-C quits at once. Resolves to the exit code.
 */
export function train(options: TrainOptions): Promise<number> {
  const reporter = makeReporter(options);
  const stopFlag = new SharedArrayBuffer(4);
  const worker = new Worker(new URL('./train-worker.js', import.meta.url), { workerData: { options, stopFlag } });
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    Atomics.store(new Int32Array(stopFlag), 0, 1);
    reporter.note('Stopping after the current batch to write a checkpoint… (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return new Promise<number>((resolve) => {
    let exitCode = 1;
    worker.on('message', (message: TrainEvent | ErrorEvent) => {
      if (message.event === 'error') {
        if (message.user) fail(message.message);
        else process.stderr.write(`scratchnet: internal error (a bug, please report it):\n${message.message}\n`);
        exitCode = 1;
        return;
      }
      reporter.handle(message);
      if (message.event === 'end') exitCode = message.exitCode;
    });
    worker.on('error', (error) => {
      process.stderr.write(`scratchnet: internal error (a bug, please report it):\n${error.stack ?? error.message}\n`);
      exitCode = 1;
    });
    worker.on('exit', () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(exitCode);
    });
  });
}
