import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostileCases } from '../corpus/cases.js';
import { runCli, runCliMeasured, tempDir } from './run.js';

// The regression corpus (test/corpus/cases.ts) through the real CLI: exit status 1, one line on stderr
// naming what it must, no stack trace, nothing written or changed, and peak memory under 1 GB.
const SENTINEL = 'a file that was here before';
const cases = hostileCases();
const outcomes = { refusedCleanly: 0 };
const good = tempDir();
// A valid model for the cases that need one (predict's pictures): a tiny network trained for one epoch.
const made = runCli(['train', '--epochs', '1', '--subset', '200', '--hidden', '4', '--out', 'good.safetensors'], good);
afterAll(() => console.log(`corpus: ${outcomes.refusedCleanly} of ${cases.length} hostile inputs refused cleanly`));

/** Every file under `dir` with a digest of its content (or its kind), to show that nothing changed. */
function snapshot(dir: string): Map<string, string> {
  const seen = new Map<string, string>();
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      const stats = lstatSync(path);
      if (stats.isDirectory()) walk(path);
      else seen.set(path, stats.isFile() ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'special');
    }
  };
  walk(dir);
  return seen;
}

describe('the regression corpus: hostile inputs refused in one line, nothing written', () => {
  it('has its valid model to predict with', () => expect(made.status, made.stderr).toBe(0));

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, hostile) => {
    const dir = tempDir();
    for (const [file, content] of Object.entries(hostile.files ?? {})) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), content);
    }
    writeFileSync(join(dir, 'out.safetensors'), SENTINEL);
    if (hostile.args.includes('good.safetensors'))
      writeFileSync(join(dir, 'good.safetensors'), readFileSync(join(good, 'good.safetensors')));
    const before = snapshot(dir);

    const { status, stdout, stderr, peakBytes } = runCliMeasured(hostile.args, dir);

    expect(status, `stdout: ${stdout}\nstderr: ${stderr}`).toBe(1);
    const lines = stderr.trimEnd().split('\n');
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^scratchnet: /);
    expect(stderr).not.toMatch(/\n\s+at /);
    for (const mention of hostile.mentions) expect(lines[0]).toContain(mention);
    expect(snapshot(dir)).toEqual(before);
    expect(peakBytes, 'peak resident memory').toBeLessThan(1024 ** 3);
    expect(existsSync(join(dir, 'report'))).toBe(false);
    outcomes.refusedCleanly++;
  });
});
