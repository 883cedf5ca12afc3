import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseExposition, seriesKey } from '../../../src/gameday/alerts/exposition.js';

describe('reading the Prometheus text format', () => {
  it("reads prom-client's own output: labelled counters and every histogram series", async () => {
    const registry = new Registry();
    const requests = new Counter({
      name: 'http_requests_total',
      help: 'Requests with "quotes" and a \\ backslash',
      labelNames: ['route', 'status_class', 'segment'],
      registers: [registry],
    });
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Latency',
      labelNames: ['route'],
      buckets: [0.25, 1],
      registers: [registry],
    });
    requests.inc({ route: '/api/checkout', status_class: '2xx', segment: 'vip' }, 7);
    requests.inc({ route: '/api/"odd"\\path\n', status_class: '5xx', segment: 'guest' });
    duration.observe({ route: '/api/checkout' }, 0.5);

    const parsed = parseExposition(await registry.metrics());

    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value).toEqual([
      {
        name: 'http_requests_total',
        labels: { route: '/api/checkout', status_class: '2xx', segment: 'vip' },
        value: 7,
      },
      {
        name: 'http_requests_total',
        labels: { route: '/api/"odd"\\path\n', status_class: '5xx', segment: 'guest' },
        value: 1,
      },
      {
        name: 'http_request_duration_seconds_bucket',
        labels: { le: '0.25', route: '/api/checkout' },
        value: 0,
      },
      { name: 'http_request_duration_seconds_bucket', labels: { le: '1', route: '/api/checkout' }, value: 1 },
      {
        name: 'http_request_duration_seconds_bucket',
        labels: { le: '+Inf', route: '/api/checkout' },
        value: 1,
      },
      { name: 'http_request_duration_seconds_sum', labels: { route: '/api/checkout' }, value: 0.5 },
      { name: 'http_request_duration_seconds_count', labels: { route: '/api/checkout' }, value: 1 },
    ]);
  });

  it('reads special values, timestamps, spaces, a trailing comma, and drops empty label values', () => {
    const parsed = parseExposition(
      [
        '# a comment',
        'up 1 1700000000000',
        'a_nan NaN',
        'b{x="1",} +Inf',
        'c{ x = "1" , y="" }\t-Inf',
        'd 1.5e3',
        'e Nan',
        'f inf',
        '',
      ].join('\n'),
    );
    expect(parsed).toEqual({
      ok: true,
      value: [
        { name: 'up', labels: {}, value: 1, timestampMs: 1700000000000 },
        { name: 'a_nan', labels: {}, value: NaN },
        { name: 'b', labels: { x: '1' }, value: Infinity },
        { name: 'c', labels: { x: '1' }, value: -Infinity },
        { name: 'd', labels: {}, value: 1500 },
        // prom-client writes `Nan` for a gauge without a value; Prometheus (Go's ParseFloat) takes any case.
        { name: 'e', labels: {}, value: NaN },
        { name: 'f', labels: {}, value: Infinity },
      ],
    });
  });

  it.each([
    ['a value that is not a number', 'up one', 'line 1: "one" is not a sample value'],
    ['a missing value', 'up{a="1"}', 'line 1: expected a space and a value after up'],
    ['an unterminated label value', 'up{a="1} 1', 'line 1: unterminated value of label a'],
    ['an unknown escape', 'up{a="\\t"} 1', 'line 1: invalid escape in the value of label a'],
    ['a repeated label', 'up{a="1",a="2"} 1', 'line 1: label a appears twice'],
    ['a bad metric name', '9up 1', 'line 1: expected a metric name, got "9up 1"'],
    ['trailing garbage', 'up 1 2 3', 'line 1: unexpected "3" after the value'],
    [
      'a duplicate series',
      'up{a="1",b="2"} 1\nup{b="2",a="1"} 2',
      'line 2: duplicate series up{a="1",b="2"}',
    ],
  ])('rejects %s, naming the line', (_case, text, reason) => {
    expect(parseExposition(text)).toEqual({ ok: false, reason });
  });

  it('names a series the same whatever order its labels come in', () => {
    expect(seriesKey('m', { b: '2', a: '1' })).toBe(seriesKey('m', { a: '1', b: '2' }));
  });
});
