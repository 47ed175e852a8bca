import type { DataProvenance } from '../data/provenance.js';
import { describeAugmentation } from '../data/augment.js';
import { ScratchnetError } from '../errors.js';
import {
  type Checkpoint,
  checkpointDir as checkpointDirOf,
  checkpointPath as checkpointPathOf,
  loadCheckpoint,
} from '../io/checkpoint.js';
import type { ModelInfo } from '../io/model-file.js';
import { type Evaluation, evaluate } from '../network/evaluate.js';
import type { FitState, History } from '../training/callbacks.js';
import { NonFiniteError } from '../tensor/finite.js';
import { fit } from '../training/fit.js';
import { Checkpointing, type RunParts, restoreRun, saveRun } from '../training/resume.js';
import { Rng } from '../tensor/rng.js';
import { selectBackend } from './backend.js';
import type { ReportValue } from '../viz/report.js';
import { checkDataFitsModel, loadTrainingData } from './data.js';
import type { TrainEvent } from './train-events.js';
import type { TrainOptions } from './train-flags.js';
import { type TrainOutputs, prepareOutputs, saveModelOrFallback, withAbsolutePaths } from './train-outputs.js';
import { buildNetwork, recipeAugmentation, recipeEarlyStopping, recipeOptimizer, recipeSchedule } from './train-recipe.js';

/** How often (at most) a progress-bar update is sent between logged batches. */
const TICK_MS = 100;

/**
 * One `scratchnet train` run, start to finish: data → network (fresh, or from the checkpoint) → fit
 * with callbacks that report progress and write checkpoints → test accuracy → model file.
 * `shouldStop` is polled after every batch (Ctrl-C); a stopped run writes a checkpoint and returns 130.
 * Returns the process exit code.
 */
export async function runTraining(
  options: TrainOptions,
  shouldStop: () => boolean,
  emit: (event: TrainEvent) => void,
): Promise<number> {
  const outputs = prepareOutputs(options); // before any work: a run that cannot save fails in its first second
  try {
    if (outputs.lock?.tookOverFrom)
      emit({
        event: 'note',
        message: `Took over ${outputs.lock.path}: process ${outputs.lock.tookOverFrom.pid}, which held it, is no longer running`,
      });
    return await train(options, outputs, shouldStop, emit);
  } finally {
    outputs.lock?.release();
  }
}

