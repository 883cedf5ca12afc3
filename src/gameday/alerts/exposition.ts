import type { Parsed } from '../../slo/rules/promql-linear.js';

/**
 * A strict parser of Prometheus' text exposition format 0.0.4 (what prom-client's
 * `register.metrics()` writes): `name{label="value",...} value [timestamp]`, `# HELP`/`# TYPE`
 * and other comments, blank lines.
 *
 * Why not a library: the one npm package for it, parse-prometheus-text-format 1.1.1, declares no
 * `engines`, ships no types, has had no upstream change in years, and returns families with
 * histograms folded into bucket maps, while the SLI selectors match the raw `_bucket`/`_count`
 * series by name. The format is small; this follows the spec
 * (https://prometheus.io/docs/instrumenting/exposition_formats/) and rejects what it does not know.
 */
export interface ExpositionSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** NaN, +Inf and -Inf are valid sample values. */
  readonly value: number;
  /** Only when the exposition gives one (prom-client does not). */
  readonly timestampMs?: number;
}

const metricNamePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const floatPattern = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const labelValueEscapes: Readonly<Record<string, string>> = { '\\': '\\', '"': '"', n: '\n' };

export function parseExposition(text: string): Parsed<ExpositionSample[]> {
  const samples: ExpositionSample[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] ?? '').replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const sample = parseSampleLine(line);
    if (!sample.ok) return { ok: false, reason: `line ${index + 1}: ${sample.reason}` };
    const key = seriesKey(sample.value.name, sample.value.labels);
    if (seen.has(key)) return { ok: false, reason: `line ${index + 1}: duplicate series ${key}` };
    seen.add(key);
    samples.push(sample.value);
  }
  return { ok: true, value: samples };
}

/** `name{a="1",b="2"}` with labels sorted: one identity per series, whatever the label order. */
export function seriesKey(name: string, labels: Readonly<Record<string, string>>): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((label) => `${label}=${JSON.stringify(labels[label])}`);
  return `${name}{${pairs.join(',')}}`;
}

function parseSampleLine(line: string): Parsed<ExpositionSample> {
  let rest = line.trimStart();
  const name = metricNamePattern.exec(rest)?.[0];
  if (!name) return { ok: false, reason: `expected a metric name, got "${rest.slice(0, 20)}"` };
  rest = rest.slice(name.length);
  let labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    const parsed = parseLabels(rest);
    if (!parsed.ok) return parsed;
    labels = parsed.value.labels;
    rest = parsed.value.rest;
  }
  if (!/^[ \t]/.test(rest)) return { ok: false, reason: `expected a space and a value after ${name}` };
  const fields = rest.trim().split(/[ \t]+/);
  if (fields.length > 2)
    return { ok: false, reason: `unexpected "${fields.slice(2).join(' ')}" after the value` };
  const [valueText = '', timestampText] = fields;
  const value = parseValue(valueText);
  if (value === undefined) return { ok: false, reason: `"${valueText}" is not a sample value` };
  if (timestampText === undefined) return { ok: true, value: { name, labels, value } };
  if (!/^-?\d+$/.test(timestampText)) return { ok: false, reason: `"${timestampText}" is not a timestamp` };
  return { ok: true, value: { name, labels, value, timestampMs: Number(timestampText) } };
}

function parseValue(text: string): number | undefined {
  // Go's ParseFloat, which Prometheus uses, takes these in any case; prom-client writes `Nan` for a
  // gauge that has no value yet (the event-loop lag before its first sample).
  const lower = text.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === '+inf' || lower === 'inf' || lower === '+infinity' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  return floatPattern.test(text) ? Number(text) : undefined;
}

/** Parses `{a="1",b="x\"y"}` (a trailing comma is allowed, as in the spec's grammar). */
function parseLabels(text: string): Parsed<{ labels: Record<string, string>; rest: string }> {
  const labels: Record<string, string> = {};
  let at = 1;
  const skipSpaces = (): void => {
    while (text[at] === ' ' || text[at] === '\t') at++;
  };
  for (;;) {
    skipSpaces();
    if (text[at] === '}') return { ok: true, value: { labels, rest: text.slice(at + 1) } };
    const label = labelNamePattern.exec(text.slice(at))?.[0];
    if (!label) return { ok: false, reason: `expected a label name at column ${at + 1}` };
    at += label.length;
    skipSpaces();
    if (text[at] !== '=') return { ok: false, reason: `expected = after label ${label}` };
    at++;
    skipSpaces();
    if (text[at] !== '"') return { ok: false, reason: `expected a quoted value for label ${label}` };
    at++;
    let value = '';
    for (;;) {
      const ch = text[at];
      if (ch === undefined) return { ok: false, reason: `unterminated value of label ${label}` };
      at++;
      if (ch === '"') break;
      if (ch !== '\\') {
        value += ch;
        continue;
      }
      const escaped = labelValueEscapes[text[at] ?? ''];
      if (escaped === undefined)
        return { ok: false, reason: `invalid escape in the value of label ${label}` };
      value += escaped;
      at++;
    }
    if (Object.hasOwn(labels, label)) return { ok: false, reason: `label ${label} appears twice` };
    // An empty value is the same as no label at all in Prometheus.
    if (value !== '') labels[label] = value;
    skipSpaces();
    if (text[at] === ',') at++;
    else if (text[at] !== '}') return { ok: false, reason: `expected , or } after label ${label}` };
  }
}
