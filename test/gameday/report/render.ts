import { renderGameDayReport, type ReportFiles } from '../../../src/gameday/report/index.js';
import type { Journal } from '../../../src/gameday/journal.js';

/** Renders each fixture journal once per test file: drawing the charts takes a second or so. */
const cache = new Map<Journal, Promise<ReportFiles>>();

export function rendered(journal: Journal): Promise<ReportFiles> {
  let files = cache.get(journal);
  if (files === undefined) {
    files = renderGameDayReport(journal);
    cache.set(journal, files);
  }
  return files;
}

export function file(files: ReportFiles, name: string): string {
  const content = files[name];
  if (content === undefined) throw new Error(`no ${name} in the report: ${Object.keys(files).join(', ')}`);
  return content;
}

/** The lines of one `## heading` section, up to the next `## ` heading. */
export function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  if (start < 0) throw new Error(`no section ${heading}`);
  const end = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

/** Cells of the Markdown table row whose first cell is `first`. */
export function row(markdown: string, first: string): string[] {
  const line = markdown.split('\n').find((l) => l.startsWith(`| ${first} |`));
  if (line === undefined) throw new Error(`no table row starting with ${first}`);
  return line
    .slice(2, -2)
    .split(' | ')
    .map((c) => c.trim());
}
