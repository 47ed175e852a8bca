import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every test's temporary files (models, checkpoints, CSVs, reports) go under one folder made here and
 * removed after the run: TMPDIR is inherited by the test workers and the CLI subprocesses they start,
 * and os.tmpdir() reads it. Vitest runs this once per project (unit, integration): the first run makes
 * the folder and the others reuse it, so paths stay short (Chromium refuses a socket path over 107 bytes).
 */
export default function setup(): () => void {
  if (process.env.SCRATCHNET_TESTS_TMPDIR) return () => undefined;
  const root = mkdtempSync(join(tmpdir(), 'scratchnet-tests-'));
  process.env.TMPDIR = root;
  process.env.SCRATCHNET_TESTS_TMPDIR = root;
  return () => {
    rmSync(root, { recursive: true, force: true });
    delete process.env.SCRATCHNET_TESTS_TMPDIR;
  };
}
