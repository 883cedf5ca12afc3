import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';

/**
 * Reads an SLI query as a weighted sum of counter rates, `Σ cᵢ · rate(selectorᵢ[w])`, which is
 * what almost every availability or latency SLI is (`sum(rate(errors)) / sum(rate(total))`,
 * `count − bucket{le=…}`). Unit tests can then feed counters whose rates give any ratio wanted.
 * Anything else (other functions, vector matching, constants) is reported as not linear.
 */
type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly label: string;
  readonly op: MatchOp;
  readonly value: string;
}

export interface Selector {
  readonly metric: string;
  readonly matchers: readonly LabelMatcher[];
}

/** How an aggregation maps a series' labels to its output labels. */
export type Grouping =
  | { readonly kind: 'by'; readonly labels: readonly string[] }
  | { readonly kind: 'without'; readonly labels: readonly string[] };

export interface RateTerm {
  readonly coefficient: number;
  readonly selector: Selector;
  readonly fn: 'rate' | 'increase';
  /** Aggregations around the term, innermost first; empty keeps the series labels. */
  readonly groupings: readonly Grouping[];
}

export type LinearQuery = readonly RateTerm[];

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const fail = (reason: string): Parsed<never> => ({ ok: false, reason });

/** Parses one query (window already substituted) as a linear form. */
export function parseLinearQuery(query: string): Parsed<LinearQuery> {
  const top = parseTop(query);
  return top.ok ? linear(top.value, query) : top;
}

/** Parses `errors / total` where both sides are linear: the shape of a raw error-ratio SLI. */
export function parseLinearRatio(query: string): Parsed<{ errors: LinearQuery; total: LinearQuery }> {
  const top = parseTop(query);
  if (!top.ok) return top;
  const node = unwrap(top.value);
  if (node.name !== 'BinaryExpr' || operator(node) !== 'Div')
    return fail('the ratio query is not `errors / total`');
  if (node.getChild('MatchingModifierClause') || node.getChild('BoolModifier'))
    return fail('vector matching modifiers are not supported');
  const [left, right] = operands(node);
  if (!left || !right) return fail('the ratio query is not `errors / total`');
  const errors = linear(left, query);
  const total = linear(right, query);
  if (!errors.ok) return errors;
  if (!total.ok) return total;
  return { ok: true, value: { errors: errors.value, total: total.value } };
}

function parseTop(query: string): Parsed<SyntaxNode> {
  const tree = parser.parse(query);
  let broken = false;
  tree.iterate({
    enter: (ref) => {
      if (ref.type.isError) broken = true;
    },
  });
  const expr = tree.topNode.firstChild;
  if (broken || !expr) return fail('the query does not parse as PromQL');
  return { ok: true, value: expr };
}

const text = (node: SyntaxNode, query: string): string => query.slice(node.from, node.to);

function unwrap(node: SyntaxNode): SyntaxNode {
  let current = node;
  while (current.name === 'ParenExpr' && current.firstChild) current = current.firstChild;
  return current;
}

/** Expression children of a node (skips operator tokens and modifiers). */
function operands(node: SyntaxNode): SyntaxNode[] {
  const tokens = new Set(['Add', 'Sub', 'Mul', 'Div', 'MatchingModifierClause', 'BoolModifier']);
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling)
    if (!tokens.has(child.name)) out.push(child);
  return out;
}

function operator(node: SyntaxNode): string | undefined {
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (['Add', 'Sub', 'Mul', 'Div'].includes(child.name)) return child.name;
  }
  return undefined;
}

function scale(terms: LinearQuery, factor: number): LinearQuery {
  return terms.map((term) => ({ ...term, coefficient: term.coefficient * factor }));
}

function linear(raw: SyntaxNode, query: string): Parsed<LinearQuery> {
  const node = unwrap(raw);
  switch (node.name) {
    case 'AggregateExpr':
      return aggregate(node, query);
    case 'FunctionCall':
      return rateCall(node, query);
    case 'UnaryExpr': {
      const inner = node.lastChild;
      if (!inner) return fail('empty unary expression');
      const value = linear(inner, query);
      return value.ok && text(node, query).trim().startsWith('-')
        ? { ok: true, value: scale(value.value, -1) }
        : value;
    }
    case 'BinaryExpr':
      return binary(node, query);
    default:
      return fail(`\`${text(node, query).trim()}\` is not a sum of rate() or increase() terms`);
  }
}

