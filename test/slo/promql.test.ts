import { describe, expect, it } from 'vitest';
import { findPromqlError, injectMatcher, substituteWindow } from '../../src/slo/promql.js';

describe('segment matchers are injected through the parse tree', () => {
  it('adds the matcher to selectors with matchers, without matchers, and with empty braces', () => {
    const query = 'sum(rate(a{route="/x"}[{{.window}}])) / sum(rate(b[{{.window}}])) + c{}';
    expect(injectMatcher(query, 'segment', 'vip')).toBe(
      'sum(rate(a{route="/x",segment="vip"}[{{.window}}])) / sum(rate(b{segment="vip"}[{{.window}}])) + c{segment="vip"}',
    );
  });

  it('leaves a selector alone when it already matches on the label', () => {
    const query = 'sum(rate(a{segment=~"vip|member"}[{{.window}}]))';
    expect(injectMatcher(query, 'segment', 'guest')).toBe(query);
  });

  it('handles a trailing comma inside the braces', () => {
    expect(injectMatcher('a{b="c",}', 'segment', 'vip')).toBe('a{b="c",segment="vip"}');
  });

  it('does not touch label names inside strings or functions', () => {
    const query = 'label_replace(up{job="x"}, "segment", "y", "", "")';
    expect(injectMatcher(query, 'segment', 'vip')).toBe(
      'label_replace(up{job="x",segment="vip"}, "segment", "y", "", "")',
    );
  });

  it('escapes the value as a PromQL string', () => {
    expect(injectMatcher('up', 'segment', 'a"b')).toBe('up{segment="a\\"b"}');
  });
});

describe('PromQL errors are found by the real grammar', () => {
  it('accepts valid queries with the window placeholder', () => {
    expect(
      findPromqlError('sum(rate(x{a=~"5.."}[{{.window}}])) / sum(rate(x[{{ .window }}]))'),
    ).toBeUndefined();
  });

  it('maps the error offset back past earlier placeholders', () => {
    const query = 'sum(rate(x[{{.window}}])) / sum(rate(y{a="b"[{{.window}}]))';
    const error = findPromqlError(query);
    expect(error).toBeDefined();
    // The missing `}` is noticed at the `[` after `"b"`.
    expect(error?.offset).toBe(query.indexOf('"b"[') + 3);
  });

  it('rejects an empty query', () => {
    expect(findPromqlError('  ')?.message).toBe('query is empty');
  });

  it('substitutes every placeholder', () => {
    expect(substituteWindow('a[{{.window}}] b[{{ .window }}]', '1h')).toBe('a[1h] b[1h]');
  });
});
