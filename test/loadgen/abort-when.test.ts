import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { abortMonitor, parseAbortWhen, type RunSecond } from '../../src/loadgen/abort-when.js';

const second = (t: number, fields: Partial<RunSecond> = {}): RunSecond => ({
  t,
  requests: 100,
  errors: 0,
  dropped: 0,
  p95Ms: 50,
  ...fields,
});

/** Feeds seconds until a condition fires; returns the second it fired in and the condition's text. */
function firstFiring(values: readonly string[], seconds: readonly RunSecond[]) {
  const monitor = abortMonitor(parseAbortWhen(values));
  for (const s of seconds) {
    const fired = monitor.observe(s);
    if (fired) return { t: s.t, text: fired.text };
  }
  return undefined;
}

describe('parsing --abort-when', () => {
  it('reads metric, comparison, threshold and an optional duration, several per flag', () => {
    expect(parseAbortWhen(['error_rate>0.5 for 10s, p95_ms >= 800 for 1m', 'dropped>100'])).toEqual([
      { text: 'error_rate>0.5 for 10s', metric: 'error_rate', op: '>', threshold: 0.5, forSeconds: 10 },
      { text: 'p95_ms >= 800 for 1m', metric: 'p95_ms', op: '>=', threshold: 800, forSeconds: 60 },
      { text: 'dropped>100', metric: 'dropped', op: '>', threshold: 100, forSeconds: 1 },
    ]);
  });

  it.each([
    [
      'error_rat>0.5',
      'unknown metric "error_rat" (did you mean "error_rate"?); metrics: error_rate, p95_ms, rps, errors, dropped',
    ],
    ['p95_ms>800 for a while', 'cannot read it'],
    ['p95_ms>800 for 10q', '"10q" is not a duration such as 10s or 1m'],
    ['error_rate=0.5', 'cannot read it'],
  ])('refuses %s as bad usage (exit 2)', (text, why) => {
    expect(() => parseAbortWhen([text])).toThrow(
      new UsageError(
        `--abort-when "${text}": ${why}; expected METRIC OP NUMBER [for DURATION], e.g. "error_rate>0.5 for 10s"`,
      ),
    );
  });
});

describe('a stop condition on the per-second stream', () => {
  const failing = (t: number) => second(t, { errors: 60 });

  it('fires once it has held for its whole duration', () => {
    const seconds = [second(0), ...Array.from({ length: 12 }, (_, i) => failing(i + 1))];
    expect(firstFiring(['error_rate>0.5 for 10s'], seconds)).toEqual({
      t: 10,
      text: 'error_rate>0.5 for 10s',
    });
  });

  it('does not fire when it holds for less than its duration', () => {
    const seconds = [
      ...Array.from({ length: 9 }, (_, i) => failing(i)),
      second(9),
      ...[10, 11, 12].map(failing),
    ];
    expect(firstFiring(['error_rate>0.5 for 10s'], seconds)).toBeUndefined();
  });

  it('fires at once without a duration, and names the first condition that held', () => {
    expect(
      firstFiring(['p95_ms>800', 'error_rate>0.1'], [second(0), second(1, { p95Ms: 900, errors: 50 })]),
    ).toEqual({
      t: 1,
      text: 'p95_ms>800',
    });
  });

  it('counts errors and drops since the start of the run', () => {
    const seconds = [0, 1, 2, 3].map((t) => second(t, { dropped: 30 }));
    expect(firstFiring(['dropped>100'], seconds)).toEqual({ t: 3, text: 'dropped>100' });
  });

  it('treats a second without requests as not holding a rate or latency condition', () => {
    const seconds = [failing(0), second(1, { requests: 0, p95Ms: undefined }), failing(2)];
    expect(firstFiring(['error_rate>0.5 for 2s'], seconds)).toBeUndefined();
    expect(firstFiring(['rps<1'], seconds)).toEqual({ t: 1, text: 'rps<1' });
  });
});
