import { ScratchnetError } from '../errors.js';
import { type LayoutOptions, decideLayout } from './csv-header.js';
import { RowParser } from './csv-parser.js';
import type { Dataset } from './dataset.js';
import { type ByteSource, fileLabel, openByteSource } from './source.js';

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
}

const CHUNK_BYTES = 4 << 20;
const NEWLINE = 10;

/**
 * Loads a labelled CSV file (plain or gzip): one row per sample, a label column and numeric feature columns,
 * with or without a header line. Rows are parsed byte by byte from a reused read buffer — no line strings,
 * no split — straight into a typed array sized from the file, so memory stays near the decoded data.
 * Throws one ScratchnetError naming file, line, column and problem; never returns a partial dataset.
 */
export async function loadCsv(path: string, options: CsvOptions = {}): Promise<Dataset> {
  const source = await openByteSource(path);
  try {
    return await parseCsv(source, options);
  } finally {
    await source.close();
  }
}

/**
 * Two buffers take turns: while one is parsed, the next chunk is read into the other behind the unfinished
 * last line of the first (the read runs on libuv's thread pool, overlapping the parse).
 */
async function parseCsv(source: ByteSource, options: CsvOptions): Promise<Dataset> {
  const path = source.path;
  let current: Uint8Array = new Uint8Array(CHUNK_BYTES + 1);
  let spare: Uint8Array = new Uint8Array(CHUNK_BYTES + 1);
  let filled = 0;
  let eof = false;
  /** Reads into buffer after `from` (leaving 1 byte for a final newline); at the end, terminates the last line. */
  const fill = async (buffer: Uint8Array, from: number) => {
    const wanted = buffer.length - 1 - from;
    const n = await source.read(buffer, from, wanted);
    filled = from + n;
    eof = n < wanted;
    if (eof && filled > 0 && buffer[filled - 1] !== NEWLINE) buffer[filled++] = NEWLINE;
  };

  // The layout comes from the first two non-blank lines.
  await fill(current, 0);
  let head = firstLines(current, filled, eof);
  while (!head) {
    if (eof) throw new ScratchnetError(`${path}: file is empty (no data rows)`);
    current = grow(current, filled);
    await fill(current, filled);
    head = firstLines(current, filled, eof);
  }
  const layout = decideLayout(path, head.first, head.second, options);
  const pixels = options.pixels ?? layout.columns === 785;
  // Every row takes at least 2 bytes per column ("0,"), which bounds the row count by the decoded size.
  const decodedBytes = source.gzipped ? (source.sizeHint ?? source.fileBytes * 8) : source.fileBytes;
  const parser = new RowParser(
    path,
    layout,
    {
      path,
      layout,
      pixels,
      classes: options.classes ?? (pixels && !layout.namedLabels ? 10 : undefined),
      float32: options.dtype === 'float32',
      initialRows: Math.ceil(decodedBytes / (2 * layout.columns)) + 1,
    },
    layout.hasHeader ? head.blankLinesBefore + 2 : 1,
  );
  let start = layout.hasHeader ? head.firstEnd : 0;

  for (;;) {
    const end = eof ? filled : current.lastIndexOf(NEWLINE, filled - 1) + 1;
    if (end === 0 && !eof) {
      current = grow(current, filled); // one line longer than the buffer
      spare = new Uint8Array(current.length);
      await fill(current, filled);
      continue;
    }
    // Carry the unfinished line over to the spare buffer and start reading behind it, then parse.
    const rest = filled - end;
    spare.set(current.subarray(end, filled));
    const reading = eof ? null : fill(spare, rest);
    reading?.catch(() => {}); // handled below; a parse error may come first
    parser.parseLines(current, start, end);
    if (!reading) break;
    await reading;
    [current, spare] = [spare, current];
    start = 0;
  }
  return parser.store.finish(options.name ?? fileLabel(path), layout.hasHeader ? head.blankLinesBefore + 1 : 1);
}

function grow(buffer: Uint8Array, filled: number): Uint8Array {
  const bigger = new Uint8Array(buffer.length * 2);
  bigger.set(buffer.subarray(0, filled));
  return bigger;
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
