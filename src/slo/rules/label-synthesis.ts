import type { LabelMatcher, Selector } from './promql-linear.js';

/**
 * Label values that satisfy a selector's matchers, for synthetic test series. Equality matchers
 * give their value; a regex gives the first string its first alternative spells (`5..` → `500`,
 * `(5..|429)` → `500`), checked against the regex before use. Returns undefined when no value is
 * found (the caller skips that SLO and says why).
 */
export function labelsFor(selector: Selector): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  const byLabel = new Map<string, LabelMatcher[]>();
  for (const m of selector.matchers) byLabel.set(m.label, [...(byLabel.get(m.label) ?? []), m]);
  for (const [label, matchers] of byLabel) {
    const candidates = [
      ...matchers.filter((m) => m.op === '=').map((m) => m.value),
      ...matchers.filter((m) => m.op === '=~').map((m) => sampleOf(m.value) ?? ''),
      '',
      'x',
      'other',
    ];
    const value = candidates.find((candidate) => matchers.every((m) => matcherAccepts(m, candidate)));
    if (value === undefined) return undefined;
    // An empty value is the same as no label at all in Prometheus.
    if (value !== '') labels[label] = value;
  }
  return labels;
}

/** Whether a series (metric name and labels) is selected by the selector. */
export function selects(
  selector: Selector,
  metric: string,
  labels: Readonly<Record<string, string>>,
): boolean {
  return (
    metric === selector.metric && selector.matchers.every((m) => matcherAccepts(m, labels[m.label] ?? ''))
  );
}

function matcherAccepts(matcher: LabelMatcher, value: string): boolean {
  switch (matcher.op) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return fullMatch(matcher.value, value) === true;
    case '!~':
      return fullMatch(matcher.value, value) === false;
  }
}

/** Prometheus anchors regexes at both ends; undefined when JavaScript cannot compile the RE2 text. */
// Packing test cases checks matchers pairwise, so each pattern is compiled once, not per call.
const compiled = new Map<string, RegExp | undefined>();

function fullMatch(regex: string, value: string): boolean | undefined {
  if (!compiled.has(regex)) {
    let pattern: RegExp | undefined;
    try {
      pattern = new RegExp(`^(?:${regex})$`, 'u');
    } catch {
      pattern = undefined;
    }
    compiled.set(regex, pattern);
  }
  return compiled.get(regex)?.test(value);
}

const classEscapes: Readonly<Record<string, string>> = { d: '0', w: 'a', s: ' ', D: 'x', W: '-', S: 'x' };

/** The string the regex's first alternatives spell, with each quantifier at its minimum (`+` once). */
function sampleOf(regex: string): string | undefined {
  let i = 0;
  const alternation = (): string => {
    const first = sequence();
    while (regex[i] === '|') {
      i++;
      sequence();
    }
    return first;
  };
  const sequence = (): string => {
    let out = '';
    while (i < regex.length && regex[i] !== '|' && regex[i] !== ')') {
      const piece = atom();
      out += piece.repeat(quantifier());
    }
    return out;
  };
  const atom = (): string => {
    const ch = regex[i++] ?? '';
    if (ch === '(') {
      if (regex.startsWith('?:', i)) i += 2;
      const inner = alternation();
      i++;
      return inner;
    }
    if (ch === '[') return characterClass();
    if (ch === '\\') {
      const escaped = regex[i++] ?? '';
      return classEscapes[escaped] ?? escaped;
    }
    if (ch === '.') return '0';
    if (ch === '^' || ch === '$') return '';
    return ch;
  };
  const characterClass = (): string => {
    const negated = regex[i] === '^';
    if (negated) i++;
    let first =
      regex[i] === '\\' ? (classEscapes[regex[i + 1] ?? ''] ?? regex[i + 1] ?? '') : (regex[i] ?? '');
    const end = regex.indexOf(']', i + 1);
    i = end < 0 ? regex.length : end + 1;
    if (negated) first = 'x';
    return first;
  };
  const quantifier = (): number => {
    const ch = regex[i];
    let count = 1;
    if (ch === '*' || ch === '?') count = 0;
    else if (ch === '+') count = 1;
    else if (ch === '{') {
      const match = /^\{(\d+)(,\d*)?\}/.exec(regex.slice(i));
      if (!match) return 1;
      i += match[0].length;
      if (regex[i] === '?') i++;
      return Number(match[1]);
    } else return 1;
    i++;
    if (regex[i] === '?') i++;
    return count;
  };
  const sample = alternation();
  return fullMatch(regex, sample) ? sample : undefined;
}
