/**
 * The convnet suite's network and settings (issue 15), shared by every system it measures: scratchnet,
 * PyTorch, onnxruntime-web and TF.js each build this network their own way and report in these types.
 */

/**
 * The network of issue 15, in `--layers` syntax (PyTorch's names): 225,034 parameters; 5.3 MFLOP forward per
 * image (4.5 of them in the second convolution), about 16 per training image (forward, input and weight gradients).
 */
export const CONVNET_LAYERS =
  'conv2d(32,3),relu,maxpool2d(2),conv2d(64,3),relu,maxpool2d(2),flatten,dropout(0.25),dense(128),relu,dropout(0.5),dense(10)';

/** How the convnet is timed; the same for every system in one run. */
export interface ConvnetSpec {
  /** Training batch: 64. */
  batch: number;
  /** Adam's learning rate: 1e-3. */
  lr: number;
  /** Training images per timed repetition (one pass over them), for the systems that run at full size. */
  trainSamples: number;
  /**
   * The slow systems (TF.js cpu: tens of seconds per batch) train on this many images per repetition after
   * a one-batch warm-up, and stop repeating once `slowSeconds` are spent (after one repetition at least):
   * throughput is per image, so still comparable.
   */
  slowTrainSamples: number;
  /** The slow systems' time for repetitions, in seconds. */
  slowSeconds: number;
  /** Images of the untimed warm-up pass before the timed ones (JIT tiers, buffers, Adam's moments). */
  warmupSamples: number;
  /** Timed training repetitions. */
  reps: number;
  /** Inference runs over the first `inferSamples` test images… */
  inferSamples: number;
  /** …in batches of `inferBatch`… */
  inferBatch: number;
  /** …`inferReps` timed passes, after one warm-up pass. */
  inferReps: number;
}

/** One system's figures for one task: samples/s of each timed repetition (the median is reported). */
export interface Timing {
  samplesPerSecond: number[];
  /** Images per repetition. */
  images: number;
  /** Test accuracy (all test images) after the timed training repetitions; NaN where not measured. */
  testAccuracy?: number;
  /** Processor time ÷ wall time over the timed repetitions: how many cores the system kept busy. */
  coresBusy?: number;
}

/** A system's training and inference figures; a string says why that task was not measured, null that the system does not take part in it. */
export interface ConvnetMeasured {
  train: Timing | string | null;
  infer: Timing | string | null;
}
