import { describe, expect, it } from 'vitest';
import {
  createBuiltinEvaluator,
  type BuiltinEvaluator,
} from '../../../src/gameday/alerts/builtin-evaluator.js';
import { earliestFiring } from '../../../src/gameday/alerts/earliest-firing.js';
import { journalSchema } from '../../../src/gameday/journal.js';
import { EnvironmentError } from '../../../src/core/errors.js';
import type { Slo } from '../../../src/slo/model.js';
import { buildSlo } from '../../slo/builders.js';
import {
  checkoutCounters,
  expositionAt,
  type CheckoutTraffic,
  type CounterSeries,
} from './checkout-traffic.js';
import { checkoutSlos } from './game-day-slos.js';

const second = 1000;

/** Guest checkout: `rps` requests a second; from second `from` to `to`, `errors` of them fail and `slow` are slow. */
function guestTraffic(burst: {
  rps?: number;
  from: number;
  to?: number;
  errors?: number;
  slow?: number;
}): CheckoutTraffic {
  const inBurst = (k: number) => k >= burst.from && k <= (burst.to ?? Infinity);
  return {
    segments: ['guest'],
    requests: () => burst.rps ?? 10,
    errors: (_s, k) => (inBurst(k) ? (burst.errors ?? 0) : 0),
    slow: (_s, k) => (inBurst(k) ? (burst.slow ?? 0) : 0),
  };
}

/** Scrapes and evaluates once a second from 0 to `lastSecond`. */
function runEverySecond(
  slos: readonly Slo[],
  series: readonly CounterSeries[],
  lastSecond: number,
): BuiltinEvaluator {
  const evaluator = createBuiltinEvaluator(slos, { evaluationIntervalMs: second });
  for (let k = 0; k <= lastSecond; k++) {
    evaluator.ingest(expositionAt(series, k), k * second);
    evaluator.evaluate(k * second);
  }
  return evaluator;
}

const burnAt = (evaluator: BuiltinEvaluator, atMs: number, sloName: string, windowMs: number) =>
  evaluator.burnSeries([atMs]).find((s) => s.slo === sloName && s.windowMs === windowMs)?.values[0];

describe('the built-in evaluator: burn rates', () => {
  it('computes each window by hand: 10 req/s, half failing from second 61, read at 90 s', () => {
    const slos = checkoutSlos('guest');
    const evaluator = runEverySecond(slos, checkoutCounters(guestTraffic({ from: 61, errors: 5 }), 90), 90);
    // Budget 0.5 %. 5 s window: 25 of 50 fail → 0.5 / 0.005 = 100.
    expect(burnAt(evaluator, 90 * second, 'checkout-availability', 5 * second)).toBeCloseTo(100, 9);
    // 1 m window: 150 of 600 → 0.25 → 50.
    expect(burnAt(evaluator, 90 * second, 'checkout-availability', 60 * second)).toBeCloseTo(50, 9);
    // 1h12m window holds the whole 90 s (counters from 0, so no extrapolation): 150 of 900 → 33.3.
    expect(burnAt(evaluator, 90 * second, 'checkout-availability', 72 * 60 * second)).toBeCloseTo(100 / 3, 9);
    // Nothing slow: the latency SLO records 0.
    expect(burnAt(evaluator, 90 * second, 'checkout-latency', 60 * second)).toBe(0);
  });

  it('reads a histogram latency SLI as count minus the threshold bucket: half slow over 30 of 60 s → 25', () => {
    const slos = checkoutSlos('guest');
    const evaluator = runEverySecond(slos, checkoutCounters(guestTraffic({ from: 61, slow: 5 }), 90), 90);
    // 150 slow of 600 = 0.25 against a 1 % budget.
    expect(burnAt(evaluator, 90 * second, 'checkout-latency', 60 * second)).toBeCloseTo(25, 9);
  });

  it('is not fooled by a counter reset (the store restarting at second 100)', () => {
    const slos = checkoutSlos('guest');
    const restarted = checkoutCounters(guestTraffic({ from: 61, errors: 5 }), 130).map((s) => ({
      ...s,
      values: s.values.map((v, i) => (i >= 100 ? v - (s.values[99] ?? 0) : v)),
    }));
    const evaluator = runEverySecond(slos, restarted, 130);
    expect(burnAt(evaluator, 130 * second, 'checkout-availability', 60 * second)).toBeCloseTo(100, 9);
  });

  it('reports no burn rate (null) before any window has two samples', () => {
    const evaluator = runEverySecond(
      checkoutSlos('guest'),
      checkoutCounters(guestTraffic({ from: 1 }), 0),
      0,
    );
    expect(burnAt(evaluator, 0, 'checkout-availability', 5 * second)).toBeNull();
  });

  it('keeps at most the longest window plus two intervals of samples per series', () => {
    const slos = checkoutSlos('guest');
    const lastSecond = 2 * 72 * 60;
    const series = checkoutCounters(guestTraffic({ from: 1 }), lastSecond);
    const evaluator = createBuiltinEvaluator(slos, { evaluationIntervalMs: second });
    for (let k = 0; k <= lastSecond; k++) evaluator.ingest(expositionAt(series, k), k * second);
    // Four series are read (2xx, 5xx, bucket le="1", count; not +Inf), each 4,320 s + 2 s + 1 samples.
    expect(evaluator.sampleCount()).toBe(4 * (72 * 60 + 2 + 1));
  });
});

