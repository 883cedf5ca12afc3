import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';

/** The placeholder Sloth and OpenSLO use for the range of a rate window. */
export const windowPlaceholder = '{{.window}}';
const placeholderPattern = /\{\{\s*\.window\s*\}\}/g;

export function hasWindowPlaceholder(query: string): boolean {
  return new RegExp(placeholderPattern.source).test(query);
}

export function substituteWindow(query: string, window: string): string {
  return query.replace(placeholderPattern, window);
}

export interface PromqlSyntaxError {
  /** Offset in the query as written (with its placeholders). */
  readonly offset: number;
  readonly message: string;
}

/**
 * Checks a query with Prometheus' own grammar (lezer-promql). The window placeholder is replaced by a
 * real window first, and the error offset is mapped back to the text as written.
 */
export function findPromqlError(query: string): PromqlSyntaxError | undefined {
  if (query.trim() === '') return { offset: 0, message: 'query is empty' };
  const placeholders: { at: number; length: number }[] = [];
  const probe = query.replace(placeholderPattern, (match: string, at: number) => {
    placeholders.push({ at, length: match.length });
    return '5m';
  });
  let errorAt: number | undefined;
  parser.parse(probe).iterate({
    enter(node) {
      if (errorAt !== undefined) return false;
      if (node.type.isError) errorAt = node.from;
      return undefined;
    },
  });
  if (errorAt === undefined) return undefined;
  let offset = errorAt;
  for (const p of placeholders) {
    if (p.at < offset) offset += p.length - 2;
  }
  return { offset, message: `invalid PromQL near "${describeNear(query, offset)}"` };
}

function describeNear(query: string, offset: number): string {
  const excerpt = query.slice(Math.max(0, offset - 12), offset + 12).replace(/\s+/g, ' ');
  return excerpt.trim() || query.slice(-24).trim();
}

/**
 * Adds `label="value"` to every vector selector that does not already match on `label`, so one
 * query written once serves every customer segment. Works on the parse tree, never on regexes.
 */
export function injectMatcher(query: string, label: string, value: string): string {
  const probe = query.replace(placeholderPattern, (match: string) => `${'5m'.padEnd(match.length, ' ')}`);
  const edits: { at: number; text: string }[] = [];
  const matcher = `${label}=${JSON.stringify(value)}`;
  parser.parse(probe).iterate({
    enter(ref) {
      if (ref.name !== 'VectorSelector') return undefined;
      const node = ref.node;
      const matchers = node.getChild('LabelMatchers');
      if (!matchers) {
        edits.push({ at: node.to, text: `{${matcher}}` });
      } else if (!matchesLabel(matchers, probe, label)) {
        const inner = probe.slice(matchers.from + 1, matchers.to - 1).trim();
        const closing = probe.lastIndexOf('}', matchers.to - 1);
        const needsComma = inner !== '' && !inner.endsWith(',');
        edits.push({ at: closing, text: `${needsComma ? ',' : ''}${matcher}` });
      }
      return false;
    },
  });
  let out = query;
  for (const edit of edits.sort((a, b) => b.at - a.at)) {
    out = out.slice(0, edit.at) + edit.text + out.slice(edit.at);
  }
  return out;
}

function matchesLabel(matchers: SyntaxNode, text: string, label: string): boolean {
  let cursor = matchers.firstChild;
  while (cursor) {
    const name = cursor.getChild('LabelName');
    if (name && text.slice(name.from, name.to) === label) return true;
    cursor = cursor.nextSibling;
  }
  return false;
}
