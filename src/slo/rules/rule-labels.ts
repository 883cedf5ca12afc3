import { formatDuration } from '../../core/duration.js';
import type { Slo } from '../model.js';
import { substituteWindow } from '../promql.js';
import { labelName } from './conventions.js';
import type { Labels } from './rule-group.js';

/** Substitutes the `{{.window}}` placeholder, as Sloth's template rendering does. */
export function renderWindow(query: string, windowMs: number): string {
  return substituteWindow(query, formatDuration(windowMs));
}

/** The labels that identify one SLO's series: `sloth_id`, `sloth_service`, `sloth_slo`. */
export function sloIdLabels(slo: Slo): Labels {
  return { [labelName.id]: slo.id, [labelName.service]: slo.service, [labelName.slo]: slo.name };
}

/** Merges label maps (later maps win, as Sloth's MergeLabels) into one sorted by key. */
export function mergeLabels(...maps: readonly Labels[]): Labels {
  const merged: Record<string, string> = {};
  for (const map of maps) Object.assign(merged, map);
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * A selector body as Prometheus' `LabelSet.String()` prints it, which Sloth uses for its filters:
 * `{a="1", b="2"}`, keys sorted, values quoted like Go's `%q`.
 */
export function labelFilter(labels: Labels): string {
  const pairs = Object.entries(mergeLabels(labels)).map(([key, value]) => `${key}=${quoteGo(value)}`);
  return `{${pairs.join(', ')}}`;
}

const namedEscapes: Readonly<Record<string, string>> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** Go's `strconv.Quote` for the characters label values realistically hold; PromQL reads it back. */
function quoteGo(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    const named = namedEscapes[ch];
    if (named !== undefined) out += named;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