describe('the built-in evaluator: alert states', () => {
  it('pages through the slow pair 2 s after its `for`, and resolves when the 30 s window is clean (hand-computed)', () => {
    const [availability, latency] = checkoutSlos('guest');
    if (!availability || !latency) throw new Error('no SLOs');
    const evaluator = runEverySecond(
      [availability, latency],
      checkoutCounters(guestTraffic({ from: 61, to: 120, errors: 5 }), 200),
      200,
    );
    const page = evaluator.alerts().find((a) => a.slo === 'checkout-availability' && a.tier === 'page');
    // Slow pair (threshold 0.03): the 6 m window holds only the 60 clean seconds before the burst,
    // so at 64 s it reads 20/640 = 0.031 (63 s: 15/630 = 0.024) and the 30 s window 20/300. Pending
    // at 64 s, firing 2 s later. It stays active through the slow pair until the 30 s window holds
    // under 0.03: at 148 s it reads 10/300, at 149 s 5/300.
    expect(page).toMatchObject({
      source: 'builtin',
      alertname: 'CheckoutAvailabilityBudgetBurn',
      slo: 'checkout-availability',
      segment: 'guest',
      severity: 'ticket',
      forMs: 2000,
      firstPendingMs: 64_000,
      firstFiringMs: 66_000,
      transitions: [
        { atMs: 64_000, state: 'pending' },
        { atMs: 66_000, state: 'firing' },
        { atMs: 149_000, state: 'inactive' },
      ],
    });
    // The bound for the same step (traffic since 0, errors from 60 s) is 63.83 s + 2 s.
    const bound = earliestFiring(availability, availability.alerting.tiers[0], {
      stepAtMs: 60_000,
      errorRatio: 0.5,
      trafficSinceMs: 0,
      eventsPerSecond: 10,
    });
    expect(bound.earliestFiringMs).toBe(65_830);
    expect(page?.firstFiringMs).toBeGreaterThanOrEqual(bound.earliestFiringMs ?? Infinity);

    // The ticket tier has no `for`: its slow pair (0.005) holds at the first erroring second.
    const ticket = evaluator.alerts().find((a) => a.slo === 'checkout-availability' && a.tier === 'ticket');
    expect(ticket?.transitions).toEqual([{ atMs: 61_000, state: 'firing' }]);
    // The latency SLO burned nothing; its disabled ticket tier has no entry.
    expect(evaluator.alerts().filter((a) => a.slo === 'checkout-latency')).toMatchObject([
      { tier: 'page', transitions: [] },
    ]);
  });

  it('does not page on a trickle that never fills the long window with minEvents, and does without the guard', () => {
    // One request every 5 s, every one failing: 12 events per minute, 72 per 6 minutes.
    const trickle: CheckoutTraffic = {
      segments: ['guest'],
      requests: (_s, k) => (k % 5 === 0 ? 1 : 0),
      errors: (_s, k) => (k % 5 === 0 ? 1 : 0),
      slow: () => 0,
    };
    const series = checkoutCounters(trickle, 90);
    const pageOf = (evaluator: BuiltinEvaluator) =>
      evaluator.alerts().find((a) => a.slo === 'checkout-availability' && a.tier === 'page');
    expect(pageOf(runEverySecond(checkoutSlos('guest'), series, 90))?.transitions).toEqual([]);
    expect(
      pageOf(runEverySecond(checkoutSlos('guest', { minEvents: false }), series, 90))?.firstFiringMs,
    ).toBeDefined();
  });

  it('returns, each tick, every window burn rate and each enabled tier state', () => {
    const slos = checkoutSlos('guest');
    const evaluator = createBuiltinEvaluator(slos, { evaluationIntervalMs: second });
    // 30 requests in the first second, all failing: enough events for the guard (20).
    const series = checkoutCounters(guestTraffic({ rps: 30, from: 1, errors: 30 }), 1);
    evaluator.ingest(expositionAt(series, 0), 0);
    evaluator.ingest(expositionAt(series, 1), second);
    const tick = evaluator.evaluate(second);
    expect(tick.atMs).toBe(second);
    expect(tick.burnRates).toHaveLength(2 * 7);
    expect(tick.alerts).toEqual([
      { sloId: 'store-checkout-availability-guest', tier: 'page', active: true, state: 'pending' },
      { sloId: 'store-checkout-availability-guest', tier: 'ticket', active: true, state: 'firing' },
      { sloId: 'store-checkout-latency-guest', tier: 'page', active: false, state: 'inactive' },
    ]);
  });
});

