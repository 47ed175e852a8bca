import { MAX_LAYERS } from '../limits.js';
import type { SequentialConfig } from '../network/sequential.js';
import { printable } from '../util/printable.js';
import type { StoredTensor } from './safetensors.js';

/**
 * The tensors each built-in layer type with parameters stores, as PyTorch's `state_dict` shapes, from
 * its config alone (Dense: weight [units, inputs], bias [units]; batch norm: four [features] vectors).
 * Layer types not listed store nothing (activations, dropout) or are a library user's own (registered
 * with `registerLayer`), whose tensors are checked after building as every other.
 */
const STORED_SHAPES: Record<string, (config: Record<string, unknown>) => Record<string, number[]> | null> = {
  dense: (c) => (isSize(c.inputs) && isSize(c.units) ? { weight: [c.units, c.inputs], bias: [c.units] } : null),
  'batch-norm': (c) =>
    isSize(c.features)
      ? { weight: [c.features], bias: [c.features], running_mean: [c.features], running_var: [c.features] }
      : null,
};

/**
 * Checks a model file's architecture against the tensors actually in the file, before any layer is
 * built: a file cannot make scratchnet allocate more than it holds (a 52 KB file whose architecture
 * claims 600,000 units is refused here, not after allocating 1.85 GB). The layer count is at most
 * {@link MAX_LAYERS}; every Dense and batch-norm layer's sizes must be whole numbers > 0 and its tensors
 * present with exactly the shapes its config implies. Throws through `fail` with the first problem.
 */
export function checkArchitectureAgainstTensors(
  config: SequentialConfig,
  tensors: ReadonlyMap<string, StoredTensor>,
  fail: (message: string) => never,
): void {
  if (config.layers.length > MAX_LAYERS)
    fail(`__metadata__.architecture has ${config.layers.length} layers; the limit is ${MAX_LAYERS}`);
  config.layers.forEach((layer, index) => {
    if (typeof layer !== 'object' || layer === null || typeof layer.type !== 'string')
      fail(`__metadata__.architecture: layer ${index} has no type`);
    const shapesOf = STORED_SHAPES[layer.type];
    if (!shapesOf) return;
    const shapes = shapesOf(layer);
    if (!shapes)
      fail(`__metadata__.architecture: layer ${index} (${printable(layer.type)}) has sizes that are not whole numbers > 0`);
    for (const [param, shape] of Object.entries(shapes)) {
      const name = `${index}.${param}`;
      const stored = tensors.get(name);
      if (!stored) fail(`tensor '${name}' is missing (layer ${index}, ${layer.type}, needs it with shape [${shape.join(', ')}])`);
      if (stored.shape.length !== shape.length || stored.shape.some((d, i) => d !== shape[i]))
        fail(`tensor '${name}' has shape [${stored.shape.join(', ')}], the architecture needs [${shape.join(', ')}]`);
    }
  });
}

/**
 * Checks `__metadata__.class_names` against the network: a list of exactly one text per output class
 * (two names for ten classes would leave eight classes unnamed in every table and prediction).
 */
export function checkClassNames(names: unknown, classes: number, fail: (message: string) => never): void {
  if (!Array.isArray(names) || !names.every((name) => typeof name === 'string'))
    fail('__metadata__.class_names must be a JSON list of texts, one per class');
  if (names.length !== classes)
    fail(`__metadata__.class_names lists ${names.length} names, but the network has ${classes} output classes`);
}

function isSize(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}
