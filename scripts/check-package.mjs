/* global process, console */
// The package as a user gets it: packs the tarball from the current build (run `npm run build` first),
// checks what it holds, installs it into an empty folder with `npm install ./scratchnet-*.tgz`, and there
// runs `npx scratchnet train --epochs 1` and the README's library example (the TypeScript block after the
// `<!-- library-example -->` marker), type-checked against the installed package's declarations.
// Run by CI after `npm test` (`npm run test:package`); the registry must be reachable for the dependencies.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'scratchnet-package-'));
const keep = process.env.KEEP_PACKAGE_CHECK === '1';

function fail(message) {
  console.error(`check-package: ${message}`);
  process.exitCode = 1;
  throw new Error(message);
}

function run(command, args, cwd, extraEnv = {}) {
  console.log(`check-package: (${cwd === root ? 'repo' : 'empty folder'}) ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, ...extraEnv } });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
}

try {
  if (!existsSync(join(root, 'dist/src/index.js'))) fail('no build in dist/: run `npm run build` first');

  // 1. The tarball: only what users need.
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root, encoding: 'utf8' }),
  )[0];
  const files = packed.files.map((f) => f.path);
  const tarball = join(work, packed.filename);
  const unwanted = files.filter(
    (f) => /\.test\.(js|d\.ts|js\.map|d\.ts\.map)$/.test(f) || /^(src|test|bench|examples)\//.test(f),
  );
  if (unwanted.length > 0) fail(`the tarball ships files users do not need: ${unwanted.slice(0, 5).join(', ')}…`);
  const required = [
    'dist/src/index.js',
    'dist/src/index.d.ts',
    'dist/src/internals.js',
    'dist/src/viz/index.js',
    'dist/src/cli/main.js',
    'README.md',
    'LICENSE',
  ];
  for (const file of required) if (!files.includes(file)) fail(`the tarball lacks ${file}`);
  if (!files.some((f) => /^dist\/src\/kernels\/wasm\/build\/.*\.wasm$/.test(f))) fail('the tarball lacks the wasm kernels');
  const native = files.filter((f) => f.endsWith('.node'));
  if (process.platform === 'linux' && process.arch === 'x64' && native.length === 0)
    fail('the tarball lacks the prebuilt native addon for linux-x64 (npm run build:native)');
  console.log(
    `check-package: ${packed.filename}: ${files.length} files, ${(statSync(tarball).size / 1024).toFixed(0)} KB packed` +
      `, ${(packed.unpackedSize / 1024).toFixed(0)} KB unpacked; native: ${native.join(', ') || 'none'}`,
  );

  // 2. Installed into an empty folder, as a user does.
  const app = join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }, null, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], app);

  // 3. The CLI's first run.
  run('npx', ['scratchnet', 'train', '--epochs', '1', '--out', 'model.safetensors'], app);
  if (!existsSync(join(app, 'model.safetensors'))) fail('`scratchnet train` wrote no model.safetensors');

  // 4. The README's library example, type-checked against the installed declarations and run.
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const match = /<!-- library-example -->\s*```ts\n([\s\S]*?)```/.exec(readme);
  if (!match) fail('README.md has no ```ts block after a <!-- library-example --> marker');
  writeFileSync(join(app, 'example.ts'), match[1]);
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2022', 'DOM'],
        types: [],
        strict: true,
        skipLibCheck: true,
      },
      files: ['example.ts'],
    }),
  );
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', app], app);
  run(process.execPath, ['example.js'], app);
  console.log('check-package: the packed package installs, trains from the CLI and runs the README example');
} catch (error) {
  if (!process.exitCode) {
    console.error(error);
    process.exitCode = 1;
  }
} finally {
  if (keep) console.log(`check-package: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
