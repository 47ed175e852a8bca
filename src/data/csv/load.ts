import { ScratchnetError } from '../../errors.js';
import { ChunkReader } from './chunks.js';
import { type LayoutOptions, decideLayout } from './header.js';
import { RowParser } from './parser.js';
import { parseInSections, splittable } from './sections.js';
import type { Dataset } from '../dataset.js';
import type { RowStoreOptions } from '../row-store.js';
import { type ByteSource, checkClassCount, fileLabel, openByteSource } from '../source.js';

/** Options of {@link loadCsv}; the column layout options (label column, header) come from the file when unset. */
export interface CsvOptions extends LayoutOptions {
  /** Number of classes; labels must lie in 0..classes−1. Default: 10 for MNIST-shaped files, else inferred (largest label + 1). */
  classes?: number;
  /** Dataset name for messages and reports; default the file name. */
  name?: string;
  /**
   * Treat features as pixels: integers 0–255, stored as bytes with scale 1/255. Default: true for
   * MNIST-shaped files (785 columns: a label and 28×28 pixels), false otherwise.
   */
  pixels?: boolean;
  /** 'float32' stores features already multiplied by their scale (normalised), scale 1; default 'auto' (bytes when possible). */
  dtype?: 'auto' | 'float32';
  /**
   * Parse a plain file in two sections on two threads (see data/csv/sections.ts). Default: when that pays —
   * files of 16 MB or more whose storage type is known in advance, while a second core is idle.
   */
  parallel?: boolean;
}

const NEWLINE = 10;

/**
 * Loads a labelled CSV file (plain or gzip): one row per sample, a label column and numeric feature columns,
 * with or without a header line. Rows are parsed byte by byte from a reused read buffer — no line strings,
 * no split — straight into a typed array sized from the file, so memory stays near the decoded data.
 * Throws one ScratchnetError naming file, line, column and problem; never returns a partial dataset.
 */
export async function loadCsv(path: string, options: CsvOptions = {}): Promise<Dataset> {
  checkClassCount(path, options.classes);
  const source = await openByteSource(path);
  try {
    return await parseCsv(source, options);
  } finally {
    await source.close();
  }
}

/** Reads the layout from the head of the file, then every row. */
async function parseCsv(source: ByteSource, options: CsvOptions): Promise<Dataset> {
  const path = source.path;
  const reader = new ChunkReader(source);
  // The layout comes from the first two non-blank lines.
  await reader.start();
  refuseNonText(path, reader.current, reader.filled);
  let head = firstLines(reader.current, reader.filled, reader.eof);
  while (!head) {
    if (reader.eof) throw new ScratchnetError(`${path}: file is empty (no data rows)`);
    await reader.more(lineCount(reader.current, reader.filled) + 1);
    head = firstLines(reader.current, reader.filled, reader.eof);
  }
  const layout = decideLayout(path, head.first, head.second, options);
  const pixels = options.pixels ?? layout.columns === 785;
  // Every row takes at least 2 bytes per column ("0,"), which bounds the row count by the decoded size.
  // For gzip the bound is the most the file may decompress to (its trailer is only a claim, and growing
  // the storage later would copy it): storage never touched never becomes resident memory.
  const decodedBytes = source.decodedLimit;
  const store: RowStoreOptions = {
    path,
    layout,
    pixels,
    classes: options.classes ?? (pixels && !layout.namedLabels ? 10 : undefined),
    float32: options.dtype === 'float32',
    initialRows: Math.ceil(decodedBytes / (2 * layout.columns)) + 1,
  };
  const firstLine = layout.hasHeader ? head.blankLinesBefore + 2 : 1;
  const dataStart = layout.hasHeader ? head.firstEnd : 0;
  const name = options.name ?? fileLabel(path);
  if (splittable(source.gzipped, source.fileBytes, layout, store, options.parallel)) {
    const rows = await parseInSections(source.fileBytes, dataStart, firstLine, layout, store);
    if (rows) return rows.finish(name, firstLine - 1);
  }
  const parser = new RowParser(path, layout, store, firstLine);
  await reader.parseAll(parser, dataStart);
  return parser.store.finish(name, firstLine - 1);
}

/**
 * Text that is not UTF-8 or ASCII would otherwise be reported as cells that are not numbers: UTF-16 (a
 * byte order mark FF FE or FE FF, or a zero byte in every other position, as Windows tools save
 * "Unicode" text), or binary data (zero bytes, which no CSV text holds).
 */
function refuseNonText(path: string, buffer: Uint8Array, filled: number): void {
  if (filled >= 2 && ((buffer[0] === 0xff && buffer[1] === 0xfe) || (buffer[0] === 0xfe && buffer[1] === 0xff)))
    throw new ScratchnetError(`${path}: is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8 CSV`);
  const head = Math.min(filled, 64) & ~1;
  const zeros = [0, 0]; // at even, odd positions
  for (let i = 0; i < head; i++) if (buffer[i] === 0) zeros[i & 1]++;
  if (head > 0 && (zeros[0] === head / 2) !== (zeros[1] === head / 2) && zeros[0] + zeros[1] === head / 2)
    throw new ScratchnetError(`${path}: is UTF-16 text (every other byte is zero); save it as UTF-8 CSV`);
  const zero = buffer.subarray(0, filled).indexOf(0);
  if (zero >= 0) throw new ScratchnetError(`${path} byte offset ${zero}: a zero byte; this is binary data, not CSV text`);
}

/** Newlines in buffer[0, filled). */
function lineCount(buffer: Uint8Array, filled: number): number {
  let count = 0;
  for (let at = buffer.indexOf(NEWLINE); at >= 0 && at < filled; at = buffer.indexOf(NEWLINE, at + 1)) count++;
  return count;
}

/** The first non-blank line and the one after it, as text; null when the buffer does not yet hold them. */
function firstLines(buffer: Uint8Array, filled: number, eof: boolean) {
  const decoder = new TextDecoder();
  let at = 0;
  let blankLinesBefore = 0;
  const lines: { text: string; end: number }[] = [];
  while (lines.length < 2) {
    const newline = buffer.indexOf(NEWLINE, at);
    if (newline < 0 || newline >= filled) break;
    const text = decoder.decode(buffer.subarray(at, newline)).replace(/\r$/, '');
    if (text.trim() !== '') lines.push({ text, end: newline + 1 });
    else if (lines.length === 0) blankLinesBefore++;
    at = newline + 1;
  }
  if (lines.length === 0 || (lines.length === 1 && !eof)) return null;
  return { first: lines[0].text, firstEnd: lines[0].end, second: lines.length > 1 ? lines[1].text : null, blankLinesBefore };
}
