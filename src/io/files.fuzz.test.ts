import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { tempDir } from '../../test/data-files.js';
import { fuzzReader } from '../../test/fuzz.js';
import { spiral } from '../../test/helpers.js';
import { Sequential } from '../network/sequential.js';
import { Adam } from '../optimizers/adam.js';
import { Rng } from '../tensor/rng.js';
import { fit } from '../training/fit.js';
import { saveRun } from '../training/resume.js';
import { CHECKPOINT_FILE, loadCheckpoint } from './checkpoint.js';
import { loadModel, saveModel } from './model-file.js';
import { CHECKSUM_KEY, decodeSafetensors } from './safetensors.js';

// Damaged model files and checkpoints: each reader returns what it holds or throws a ScratchnetError
// naming the problem, never another exception or a hang (test/fuzz.ts).
const files = tempDir('scratchnet-fuzz-');
afterAll(() => files.cleanup());
let counter = 0;

/**
 * The same file without its data checksum, as another tool would write it: damage to the tensor data
 * then reaches the model and checkpoint validation instead of stopping at the checksum.
 */
function withoutChecksum(bytes: Uint8Array): Uint8Array {
  const n = Number(Buffer.from(bytes).readBigUInt64LE(0));
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8')) as { __metadata__: Record<string, string> };
  delete header.__metadata__[CHECKSUM_KEY];
  const json = Buffer.from(JSON.stringify(header).padEnd(n, ' '));
  return Uint8Array.from(Buffer.concat([bytes.subarray(0, 8), json, bytes.subarray(8 + n)]));
}

describe('reading damaged model files and checkpoints', () => {
  const rng = new Rng(7);
  const data = spiral(10, 3, rng);
  const network = Sequential.mlp({ inputs: 2, hidden: [5], classes: 3, dropout: 0.1, rng });
  const optimizer = new Adam({ lr: 0.01 });
  const history = fit(network, data, { epochs: 1, batchSize: 8, optimizer, rng });
  const modelPath = files.file('model.safetensors', new Uint8Array(0));
  saveModel(modelPath, network, { classNames: ['a', 'b', 'c'] });
  const model = readFileSync(modelPath);
  const checkpointDir = join(files.dir, 'run');
  const state = {
    epoch: 1,
    batch: 0,
    order: Int32Array.from({ length: data.count }, (_, i) => i),
    rng: rng.state(),
    subset: null,
    history,
  };
  const checkpoint = readFileSync(saveRun(checkpointDir, { network, optimizer }, state));

  it('safetensors: tensors or a clean error', async () => {
    await fuzzReader('safetensors', [model, checkpoint, withoutChecksum(model), withoutChecksum(checkpoint)], (bytes) =>
      decodeSafetensors(bytes, 'file.safetensors'),
    );
  });

  it('model files: a network or a clean error', async () => {
    await fuzzReader('model file', [model, withoutChecksum(model)], (bytes) =>
      loadModel(files.file(`${counter++}.safetensors`, bytes)),
    );
  });

  it('checkpoints: a run to resume or a clean error', async () => {
    await fuzzReader('checkpoint', [checkpoint, withoutChecksum(checkpoint)], (bytes) => {
      const dir = join(files.dir, `run-${counter++}`);
      mkdirSync(dir);
      writeFileSync(join(dir, CHECKPOINT_FILE), bytes);
      return loadCheckpoint(dir);
    });
  });
});
