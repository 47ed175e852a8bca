import type { Layer } from '../layers/layer.js';
import type { Loss } from '../losses/loss.js';
import { SoftmaxCrossEntropy } from '../losses/softmax-cross-entropy.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import type { Sequential } from './sequential.js';

/**
 * Gradient checking by central finite differences: for a scalar loss L and each checked value v,
 *   ∂L/∂v ≈ (L(v + h) − L(v − h)) / (2h),
 * compared with what backward computed.
 *
 * Tolerance, for float32 arithmetic: the loss is summed in float64, but every forward runs in float32,
 * so L carries a rounding error of about 1e-7·|L|; divided by 2h (h = 1e-3) that is ~1e-4 for losses of
 * order 1, while the truncation error of central differences is h²/6·|L'''| ~ 1e-7. A match is
 * |analytic − numeric| ≤ atol + rtol·max(|analytic|, |numeric|) with atol = 1e-3, rtol = 1e-2 — ten times
 * above both errors, yet a wrong factor (a missing 1/batch, a wrong sign) fails by far.
 * Keep inputs away from kinks (ReLU at 0) by more than h.
 */
export interface GradCheckOptions {
  h?: number;
  rtol?: number;
  atol?: number;
  /** At most this many randomly chosen entries are checked per tensor (all when smaller). */
  maxChecksPerTensor?: number;
  rng?: Rng;
}

/** One checked gradient entry: the backpropagated value beside the central difference. */
export interface GradCheckEntry {
  /** The tensor's name (`0.weight`, or `input`). */
  tensor: string;
  /** Flat index into the tensor. */
  index: number;
  /** ∂L/∂θ as backward computed it. */
  analytic: number;
  /** (L(θ + h) − L(θ − h)) / 2h. */
  numeric: number;
}

/** What a gradient check found: `ok` when every checked entry is within tolerance. */
export interface GradCheckResult {
  /** Every checked entry within tolerance. */
  ok: boolean;
  /** Entries checked. */
  checked: number;
  /** The worst entry: largest |analytic − numeric| relative to the tolerance. */
  worst: GradCheckEntry & { excess: number };
  /** Every entry outside the tolerance. */
  failures: GradCheckEntry[];
}

/**
 * Checks one layer: L = Σ c ⊙ layer.forward(x) with fixed random weights c, so dL/dY = c.
 * Checks dL/dX and every parameter gradient.
 */
export function checkLayerGradients(layer: Layer, x: Tensor, options: GradCheckOptions = {}): GradCheckResult {
  const rng = options.rng ?? new Rng(7);
  const y = layer.forward(x, 'train');
  const c = Tensor.zeros(y.shape);
  for (let i = 0; i < c.size; i++) c.data[i] = rng.uniformIn(-1, 1);
  const loss = (): number => {
    const out = layer.forward(x, 'train').data;
    let sum = 0;
    for (let i = 0; i < out.length; i++) sum += c.data[i] * out[i];
    return sum;
  };
  loss();
  const dX = layer.backward(c, true)!.clone();
  const targets: Array<{ name: string; value: Float32Array; grad: Float32Array }> = [
    { name: 'input', value: x.data, grad: dX.data },
  ];
  for (const p of layer.params()) targets.push({ name: p.name, value: p.value.data, grad: p.grad.data.slice() });
  return compare(targets, loss, options, rng);
}

/**
 * Checks one loss: L = loss.forward(output, labels), so the checked gradient is loss.backward(),
 * ∂L/∂output. Keep outputs away from the loss's kinks (none for the losses here) by more than h.
 */
export function checkLossGradients(
  loss: Loss,
  output: Tensor,
  labels: Int32Array,
  options: GradCheckOptions = {},
): GradCheckResult {
  const rng = options.rng ?? new Rng(7);
  const value = (): number => loss.forward(output, labels);
  value();
  const targets = [{ name: 'output', value: output.data, grad: loss.backward().data.slice() }];
  return compare(targets, value, options, rng);
}

/** Options of a network's check: the loss whose gradients are checked (default softmax cross-entropy). */
export interface NetworkGradCheckOptions extends GradCheckOptions {
  loss?: Loss;
}

/** Checks a whole network under its loss (softmax cross-entropy unless given) against `labels`: every parameter gradient. */
export function checkNetworkGradients(
  network: Sequential,
  x: Tensor,
  labels: Int32Array,
  options: NetworkGradCheckOptions = {},
): GradCheckResult {
  const rng = options.rng ?? new Rng(7);
  const lossFunction = options.loss ?? new SoftmaxCrossEntropy();
  const loss = (): number => lossFunction.forward(network.logits(x, 'train'), labels);
  loss();
  network.backward(lossFunction.backward());
  const targets = network.params().map((p) => ({ name: p.name, value: p.value.data, grad: p.grad.data.slice() }));
  return compare(targets, loss, options, rng);
}

function compare(
  targets: Array<{ name: string; value: Float32Array; grad: Float32Array }>,
  loss: () => number,
  options: GradCheckOptions,
  rng: Rng,
): GradCheckResult {
  const { h = 1e-3, rtol = 1e-2, atol = 1e-3, maxChecksPerTensor = 64 } = options;
  const failures: GradCheckEntry[] = [];
  let worst: GradCheckEntry & { excess: number } = { tensor: '', index: -1, analytic: 0, numeric: 0, excess: -Infinity };
  let checked = 0;
  for (const t of targets) {
    const indices =
      t.value.length <= maxChecksPerTensor
        ? [...Array(t.value.length).keys()]
        : Array.from(rng.choice(t.value.length, maxChecksPerTensor));
    for (const i of indices) {
      const original = t.value[i];
      t.value[i] = original + h;
      const up = t.value[i];
      const lossUp = loss();
      t.value[i] = original - h;
      const down = t.value[i];
      const lossDown = loss();
      t.value[i] = original;
      const numeric = (lossUp - lossDown) / (up - down); // the float32-rounded step actually taken
      const analytic = t.grad[i];
      const tolerance = atol + rtol * Math.max(Math.abs(analytic), Math.abs(numeric));
      const excess = Math.abs(analytic - numeric) / tolerance;
      const entry = { tensor: t.name, index: i, analytic, numeric };
      if (excess > worst.excess) worst = { ...entry, excess };
      if (excess > 1) failures.push(entry);
      checked++;
    }
  }
  loss(); // leave the layer's buffers as they were for the unperturbed values
  return { ok: failures.length === 0, checked, worst, failures };
}
