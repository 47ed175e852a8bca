import { type DenseStep, kernels } from '../kernels/index.js';
import { BatchBuffer } from '../layers/batch-buffer.js';
import type { Layer } from '../layers/layer.js';
import { type Tensor, assertShape } from '../tensor/tensor.js';

/**
 * How a network runs in evaluation mode: its layers in order, except that each run of product layers
 * (those with a Layer.chainStep: Dense), each with the (leaky) ReLU after it folded into its product
 * (those with a Layer.reluSlope), goes to the kernels as one chain, Kernels.denseChain. The numbers
 * are those of the layers one by one; the chain makes fewer passes over the batch and, on the fast
 * backends, hands the whole chain to the threads at once instead of once per layer.
 *
 * The plan asks the layers what they are rather than testing their classes, so a new product layer
 * or activation joins the fast path by describing itself, and the network stays a list of layers.
 */
export class EvaluationPlan {
  private readonly steps: readonly (Layer | DenseChain)[];

  constructor(layers: readonly Layer[]) {
    const steps: (Layer | DenseChain)[] = [];
    for (let i = 0; i < layers.length;) {
      const chain: DenseStep[] = [];
      while (i < layers.length && layers[i].chainStep) {
        const slope = layers[i + 1]?.reluSlope; // the activation folded in, when there is one to fold
        chain.push(layers[i].chainStep!(slope));
        i += slope === undefined ? 1 : 2;
      }
      steps.push(chain.length > 0 ? new DenseChain(chain) : layers[i++]);
    }
    this.steps = steps;
  }

  /**
   * The network's output for x [batch, ...inputShape] in evaluation mode, [batch, outputs]: a buffer
   * of the plan or of a layer, valid until the next run. Given `classes` [batch], also fills them with
   * each row's arg-max — by the chain's kernel when a chain ends the network (on the fast backends,
   * by the threads that computed those rows).
   */
  run(x: Tensor, classes?: Int32Array): Tensor {
    let output = x;
    const last = this.steps.length - 1;
    for (let i = 0; i <= last; i++) {
      const step = this.steps[i];
      if (step instanceof DenseChain) output = step.run(output, i === last ? classes : undefined);
      else output = step.forward(output, 'eval');
    }
    if (classes && !(this.steps[last] instanceof DenseChain))
      kernels().argmaxRows(output.rows, output.cols, output.data, classes);
    return output;
  }
}

/**
 * Consecutive product layers, each with its activation folded in, run as one kernel call. The chain
 * owns its outputs, so evaluation leaves the layers' training state (their inputs and outputs) alone.
 */
class DenseChain {
  private readonly outputs: BatchBuffer[];
  private readonly outputData: Float32Array[];

  constructor(private readonly steps: readonly DenseStep[]) {
    this.outputs = steps.map((step) => new BatchBuffer([step.units]));
    this.outputData = new Array<Float32Array>(steps.length);
  }

  /** x [batch, steps[0].inputs] → the last step's output [batch, units]; classes as in EvaluationPlan.run. */
  run(x: Tensor, classes?: Int32Array): Tensor {
    assertShape('Dense input', x.shape, [-1, this.steps[0].inputs]);
    let y = x;
    for (let i = 0; i < this.steps.length; i++) {
      y = this.outputs[i].forBatch(x.rows);
      this.outputData[i] = y.data;
    }
    kernels().denseChain(x.rows, x.data, this.steps, this.outputData, classes);
    return y;
  }
}
