/* global process, console, URL */
// `npm run web`: serves the built page (default dist/web) on http://localhost:8080 (PORT, or the next free
// port) with the cross-origin isolation headers that let the WebAssembly backend share memory between
// threads (COOP same-origin, COEP require-corp). --no-isolation leaves them out: the page then trains
// single-threaded and says so. Usage: node scripts/web/serve.mjs [folder] [--no-isolation]
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.gz': 'application/octet-stream',
  '.json': 'application/json',
  '.safetensors': 'application/octet-stream',
};

/** Starts the server on `port` (0: any free one); resolves to its URL and a close function. */
export function serveWeb(folder, { port = 8080, isolation = true, host = '127.0.0.1' } = {}) {
  const base = resolve(folder);
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    let file = resolve(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) return end(response, 403, 'forbidden');
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file) || !statSync(file).isFile()) return end(response, 404, `not found: ${path}`);
    const headers = { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' };
    if (isolation)
      Object.assign(headers, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
    response.writeHead(200, headers);
    createReadStream(file).pipe(response);
  });
  return new Promise((resolvePromise, reject) => {
    const listen = (p) => {
      server.once('error', (error) => (error.code === 'EADDRINUSE' && p !== 0 && p < port + 20 ? listen(p + 1) : reject(error)));
      server.listen(p, host, () => {
        const url = `http://${host === '127.0.0.1' ? 'localhost' : host}:${server.address().port}/`;
        resolvePromise({
          url,
          close: () =>
            new Promise((done) => {
              server.close(() => done());
              server.closeAllConnections(); // the browser's keep-alive connections would hold close() open
            }),
        });
      });
    };
    listen(port);
  });
}

function end(response, status, text) {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(text);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const folder = args.find((a) => !a.startsWith('--')) ?? join(dirname(fileURLToPath(import.meta.url)), '../../dist/web');
  const isolation = !args.includes('--no-isolation');
  const { url } = await serveWeb(folder, { port: Number(process.env.PORT ?? 8080), isolation });
  console.log(
    `scratchnet page: ${url}  (${isolation ? 'cross-origin isolated: WebAssembly with threads' : 'no isolation headers: single-threaded'}; Ctrl-C stops)`,
  );
}
