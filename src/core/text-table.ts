export type ColumnAlign = 'left' | 'right';

/**
 * Lays out rows as an aligned plain-text table: each column as wide as its widest cell, two spaces
 * apart, numbers usually right-aligned. Returns one string per line, header first.
 */
export function alignTable(
  titles: readonly string[],
  aligns: readonly ColumnAlign[],
  rows: readonly (readonly string[])[],
): string[] {
  const widths = titles.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (aligns[i] === 'right' ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(titles), ...rows.map(line)];
}
