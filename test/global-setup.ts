import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every test's temporary files (models, checkpoints, CSVs, reports) go under one folder made here and
 * removed after the run: TMPDIR is inherited by the test workers and the CLI subprocesses they start,
 * and os.tmpdir() reads it.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'scratchnet-tests-'));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