function binary(node: SyntaxNode, query: string): Parsed<LinearQuery> {
  if (node.getChild('MatchingModifierClause') || node.getChild('BoolModifier'))
    return fail('vector matching modifiers are not supported');
  const op = operator(node);
  const [left, right] = operands(node);
  if (!op || !left || !right) return fail(`unsupported operator in \`${text(node, query).trim()}\``);
  if (op === 'Add' || op === 'Sub') {
    const a = linear(left, query);
    const b = linear(right, query);
    if (!a.ok) return a;
    if (!b.ok) return b;
    return { ok: true, value: [...a.value, ...scale(b.value, op === 'Sub' ? -1 : 1)] };
  }
  // Only scaling by a number keeps the form linear.
  const number = (n: SyntaxNode): number | undefined =>
    unwrap(n).name === 'NumberDurationLiteral' ? Number(text(unwrap(n), query)) : undefined;
  const leftNumber = number(left);
  const rightNumber = number(right);
  if (op === 'Mul' && leftNumber !== undefined)
    return mapOk(linear(right, query), (t) => scale(t, leftNumber));
  if (
    (op === 'Mul' || op === 'Div') &&
    rightNumber !== undefined &&
    Number.isFinite(rightNumber) &&
    rightNumber !== 0
  ) {
    return mapOk(linear(left, query), (t) => scale(t, op === 'Mul' ? rightNumber : 1 / rightNumber));
  }
  return fail(`\`${text(node, query).trim()}\` is not a sum of rate() or increase() terms`);
}

function mapOk<T, U>(parsed: Parsed<T>, map: (value: T) => U): Parsed<U> {
  return parsed.ok ? { ok: true, value: map(parsed.value) } : parsed;
}

function aggregate(node: SyntaxNode, query: string): Parsed<LinearQuery> {
  const op = node.getChild('AggregateOp');
  if (!op || text(op, query).trim() !== 'sum')
    return fail(`only sum() aggregations are supported, not \`${text(node, query).trim()}\``);
  const body = node.getChild('FunctionCallBody')?.firstChild;
  if (!body) return fail('empty sum()');
  const modifier = node.getChild('AggregateModifier');
  const labels = (modifier?.getChild('GroupingLabels')?.getChildren('LabelName') ?? []).map((n) =>
    text(n, query),
  );
  const grouping: Grouping = modifier?.getChild('Without')
    ? { kind: 'without', labels }
    : { kind: 'by', labels };
  return mapOk(linear(body, query), (terms) =>
    terms.map((t) => ({ ...t, groupings: [...t.groupings, grouping] })),
  );
}

function rateCall(node: SyntaxNode, query: string): Parsed<LinearQuery> {
  const fn = text(node.getChild('FunctionIdentifier') ?? node, query).trim();
  if (fn !== 'rate' && fn !== 'increase')
    return fail(`function ${fn}() is not supported, only rate() and increase()`);
  const matrix = node.getChild('FunctionCallBody')?.getChild('MatrixSelector');
  const vector = matrix?.getChild('VectorSelector');
  const metric = vector?.getChild('Identifier');
  if (!vector || !metric) return fail(`${fn}() needs a plain range selector with a metric name`);
  const matchers: LabelMatcher[] = [];
  for (const matcher of vector.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
    const label = matcher.getChild('LabelName');
    const op = matcher.getChild('MatchOp');
    const value = matcher.getChild('StringLiteral');
    if (!label || !op || !value) return fail('unsupported label matcher');
    matchers.push({
      label: text(label, query),
      op: text(op, query) as MatchOp,
      value: unquote(text(value, query)),
    });
  }
  if (vector.getChild('LabelMatchers')?.getChild('QuotedLabelMatcher'))
    return fail('quoted label names are not supported');
  return {
    ok: true,
    value: [{ coefficient: 1, selector: { metric: text(metric, query), matchers }, fn, groupings: [] }],
  };
}

const escapes: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

/** PromQL string literal to its value (Go quoting; backticks are raw). */
function unquote(literal: string): string {
  const body = literal.slice(1, -1);
  if (literal.startsWith('`')) return body;
  return body.replace(/\\(.)/g, (whole, ch: string) => escapes[ch] ?? whole);
}
