import { describe, expect, it } from 'vitest';
import { ScratchnetError } from '../errors.js';
import { MAX_LAYERS } from '../limits.js';
import { Sequential } from '../network/sequential.js';
import { Rng } from '../tensor/rng.js';
import { modelFromSafetensors, modelMetadata, modelTensors } from './model-file.js';

/** A 3-4-2 network's tensors and metadata, with `edit` applied to its architecture. */
function file(edit: (layers: Record<string, unknown>[]) => void) {
  const net = Sequential.mlp({ inputs: 3, hidden: [4], classes: 2, batchNorm: true, rng: new Rng(1) });
  const metadata = modelMetadata(net);
  const config = JSON.parse(metadata.architecture) as { layers: Record<string, unknown>[] };
  edit(config.layers);
  metadata.architecture = JSON.stringify(config);
  return { tensors: modelTensors(net), metadata };
}

const load =
  ({ tensors, metadata }: ReturnType<typeof file>) =>
  () =>
    modelFromSafetensors(tensors, metadata, 'm.safetensors');

describe('a model file architecture is checked against its tensors before the network is built', () => {
  it('a Dense layer claiming 600,000 units is refused by its weight shape [4, 3], not after allocating 600,000 × 3', () => {
    expect(load(file((layers) => (layers[0].units = 600_000)))).toThrow(
      new ScratchnetError("m.safetensors: tensor '0.weight' has shape [4, 3], the architecture needs [600000, 3]"),
    );
  });

  it('batch norm features are checked the same way, and sizes must be whole numbers > 0', () => {
    expect(load(file((layers) => (layers[1].features = 1e9)))).toThrow(
      /tensor '1\.weight' has shape \[4\], the architecture needs \[1000000000\]/,
    );
    expect(load(file((layers) => (layers[0].units = -4)))).toThrow(/layer 0 \(dense\) has sizes that are not whole numbers > 0/);
  });

  it(`more than MAX_LAYERS (${MAX_LAYERS}) layers are refused`, () => {
    expect(load(file((layers) => layers.push(...Array.from({ length: MAX_LAYERS }, () => ({ type: 'relu' })))))).toThrow(
      /architecture has 1004 layers; the limit is 1000/,
    );
  });

  it('class names must be one text per output class', () => {
    const named = file(() => {});
    named.metadata.class_names = JSON.stringify(['cat']);
    expect(load(named)).toThrow('m.safetensors: __metadata__.class_names lists 1 names, but the network has 2 output classes');
    named.metadata.class_names = JSON.stringify(['cat', 7]);
    expect(load(named)).toThrow('__metadata__.class_names must be a JSON list of texts, one per class');
    named.metadata.class_names = JSON.stringify(['cat', 'dog']);
    expect(load(named)().info.classNames).toEqual(['cat', 'dog']);
  });
});
