/**
 * Data benchmark: loading the 60,000-row MNIST training CSV (≈110 MB) with scratchnet versus
 * `pandas.read_csv(path) / 255`, each in its own child process so peak RSS belongs to the loader alone.
 *
 *   npm run bench:data [-- --runs 5] [-- --csv path/to/mnist_train.csv | --fashion]
 *
 * Data, first found: --csv; (unless --fashion) ../shared/data/mnist/mnist_train.csv.gz beside the repository, or under
 * $SCRATCHNET_SHARED (unzipped to a temp file); a CSV written from Fashion-MNIST's IDX files under /usr/share/datasets/fashion-mnist.
 * Targets (issue 3): scratchnet ≤ 1/10 of pandas' time, peak RSS ≤ 300 MB.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { loadDataset } from '../src/data/load.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..'); // dist/bench → repository root
const TIME_RATIO_TARGET = 10;
const RSS_TARGET_MB = 300;

interface Measurement {
  seconds: number;
  /** CPU time (user + system) of the load: less disturbed than wall time when the machine is shared. */
  cpuSeconds: number;
  peakRssMb: number;
  rows: number;
}

/** In a child process: load once, report time and peak RSS as JSON. */
async function child(path: string, mode: string): Promise<void> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const data = await loadDataset(path, mode === 'float32' ? { dtype: 'float32' } : {});
  const seconds = (performance.now() - start) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  const result: Measurement = {
    seconds,
    cpuSeconds: (user + system) / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    rows: data.count,
  };
  process.stdout.write(JSON.stringify(result));
}

