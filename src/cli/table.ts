/** Formats rows as a plain-text table: the first row is the header; numbers-looking cells align right. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => [...(r[c] ?? '')].length)));
  const numeric = (cell: string): boolean => /^[-+]?[\d,.]+%?$|^-$|^NaN$/.test(cell);
  return rows
    .map((row) =>
      row
        .map((cell, c) => {
          const pad = ' '.repeat(widths[c] - [...cell].length);
          return numeric(cell) || (rows.indexOf(row) === 0 && rows.slice(1).every((r) => numeric(r[c] ?? '')))
            ? pad + cell
            : cell + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}
