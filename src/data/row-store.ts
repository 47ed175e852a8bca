import { ScratchnetError } from '../errors.js';
import { printable } from '../util/printable.js';
import type { CsvLayout } from './csv/header.js';
import { unquote } from './csv/header.js';
import type { Dataset } from './dataset.js';

/** How a {@link RowStore} stores the rows of one CSV file. */
export interface RowStoreOptions {
  /** The file, for messages. */
  path: string;
  /** The file's columns: which one is the label, how many features. */
  layout: CsvLayout;
  /** Features are pixels: integers 0–255, scale 1/255. */
  pixels: boolean;
  /** Known class count (labels checked against it), or undefined to infer largest label + 1. */
  classes?: number;
  /** Store features × scale as float32 (scale 1) instead of bytes. */
  float32: boolean;
  /** Rows to allocate for at first (an upper bound when the decoded size is known). */
  initialRows: number;
  /** Write into this storage instead (one section of a file parsed in parallel; see data/csv/sections.ts). */
  shared?: SharedRows;
}

/**
 * Storage shared by the threads parsing sections of one file: a section's rows go to rows
 * firstRow, firstRow + 1, … — at most rowLimit of them (its line count), so sections never overlap.
 * The storage type is fixed (pixels, or float32 asked for): no section can switch it.
 */
export interface SharedRows {
  features: Uint8Array | Float32Array;
  labels: Int32Array;
  firstRow: number;
  rowLimit: number;
}

/** Largest storage whose data is copied out rather than viewed (see finish). */
const COPY_LIMIT_BYTES = 64 << 20;
/** Without a class count, a larger label is taken for a mistake rather than a class. */
const MAX_INFERRED_CLASSES = 1 << 16;

/**
 * Collects parsed rows into typed arrays: labels as Int32, features as bytes while every value is an
 * integer 0–255 (switching to float32 at the first value that is not, unless they are pixels, where such
 * a value is an error). Checks each row as it arrives, so a bad file fails at its first bad line.
 */
export class RowStore {
  private readonly features: number;
  private bytes: Uint8Array | null = null;
  private floats: Float32Array | null = null;
  private labels: Int32Array;
  private capacity: number;
  private count = 0;
  private maxLabel = -1;
  private readonly classIndex = new Map<string, number>();
  private readonly decoder = new TextDecoder();

  constructor(private readonly options: RowStoreOptions) {
    this.features = options.layout.columns - 1;
    const shared = options.shared;
    if (shared) {
      this.labels = shared.labels;
      if (shared.features instanceof Float32Array) this.floats = shared.features;
      else this.bytes = shared.features;
      this.count = shared.firstRow;
      this.capacity = shared.firstRow + shared.rowLimit;
      return;
    }
    this.capacity = Math.max(1, options.initialRows);
    this.labels = new Int32Array(this.capacity);
    if (options.float32) this.floats = new Float32Array(this.capacity * this.features);
    else this.bytes = new Uint8Array(this.capacity * this.features);
  }

  /** Adds one row of parsed values (row: [columns]); buffer[lineStart..lineEnd) is its text, for class names. */
  add(row: Float64Array, buffer: Uint8Array, lineStart: number, lineEnd: number, line: number): void {
    const { layout, pixels } = this.options;
    const labelColumn = layout.labelColumn;
    const label = layout.namedLabels ? this.classOf(buffer, lineStart, lineEnd, line) : this.checkLabel(row[labelColumn], line);
    this.labels[this.count] = label;
    if (label > this.maxLabel) this.maxLabel = label;

    const columns = layout.columns;
    let to = this.count * this.features;
    const bytes = this.bytes;
    if (bytes) {
      for (let j = 0; j < columns; j++) {
        if (j === labelColumn) continue;
        const value = row[j];
        if ((value & 255) !== value) {
          // Not an integer 0–255: an error for pixels, otherwise the dataset becomes float32.
          if (pixels) this.pixelError(value, line, j);
          this.switchToFloats();
          this.addFloats(row, line);
          return;
        }
        bytes[to++] = value;
      }
      this.rowAdded();
    } else this.addFloats(row, line);
  }

