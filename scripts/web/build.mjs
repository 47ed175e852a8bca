/* global process, console, Buffer */
// `npm run web:build`: the browser page as a static site (default dist/web), bundled with esbuild from the
// library's own sources. Usage: node scripts/web/build.mjs [outdir]
//
// Three bundles, all ES modules beside index.html:
//   page.js          the page (src/web/page.ts): drawing, charts (vega-embed), pictures, model files
//   train-worker.js  the training worker (src/web/train-worker.ts): fit on the built-in digits
//   wasm-worker.js   a thread of the WebAssembly backend's pool (src/kernels/wasm/wasm-worker.ts)
// plus build/kernels*.wasm (the backend fetches them beside its bundle), style.css and the digits file.
//
// Node-only modules (files, V8 flags, worker_threads, the native addon) are reached from the library only
// through dynamic imports guarded by "is this Node?"; NODE_ONLY replaces each with a stub that throws, and
// any other Node built-in or Node-only package on the way fails the build (platform 'browser').
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Modules the library loads only in Node (dynamic import behind a Node check); the browser gets a stub. */
export const NODE_ONLY = ['src/kernels/wasm/node-host.ts', 'src/kernels/native/native-load.ts'];

/** Packages that need Node (files, zlib, Buffer, native code): reaching one from the page is a bug. */
export const NODE_PACKAGES = [
  'pngjs',
  'jpeg-js',
  'commander',
  'cli-progress',
  '@resvg/resvg-js',
  'opentype.js',
  'dejavu-fonts-ttf',
  'mnist',
];

const nodeOnlyStub = {
  name: 'node-only-stub',
  setup(build) {
    build.onResolve({ filter: /(node-host|native-load)\.js$/ }, (args) => {
      const file = relative(root, resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts')));
      if (!NODE_ONLY.includes(file)) return undefined;
      if (args.kind !== 'dynamic-import')
        return {
          errors: [{ text: `${file} is Node-only and may only be imported dynamically (from ${relative(root, args.importer)})` }],
        };
      return { path: file, namespace: 'node-only' };
    });
    build.onLoad({ filter: /.*/, namespace: 'node-only' }, (args) => ({
      contents: `throw new Error('internal: ${args.path} is Node-only and was loaded in a browser');`,
      loader: 'js',
    }));
  },
};

/**
 * The digits file the page loads (src/web/digits.ts reads it): ten uint32 counts, then the images' bytes
 * round(v × 255), gzip-compressed — the same bytes as builtinDigitBytes() (src/data/builtin.ts), which a test checks.
 */
export function digitsFile() {
  const require = createRequire(join(root, 'package.json'));
  const digits = Array.from({ length: 10 }, (_, digit) => {
    const values = require(`mnist/src/digits/${digit}.json`).data;
    return Uint8Array.from(values, (v) => Math.round(v * 255));
  });
  const header = new Uint8Array(40);
  const view = new DataView(header.buffer);
  digits.forEach((bytes, digit) => view.setUint32(4 * digit, bytes.length / 784, true));
  return gzipSync(Buffer.concat([header, ...digits]), { level: 9 });
}

/** Bundles the page into `outdir`; returns esbuild's metafile (every input of every bundle). */
export async function buildWeb(outdir = join(root, 'dist/web'), { minify = true } = {}) {
  const wasmBuild = join(root, 'src/kernels/wasm/build');
  if (!existsSync(join(wasmBuild, 'kernels.wasm')))
    throw new Error(`${wasmBuild}/kernels.wasm is missing: run \`npm run build:wasm\` first`);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(join(outdir, 'build'), { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: {
      page: 'src/web/page.ts',
      'train-worker': 'src/web/train-worker.ts',
      'wasm-worker': 'src/kernels/wasm/wasm-worker.ts',
    },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    keepNames: true, // layers print their class names (String(layer)) in the page
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    plugins: [nodeOnlyStub],
  });
  for (const file of ['kernels.wasm', 'kernels-relaxed.wasm']) copyFileSync(join(wasmBuild, file), join(outdir, 'build', file));
  for (const file of ['index.html', 'style.css']) copyFileSync(join(root, 'src/web', file), join(outdir, file));
  writeFileSync(join(outdir, 'mnist-digits.bin.gz'), digitsFile());
  return result.metafile;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outdir = resolve(process.argv[2] ?? join(root, 'dist/web'));
  const metafile = await buildWeb(outdir);
  const size = (file) => (readFileSync(join(outdir, file)).length / 1e6).toFixed(2);
  console.log(
    `page built in ${relative(process.cwd(), outdir) || '.'}: page.js ${size('page.js')} MB, train-worker.js ${size('train-worker.js')} MB, digits ${size('mnist-digits.bin.gz')} MB (${Object.keys(metafile.inputs).length} modules)`,
  );
}
