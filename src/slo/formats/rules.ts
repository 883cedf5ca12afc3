import type { Finding } from '../../core/errors.js';
import { formatDuration } from '../../core/duration.js';
import type { YamlDocument } from '../../core/yaml-source.js';
import type { BurnWindow } from '../model.js';
import { findPromqlError, hasWindowPlaceholder } from '../promql.js';

/**
 * Cross-field rules shared by the input formats: one small named check each, returning findings.
 */

/** Every query of an SLI keeps the window placeholder and parses as PromQL. */
export function checkSliQueries(doc: YamlDocument, sliPath: (string | number)[], sli: object): Finding[] {
  const findings: Finding[] = [];
  for (const [kind, block] of Object.entries(sli)) {
    if (typeof block !== 'object' || block === null || kind === 'latency') continue;
    for (const [field, query] of Object.entries(block as Record<string, unknown>)) {
      if (typeof query !== 'string') continue;
      findings.push(...checkQuery(doc, [...sliPath, kind, field], query));
    }
  }
  return findings;
}

export function checkQuery(doc: YamlDocument, path: (string | number)[], query: string): Finding[] {
  if (!hasWindowPlaceholder(query)) {
    return [
      {
        location: doc.locate(path),
        message: 'query has no {{.window}} placeholder: write the range as [{{.window}}]',
      },
    ];
  }
  const error = findPromqlError(query);
  return error ? [{ location: doc.locateInString(path, error.offset), message: error.message }] : [];
}

/** Short windows are shorter than long ones, and no window is longer than the period. */
export function checkWindows(
  doc: YamlDocument,
  tierPath: (string | number)[],
  tier: { quick: BurnWindow; slow: BurnWindow },
  periodMs: number,
): Finding[] {
  const findings: Finding[] = [];
  for (const name of ['quick', 'slow'] as const) {
    const w = tier[name];
    const where = doc.locate([...tierPath, name]);
    if (w.shortWindowMs >= w.longWindowMs) {
      findings.push({ location: where, message: `${name}: shortWindow must be shorter than longWindow` });
    }
    if (periodMs > 0 && w.longWindowMs > periodMs) {
      findings.push({
        location: where,
        message: `${name}: longWindow ${formatDuration(w.longWindowMs)} is longer than the SLO period ${formatDuration(periodMs)}`,
      });
    }
  }
  return findings;
}