async function train(
  options: TrainOptions,
  outputs: TrainOutputs,
  shouldStop: () => boolean,
  emit: (event: TrainEvent) => void,
): Promise<number> {
  const started = performance.now();
  // Before any network exists (fresh or from the checkpoint): its buffers come from the backend.
  const backend = await selectBackend(options.backend);
  const data = await loadTrainingData(options);
  const rng = new Rng(options.seed);
  const checkpoint: Checkpoint | null = options.resume ? loadCheckpoint(options.resume) : null;
  const network = checkpoint ? checkpoint.network : buildNetwork(options, data.train.sampleShape, data.train.classes, rng);
  checkDataFitsModel(network, data.train, checkpoint ? options.resume! : 'the network');
  const optimizer = recipeOptimizer(options);
  const optimizerSettings = optimizer.config(); // as configured, before any schedule changes the rate
  const schedule = recipeSchedule(options, optimizer, options.epochs);
  const earlyStopping = recipeEarlyStopping(options, network);
  const augment = recipeAugmentation(options, data.train.sampleShape) ?? undefined;
  const parts: RunParts = {
    network,
    optimizer,
    callbacks: { ...(schedule && { schedule }), ...(earlyStopping && { earlyStopping }) },
  };
  if (checkpoint) checkSameData(checkpoint, data.provenance, options.resume!);
  const resume = checkpoint ? restoreRun(checkpoint, parts, data.train) : undefined;
  // Saved in checkpoints: paths absolute, so a run resumed from another folder finds the same files.
  const run = withAbsolutePaths({ ...options, resume: undefined, stopAfterBatches: undefined });
  const { checkpointDir } = outputs;
  const info: ModelInfo = {
    trainedOn: data.provenance,
    inputScale: data.train.scale,
    ...(data.train.classNames && { classNames: data.train.classNames }),
  };
  const trainCount = options.subset !== undefined ? Math.min(options.subset, data.train.count) : data.train.count;
  const batches = Math.ceil(trainCount / options.batchSize);
  if (checkpoint && checkpoint.fit.batch >= batches)
    throw new ScratchnetError(
      `${options.resume}: __metadata__.fit.batch is ${checkpoint.fit.batch}, but an epoch has ${batches} batches of ${options.batchSize}`,
    );
  emit({
    event: 'start',
    backend,
    data: data.name,
    train: trainCount,
    validation: data.validation?.count ?? 0,
    test: data.test?.count ?? 0,
    network: String(network),
    parameters: network.parameterCount(),
    epochs: options.epochs,
    batches,
    batchSize: options.batchSize,
    resumedFrom: checkpoint ? { epoch: checkpoint.fit.epoch + 1, batch: checkpoint.fit.batch + 1 } : null,
  });

  let lossSum = 0;
  let lossCount = 0;
  let lastTick = 0;
  let batchesThisRun = 0;
  let epochSamplesPerSecond = 0; // training only, validation excluded
  let stoppedAt: FitState | null = null;
  let interrupted = false; // Ctrl-C (or the test hook) rather than early stopping
  // The checkpoint a run stopped by NaN can go back to: the one resumed from, then each one written.
  let lastCheckpoint = checkpoint ? loadedFrom(options.resume!) : null;
  const train = (): History =>
    fit(network, data.train, {
      epochs: options.epochs,
      batchSize: options.batchSize,
      optimizer,
      rng,
      subset: options.subset,
      validation: data.validation ?? undefined,
      resume,
      augment,
      callbacks: [
        ...(schedule ? [schedule] : []),
        ...(earlyStopping ? [earlyStopping] : []),
        {
          onEpochBegin: () => {
            lossSum = 0;
            lossCount = 0;
          },
          onBatchEnd: (e) => {
            lossSum += e.loss;
            lossCount++;
            batchesThisRun++;
            epochSamplesPerSecond = e.samplesPerSecond;
            const now = performance.now();
            const logged = (e.batch - 1) % options.logEvery === 0; // batches 1, 1 + n, 1 + 2n, …
            if (logged || e.batch === e.batches || now - lastTick >= TICK_MS) {
              lastTick = now;
              emit({
                event: 'batch',
                epoch: e.epoch,
                epochs: e.epochs,
                batch: e.batch,
                batches: e.batches,
                loss: e.loss,
                meanLoss: lossSum / lossCount,
                samples: e.samples,
                samplesPerSecond: e.samplesPerSecond,
                elapsedSeconds: e.elapsedSeconds,
                logged,
              });
            }
            if (shouldStop() || batchesThisRun === options.stopAfterBatches) {
              interrupted = true;
              e.stop();
            }
          },
          onEpochEnd: (e) => {
            emit({
              event: 'epoch',
              epoch: e.epoch,
              epochs: e.epochs,
              trainLoss: e.trainLoss,
              valLoss: e.valLoss,
              valAccuracy: e.valAccuracy,
              learningRate: e.learningRate,
              seconds: e.seconds,
              samplesPerSecond: epochSamplesPerSecond,
              backend,
            });
            if (shouldStop()) {
              interrupted = true;
              e.stop();
            }
          },
          onTrainEnd: (e) => {
            if (e.stopped && interrupted) stoppedAt = e.state;
          },
        },
        // After the stateful callbacks and the epoch's report: the checkpoint holds their end-of-epoch state.
        ...(!outputs.everyEpoch
          ? []
          : [
              new Checkpointing(checkpointDir, parts, {
                run,
                info,
                onSave: (path, e) => {
                  lastCheckpoint = `${path} (after epoch ${e.epoch})`;
                  emit({ event: 'checkpoint', path, epoch: e.epoch, batch: e.batches });
                },
              }),
            ]),
      ],
    });
  let history: History;
  try {
    history = train();
  } catch (error) {
    if (!(error instanceof NonFiniteError)) throw error;
    const back = lastCheckpoint
      ? `last good checkpoint: ${lastCheckpoint}`
      : 'no checkpoint was written (--checkpoint-dir writes one per epoch)';
    throw new ScratchnetError(`${error.message}; ${options.out} not written; ${back}; try a lower --lr or --clip-norm`);
  }
  if (earlyStopping && !interrupted) earlyStopping.restore(); // an interrupted run checkpoints its current weights instead
  if (earlyStopping?.stoppedEpoch !== null && earlyStopping?.stoppedEpoch !== undefined && !interrupted) {
    emit({
      event: 'early-stop',
      epoch: earlyStopping.stoppedEpoch,
      bestEpoch: earlyStopping.bestEpoch!,
      bestValLoss: earlyStopping.bestLoss,
    });
  }

  if (stoppedAt) {
    const state: FitState = stoppedAt;
    const path = saveRun(checkpointDir, parts, state, run, info);
    emit({
      event: 'interrupted',
      epoch: state.epoch + 1,
      batch: state.batch,
      batches,
      checkpoint: path,
      resume: `scratchnet train --resume ${quote(checkpointDir)}`,
    });
    emit({ event: 'end', seconds: (performance.now() - started) / 1000, testAccuracy: null, exitCode: 130, backend });
    return 130;
  }

  let testAccuracy: number | null = null;
  let evaluation: Evaluation | undefined;
  if (data.test) {
    checkDataFitsModel(network, data.test, 'the network');
    const result = evaluate(network, data.test);
    evaluation = result;
    testAccuracy = result.accuracy;
    emit({ event: 'test', loss: result.loss, accuracy: result.accuracy, count: data.test.count });
  }
  const last = history.epochs.at(-1);
  const modelInfo: ModelInfo = {
    ...info,
    training: {
      options: { ...run, out: undefined, checkpointDir: undefined, json: undefined, logEvery: undefined },
      data: data.name,
      backend,
      trainRows: trainCount,
      epochs: history.epochs.length,
      optimizer: optimizer.config(),
      schedule: schedule?.config() ?? null,
      earlyStopping: earlyStopping
        ? {
            patience: earlyStopping.patience,
            bestEpoch: earlyStopping.bestEpoch,
            stoppedEpoch: earlyStopping.stoppedEpoch,
          }
        : null,
      trainLoss: last?.trainLoss ?? null,
      valAccuracy: last?.valAccuracy ?? null,
      testAccuracy,
    },
  };
  saveModelOrFallback(options.out, network, modelInfo, outputs.lock ? checkpointDir : null);
  emit({ event: 'saved', path: options.out });
  if (options.report !== undefined) {
    const { writeReport } = await import('../viz/report.js'); // the charting libraries load only when asked for
    const report = await writeReport(options.report, {
      network,
      history,
      train: data.train,
      test: data.test ?? undefined,
      evaluation,
      seed: options.seed,
      config: reportConfig(options, run, data.train.name, trainCount, optimizerSettings, backend),
    });
    emit({ event: 'report', path: report.index, figures: report.figures.length });
  }
  emit({ event: 'end', seconds: (performance.now() - started) / 1000, testAccuracy, exitCode: 0, backend });
  return 0;
}

