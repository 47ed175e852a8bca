import { ScratchnetError } from '../errors.js';
import { kernels } from '../kernels/index.js';
import { NonFiniteError, firstNonFinite } from '../tensor/finite.js';
import type { Param } from '../layers/layer.js';
import type { Optimizer, OptimizerState } from './optimizer.js';

/** Options every optimizer shares. */
export interface CommonOptions {
  /** Learning rate of the next step (schedules change it between steps). */
  lr?: number;
  /**
   * L2 weight decay λ, coupled: the gradient becomes g + λ·θ before the update (PyTorch's
   * `weight_decay`). AdamW decouples it instead (see adamw.ts). Default 0.
   */
  weightDecay?: number;
  /**
   * Gradient clipping by global norm: when ‖g‖ = sqrt(Σ over all params of Σ g²) exceeds `clipNorm`,
   * every gradient is scaled by clipNorm / (‖g‖ + 1e-6) before the step (PyTorch's `clip_grad_norm_`).
   * Default: no clipping.
   */
  clipNorm?: number;
}

/**
 * What every optimizer here has in common: learning rate, coupled weight decay, global-norm clipping,
 * a step counter and per-parameter state buffers ("slots": momentum, moment estimates, …), allocated
 * once per parameter on its first step, from the active backend (`kernels().alloc`, so its fast kernels
 * update them in place), and saved as `<param name>/<slot>` (e.g. `0.weight/exp_avg`).
 * A subclass names its slots, states its update as an equation, and runs it as one kernel call per
 * parameter (src/kernels: the reference backend has the same update as a readable loop).
 */
export abstract class BaseOptimizer implements Optimizer {
  abstract readonly name: string;
  learningRate: number;
  /** Coupled L2 weight decay λ (see {@link CommonOptions.weightDecay}); 0 for none. */
  readonly weightDecay: number;
  /** Global-norm clipping threshold, or null for no clipping (see {@link CommonOptions.clipNorm}). */
  readonly clipNorm: number | null;
  /** Steps taken so far (Adam's t; 1 during the first step). */
  protected steps = 0;
  /**
   * Global gradient norm of the last step, before clipping (0 before the first step). Computed only when
   * clipping needs it: a pass over every gradient costs as much as the SGD step itself.
   */
  lastGradNorm = 0;
  private readonly slots = new Map<string, Float32Array[]>();

  /**
   * @param slotNames - the per-parameter buffers the subclass keeps, in the order `update` receives them.
   * @param defaultLr - the learning rate when `options.lr` is unset.
   * @throws {@link ScratchnetError} unless lr is positive and finite, weightDecay ≥ 0 and clipNorm (when set) positive.
   */
  protected constructor(
    private readonly slotNames: readonly string[],
    options: CommonOptions,
    defaultLr: number,
  ) {
    this.learningRate = options.lr ?? defaultLr;
    this.weightDecay = options.weightDecay ?? 0;
    this.clipNorm = options.clipNorm ?? null;
    const what = this.constructor.name;
    if (!(this.learningRate > 0 && Number.isFinite(this.learningRate)))
      throw new ScratchnetError(`${what}: learning rate must be > 0, got ${this.learningRate}`);
    if (!(this.weightDecay >= 0)) throw new ScratchnetError(`${what}: weight decay must be ≥ 0, got ${this.weightDecay}`);
    if (this.clipNorm !== null && !(this.clipNorm > 0))
      throw new ScratchnetError(`${what}: clip norm must be > 0, got ${this.clipNorm}`);
  }

  /** Updates one parameter: value [n] from grad [n] with this optimizer's slots for it (each [n]). */
  protected abstract update(value: Float32Array, grad: Float32Array, slots: Float32Array[], lr: number): void;

  /**
   * @throws {@link NonFiniteError} before any update when a gradient holds NaN or ±Inf, naming the
   * parameter and the first bad index: from clipping's norm when clipping, else by the backend's
   * `firstNonFinite` over every gradient (a SIMD pass; a JavaScript loop here cost 28–33% of a wasm
   * or native step on the tutorial's network).
   */
  step(params: readonly Param[]): void {
    if (this.clipNorm !== null) {
      this.lastGradNorm = globalGradNorm(params);
      if (!Number.isFinite(this.lastGradNorm)) throw nonFiniteGradient(params);
      clipGradients(params, this.clipNorm, this.lastGradNorm);
    } else {
      const k = kernels();
      for (const { name, grad } of params) {
        const at = k.firstNonFinite(grad.size, grad.data);
        if (at >= 0) throw new NonFiniteError(`the gradient of '${name}' is ${grad.data[at]} at index ${at}`);
      }
    }
    this.steps++;
    const lr = this.learningRate;
    for (const p of params) this.update(p.value.data, p.grad.data, this.slotsFor(p), lr);
  }

