/* global process, console */
// Builds the native kernels (src/kernels/native) with node-gyp, the copy npm carries, against the Node
// headers npm is set up with, and copies them beside the compiled TypeScript. Without a compiler or
// headers the build is skipped with a message and the WebAssembly kernels run instead; with
// SCRATCHNET_REQUIRE_NATIVE=1 (CI) a failed build fails.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src/kernels/native');
const built = join(source, 'build/Release/scratchnet_native.node');
const target = join(root, 'dist/src/kernels/native/build/scratchnet_native.node');
const required = process.env.SCRATCHNET_REQUIRE_NATIVE === '1';

function nodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  const npmDir = join(dirname(process.execPath), '../lib/node_modules/npm');
  for (const base of [npmDir, root]) {
    try {
      return createRequire(join(base, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
    } catch {
      // next place
    }
  }
  return null;
}

function skip(reason) {
  rmSync(target, { force: true });
  const message = `native kernels not built: ${reason}. The WebAssembly kernels will run instead.`;
  if (required) {
    console.error(`${message} (SCRATCHNET_REQUIRE_NATIVE=1: failing)`);
    process.exit(1);
  }
  console.warn(message);
  process.exit(0);
}

if (process.env.SCRATCHNET_NATIVE === '0') skip('SCRATCHNET_NATIVE=0');
if (process.arch !== 'x64') skip(`the kernels are written for x86-64, this is ${process.arch}`);
const gyp = nodeGyp();
if (!gyp) skip('node-gyp was not found (it comes with npm)');
const args = [gyp, 'rebuild', `--directory=${source}`];
// npm passes its nodedir setting to scripts; run by hand, the headers beside this node are the ones
const nodedir = process.env.npm_config_nodedir ?? join(dirname(process.execPath), '..');
if (existsSync(join(nodedir, 'include/node/node_api.h'))) args.push(`--nodedir=${nodedir}`);
const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (run.status !== 0 || !existsSync(built)) {
  process.stderr.write(
    run.stdout
      .split('\n')
      .filter((line) => !line.startsWith('gyp info'))
      .join('\n'),
  );
  process.stderr.write(
    run.stderr
      .split('\n')
      .filter((line) => !line.startsWith('gyp info'))
      .join('\n'),
  );
  skip(`node-gyp failed (exit ${run.status})`);
}
mkdirSync(dirname(target), { recursive: true });
cpSync(built, target);
console.log(`native kernels built: ${target.slice(root.length + 1)}`);
