import { describe, expect, it } from 'vitest';
import { createBuiltinEvaluator } from '../../../src/gameday/alerts/builtin-evaluator.js';
import { createCounterStore } from '../../../src/gameday/alerts/counter-store.js';
import type { ExpositionSample } from '../../../src/gameday/alerts/exposition.js';
import { compileSli, eventsInWindow } from '../../../src/gameday/alerts/sli-query.js';
import { checkoutSlos } from './game-day-slos.js';

/**
 * The minimum-events guard at VIP rates, on the counters a real game day's Prometheus (2.42)
 * stored (both-vendors-down, shortened; times in ms from the fault). The time-scaled 1 h window is
 * 1 minute, longer than the run: it counts what was scraped since the first scrape, plus half an
 * interval of extrapolation, so WHEN scraping began decides when the guard (20 events) is met.
 */
const scrapes = [-2684, -1684, -684, 316, 1316, 2316, 3316, 4316, 5316];
const ok = [26, 30, 34, 36, 36, 36, 36, 36, 36];
const failed = [0, 0, 0, 0, 2, 6, 10, 11, 14];
/** Prometheus' own SLI recording group ran at these times; `slo:sli_total:events1m` it recorded. */
const recorded: readonly (readonly [number, number])[] = [
  [-958, 8.904],
  [42, 12.904],
  [1042, 14.0867],
  [2042, 15.428],
  [3042, 19.3232],
  [4042, 23.2533],
  [5042, 23.8923],
];

const vip = { route: '/api/checkout', segment: 'vip' };
const scrape = (i: number): ExpositionSample[] => [
  { name: 'http_requests_total', labels: { ...vip, status_class: '2xx' }, value: ok[i] ?? 0 },
  { name: 'http_requests_total', labels: { ...vip, status_class: '5xx' }, value: failed[i] ?? 0 },
];
/** Four scrapes of the same traffic (~3.5 checkouts a second) from before Prometheus' first. */
const earlier: readonly (readonly [number, ExpositionSample[]])[] = [12, 15, 19, 22].map((value, i) => [
  scrapes[0]! - (4 - i) * 1000,
  [
    { name: 'http_requests_total', labels: { ...vip, status_class: '2xx' }, value },
    { name: 'http_requests_total', labels: { ...vip, status_class: '5xx' }, value: 0 },
  ],
]);

describe('the minimum-events guard over a window longer than the history', () => {
  const availability = checkoutSlos('vip')[0]!;

  it('counts the events Prometheus recorded, at its rule evaluation times (0.7 s after a scrape)', () => {
    const sli = compileSli(availability);
    if (!sli.ok) throw new Error(sli.reason);
    const store = createCounterStore(sli.value.selectors, 3_600_000);
    scrapes.forEach((t, i) => store.ingest(scrape(i), t));
    for (const [atMs, events] of recorded) {
      expect(eventsInWindow(sli.value, store, 60_000, atMs), `at ${atMs} ms`).toBeCloseTo(events, 4);
    }
  });

  /** The first evaluation (at Prometheus' rule times) where the page's condition holds. */
  const firstActiveMs = (history: readonly (readonly [number, ExpositionSample[]])[]): number | undefined => {
    const evaluator = createBuiltinEvaluator([availability], { evaluationIntervalMs: 1000 });
    const events = [
      ...history.map(([t, samples]) => ({
        t,
        run: (): boolean => {
          evaluator.ingestSamples(samples, t);
          return false;
        },
      })),
      ...recorded.map(([t]) => ({
        t,
        run: (): boolean => evaluator.evaluate(t).alerts.find((a) => a.tier === 'page')?.active ?? false,
      })),
    ].sort((a, b) => a.t - b.t);
    return events.find((e) => e.run())?.t;
  };
  const fromFirstScrape = scrapes.map((t, i) => [t, scrape(i)] as const);

  it('is met only at 4 s after the fault with the history Prometheus had, as its alert fired (4.6 s)', () => {
    // The error ratios are above the page's thresholds from 2.042 s; 19.3 events at 3.042 s.
    expect(firstActiveMs(fromFirstScrape)).toBe(4042);
  });

  it('is met at the first evaluation that sees errors when scraping began 4 s earlier', () => {
    // What the built-in evaluator had when Prometheus began scraping 4.3 s after it: 30 events at 2.042 s.
    expect(firstActiveMs([...earlier, ...fromFirstScrape])).toBe(2042);
  });
});