  private slotsFor(p: Param): Float32Array[] {
    let slots = this.slots.get(p.name);
    if (!slots) {
      slots = this.slotNames.map(() => kernels().alloc(p.value.size));
      this.slots.set(p.name, slots);
    }
    if (slots.length > 0 && slots[0].length !== p.value.size) {
      throw new ScratchnetError(
        `${this.name}: state for '${p.name}' has ${slots[0].length} values, the parameter ${p.value.size}`,
      );
    }
    return slots;
  }

  state(): OptimizerState {
    const buffers: Record<string, Float32Array> = {};
    for (const [name, slots] of this.slots) slots.forEach((s, i) => (buffers[`${name}/${this.slotNames[i]}`] = s.slice()));
    return { scalars: { step: this.steps, lr: this.learningRate }, buffers };
  }

  /** Restores `state()` exactly: step count, learning rate and every slot buffer. */
  loadState(state: OptimizerState): void {
    const steps = state.scalars.step ?? 0;
    if (!(Number.isInteger(steps) && steps >= 0))
      throw new ScratchnetError(`${this.name} state: field 'step' must be a non-negative integer, got ${steps}`);
    const grouped = new Map<string, Map<string, Float32Array>>();
    for (const [key, buffer] of Object.entries(state.buffers)) {
      const cut = key.lastIndexOf('/');
      const name = key.slice(0, cut);
      const slot = key.slice(cut + 1);
      if (cut < 0 || !this.slotNames.includes(slot)) {
        throw new ScratchnetError(
          `${this.name} state: buffer '${key}' is not <param>/<slot> with a slot of ${this.name} (${this.slotNames.join(', ') || 'none'})`,
        );
      }
      if (!grouped.has(name)) grouped.set(name, new Map());
      grouped.get(name)!.set(slot, buffer);
    }
    for (const [name, bySlot] of grouped) {
      for (const slot of this.slotNames)
        if (!bySlot.has(slot)) throw new ScratchnetError(`${this.name} state: buffer '${name}/${slot}' is missing`);
    }
    // Copied into buffers of the backend's, so its kernels update them in place; a buffer already kept
    // for the same parameter is reused when it fits (the backend's memory is never freed).
    const restored = new Map<string, Float32Array[]>();
    for (const [name, bySlot] of grouped) {
      const kept = this.slots.get(name);
      const slots = this.slotNames.map((slot, i) => {
        const buffer = bySlot.get(slot)!;
        const into = kept?.[i].length === buffer.length ? kept[i] : kernels().alloc(buffer.length);
        into.set(buffer);
        return into;
      });
      restored.set(name, slots);
    }
    this.slots.clear();
    for (const [name, slots] of restored) this.slots.set(name, slots);
    this.steps = steps;
    if (state.scalars.lr !== undefined) this.learningRate = state.scalars.lr;
  }

  config(): Record<string, unknown> {
    return {
      optimizer: this.name,
      lr: this.learningRate,
      weightDecay: this.weightDecay,
      clipNorm: this.clipNorm,
      ...this.hyperparameters(),
    };
  }

  /** The optimizer's own settings (momentum, betas, …) for config(). */
  protected abstract hyperparameters(): Record<string, unknown>;
}

/** ‖g‖ = sqrt(Σ_params Σ_i g_i²), summed in float64 (the backend's `sumOfSquares` per gradient). */
export function globalGradNorm(params: readonly Param[]): number {
  const k = kernels();
  let sum = 0;
  for (const { grad } of params) sum += k.sumOfSquares(grad.size, grad.data);
  return Math.sqrt(sum);
}

/** g ← g · min(1, maxNorm / (‖g‖ + 1e-6)) for every param, in place (PyTorch's clip_grad_norm_). */
export function clipGradients(params: readonly Param[], maxNorm: number, norm = globalGradNorm(params)): void {
  const scale = maxNorm / (norm + 1e-6);
  if (scale >= 1) return;
  const k = kernels();
  for (const { grad } of params) k.scaleInPlace(grad.size, scale, grad.data);
}

/** The error naming the first NaN or ±Inf among the gradients: parameter and index. */
function nonFiniteGradient(params: readonly Param[]): NonFiniteError {
  for (const { name, grad } of params) {
    const at = firstNonFinite(grad.data);
    if (at >= 0) return new NonFiniteError(`the gradient of '${name}' is ${grad.data[at]} at index ${at}`);
  }
  return new NonFiniteError('the gradient norm overflows float64'); // only if every gradient were ~1e154
}
