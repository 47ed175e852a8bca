import { ScratchnetError } from '../errors.js';
import { type CsvLayout, type LayoutOptions, decideLayout, unquote } from './csv-header.js';
import type { Dataset } from './dataset.js';
import { RowStore, columnName } from './row-store.js';
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
const COMMA = 44;
const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
/** POW10[k] = 10^k exactly as a double (correctly rounded), for k = 0..308. */
const POW10 = Array.from({ length: 309 }, (_, k) => Number(`1e${k}`));

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

async function parseCsv(source: ByteSource, options: CsvOptions): Promise<Dataset> {
  const path = source.path;
  let buffer: Uint8Array = new Uint8Array(CHUNK_BYTES + 1);
  let filled = 0;
  let eof = false;
  let parser: RowParser | null = null;
  let line = 1; // line number of buffer[0]

  while (!eof) {
    const n = await source.read(buffer, filled, buffer.length - 1 - filled);
    filled += n;
    if (n === 0) {
      eof = true;
      if (filled > 0 && buffer[filled - 1] !== NEWLINE) buffer[filled++] = NEWLINE; // the last line may lack one
    }
    let start = 0;
    if (!parser) {
      const head = firstLines(buffer, filled, eof);
      if (!head) {
        if (eof) throw new ScratchnetError(`${path}: file is empty (no data rows)`);
        buffer = grow(buffer, filled);
        continue;
      }
      const layout = decideLayout(path, head.first, head.second, options);
      parser = new RowParser(path, layout, options, source, head.blankLinesBefore + 1);
      if (layout.hasHeader) {
        start = head.firstEnd;
        line = head.blankLinesBefore + 2;
      }
    }
    // Parse the complete lines; the unfinished last line moves to the front for the next read.
    const end = eof ? filled : buffer.lastIndexOf(NEWLINE, filled - 1) + 1;
    if (end === 0) {
      buffer = grow(buffer, filled); // one line longer than the buffer
      continue;
    }
    line = parser.parseLines(buffer, start, end, line);
    buffer.copyWithin(0, end, filled);
    filled -= end;
  }
  if (!parser) throw new ScratchnetError(`${path}: file is empty (no data rows)`);
  return parser.finish(options.name ?? fileLabel(path));
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

/** The byte-level state machine over complete lines, feeding finished rows to a RowStore. */
class RowParser {
  private readonly row: Float64Array;
  private readonly store: RowStore;
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly path: string,
    private readonly layout: CsvLayout,
    options: CsvOptions,
    source: ByteSource,
    private readonly headerLine: number,
  ) {
    this.row = new Float64Array(layout.columns);
    const pixels = options.pixels ?? layout.columns === 785;
    // Every row takes at least 2 bytes per column ("0,"), which bounds the row count by the decoded size.
    const decodedBytes = source.gzipped ? (source.sizeHint ?? source.fileBytes * 8) : source.fileBytes;
    const rowsBound = Math.ceil(decodedBytes / (2 * layout.columns)) + 1;
    this.store = new RowStore({
      path,
      layout,
      pixels,
      classes: options.classes ?? (pixels && !layout.namedLabels ? 10 : undefined),
      float32: options.dtype === 'float32',
      initialRows: rowsBound,
    });
  }

  /**
   * Parses buffer[start..end), which ends with a newline. Fast path: a cell of digits, at most one '.',
   * at most one leading '-', accumulates value = value·10 + digit as it goes; anything else in a cell
   * (spaces, '\r', exponents, quotes, text) sends just that cell to `slowCell`. Returns the next line number.
   */
  parseLines(buffer: Uint8Array, start: number, end: number, line: number): number {
    const row = this.row;
    const columns = this.layout.columns;
    let column = 0;
    let value = 0;
    let digits = 0;
    let dotAt = -1; // digits seen before the '.', or −1
    let negative = false;
    let odd = false; // the cell needs the slow path
    let cellStart = start;
    let lineStart = start;
    for (let i = start; i < end; i++) {
      const c = buffer[i];
      const digit = c - 48;
      if (digit >= 0 && digit <= 9) {
        value = value * 10 + digit;
        digits++;
        continue;
      }
      if (c === COMMA || c === NEWLINE) {
        if (c === NEWLINE && column === 0 && isBlank(buffer, lineStart, i)) {
          line++;
          lineStart = cellStart = i + 1;
          continue;
        }
        if (column < columns) {
          let cell: number;
          if (odd || digits === 0) cell = this.slowCell(buffer, cellStart, i, line, column);
          else {
            cell = dotAt < 0 ? value : value / POW10[digits - dotAt];
            if (negative) cell = -cell;
          }
          row[column] = cell;
        }
        column++;
        value = 0;
        digits = 0;
        dotAt = -1;
        negative = false;
        odd = false;
        cellStart = i + 1;
        if (c === NEWLINE) {
          if (column !== columns) this.columnCountError(line, column);
          this.store.add(row, buffer, lineStart, i, line);
          column = 0;
          line++;
          lineStart = i + 1;
        }
      } else if (c === 46 && dotAt < 0) dotAt = digits; // '.'
      else if (c === 45 && digits === 0 && dotAt < 0 && !negative) negative = true; // '-'
      else odd = true;
    }
    return line;
  }

  finish(name: string): Dataset {
    return this.store.finish(name, this.headerLine);
  }

  /** A cell off the fast path: trimmed text parsed strictly, or a class name, or an error naming the cell. */
  private slowCell(buffer: Uint8Array, from: number, to: number, line: number, column: number): number {
    const text = unquote(this.decoder.decode(buffer.subarray(from, to)).replace(/\r$/, ''));
    if (column === this.layout.labelColumn && this.layout.namedLabels) return 0; // the store reads the name
    const number = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : NaN;
    if (Number.isFinite(number)) return number;
    const what = text === '' ? 'empty cell' : `"${text.length > 40 ? `${text.slice(0, 40)}…` : text}" is not a number`;
    throw new ScratchnetError(`${this.path} line ${line}, ${columnName(this.layout, column)}: ${what}`);
  }

  private columnCountError(line: number, found: number): never {
    const { columns, hasHeader } = this.layout;
    const reference = hasHeader ? `the header has ${columns}` : `line ${this.headerLine} has ${columns}`;
    throw new ScratchnetError(`${this.path} line ${line}: found ${found} columns, expected ${columns} (${reference})`);
  }

}

function isBlank(buffer: Uint8Array, from: number, to: number): boolean {
  return to === from || (to === from + 1 && buffer[from] === CARRIAGE_RETURN);
}
