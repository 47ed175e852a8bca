import type { Rng } from '../tensor/rng.js';

/**
 * Weight initialisation schemes for a weight matrix with `fanIn` inputs and `fanOut` outputs.
 * He (Kaiming) keeps the variance of ReLU activations constant from layer to layer: Var(w) = 2 / fanIn.
 * Xavier (Glorot) does the same for tanh/sigmoid: Var(w) = 2 / (fanIn + fanOut). LeCun: Var(w) = 1 / fanIn.
 * Uniform variants draw from [−a, a] with a = sqrt(3·Var) so the variance matches.
 */
export type InitName = 'he-normal' | 'he-uniform' | 'xavier-normal' | 'xavier-uniform' | 'lecun-normal';
/** Every {@link InitName}, for option parsers and help text. */
export const INIT_NAMES: readonly InitName[] = ['he-normal', 'he-uniform', 'xavier-normal', 'xavier-uniform', 'lecun-normal'];

/** Var(w) of the scheme for a weight matrix with `fanIn` inputs and `fanOut` outputs (formulas under {@link InitName}). */
export function initVariance(init: InitName, fanIn: number, fanOut: number): number {
  switch (init) {
    case 'he-normal':
    case 'he-uniform':
      return 2 / fanIn;
    case 'xavier-normal':
    case 'xavier-uniform':
      return 2 / (fanIn + fanOut);
    case 'lecun-normal':
      return 1 / fanIn;
  }
}

/** Fills `out` with random weights drawn by `init`: normal with that variance, or uniform in [−a, a] for the `-uniform` schemes. */
export function initWeights(out: Float32Array, init: InitName, fanIn: number, fanOut: number, rng: Rng): void {
  const variance = initVariance(init, fanIn, fanOut);
  if (init.endsWith('uniform')) {
    const limit = Math.sqrt(3 * variance);
    for (let i = 0; i < out.length; i++) out[i] = rng.uniformIn(-limit, limit);
  } else {
    const std = Math.sqrt(variance);
    for (let i = 0; i < out.length; i++) out[i] = rng.normal() * std;
  }
}