  /**
   * For the parser's fast path, which writes a row's features itself at offset count × features of
   * `target` (values × `targetScale`), then calls `addLabel`. There is always room for one more row.
   */
  get target(): Uint8Array | Float32Array {
    return this.bytes ?? this.floats!;
  }
  get targetScale(): number {
    return this.floats && this.options.pixels ? 1 / 255 : 1;
  }
  /** Largest feature value the fast path may store itself (bytes and pixels: 255). */
  get targetMaxValue(): number {
    return this.bytes || this.options.pixels ? 255 : 2 ** 53;
  }
  /** Largest label the fast path may store without the checks of `add`. */
  get labelLimit(): number {
    return (this.options.classes ?? MAX_INFERRED_CLASSES) - 1;
  }
  /** Index of the next row in the storage (for a section: counted from the start of the file's rows). */
  get rows(): number {
    return this.count;
  }
  /** Largest label seen so far (−1 before any). */
  get largestLabel(): number {
    return this.maxLabel;
  }

  /**
   * Takes in the rows another thread parsed into the shared storage (firstRow, rows, largest label):
   * they follow this section's rows, moved down over any gap left by blank lines in this section.
   */
  appendSection(firstRow: number, rows: number, largestLabel: number): void {
    if (firstRow > this.count) {
      const f = this.features;
      this.target.copyWithin(this.count * f, firstRow * f, (firstRow + rows) * f);
      this.labels.copyWithin(this.count, firstRow, firstRow + rows);
    }
    this.count += rows;
    this.maxLabel = Math.max(this.maxLabel, largestLabel);
  }

  /** Completes a row whose features the fast path wrote; returns true when the storage moved (re-read `target`). */
  addLabel(label: number): boolean {
    this.labels[this.count] = label;
    if (label > this.maxLabel) this.maxLabel = label;
    return this.rowAdded();
  }

  private rowAdded(): boolean {
    this.count++;
    if (this.count < this.capacity) return false;
    if (this.options.shared) {
      // A section has at most one row per line, and its last line has been parsed when count reaches its end.
      if (this.count > this.capacity) throw new Error(`internal: section of ${this.options.path} holds more rows than lines`);
      return false;
    }
    this.grow();
    return true;
  }

  finish(name: string, headerLine: number): Dataset {
    const { path, layout, pixels } = this.options;
    if (this.count === 0) {
      throw new ScratchnetError(
        layout.hasHeader
          ? `${path}: has a header line (line ${headerLine}) but no data rows`
          : `${path}: file is empty (no data rows)`,
      );
    }
    let classes = this.options.classes ?? this.maxLabel + 1;
    let classNames: string[] | undefined;
    if (layout.namedLabels) {
      // Class numbers follow the names' sorted order, so files listing classes in any order agree.
      const seen = [...this.classIndex.keys()];
      classNames = [...seen].sort();
      const remap = new Int32Array(seen.length);
      seen.forEach((className, i) => (remap[i] = classNames!.indexOf(className)));
      for (let i = 0; i < this.count; i++) this.labels[i] = remap[this.labels[i]];
      classes = classNames.length;
    }
    const size = this.count * this.features;
    const stored = this.bytes ?? this.floats!;
    // Storage sized from an upper bound (for gzip: all the file may decompress to) is trimmed by a view:
    // its untouched tail never became resident memory. Small storage much larger than the data gets a
    // tidy copy; larger storage is not copied, since the copy would be resident beside the original.
    const copy = stored.length > 2 * size && stored.byteLength <= COPY_LIMIT_BYTES;
    const features = copy ? stored.slice(0, size) : stored.subarray(0, size);
    const scale = this.bytes && pixels ? 1 / 255 : 1;
    return {
      name,
      features,
      labels: this.labels.slice(0, this.count),
      count: this.count,
      sampleShape: [this.features],
      classes,
      scale,
      ...(classNames ? { classNames } : {}),
    };
  }

