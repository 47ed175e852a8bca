/** What every system reports, and the cases it is run on (the same for every system in one run). */
export interface TrainCase {
  /** Hidden layer widths: [64, 32] is the tutorial's 784-64-32-10. */
  hidden: number[];
  batch: number;
}

export interface BenchSpec {
  train: TrainCase[];
  infer: TrainCase;
  reps: number;
  /** Repetitions of the inference pass over the test set (short, so more of them; the median is reported). */
  inferReps: number;
  /** Training images per repetition (one epoch over them). */
  trainSamples: number;
}

export interface Measured {
  /** One entry per spec.train case: samples/s of each repetition, and test accuracy after the last. */
  train: ({ samplesPerSecond: number[]; testAccuracy: number } | null)[];
  infer: { samplesPerSecond: number[] } | null;
  latencyMicroseconds: number[] | null;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Spread of the repetitions as (max − min) / median, the noise figure shown beside each median. */
export function spread(values: readonly number[]): number {
  return (Math.max(...values) - Math.min(...values)) / median(values);
}

/** Starts a clock of processor time (every thread of the process) against wall time; calling it gives their ratio. */
export function busyFrom(): () => number {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  return () => {
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / 1000 / (performance.now() - wall);
  };
}
