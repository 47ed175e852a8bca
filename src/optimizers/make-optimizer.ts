import { ScratchnetError } from '../errors.js';
import { Adagrad } from './adagrad.js';
import { Adam } from './adam.js';
import { AdamW } from './adamw.js';
import type { Optimizer } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

/**
 * The names {@link makeOptimizer} takes: `momentum` and `nesterov` are SGD with μ = 0.9 (classical or
 * Nesterov momentum); `adamw` is Adam with decoupled weight decay.
 */
export type OptimizerName = 'sgd' | 'momentum' | 'nesterov' | 'rmsprop' | 'adagrad' | 'adam' | 'adamw';
/** Every {@link OptimizerName}, for option parsers and help text. */
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adagrad', 'adam', 'adamw'];

/** Every option any optimizer takes; each optimizer reads the ones it knows. Unset: that optimizer's default. */
export interface OptimizerOptions {
  /** Learning rate; the default depends on the optimizer (see {@link makeOptimizer}). */
  lr?: number;
  /** SGD momentum μ (default 0.9 for 'momentum' and 'nesterov') or RMSprop momentum (default 0). */
  momentum?: number;
  /** SGD dampening τ; default 0. */
  dampening?: number;
  /** L2 weight decay; coupled (added to the gradient) except for AdamW, where it is decoupled. */
  weightDecay?: number;
  /** Global-norm gradient clipping threshold (see {@link CommonOptions.clipNorm}); default none. */
  clipNorm?: number;
  /** Adam/AdamW β₁; default 0.9. */
  beta1?: number;
  /** Adam/AdamW β₂; default 0.999. */
  beta2?: number;
  /** Added to the denominator of Adam, AdamW, RMSprop and Adagrad; defaults 1e-8, 1e-8, 1e-8, 1e-10. */
  eps?: number;
  /** RMSprop smoothing constant α; default 0.99. */
  alpha?: number;
  /** Centered RMSprop; default false. */
  centered?: boolean;
  /** Adagrad's starting squared-gradient sum; default 0. */
  initialAccumulator?: number;
}

/**
 * Builds an optimizer by name (an {@link OptimizerName}); options it does not take are ignored.
 * Default learning rates (PyTorch's where it has one): sgd 0.1 (the tutorial's), momentum and nesterov
 * 0.01 with μ = 0.9, rmsprop 0.01, adagrad 0.01, adam and adamw 0.001 (adamw with weight decay 0.01).
 * @throws {@link ScratchnetError} for an unknown name or an invalid option.
 */
export function makeOptimizer(name: string, options: OptimizerOptions = {}): Optimizer {
  const common = { lr: options.lr, weightDecay: options.weightDecay, clipNorm: options.clipNorm };
  switch (name as OptimizerName) {
    case 'sgd':
      if (options.momentum) return new SGD({ ...common, momentum: options.momentum, dampening: options.dampening });
      return new SGD(common);
    case 'momentum':
    case 'nesterov':
      return new SGD({
        ...common,
        lr: options.lr ?? 0.01,
        momentum: options.momentum ?? 0.9,
        dampening: options.dampening,
        nesterov: name === 'nesterov',
      });
    case 'rmsprop':
      return new RMSprop({
        ...common,
        alpha: options.alpha,
        eps: options.eps,
        momentum: options.momentum,
        centered: options.centered,
      });
    case 'adagrad':
      return new Adagrad({ ...common, eps: options.eps, initialAccumulator: options.initialAccumulator });
    case 'adam':
      return new Adam({ ...common, beta1: options.beta1, beta2: options.beta2, eps: options.eps });
    case 'adamw':
      return new AdamW({ ...common, beta1: options.beta1, beta2: options.beta2, eps: options.eps });
    default:
      throw new ScratchnetError(`unknown optimizer '${name}' (known: ${OPTIMIZER_NAMES.join(', ')})`);
  }
}

/** Rebuilds an optimizer from its `config()` (as saved in a model file or checkpoint). */
export function optimizerFromConfig(config: Record<string, unknown>): Optimizer {
  const { optimizer, ...options } = config;
  const cleaned = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== null && v !== undefined));
  return makeOptimizer(String(optimizer), cleaned);
}
