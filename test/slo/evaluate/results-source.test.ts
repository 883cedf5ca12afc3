import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { parseLoadResults, type LoadResults } from '../../../src/loadgen/results.js';
import { evaluateSlos } from '../../../src/slo/evaluate/evaluate.js';
import { defaultPolicy } from '../../../src/slo/evaluate/policy.js';
import { loadResultsSource } from '../../../src/slo/evaluate/results-source.js';
import type { LoadCounting, Slo } from '../../../src/slo/model.js';
import { buildSlo, serverErrors } from '../builders.js';
import { at, loadResults, ms, summary } from './fakes.js';

/** Results as the JSON file a load run writes, parsed back through the public parser. */
function resultsFile(results: LoadResults) {
  return parseLoadResults('results.json', JSON.stringify(results, null, 2));
}

function availability(segment: string | undefined, steps: string[] = ['checkout']): Slo {
  const name = segment ? `checkout-availability-${segment}` : 'checkout-availability';
  return buildSlo({
    name,
    ...(segment ? { segment: { label: 'segment', value: segment } } : {}),
    loadResults: { steps, kind: 'availability', counting: serverErrors },
  });
}

function latency(segment: string, thresholdMs: number): Slo {
  return buildSlo({
    name: `checkout-latency-${segment}`,
    segment: { label: 'segment', value: segment },
    loadResults: { steps: ['checkout'], kind: 'latency', latencyThresholdMs: thresholdMs },
  });
}

const run = loadResults({
  totals: summary(10_000, 60),
  byStep: { browse: summary(8_000, 20), checkout: summary(2_000, 40, { '250': 1_900, '500': 1_980 }) },
  bySegment: { guest: summary(7_000, 20), vip: summary(3_000, 40) },
  bySegmentStep: {
    guest: { browse: summary(5_600, 10), checkout: summary(1_400, 10, { '250': 1_372, '500': 1_400 }) },
    vip: { browse: summary(2_400, 10), checkout: summary(600, 30, { '250': 528, '500': 580 }) },
  },
});

