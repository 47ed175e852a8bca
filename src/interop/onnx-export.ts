import { ScratchnetError } from '../errors.js';
import { type ModelInfo, DEFAULT_INPUT_SCALE, modelTensors } from '../io/model-file.js';
import type { StoredTensor } from '../io/safetensors.js';
import type { Sequential } from '../network/sequential.js';
import { ONNX_TRANSLATIONS } from './onnx-layers.js';
import { type OnnxTypes, floatTensor, floatValueInfo, node, onnx } from './onnx-proto.js';

/** The operator set the graph is written for: 13 has every operator used, with Softmax over the last axis. */
export const ONNX_OPSET = 13;
/** Name of the graph's input: x [batch, ...the network's input shape]. */
export const ONNX_INPUT = 'input';
/** Name of the graph's output: softmax probabilities [batch, classes]. */
export const ONNX_OUTPUT = 'probabilities';

/**
 * The network as an ONNX model (a serialized ModelProto) computing what {@link Sequential.predictProba}
 * computes: the layers in evaluation mode (dropout omitted, batch norm with its running statistics),
 * then a softmax over the classes.
 *
 * - input `input`: float32 [batch, ...network.inputShape] (an MLP takes [batch, 784], a convnet
 *   [batch, 1, 28, 28]), the batch dimension free;
 * - output `probabilities`: float32 [batch, classes];
 * - weights as initializers named as in the model file (PyTorch's `state_dict` names);
 * - `metadata_props`: `class_names` (JSON list, when known), `input_scale` (what a raw value, a pixel
 *   0–255, is multiplied by before it enters: 1/255 unless the model file says otherwise), `output`, and
 *   `scratchnet.architecture` (the model file's architecture JSON).
 *
 * Every layer must have an ONNX form (see onnx-layers.ts); a layer type without one (one registered by a
 * library user) is refused, naming the layer.
 * @throws {@link ScratchnetError} `layer 3 (my-layer) cannot be exported to ONNX: …`.
 */
export function exportOnnx(network: Sequential, info: ModelInfo = {}): Uint8Array {
  const configs = network.config().layers;
  const translations = configs.map((config, index) => {
    const translate = ONNX_TRANSLATIONS[config.type];
    if (!translate)
      throw new ScratchnetError(
        `layer ${index} (${config.type}) cannot be exported to ONNX: scratchnet has no ONNX form for it (it has: ${Object.keys(ONNX_TRANSLATIONS).join(', ')})`,
      );
    return translate;
  });
  const nodes: OnnxTypes.INodeProto[] = [];
  let current = ONNX_INPUT;
  translations.forEach((translate, index) => {
    const layer = translate({ index, config: configs[index], input: current });
    nodes.push(...layer.nodes);
    current = layer.output;
  });
  // predictProba: p = softmax(logits) over the classes
  nodes.push(node('Softmax', 'probabilities.Softmax', [current], ONNX_OUTPUT, { axis: -1 }));

  const classes = network.outputShape();
  const graph: OnnxTypes.IGraphProto = {
    name: 'scratchnet',
    docString: `${String(network)}, then softmax: the probabilities of Sequential.predictProba`,
    node: nodes,
    initializer: initializers(network, nodes),
    input: [floatValueInfo(ONNX_INPUT, network.inputShape)],
    output: [floatValueInfo(ONNX_OUTPUT, classes)],
  };
  const model: OnnxTypes.IModelProto = {
    irVersion: onnx.Version.IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'scratchnet',
    graph,
    metadataProps: Object.entries(onnxMetadata(network, info)).map(([key, value]) => ({ key, value })),
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/** The `metadata_props` of an exported model (see {@link exportOnnx}). */
export function onnxMetadata(network: Sequential, info: ModelInfo): Record<string, string> {
  const metadata: Record<string, string> = {};
  const classNames = info.classNames ?? info.trainedOn?.classNames;
  if (classNames) metadata.class_names = JSON.stringify(classNames);
  const scale = info.inputScale ?? DEFAULT_INPUT_SCALE;
  metadata.input_scale = String(scale);
  metadata.input = `float32 [batch, ${network.inputShape.join(', ')}]: each raw value (a pixel 0–255) × input_scale`;
  metadata.output = `float32 [batch, ${network.outputShape().join(', ')}]: softmax probabilities, as scratchnet's predictProba`;
  metadata['scratchnet.architecture'] = JSON.stringify(network.config());
  return metadata;
}

/** The model file's tensors (PyTorch's names and layouts) that some node reads; num_batches_tracked is not needed. */
function initializers(network: Sequential, nodes: readonly OnnxTypes.INodeProto[]): OnnxTypes.ITensorProto[] {
  const read = new Set(nodes.flatMap((n) => n.input ?? []));
  const tensors: [string, StoredTensor][] = [...modelTensors(network)].filter(([name]) => read.has(name));
  return tensors.map(([name, tensor]) => floatTensor(name, tensor.shape, tensor.data as Float32Array));
}
