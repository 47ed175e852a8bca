import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * A Python interpreter that can `import` every module in `modules` (Debian's /usr/bin/python3 first,
 * where python3-torch installs; then whatever `python3` is on PATH), or null with the reason.
 */
export function findPython(modules: readonly string[]): { python: string | null; reason: string } {
  const candidates = [process.env.SCRATCHNET_PYTHON, '/usr/bin/python3', 'python3'].filter(
    (p): p is string => !!p && (p === 'python3' || existsSync(p)),
  );
  let reason = 'no python3 found';
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8' });
    if (probe.status === 0) return { python, reason: '' };
    reason = `${python}: ${(probe.stderr || String(probe.error)).trim().split('\n').pop()}`;
  }
  return { python: null, reason };
}
