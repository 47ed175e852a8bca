import { ScratchnetError } from '../../errors.js';
import { printable } from '../../util/printable.js';
import { type CsvLayout, unquote } from './header.js';
import { RowStore, type RowStoreOptions, columnName } from '../row-store.js';

const COMMA = 44;
const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
/** "0,0," read as a little-endian uint32: two zero cells. */
const TWO_ZERO_CELLS = 0x2c302c30;
/** POW10[k] = 10^k exactly as a double (correctly rounded), for k = 0..308. */
const POW10 = Array.from({ length: 309 }, (_, k) => Number(`1e${k}`));

/**
 * The byte-level state machine over complete lines (each buffer handed in ends with a newline), feeding
 * rows to a RowStore. Two paths:
 * - fast: every cell is digits only and fits the storage (pixels 0–255): a cell of up to 3 digits is
 *   decoded from one 4-byte word, longer ones as value = value·10 + digit, and the value goes straight
 *   into the dataset's storage; "0,0," — 81% of MNIST's cells are zeros — is recognised four bytes at a
 *   time and skipped (the storage starts zeroed).
 * - general: one line at a time, any number (sign, decimals, exponent, spaces, quotes, '\r'), class names,
 *   blank lines, and every error. A line the fast path cannot take goes here, then the fast path resumes.
 */
