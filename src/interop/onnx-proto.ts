import onnxProto from 'onnx-proto';

/**
 * ONNX's own schema (onnx/onnx.proto3 of ONNX 1.10, IR version 8), as the npm package `onnx-proto`
 * ships it: classes generated from the schema by protobufjs, which encode with protobufjs's runtime
 * (6.11.x, as onnx-proto declares; see docs/architecture.md). The package is CommonJS, so the namespace
 * arrives as its default export.
 */
export const onnx = onnxProto.onnx;
// Re-exported as a type too, so that `onnx.INodeProto` and the like can be named where they are built.
export type { onnx as OnnxTypes } from 'onnx-proto';

/** One attribute of a node as scratchnet writes them: an integer, a float, or a list of integers. */
export type AttributeValue = number | { float: number } | readonly number[];

/**
 * A node of the graph: `op` applied to `inputs` (tensor names) giving `output`, with attributes by name.
 * Integers are written as INT; a float attribute is `{ float: 0.01 }` (epsilon, alpha), since a whole
 * number such as 1e-5 cannot tell which it is.
 */
export function node(
  op: string,
  name: string,
  inputs: readonly string[],
  output: string,
  attributes: Record<string, AttributeValue> = {},
): onnxProto.onnx.INodeProto {
  const { AttributeType } = onnx.AttributeProto;
  return {
    opType: op,
    name,
    input: [...inputs],
    output: [output],
    attribute: Object.entries(attributes).map(([key, value]) =>
      typeof value === 'number'
        ? { name: key, type: AttributeType.INT, i: value }
        : 'float' in value
          ? { name: key, type: AttributeType.FLOAT, f: value.float }
          : { name: key, type: AttributeType.INTS, ints: [...value] },
    ),
  };
}

/** A float32 initializer (a weight) named `name`, of `shape`, holding `values` as raw little-endian bytes. */
export function floatTensor(name: string, shape: readonly number[], values: Float32Array): onnxProto.onnx.ITensorProto {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return { name, dims: [...shape], dataType: onnx.TensorProto.DataType.FLOAT, rawData: bytes };
}

/** A float32 graph input or output: `[batch, ...sample]` with the batch dimension left free (dim_param). */
export function floatValueInfo(name: string, sample: readonly number[], batch = 'batch'): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: [{ dimParam: batch }, ...sample.map((d) => ({ dimValue: d }))] },
      },
    },
  };
}
