/** Modules the library loads only in Node; the page's build replaces them by a stub. */
export const NODE_ONLY: readonly string[];
/** Packages that need Node; none may be reachable from the page. */
export const NODE_PACKAGES: readonly string[];
/** The gzip-compressed digits file the page loads. */
export function digitsFile(): Uint8Array;
/** esbuild's metafile: every input of every bundle, with its imports. */
export interface Metafile {
  inputs: Record<string, { bytes: number; imports: { path: string; kind: string; external?: boolean; original?: string }[] }>;
  outputs: Record<string, { bytes: number; inputs: Record<string, unknown>; entryPoint?: string }>;
}
/** Bundles the page into `outdir` (default dist/web). */
export function buildWeb(outdir?: string, options?: { minify?: boolean }): Promise<Metafile>;