export class RowParser {
  readonly store: RowStore;
  /** Line number of the next line to parse. */
  line: number;
  private readonly row: Float64Array;
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly path: string,
    private readonly layout: CsvLayout,
    storeOptions: RowStoreOptions,
    firstLine: number,
  ) {
    this.row = new Float64Array(layout.columns);
    this.store = new RowStore(storeOptions);
    this.line = firstLine;
  }

  /** Parses buffer[start..end); buffer[end − 1] is a newline. */
  parseLines(buffer: Uint8Array, start: number, end: number): void {
    let position = start;
    while (position < end) {
      if (!this.layout.namedLabels) position = this.fastLines(buffer, position, end);
      if (position < end) position = this.generalLine(buffer, position, end);
    }
  }

  /**
   * The fast path, one cell per turn: a run of digits then a delimiter. Returns where it stopped: `end`,
   * or the start of a line it leaves to generalLine (which then reports the error or copes with the line).
   */
  private fastLines(buffer: Uint8Array, start: number, end: number): number {
    const store = this.store;
    const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    const columns = this.layout.columns;
    const labelColumn = this.layout.labelColumn;
    const labelLimit = store.labelLimit;
    const maxValue = store.targetMaxValue;
    const scale = store.targetScale;
    // Words may be read up to the buffer's end (the reader leaves slack): past `end` they hold stale
    // bytes, but every cell's delimiter, at the latest the final newline, comes before them.
    const wordsEnd = Math.min(end, buffer.length - 3);
    let out = store.target;
    let rowStart = store.rows * (columns - 1);
    let to = rowStart;
    let column = 0;
    let label = 0;
    let lineStart = start;
    let i = start;
    while (i < end) {
      let value = -1;
      let c = 0;
      if (column > labelColumn) {
        while (i < wordsEnd && column + 2 < columns && view.getUint32(i, true) === TWO_ZERO_CELLS) {
          to += 2; // two zero cells: the storage already holds zeros there
          column += 2;
          i += 4;
        }
      }
      if (i < wordsEnd) {
        // A cell of 1–3 digits from one 4-byte word, without a branch per digit. Digits are bytes
        // 0x30–0x39 (high nibble 3); the first byte with another high nibble is the delimiter.
        const word = view.getUint32(i, true);
        const nonDigit = (word & 0xf0f0f0f0) ^ 0x30303030;
        const digits = (31 - Math.clz32(nonDigit & -nonDigit)) >> 3; // bytes before the delimiter
        const mask = (1 << (digits << 3)) - 1;
        // (+6 pushes 0x3A–0x3F out of the 0x3_ range: only true digits pass)
        if (nonDigit !== 0 && digits > 0 && (((word & mask) + (0x06060606 & mask)) & 0xf0f0f0f0 & mask) === (0x30303030 & mask)) {
          const aligned = (word & 0x0f0f0f0f & mask) << ((3 - digits) << 3); // [d0 d1 d2] right-aligned
          value = (aligned & 0xff) * 100 + ((aligned >>> 8) & 0xff) * 10 + ((aligned >>> 16) & 0xff);
          c = (word >>> (digits << 3)) & 0xff;
          i += digits + 1;
        }
      }
      if (value < 0) {
        // Byte by byte: value = value·10 + digit over the cell's digits; c is then the delimiter.
        value = buffer[i] - 48;
        if (!(value >= 0 && value <= 9)) break;
        c = buffer[++i];
        let digit = c - 48;
        while (digit >= 0 && digit <= 9) {
          value = value * 10 + digit;
          c = buffer[++i];
          digit = c - 48;
        }
        i++;
      }
      if (column === labelColumn) label = value;
      else {
        if (value > maxValue || column >= columns) break;
        out[to++] = value * scale;
      }
      column++;
      if (c === COMMA) continue;
      if (c === CARRIAGE_RETURN && buffer[i] === NEWLINE) i++;
      else if (c !== NEWLINE) break;
      if (column !== columns || label > labelLimit) break;
      if (store.addLabel(label)) out = store.target;
      this.line++;
      rowStart = to;
      column = 0;
      lineStart = i;
      // Leave from here, not through the code after the loop: optimised code that has never run that
      // code would be thrown away (deoptimised) at every chunk's end.
      if (i === end) return end;
    }
    // After the last newline lineStart = end; a stopped line leaves a partial row to undo.
    out.fill(0, rowStart, to);
    return lineStart;
  }

  /**
   * Parses the one line starting at `start` and returns where the next begins. Per cell: digits, at most
   * one '.', at most one leading '-' accumulate on the way; anything else sends the cell to `slowCell`.
   */
  private generalLine(buffer: Uint8Array, start: number, end: number): number {
    const row = this.row;
    const columns = this.layout.columns;
    let column = 0;
    let value = 0;
    let digits = 0;
    let dotAt = -1; // digits seen before the '.', or −1
    let negative = false;
    let odd = false; // the cell needs the slow path
    let cellStart = start;
    for (let i = start; i < end; i++) {
      const c = buffer[i];
      const digit = c - 48;
      if (digit >= 0 && digit <= 9) {
        value = value * 10 + digit;
        digits++;
      } else if (c === COMMA || c === NEWLINE) {
        if (c === NEWLINE && column === 0 && isBlank(buffer, start, i)) {
          this.line++;
          return i + 1;
        }
        if (column < columns) {
          let cell: number;
          if (odd || digits === 0) cell = this.slowCell(buffer, cellStart, i, column);
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
          if (column !== columns) this.columnCountError(column);
          this.store.add(row, buffer, start, i, this.line);
          this.line++;
          return i + 1;
        }
      } else if (c === 46 && dotAt < 0)
        dotAt = digits; // '.'
      else if (c === 45 && digits === 0 && dotAt < 0 && !negative)
        negative = true; // '-'
      else odd = true;
    }
    return end;
  }

  /** A cell off the fast path: trimmed text parsed strictly, or a class name, or an error naming the cell. */
  private slowCell(buffer: Uint8Array, from: number, to: number, column: number): number {
    if (column === this.layout.labelColumn && this.layout.namedLabels) return 0; // the store reads the name
    const text = unquote(this.decoder.decode(buffer.subarray(from, to)).replace(/\r$/, ''));
    const number = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : NaN;
    if (Number.isFinite(number)) return number;
    const names = this.layout.names;
    if (names !== null && text !== '' && text === names[column]) {
      // The header again: files joined with their headers (`cat a.csv b.csv`).
      throw new ScratchnetError(
        `${this.path} line ${this.line}: repeats the header line ("${printable(text, 40)}" in column ${column + 1}); were files joined with their headers?`,
      );
    }
    const shown = `"${printable(text, 40)}"`;
    const what =
      text === ''
        ? 'empty cell'
        : Number.isNaN(number)
          ? `${shown} is not a number`
          : `${shown} overflows to ${number}; values must be finite`;
    throw new ScratchnetError(`${this.path} line ${this.line}, ${columnName(this.layout, column)}: ${what}`);
  }

  private columnCountError(found: number): never {
    const { columns, hasHeader } = this.layout;
    throw new ScratchnetError(
      `${this.path} line ${this.line}: found ${found} columns, expected ${columns} (as ${hasHeader ? 'the header' : 'the first line'} has)`,
    );
  }
}

function isBlank(buffer: Uint8Array, from: number, to: number): boolean {
  return to === from || (to === from + 1 && buffer[from] === CARRIAGE_RETURN);
}
