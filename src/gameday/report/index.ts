import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Journal } from '../journal.js';
import { burnRateChart, errorRatioChart } from './charts/options.js';
import { renderChart } from './charts/render.js';
import { renderJunit } from './junit.js';
import { renderPostmortem } from './postmortem.js';
import { redactDeep } from '../../core/redact.js';
import { renderSummary } from './summary.js';

export { deriveActionItems, findings, type Finding, type JournalWithoutActionItems } from './action-items.js';
export { postmortemHeadings, lessonHeadings } from './postmortem.js';

/** The files a game day leaves behind: path relative to the report directory → content. */
export type ReportFiles = Readonly<Record<string, string>>;

export interface ReportOptions {
  /** Draw the SVG charts (default true). Without them postmortem.md still links where they would be. */
  readonly charts?: boolean;
}

export const reportFiles = {
  postmortem: 'postmortem.md',
  summary: 'summary.md',
  junit: 'junit.xml',
} as const;

/**
 * Renders a game day's report from its journal alone: postmortem.md, summary.md, junit.xml and the
 * charts under charts/. No I/O, no clock, no randomness: the same journal gives the same bytes, so
 * `gameday report` can re-create a run's files and a reviewer can diff them. Every string of the
 * journal is redacted first (card numbers, credentials). Async only because the chart library is
 * loaded on first use.
 */
export async function renderGameDayReport(
  journal: Journal,
  options: ReportOptions = {},
): Promise<ReportFiles> {
  const safe = redactDeep(journal);
  const files: Record<string, string> = {
    [reportFiles.postmortem]: renderPostmortem(safe),
    [reportFiles.summary]: renderSummary(safe),
    [reportFiles.junit]: renderJunit(safe),
  };
  if (options.charts ?? true) {
    for (const spec of [errorRatioChart(safe), burnRateChart(safe)])
      files[spec.file] = await renderChart(spec);
  }
  // Keys in a fixed order, so iterating the result (or serialising it) is deterministic too.
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Renders the report and writes it under `dir` (created as needed); returns the paths written. */
export async function writeGameDayReport(
  journal: Journal,
  dir: string,
  options: ReportOptions = {},
): Promise<string[]> {
  const files = await renderGameDayReport(journal, options);
  const written: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content, 'utf8');
    written.push(path);
  }
  return written;
}
