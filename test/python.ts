import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * A Python interpreter that can `import` every module in `modules` (SCRATCHNET_PYTHON first, then
 * Debian's /usr/bin/python3, where python3-torch installs, then whatever `python3` is on PATH), or null
 * with the reason each candidate gave. With SCRATCHNET_REQUIRE_TORCH=1 (CI) a missing interpreter is an
 * error, not a skip: the PyTorch checks must run there.
 */
export function findPython(modules: readonly string[]): { python: string | null; reason: string } {
  const candidates = [...new Set([process.env.SCRATCHNET_PYTHON, '/usr/bin/python3', 'python3'])].filter(
    (p): p is string => !!p && (p === 'python3' || existsSync(p)),
  );
  const reasons: string[] = [];
  for (const python of candidates) {
    // Importing torch takes seconds on a loaded machine: a generous timeout, and the reason kept if it passes.
    const probe = spawnSync(python, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8', timeout: 120_000 });
    if (probe.status === 0) return { python, reason: '' };
    const why = probe.error ? String(probe.error) : (probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`);
    reasons.push(`${python}: ${why}`);
  }
  const reason = reasons.length > 0 ? reasons.join('; ') : 'no python3 found';
  if (process.env.SCRATCHNET_REQUIRE_TORCH === '1') {
    throw new Error(`SCRATCHNET_REQUIRE_TORCH=1 but no Python imports ${modules.join(', ')}: ${reason}`);
  }
  return { python: null, reason };
}
