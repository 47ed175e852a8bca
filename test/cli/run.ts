import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI, as users run it (`npm test` builds before vitest runs). */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Tests run from test/cli (vitest) or dist/test/cli (compiled): the CLI is dist/src/cli/main.js either way. */
export const CLI_PATH = existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))
  ? join(root, 'dist', 'src', 'cli', 'main.js')
  : join(root, 'src', 'cli', 'main.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Peak resident memory of the CLI process in bytes (getrusage's maxRSS, threads included), when measured. */
  peakBytes?: number;
}

// Loaded before the CLI by `--import`: at exit, writes the process's peak resident memory (KiB) where
// SCRATCHNET_TEST_MAXRSS_FILE says. Exact (the kernel's own high-water mark), unlike polling from outside.
const MAXRSS_HOOK = `data:text/javascript,${encodeURIComponent(
  "import { writeFileSync } from 'node:fs'; process.on('exit', () => writeFileSync(process.env.SCRATCHNET_TEST_MAXRSS_FILE, String(process.resourceUsage().maxRSS)));",
)}`;

/** Runs `scratchnet <args>` to completion and measures its peak memory (for the limits on hostile inputs). */
export function runCliMeasured(args: string[], cwd = process.cwd()): CliResult & { peakBytes: number } {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run \`npm run build\` first (npm test does)`);
  const report = join(mkdtempSync(join(tmpdir(), 'scratchnet-rss-')), 'maxrss');
  const result = spawnSync(process.execPath, ['--import', MAXRSS_HOOK, CLI_PATH, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', SCRATCHNET_TEST_MAXRSS_FILE: report },
  });
  const peakBytes = existsSync(report) ? Number(readFileSync(report, 'utf8')) * 1024 : NaN;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, peakBytes };
}

/** Runs `scratchnet <args>` to completion. */
export function runCli(args: string[], cwd = process.cwd()): CliResult {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run \`npm run build\` first (npm test does)`);
  const result: SpawnSyncReturns<string> = spawnSync(process.execPath, [CLI_PATH, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `scratchnet <args>`, lets `onLine` see each stdout line (it may signal the process); resolves at exit. */
export function runCliStreaming(
  args: string[],
  onLine: (line: string, child: ReturnType<typeof spawn>) => void,
): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) onLine(line, child);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'scratchnet-cli-'));
}