async function main(): Promise<void> {
  const runs = Number(option('--runs') ?? 5);
  const temp = mkdtempSync(join(tmpdir(), 'scratchnet-bench-data-'));
  try {
    const csv = await findCsv(temp);
    if (!csv) {
      console.log(
        'bench:data skipped: no MNIST CSV found (no --csv, no ../shared/data/mnist/mnist_train.csv.gz, no /usr/share/datasets/fashion-mnist).',
      );
      return;
    }
    const python = findPandas();
    console.log(`data benchmark: ${csv.what}`);
    console.log(
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}; ${runs} interleaved runs, median reported`,
    );
    if (!python)
      console.log(
        'pandas: NOT AVAILABLE (tried $SCRATCHNET_PYTHON, /usr/bin/python3, python3; apt-get install -y python3-pandas) — the comparison is skipped',
      );
    else console.log(`pandas: ${python.version} (${python.executable})`);

    const results: Record<string, Measurement[]> = { bytes: [], float32: [], pandas: [] };
    for (let run = 0; run < runs; run++) {
      if (python) results.pandas.push(runPandas(python.executable, csv.path));
      results.bytes.push(runNode(csv.path, 'bytes'));
      results.float32.push(runNode(csv.path, 'float32'));
    }
    const pandasSeconds = python ? median(results.pandas.map((m) => m.seconds)) : null;
    const rows: string[][] = [
      ['loader', 'rows', 'median s', 'runs (s)', 'median CPU s', 'peak RSS MB', 'pandas ÷ this: time', 'CPU time'],
    ];
    const verdicts: string[] = [];
    for (const [key, label] of [
      ['bytes', 'scratchnet loadDataset (uint8 + scale 1/255)'],
      ['float32', "scratchnet loadDataset dtype 'float32' (normalised float32)"],
      ['pandas', 'pandas.read_csv(path) / 255 (float64)'],
    ] as const) {
      const ms = results[key];
      if (ms.length === 0) continue;
      // Median of the per-run ratios: each pandas run is paired with the scratchnet runs right after it.
      const compare = key !== 'pandas' && python;
      const ratio = compare ? median(ms.map((m, i) => results.pandas[i].seconds / m.seconds)) : null;
      const cpuRatio = compare ? median(ms.map((m, i) => results.pandas[i].cpuSeconds / m.cpuSeconds)) : null;
      const rss = Math.max(...ms.map((m) => m.peakRssMb));
      const times = ms.map((m) => m.seconds.toFixed(2)).join(' ');
      const cpuMedian = median(ms.map((m) => m.cpuSeconds)).toFixed(3);
      rows.push([
        label,
        String(ms[0].rows),
        median(ms.map((m) => m.seconds)).toFixed(3),
        times,
        cpuMedian,
        rss.toFixed(0),
        ratio ? `${ratio.toFixed(1)}×` : '—',
        cpuRatio ? `${cpuRatio.toFixed(1)}×` : '—',
      ]);
      if (key !== 'pandas') {
        verdicts.push(
          `${label}: peak RSS ${rss.toFixed(0)} MB ${rss <= RSS_TARGET_MB ? '≤' : '>'} ${RSS_TARGET_MB} MB → ${rss <= RSS_TARGET_MB ? 'PASS' : 'MISS'}`,
        );
        if (ratio !== null)
          verdicts.push(
            `${label}: ${ratio.toFixed(1)}× faster than pandas in wall time (target ≥ ${TIME_RATIO_TARGET}×) → ${ratio >= TIME_RATIO_TARGET ? 'PASS' : 'MISS'}`,
          );
      }
    }
    printTable(rows);
    if (pandasSeconds !== null)
      console.log(
        `pandas median ${pandasSeconds.toFixed(2)} s; load average now ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs (other work on the machine slows every loader)`,
      );
    for (const verdict of verdicts) console.log(verdict);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

function runNode(path: string, mode: string): Measurement {
  const result = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', path, mode], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`loader child failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Measurement;
}

const PANDAS_SCRIPT = `
import json, resource, sys, time
import pandas as pd
cpu = time.process_time()
start = time.perf_counter()
frame = pd.read_csv(sys.argv[1])
normalised = frame / 255
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "cpuSeconds": time.process_time() - cpu, "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rows": len(normalised)}))
`;

function runPandas(python: string, path: string): Measurement {
  const out = execFileSync(python, ['-c', PANDAS_SCRIPT, path], { encoding: 'utf8' });
  return JSON.parse(out) as Measurement;
}

/** The first Python that imports pandas: $SCRATCHNET_PYTHON, Debian's /usr/bin/python3, python3 on PATH. */
function findPandas(): { executable: string; version: string } | null {
  const candidates = [process.env.SCRATCHNET_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => Boolean(p));
  for (const executable of candidates) {
    const probe = spawnSync(executable, ['-c', 'import pandas; print(pandas.__version__)'], { encoding: 'utf8' });
    if (probe.status === 0) return { executable, version: `pandas ${probe.stdout.trim()}` };
  }
  return null;
}

async function findCsv(temp: string): Promise<{ path: string; what: string } | null> {
  const given = option('--csv');
  if (given) return { path: given, what: given };
  const shared = join(process.env.SCRATCHNET_SHARED ?? join(repoRoot, '..', 'shared'), 'data', 'mnist', 'mnist_train.csv.gz');
  if (existsSync(shared) && !process.argv.includes('--fashion')) {
    const path = join(temp, 'mnist_train.csv');
    await pipeline(createReadStream(shared), createGunzip(), createWriteStream(path));
    return { path, what: `${shared} unzipped (MNIST training set, header + 60,000 rows)` };
  }
  const fashion = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';
  if (existsSync(fashion)) {
    const path = join(temp, 'fashion_train.csv');
    await writeCsvFromIdx(fashion, path);
    return { path, what: `CSV written from ${fashion} (Fashion-MNIST training set, header + 60,000 rows)` };
  }
  return null;
}

/** The "MNIST in CSV" layout (header label,1x1,…,28x28, then label and 784 pixels per row) from an IDX pair. */
async function writeCsvFromIdx(imagesPath: string, csvPath: string): Promise<void> {
  const data = await loadDataset(imagesPath);
  const out = createWriteStream(csvPath);
  const header = ['label', ...Array.from({ length: 784 }, (_, i) => `${Math.floor(i / 28) + 1}x${(i % 28) + 1}`)];
  out.write(`${header.join(',')}\n`);
  for (let row = 0; row < data.count; row++) {
    const line = `${data.labels[row]},${Array.from(data.features.subarray(row * 784, (row + 1) * 784)).join(',')}\n`;
    if (!out.write(line)) await new Promise<void>((done) => out.once('drain', () => done()));
  }
  await new Promise<void>((done, fail) => out.end((error?: Error | null) => (error ? fail(error) : done())));
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  for (const row of rows) console.log(row.map((cell, j) => cell.padEnd(widths[j])).join('  '));
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else await main();