/** The run's settings as the report shows them. */
function reportConfig(
  options: TrainOptions,
  run: TrainOptions,
  data: string,
  trainRows: number,
  optimizer: Record<string, unknown>,
  backend: string,
): Record<string, ReportValue> {
  return {
    'training data': data,
    'training rows': trainRows,
    'test data': options.test ?? (options.train === undefined ? 'built-in MNIST test' : 'none'),
    'validation split': run.valSplit,
    subset: run.subset,
    ...(run.layers !== undefined
      ? { layers: run.layers }
      : { 'hidden layers': run.hidden.length > 0 ? run.hidden : 'none', activation: run.activation, init: run.init }),
    epochs: run.epochs,
    'batch size': run.batchSize,
    optimizer: String(optimizer.optimizer),
    'learning rate': optimizer.lr as number,
    'weight decay': optimizer.weightDecay ? (optimizer.weightDecay as number) : undefined,
    dropout: run.dropout ? run.dropout : undefined,
    'batch norm': run.batchNorm ? 'yes' : undefined,
    augmentation: run.augment ? describeAugmentation(run.augment) : undefined,
    schedule: run.schedule,
    seed: run.seed,
    backend,
    'model file': options.out,
    resumed: options.resume !== undefined ? options.resume : undefined,
  };
}

/**
 * Refuses to continue a checkpoint on other data than it was trained on: the row count may match (a
 * different file of the same size), the fingerprint does not. Checkpoints written before fingerprints
 * were recorded are not checked.
 */
function checkSameData(checkpoint: Checkpoint, now: DataProvenance, source: string): void {
  const before = checkpoint.info.trainedOn;
  if (!before || before.fingerprint === now.fingerprint) return;
  throw new ScratchnetError(
    `${source}: the checkpoint was trained on ${before.name} (${before.rows} rows, ${before.fingerprint.slice(0, 19)}…), the data now is ${now.name} (${now.rows} rows, ${now.fingerprint.slice(0, 19)}…): not the same data`,
  );
}

function quote(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/** The checkpoint file a `--resume` argument (its folder or its file) names. */
function loadedFrom(resume: string): string {
  return checkpointPathOf(checkpointDirOf(resume));
}