  private addFloats(row: Float64Array, line: number): void {
    const { layout, pixels } = this.options;
    const floats = this.floats!;
    const scale = pixels ? 1 / 255 : 1;
    let to = this.count * this.features;
    for (let j = 0; j < layout.columns; j++) {
      if (j === layout.labelColumn) continue;
      const value = row[j];
      if (pixels && (value & 255) !== value) this.pixelError(value, line, j);
      floats[to] = value * scale;
      if (!Number.isFinite(floats[to++])) this.rangeError(value, line, j); // a cell of 39+ digits, or 1e300
    }
    this.rowAdded();
  }

  private checkLabel(label: number, line: number): number {
    const { path, classes, layout } = this.options;
    const where = `${path} line ${line}, ${columnName(layout, layout.labelColumn)}`;
    if (!Number.isInteger(label))
      throw new ScratchnetError(`${where}: label ${label} is not a whole number (class labels are integers 0, 1, 2, …)`);
    if (classes !== undefined && (label < 0 || label >= classes)) {
      throw new ScratchnetError(`${where}: label ${label} is outside the class range 0..${classes - 1} (${classes} classes)`);
    }
    if (label < 0) throw new ScratchnetError(`${where}: label ${label} is negative (class labels are integers 0, 1, 2, …)`);
    if (label >= MAX_INFERRED_CLASSES)
      throw new ScratchnetError(
        `${where}: label ${label} is too large to be a class number; give the class count (classes) if it really is one`,
      );
    return label;
  }

  private classOf(buffer: Uint8Array, lineStart: number, lineEnd: number, line: number): number {
    let from = lineStart;
    for (let j = 0; j < this.options.layout.labelColumn; j++) from = buffer.indexOf(44, from) + 1;
    let to = buffer.indexOf(44, from);
    if (to < 0 || to > lineEnd) to = lineEnd;
    const className = unquote(this.decoder.decode(buffer.subarray(from, to)).replace(/\r$/, ''));
    const { path, layout } = this.options;
    if (className === '')
      throw new ScratchnetError(`${path} line ${line}, ${columnName(layout, layout.labelColumn)}: empty label`);
    let index = this.classIndex.get(className);
    if (index === undefined) {
      index = this.classIndex.size;
      this.classIndex.set(className, index);
    }
    return index;
  }

  private rangeError(value: number, line: number, column: number): never {
    const { path, layout } = this.options;
    throw new ScratchnetError(
      `${path} line ${line}, ${columnName(layout, column)}: ${value} is beyond float32's range (±3.4e38); features must be finite`,
    );
  }

  private pixelError(value: number, line: number, column: number): never {
    const { path, layout } = this.options;
    const problem = Number.isInteger(value) ? 'is outside 0..255' : 'is not a whole number 0..255';
    throw new ScratchnetError(
      `${path} line ${line}, ${columnName(layout, column)}: pixel value ${value} ${problem} (a file of 785 columns is read as a label and 28×28 pixels 0–255)`,
    );
  }

  private grow(): void {
    this.capacity = Math.ceil(this.capacity * 1.5) + 16;
    const labels = new Int32Array(this.capacity);
    labels.set(this.labels);
    this.labels = labels;
    if (this.bytes) {
      const bytes = new Uint8Array(this.capacity * this.features);
      bytes.set(this.bytes);
      this.bytes = bytes;
    } else {
      const floats = new Float32Array(this.capacity * this.features);
      floats.set(this.floats!);
      this.floats = floats;
    }
  }

  private switchToFloats(): void {
    if (this.options.shared) throw new Error(`internal: shared storage of ${this.options.path} cannot change type`);
    const floats = new Float32Array(this.capacity * this.features);
    floats.set(this.bytes!.subarray(0, this.count * this.features));
    this.floats = floats;
    this.bytes = null;
  }
}

/** A column as messages name it: 1-based, with its header name when there is one (`column 3 ("age")`). */
export function columnName(layout: CsvLayout, column: number): string {
  const name = layout.names?.[column];
  return name !== undefined ? `column ${column + 1} ("${printable(name, 40)}")` : `column ${column + 1}`;
}
