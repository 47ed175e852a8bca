import { ScratchnetError } from '../errors.js';
import type { Sequential } from '../network/sequential.js';
import type { StoredTensor } from './safetensors.js';
import { readSafetensorsFile } from './safetensors-file.js';
import { loadStateDict } from './state-dict.js';

/**
 * Loads the `state_dict` of a PyTorch `nn.Sequential`, saved as safetensors (by
 * `safetensors.torch.save_file`, or by the json + NumPy lines in docs/interop.md), into `network`, whose
 * layers must be the same as the PyTorch model's, index for index (activations and dropout included:
 * `nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))` is `--hidden 64` and stores
 * `0.weight`, `0.bias`, `2.weight`, `2.bias`). Such a file carries no architecture, so the caller builds it.
 *
 * Every name and shape is checked before anything is written: the error lists each tensor that is
 * missing, not part of the architecture, or of another shape (both shapes given), at once. Weights must
 * be float32 (`model.float()` before saving); batch norm's `num_batches_tracked` is int64, as PyTorch keeps it.
 * @throws {@link ScratchnetError} `torch.safetensors does not fit the architecture: …`, or the file's first problem as safetensors.
 */
export function loadTorchWeights(path: string, network: Sequential): void {
  const { tensors } = readSafetensorsFile(path, 'PyTorch weights file');
  fillFromTorch(network, tensors, path);
}

/** {@link loadTorchWeights} for tensors already read; `source` names them in messages. */
export function fillFromTorch(network: Sequential, tensors: ReadonlyMap<string, StoredTensor>, source: string): void {
  const fail = (message: string): never => {
    throw new ScratchnetError(`${source} does not fit the architecture: ${message}`);
  };
  const prefix = sharedPrefix([...tensors.keys()]);
  if (prefix !== null)
    fail(
      `every tensor name starts with '${prefix}.' (${[...tensors.keys()].slice(0, 3).join(', ')}, …): save the nn.Sequential itself, model.${prefix}.state_dict(), whose names start with the layer index`,
    );
  loadStateDict(network, tensors, fail);
}

/**
 * `net` when every name is `net.<index>.<name>`: the state_dict of a module holding the Sequential as an
 * attribute (or `module` from DataParallel), not of the Sequential itself. Null otherwise.
 */
function sharedPrefix(names: readonly string[]): string | null {
  if (names.length === 0) return null;
  const first = /^([^.]+(?:\.[^.]+)*?)\.\d+\.[^.]+$/.exec(names[0]);
  if (!first || /^\d+$/.test(first[1])) return null;
  const prefix = first[1];
  return names.every((name) => name.startsWith(`${prefix}.`) && /^\d+\.[^.]+$/.test(name.slice(prefix.length + 1)))
    ? prefix
    : null;
}