describe('the built-in evaluator: what it does not evaluate, and its output', () => {
  it('reports SLIs outside its shapes with the reason, and evaluates the others', () => {
    const quantile = buildSlo({
      name: 'p99',
      sli: {
        kind: 'raw',
        errorRatioQuery: 'histogram_quantile(0.99, sum by (le) (rate(x_bucket[{{.window}}])))',
      },
    });
    const byRoute = buildSlo({
      name: 'by-route',
      sli: {
        kind: 'events',
        errorQuery: 'sum by (route) (rate(errors_total[{{.window}}]))',
        totalQuery: 'sum by (route) (rate(requests_total[{{.window}}]))',
      },
    });
    const evaluator = createBuiltinEvaluator([quantile, byRoute, ...checkoutSlos('guest')], {
      evaluationIntervalMs: second,
    });
    expect(evaluator.notEvaluable).toEqual([
      { sloId: 'store-p99', reason: 'the ratio query is not `errors / total`' },
      {
        sloId: 'store-by-route',
        reason: 'rate(errors_total[…]) is not summed into one series (sum without by/without)',
      },
    ]);
    expect(evaluator.alerts().map((a) => `${a.slo} ${a.tier}`)).toEqual([
      'checkout-availability page',
      'checkout-availability ticket',
      'checkout-latency page',
    ]);
  });

  it('refuses a scrape that is not Prometheus text format, as an environment error', () => {
    const evaluator = createBuiltinEvaluator(checkoutSlos('guest'), { evaluationIntervalMs: second });
    expect(() => evaluator.ingest('<html>oops</html>', 0)).toThrow(EnvironmentError);
    expect(() => evaluator.ingest('<html>oops</html>', 0)).toThrow(
      'the metrics scraped at 1970-01-01T00:00:00.000Z are not Prometheus text format: line 1: expected a metric name, got "<html>oops</html>"',
    );
  });

  it("gives journal-shaped alerts and burn series (the journal schema's own parse)", () => {
    const evaluator = runEverySecond(
      checkoutSlos('guest'),
      checkoutCounters(guestTraffic({ from: 61, errors: 5 }), 90),
      90,
    );
    const t = [0, 30_000, 60_000, 90_000];
    expect(() => journalSchema.shape.alerts.parse(evaluator.alerts())).not.toThrow();
    const burn = evaluator.burnSeries(t);
    expect(() => journalSchema.shape.series.shape.burnRates.parse(burn)).not.toThrow();
    expect(burn.map((s) => [s.slo, s.segment, s.windowMs])).toContainEqual([
      'checkout-availability',
      'guest',
      5000,
    ]);
    expect(burn.every((s) => s.source === 'builtin' && s.values.length === t.length)).toBe(true);
  });
});
