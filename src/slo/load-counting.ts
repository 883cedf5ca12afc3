import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';
import type { SourceLocation } from '../core/errors.js';
import type { LoadCounting, OutcomeSet, RequestErrorKind, Sli, StatusPattern } from './model.js';

/**
 * Reads from an SLI's queries which load-run outcomes it counts, so a load run's results and
 * Prometheus judge the same requests bad. `status_class="5xx"` in the error query means 5xx answers;
 * a request that got no answer at all (timeout, refused or reset connection) is what a 5xx looks like
 * from the customer's side, so it counts whenever 5xx answers do. 402, 409, 422 are answers about the
 * order (declined, out of stock), not unavailability: only a query that names them counts them.
 */

/** Labels that carry an HTTP status: the store's `status_class`, and the usual names of a code label. */
const statusClassLabels: ReadonlySet<string> = new Set(['status_class']);
const statusCodeLabels: ReadonlySet<string> = new Set(['code', 'status', 'status_code', 'http_status']);

const classes = [1, 2, 3, 4, 5] as const;
const unanswered: readonly RequestErrorKind[] = ['timeout', 'connection'];

/** What the query counts, or why it cannot be told. */
type Reading = { readonly status: StatusPattern[] | 'all' } | { readonly reason: string };

/**
 * The counting of an events SLI derived from its queries: bad outcomes from the error query, events
 * from the total query. `location` is where an `unknown` result points its reader (the error query).
 */
export function deriveCounting(sli: Sli, location: SourceLocation): LoadCounting {
  if (sli.kind === 'raw') {
    return { kind: 'unknown', reason: 'a raw error-ratio query counts no events by status', location };
  }
  const bad = readStatuses(sli.errorQuery);
  if ('reason' in bad) return { kind: 'unknown', reason: `the error query ${bad.reason}`, location };
  if (bad.status === 'all') {
    return {
      kind: 'unknown',
      reason:
        'the error query has no status matcher (status_class, code), so it says nothing of which answers are bad',
      location,
    };
  }
  const total = readStatuses(sli.totalQuery);
  if ('reason' in total) return { kind: 'unknown', reason: `the total query ${total.reason}`, location };
  return {
    kind: 'outcomes',
    origin: 'derived',
    bad: withUnanswered(bad.status),
    events: total.status === 'all' ? 'all' : withUnanswered(total.status),
  };
}

function withUnanswered(status: StatusPattern[]): OutcomeSet {
  const serverErrors = status.some((s) => s === '5xx' || (typeof s === 'number' && s >= 500));
  return { status, errors: serverErrors ? [...unanswered] : [] };
}

/**
 * The statuses a query counts: the union over its selectors (summed with `+` or joined with `or`),
 * each selector the statuses all of its status matchers accept. A query that subtracts, multiplies or
 * divides series cannot be read this way.
 */
function readStatuses(query: string): Reading {
  const probe = query.replace(/\{\{\s*\.window\s*\}\}/g, '5m');
  const tree = parser.parse(probe);
  const selectors: SyntaxNode[] = [];
  let reason: string | undefined;
  tree.iterate({
    enter(ref) {
      if (reason !== undefined) return false;
      if (ref.name === 'BinaryExpr') {
        const operator = operatorOf(ref.node);
        if (operator && operator.name !== 'Add' && operator.name !== 'Or') {
          const written = probe.slice(operator.from, operator.to);
          reason = `combines series with "${written}", which cannot be read as a set of statuses`;
          return false;
        }
      }
      if (ref.name === 'VectorSelector') {
        selectors.push(ref.node);
        return false;
      }
      return undefined;
    },
  });
  if (reason !== undefined) return { reason };
  if (selectors.length === 0) return { reason: 'selects no series' };
  const union = new Set<number>();
  for (const selector of selectors) {
    const codes = selectorStatuses(selector, probe);
    if (codes === 'all') return { status: 'all' };
    if ('reason' in codes) return codes;
    for (const code of codes.codes) union.add(code);
  }
  return { status: compress(union) };
}

const binaryOperators = [
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Mod',
  'Pow',
  'Or',
  'And',
  'Unless',
  'Eql',
  'Neq',
  'Gtr',
  'Lss',
  'Gte',
  'Lte',
  'Atan2',
];

function operatorOf(node: SyntaxNode): SyntaxNode | undefined {
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (binaryOperators.includes(child.name)) return child;
  }
  return undefined;
}

function selectorStatuses(
  selector: SyntaxNode,
  text: string,
): { readonly codes: readonly number[] } | { readonly reason: string } | 'all' {
  let accepted = allCodes();
  let constrained = false;
  const matchers = selector.getChild('LabelMatchers');
  for (let matcher = matchers?.firstChild ?? null; matcher; matcher = matcher.nextSibling) {
    const name = matcher.getChild('LabelName');
    const op = matcher.getChild('MatchOp')?.firstChild;
    const literal = matcher.getChild('StringLiteral');
    if (!name || !op || !literal) continue;
    const label = text.slice(name.from, name.to);
    const isClass = statusClassLabels.has(label);
    if (!isClass && !statusCodeLabels.has(label)) continue;
    const value = unquote(text.slice(literal.from, literal.to));
    if (value === undefined) return { reason: `has a ${label} matcher that cannot be read` };
    let test: (labelValue: string) => boolean;
    if (op.name === 'EqlSingle' || op.name === 'Neq') {
      test = (v) => v === value;
    } else {
      let pattern: RegExp;
      try {
        // Prometheus anchors regex matchers at both ends.
        pattern = new RegExp(`^(?:${value})$`);
      } catch {
        return { reason: `has a ${label} regex that JavaScript cannot read: ${value}` };
      }
      test = (v) => pattern.test(v);
    }
    const negated = op.name === 'Neq' || op.name === 'NeqRegex';
    const labelValue = (code: number): string => (isClass ? `${Math.floor(code / 100)}xx` : String(code));
    accepted = accepted.filter((code) => test(labelValue(code)) !== negated);
    constrained = true;
  }
  return constrained ? { codes: accepted } : 'all';
}

function allCodes(): number[] {
  return Array.from({ length: 500 }, (_, i) => 100 + i);
}

/** Whole classes as `5xx`, the rest as single codes. */
function compress(codes: ReadonlySet<number>): StatusPattern[] {
  const out: StatusPattern[] = [];
  for (const c of classes) {
    const members = Array.from({ length: 100 }, (_, i) => c * 100 + i);
    if (members.every((code) => codes.has(code))) out.push(`${c}xx`);
    else out.push(...members.filter((code) => codes.has(code)));
  }
  return out;
}

function unquote(literal: string): string | undefined {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  try {
    return JSON.parse(
      literal.startsWith("'") ? `"${literal.slice(1, -1).replace(/"/g, '\\"')}"` : literal,
    ) as string;
  } catch {
    return undefined;
  }
}

/** Whether an answer's status is in the set. */
export function statusMatches(patterns: readonly StatusPattern[], status: number): boolean {
  return patterns.some((p) => (typeof p === 'number' ? p === status : p === `${Math.floor(status / 100)}xx`));
}

/** `5xx answers, timeouts and connection errors`: for reports and notes. */
export function describeOutcomes(set: OutcomeSet): string {
  const parts = [
    ...(set.status.length > 0 ? [`${set.status.join(', ')} answers`] : []),
    ...set.errors.map((kind) =>
      kind === 'check' ? 'failed checks' : kind === 'timeout' ? 'timeouts' : 'connection errors',
    ),
  ];
  if (parts.length === 0) return 'nothing';
  return parts.length === 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1) ?? ''}`;
}
