/**
 * What the training worker reports to the terminal side, as plain data (posted between threads and
 * printed as-is by `--json`). Epochs and batches are counted from 1 here, as people count them.
 */
export type TrainEvent =
  | {
      event: 'start';
      backend: BackendUsed;
      data: string;
      train: number;
      validation: number;
      test: number;
      network: string;
      parameters: number;
      epochs: number;
      batches: number;
      batchSize: number;
      resumedFrom: { epoch: number; batch: number } | null;
    }
  | {
      event: 'batch';
      epoch: number;
      epochs: number;
      batch: number;
      batches: number;
      loss: number;
      meanLoss: number;
      samples: number;
      samplesPerSecond: number;
      elapsedSeconds: number;
      logged: boolean;
    }
  | {
      event: 'epoch';
      epoch: number;
      epochs: number;
      trainLoss: number;
      valLoss: number | null;
      valAccuracy: number | null;
      learningRate: number;
      seconds: number;
      samplesPerSecond: number;
      backend: BackendUsed;
    }
  | { event: 'checkpoint'; path: string; epoch: number; batch: number }
  | { event: 'note'; message: string }
  | { event: 'early-stop'; epoch: number; bestEpoch: number; bestValLoss: number }
  | { event: 'interrupted'; epoch: number; batch: number; batches: number; checkpoint: string; resume: string }
  | { event: 'test'; loss: number; accuracy: number; count: number }
  | { event: 'saved'; path: string }
  | { event: 'report'; path: string; figures: number }
  | { event: 'end'; seconds: number; testAccuracy: number | null; exitCode: number; backend: BackendUsed };

/** The kernels a run used: what `--backend auto` became, or the forced one. */
export type BackendUsed = 'native' | 'wasm' | 'js';

export type ErrorEvent = { event: 'error'; message: string; user: boolean };
