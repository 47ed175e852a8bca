import { ScratchnetError } from '../../errors.js';
import { printable } from '../../util/printable.js';

/**
 * The first lines of a CSV file decide its layout: whether line 1 is a header, how many columns each row
 * has, which column holds the label, and whether labels are class names ("setosa") or class numbers.
 */
export interface CsvLayout {
  /** Line 1 is a header, not data. */
  hasHeader: boolean;
  /** Column names from the header, or null. */
  names: string[] | null;
  /** Cells per row, label included. */
  columns: number;
  /** 0-based index of the label column. */
  labelColumn: number;
  /** True when the first data row's label is not a number: labels are class names, mapped in sorted order. */
  namedLabels: boolean;
}

/** What the user asked for (see LoadOptions). */
export interface LayoutOptions {
  /** Is line 1 a header? Default 'auto': detected (text above numbers on line 2). */
  header?: 'auto' | boolean;
  /** Label column, 0-based (−1 = last) or a header name; default the column named "label", else 0. */
  labelColumn?: number | string;
}

const NUMBER = /^[ \t]*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?[ \t]*$/;

/** A strict number: decimal digits with optional sign, point and exponent (no "", "0x1F", "NaN" or "1,5"). */
export function parseNumber(text: string): number {
  return NUMBER.test(text) ? Number(text) : NaN;
}

/** Cells of one line, split on commas; surrounding quotes and spaces removed (header names, class names). */
export function splitCells(line: string): string[] {
  return line.replace(/\r$/, '').split(',').map(unquote);
}

/** A cell without its surrounding spaces and double quotes; `""` inside quotes becomes `"`. */
export function unquote(cell: string): string {
  const trimmed = cell.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')
    ? trimmed.slice(1, -1).replace(/""/g, '"')
    : trimmed;
}

/**
 * Decides the layout from the first line and, when there is one, the second.
 * header 'auto': line 1 is a header when it has text above numbers on line 2 in the label column or in at
 * least half of the columns (with no line 2: when any cell of line 1 is text) — in the spirit of
 * csv.Sniffer, narrowed to what numeric data needs.
 * labelColumn: a 0-based index (negative counts from the end: −1 is the last column), a header name, or by
 * default the column named "label" (any case) if the header has one, else column 0 (the MNIST layout).
 */
export function decideLayout(path: string, first: string, second: string | null, options: LayoutOptions): CsvLayout {
  const cells1 = splitCells(first);
  const cells2 = second === null ? null : splitCells(second);
  const textOn1 = cells1.map((c) => Number.isNaN(parseNumber(c)));
  let hasHeader: boolean;
  if (options.header === true || options.header === false) hasHeader = options.header;
  else if (typeof options.labelColumn === 'string') hasHeader = true;
  else if (cells2 === null) hasHeader = textOn1.some(Boolean);
  else {
    // Text above a number, in the label column or in at least half of the columns: a header. A data
    // line with one bad cell is not taken for one (it is then reported, not silently skipped).
    const textAboveNumber = textOn1.map((text, j) => text && j < cells2.length && !Number.isNaN(parseNumber(cells2[j])));
    const count = textAboveNumber.filter(Boolean).length;
    const labelGuess = typeof options.labelColumn === 'number' ? (options.labelColumn + cells1.length) % cells1.length : 0;
    hasHeader = count > 0 && (count * 2 >= cells1.length || textAboveNumber[labelGuess]);
  }

  const names = hasHeader ? cells1 : null;
  const columns = cells1.length;
  if (columns < 2) {
    const other = [';', '\t', '|'].find((d) => first.includes(d));
    const hint = other
      ? ` (the line contains ${other === '\t' ? 'tabs' : `"${other}"`}: scratchnet reads comma-separated values)`
      : '';
    throw new ScratchnetError(
      `${path} line 1: found 1 column; a labelled dataset needs a label column and at least one feature column${hint}`,
    );
  }

  let labelColumn: number;
  const wanted = options.labelColumn;
  if (typeof wanted === 'string') {
    if (!names) throw new ScratchnetError(`${path}: label column "${wanted}" asked for by name, but the file has no header line`);
    labelColumn = names.indexOf(wanted);
    if (labelColumn < 0)
      throw new ScratchnetError(`${path} line 1: no column named "${wanted}" in the header (columns: ${preview(names)})`);
  } else if (typeof wanted === 'number') {
    if (!Number.isInteger(wanted) || wanted >= columns || wanted < -columns) {
      throw new ScratchnetError(
        `${path}: label column ${wanted} does not exist; rows have ${columns} columns (0..${columns - 1}, or −1 for the last)`,
      );
    }
    labelColumn = wanted < 0 ? columns + wanted : wanted;
  } else {
    const named = names ? names.findIndex((n) => n.toLowerCase() === 'label') : -1;
    labelColumn = named >= 0 ? named : 0;
  }

  const firstData = hasHeader ? cells2 : cells1;
  const namedLabels = firstData !== null && labelColumn < firstData.length && Number.isNaN(parseNumber(firstData[labelColumn]));
  return { hasHeader, names, columns, labelColumn, namedLabels };
}

/** "label, 1x1, 1x2, … (785 columns)" */
function preview(names: string[]): string {
  const shown = (list: string[]) => list.map((name) => printable(name, 40)).join(', ');
  return names.length <= 8 ? shown(names) : `${shown(names.slice(0, 6))}, … (${names.length} columns)`;
}
