/** Formats rows as a plain-text table: the first row is the header; numbers-looking cells align right. */
export function table(rows: readonly (readonly string[])[]): string {
  // A loop, not Math.max(...column): a spread of 200,000 rows overflows the call stack.
  const widths = rows[0].map(() => 0);
  for (const row of rows) row.forEach((cell, c) => (widths[c] = Math.max(widths[c] ?? 0, [...cell].length)));
  const numeric = (cell: string): boolean => /^[-+]?[\d,.]+%?$|^-$|^NaN$/.test(cell);
  const numericColumn = rows[0].map((_, c) => rows.slice(1).every((r) => numeric(r[c] ?? '')));
  return rows
    .map((row, r) =>
      row
        .map((cell, c) => {
          const pad = ' '.repeat(widths[c] - [...cell].length);
          return numeric(cell) || (r === 0 && numericColumn[c]) ? pad + cell : cell + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}
