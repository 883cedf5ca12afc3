/** Markdown building blocks shared by the postmortem and the CI summary. */

export type Align = 'left' | 'right';

/**
 * Text from the journal inside a table cell: a pipe would end the cell and a newline the row, and
 * `<` would let a note open an HTML tag in a renderer that allows them.
 */
export function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\r?\n/g, '<br>');
}

/** Text from the journal in running prose: HTML stays inert; line breaks are kept. */
export function prose(text: string): string {
  return text.replace(/</g, '&lt;');
}

/** A name in backticks; a backtick inside would close the span early, so the span is widened. */
export function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\r?\n/g, ' ')}${pad}${fence}`;
}

export function table(
  headers: readonly string[],
  aligns: readonly Align[],
  rows: readonly (readonly string[])[],
): string[] {
  const rule = aligns.map((align) => (align === 'right' ? '---:' : '---'));
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(headers), line(rule), ...rows.map(line)];
}

export const yesNo = (value: boolean, yes = '✅ yes', no = '❌ no'): string => (value ? yes : no);