describe('SLIs from a load run without answers per status (an older document): every error is bad', () => {
  it('availability is errors over requests of the SLO steps, for its segment', async () => {
    const source = loadResultsSource(resultsFile(run), []);
    expect(await source.measure(availability('vip'), ms.hour, at)).toMatchObject({
      errorRatio: 30 / 600,
      events: 600,
    });
    expect(await source.measure(availability('guest'), ms.hour, at)).toMatchObject({
      errorRatio: 10 / 1_400,
      events: 1_400,
    });
  });

  it('several steps add up; no steps means the whole segment, or the whole run without a segment', async () => {
    const source = loadResultsSource(resultsFile(run), []);
    expect(await source.measure(availability('vip', ['browse', 'checkout']), ms.hour, at)).toMatchObject({
      errorRatio: 40 / 3_000,
      events: 3_000,
    });
    expect(await source.measure(availability('guest', []), ms.hour, at)).toMatchObject({
      errorRatio: 20 / 7_000,
      events: 7_000,
    });
    expect(await source.measure(availability(undefined, []), ms.hour, at)).toMatchObject({
      errorRatio: 60 / 10_000,
      events: 10_000,
    });
    expect(await source.measure(availability(undefined), ms.hour, at)).toMatchObject({
      errorRatio: 40 / 2_000,
      events: 2_000,
    });
  });

  it('latency is the share of requests over the threshold bucket', async () => {
    const source = loadResultsSource(resultsFile(run), []);
    expect(await source.measure(latency('vip', 250), ms.hour, at)).toMatchObject({
      errorRatio: 1 - 528 / 600,
      events: 600,
    });
    // `le: "0.5"` seconds arrives as 500 ms; thresholds such as 1.1 s come with float noise and still match.
    const checkout = summary(100, 0, { '1100': 90 });
    const noisy = loadResults({ byStep: { checkout }, bySegmentStep: { vip: { checkout } } });
    expect(
      await loadResultsSource(resultsFile(noisy), []).measure(latency('vip', 1.1 * 1000), ms.hour, at),
    ).toMatchObject({
      errorRatio: 1 - 90 / 100,
      events: 100,
    });
  });

  it('a segment the run never reached has no data', async () => {
    const source = loadResultsSource(resultsFile(run), []);
    expect(await source.measure(availability('member'), ms.hour, at)).toMatchObject({
      errorRatio: 0,
      events: 0,
    });
  });

  it('every window gets the run ratio, and the source says the window is the run', async () => {
    const source = loadResultsSource(resultsFile(run), []);
    expect(source.fixedWindowMs).toBe(10 * ms.minute);
    expect(source.origin).toBe('results.json');
    const evaluation = await evaluateSlos([availability('vip')], source, { at, policy: defaultPolicy });
    const [result] = evaluation.slos;
    const ratios = new Set(
      result?.tiers
        .flatMap((t) => [t.quick.short, t.quick.long, t.slow.short, t.slow.long])
        .map((w) => w.errorRatio),
    );
    expect(ratios).toEqual(new Set([30 / 600]));
    expect(result?.period.errorRatio).toBe(30 / 600);
    expect(evaluation.fixedWindowMs).toBe(10 * ms.minute);
  });

  it('a latency threshold without a bucket is a finding that lists the thresholds there are', () => {
    const file = resultsFile(run);
    let error: unknown;
    try {
      loadResultsSource(file, [latency('vip', 300), latency('guest', 300), availability('vip')]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    const lines = (error as InputError).lines();
    expect(lines).toHaveLength(2);
    const vipBuckets = file.locate(['bySegmentStep', 'vip', 'checkout', 'latencyBucketsMs']);
    expect(lines[0]).toBe(
      `results.json:${vipBuckets.line}:${vipBuckets.col}: SLO store-checkout-latency-vip (test.yaml) counts requests within 300 ms, ` +
        'but this summary has buckets at 250, 500 ms only; rerun the load with a 300 ms bucket or use one of these thresholds',
    );
    expect(lines[1]).toMatch(/^results\.json:\d+:\d+: SLO store-checkout-latency-guest /);
  });

  it('a step no segment reached is a finding that lists the steps of the run', () => {
    expect(() => loadResultsSource(resultsFile(run), [availability('vip', ['chekout'])])).toThrow(
      /SLO store-checkout-availability-vip \(test\.yaml\) counts step "chekout", which this run never reached; its steps are browse, checkout/,
    );
  });
});

describe('the results file contract', () => {
  it('a document from the writer parses back unchanged', () => {
    expect(resultsFile(run).results).toEqual(run);
  });

  it('inconsistent counts are findings at their line and column', () => {
    const bad = loadResults({ totals: { ...summary(10, 0, { '250': 12 }), errors: 11 } });
    const text = JSON.stringify(bad, null, 2);
    let lines: string[] = [];
    try {
      parseLoadResults('results.json', text);
    } catch (error) {
      if (error instanceof InputError) lines = error.lines();
    }
    const lineOf = (needle: string) => text.split('\n').findIndex((line) => line.includes(needle)) + 1;
    expect(lines).toEqual([
      `results.json:${lineOf('"errors": 11')}:15: errors (11) exceed requests (10) (at totals.errors)`,
      `results.json:${lineOf('"errorsByKind"')}:21: errorsByKind adds up to 0 but errors is 11: each failed request has exactly one kind (at totals.errorsByKind)`,
      `results.json:${lineOf('"250": 12')}:14: bucket 250 ms counts 12 requests, more than the 10 sent (at totals.latencyBucketsMs.250)`,
    ]);
  });

  it('a missing field or a wrong kind names its place', () => {
    // JSON.stringify leaves out undefined fields: this document has no `run`.
    const text = JSON.stringify({ ...run, run: undefined, kind: 'Results' });
    const lines = (() => {
      try {
        parseLoadResults('results.json', text);
        return [];
      } catch (error) {
        return error instanceof InputError ? error.lines() : [];
      }
    })();
    expect(lines).toHaveLength(2);
    expect(lines).toContain(
      `results.json:1:${text.indexOf('"Results"') + 1}: Invalid input: expected "LoadResults" (at kind)`,
    );
    expect(lines.find((line) => line.includes('run'))).toMatch(/^results\.json:1:1: /);
  });
});

describe('SLIs from a load run with answers per status: each SLO counts what it calls bad', () => {
  /**
   * 100 checkouts: 80 paid (201), 4 pending (202), 3 declined (402), 7 out of stock (409), 4
   * unavailable (503), 2 timed out. Out of stock and declined are answers about the order, not errors.
   */
  const checkout = {
    ...summary(100, 6),
    errorsByKind: { http4xx: 0, http5xx: 4, timeout: 2, connection: 0, check: 0 },
    byStatus: { '201': 80, '202': 4, '402': 3, '409': 7, '503': 4 },
    businessOutcomes: { outOfStock: 7, declined: 3, pending: 4 },
  };
  const file = () =>
    resultsFile(
      loadResults({
        totals: checkout,
        byStep: { checkout },
        bySegment: { vip: checkout },
        bySegmentStep: { vip: { checkout } },
      }),
    );
  const withCounting = (counting: LoadCounting): Slo =>
    buildSlo({
      name: 'checkout-vip',
      segment: { label: 'segment', value: 'vip' },
      loadResults: { steps: ['checkout'], kind: 'availability', counting },
    });

  it('status_class="5xx": the 503s and the timeouts over every checkout; 409 and 402 are not bad', async () => {
    const source = loadResultsSource(file(), []);
    expect(await source.measure(withCounting(serverErrors), ms.hour, at)).toEqual({
      errorRatio: (4 + 2) / 100,
      events: 100,
      businessOutcomes: { outOfStock: 7, declined: 3, pending: 4 },
    });
  });

  it('an explicit definition with its own events: payments that were unknown or unavailable, over those that reached payment', async () => {
    const payment: LoadCounting = {
      kind: 'outcomes',
      origin: 'explicit',
      bad: { status: [202, 503], errors: ['timeout', 'connection'] },
      events: { status: [201, 202, 402, 503], errors: ['timeout', 'connection'] },
    };
    const measured = await loadResultsSource(file(), []).measure(withCounting(payment), ms.hour, at);
    expect(measured.errorRatio).toBe((4 + 4 + 2) / (80 + 4 + 3 + 4 + 2));
    expect(measured.events).toBe(93);
  });

  it('a query that cannot say what is bad is a finding at the SLO, not a guess', () => {
    const unknown: LoadCounting = {
      kind: 'unknown',
      reason: 'a raw error-ratio query counts no events by status',
      location: { file: 'slos.yaml', line: 12, col: 7 },
    };
    expect(() => loadResultsSource(file(), [withCounting(unknown)])).toThrow(
      'slos.yaml:12:7: SLO store-checkout-vip cannot be evaluated on load results: a raw error-ratio query counts no events by status; ' +
        'say which outcomes are bad with loadResults.bad, e.g. bad: { status: [5xx], errors: [timeout, connection] }',
    );
  });

  it('says what each SLO counted as bad; an older document says that it fell back to its errors', () => {
    expect(loadResultsSource(file(), [withCounting(serverErrors)]).notes).toEqual([
      'store/checkout-vip counts 5xx answers, timeouts and connection errors as bad (read from its error query).',
    ]);
    expect(loadResultsSource(resultsFile(run), [availability('vip')]).notes).toEqual([
      expect.stringMatching(
        /^results\.json has no answers per status \(written by an older shopsre\): every failed request counts as bad/,
      ),
    ]);
  });
});
