import { describe, expect, it } from 'vitest';
import type { LoadResults } from '../../../src/loadgen/results.js';
import { customersAlerts, type CustomersAlertsInput } from '../../../src/gameday/observe/customers-alerts.js';
import type { Slo } from '../../../src/slo/model.js';
import { oddSlo } from './odd-slo.js';

const t0 = Date.UTC(2026, 11, 7, 10, 0, 0);
type Point = LoadResults['timeSeries'][number];

/** One second of checkout for a segment: `ok` 200s, `failed` 503s, plus any other answers. */
function point(
  t: number,
  counts: { ok?: number; failed?: number; outOfStock?: number; timeouts?: number; slow?: number },
  segment = 'guest',
  step = 'checkout',
): Point {
  const ok = counts.ok ?? 0;
  const failed = counts.failed ?? 0;
  const outOfStock = counts.outOfStock ?? 0;
  const timeouts = counts.timeouts ?? 0;
  const count = ok + failed + outOfStock + timeouts;
  const answered = ok + failed + outOfStock;
  return {
    t,
    segment,
    step,
    count,
    errors: { http4xx: 0, http5xx: failed, timeout: timeouts, connection: 0, check: 0 },
    p50: 10,
    p95: 10,
    p99: 10,
    byStatus: {
      ...(ok > 0 ? { '200': ok } : {}),
      ...(outOfStock > 0 ? { '409': outOfStock } : {}),
      ...(failed > 0 ? { '503': failed } : {}),
    },
    // `slow` of the answered requests took longer than 250 ms; timeouts are over every threshold.
    latencyBucketsMs: { '250': answered - (counts.slow ?? 0) },
  };
}

/** 20 s of 10 checkouts a second; seconds 5 to 9 fail half of them (5 × 503). */
function stepErrors(): Point[] {
  return Array.from({ length: 20 }, (_, k) => point(k, k >= 5 && k < 10 ? { ok: 5, failed: 5 } : { ok: 10 }));
}

/** One sample a second, closing second k at t0 + (k + 1) s, from t0 (no complete second yet). */
const samples = Array.from({ length: 21 }, (_, i) => t0 + i * 1000);

function run(slos: readonly Slo[], points: readonly Point[], overrides: Partial<CustomersAlertsInput> = {}) {
  return customersAlerts({
    slos,
    startedAtMs: t0,
    points,
    steps: ['checkout'],
    t: samples,
    evaluationIntervalMs: 1000,
    ...overrides,
  });
}

/** The value of a series at the sample closing second k. */
const atSecond = (values: readonly (number | null)[], k: number): number | null | undefined => values[k + 1];

describe("burn rates from the customers' view", () => {
  it('is bad / events over the trailing window, over the error budget, per window of the SLO', () => {
    const { burnRates, notCounted } = run([oddSlo()], stepErrors());
    expect(notCounted).toEqual([]);
    // Every window of the SLO's rules, as the built-in evaluator lists them (the disabled ticket
    // tier's too: its recording rules are generated all the same).
    expect(burnRates.map((b) => [b.source, b.slo, b.segment, b.windowMs])).toEqual(
      [2000, 3000, 4000, 6000, 7_200_000, 21_600_000, 86_400_000, 259_200_000].map((windowMs) => [
        'results',
        'checkout-odd',
        'guest',
        windowMs,
      ]),
    );
    const [two, , four, six] = burnRates.map((b) => b.values);
    // Before the first complete second: no data.
    expect(two?.[0]).toBeNull();
    expect(atSecond(two ?? [], 4)).toBe(0);
    // 2 s at second 5: seconds 4, 5 → 5 bad of 20 = 0.25, burn 2.5; at 6: 10 of 20, burn 5.
    expect(atSecond(two ?? [], 5)).toBeCloseTo(2.5, 10);
    expect(atSecond(two ?? [], 6)).toBeCloseTo(5, 10);
    // 4 s at second 7: seconds 4 to 7 → 15 of 40 = 0.375, burn 3.75.
    expect(atSecond(four ?? [], 7)).toBeCloseTo(3.75, 10);
    // 6 s at second 12: seconds 7 to 12 → 15 of 60 = 0.25, burn 2.5.
    expect(atSecond(six ?? [], 12)).toBeCloseTo(2.5, 10);
    // A window reaching back before the load counts the seconds there were: 6 s at second 1 → 0 of 20.
    expect(atSecond(six ?? [], 1)).toBe(0);
    // After the errors: 2 s at second 11 is clean again.
    expect(atSecond(two ?? [], 11)).toBe(0);
  });

  it("counts what the SLO's loadResults say is bad: 5xx and timeouts, not 409 out-of-stock answers", () => {
    const points = Array.from({ length: 4 }, (_, k) =>
      point(k, { ok: 6, failed: 1, outOfStock: 2, timeouts: 1 }),
    );
    const { burnRates } = run([oddSlo()], points, { t: [t0 + 4000] });
    // 2 s at second 3: 4 bad (2 × 503, 2 timeouts) of 20 events = 0.2, burn 2.
    expect(burnRates.find((b) => b.windowMs === 2000)?.values).toEqual([expect.closeTo(2, 10)]);
  });

  it("reads only its segment's points", () => {
    const points = [
      ...stepErrors(),
      ...Array.from({ length: 20 }, (_, k) => point(k, { failed: 10 }, 'vip')),
    ];
    const guestOnly = run([oddSlo()], stepErrors());
    expect(run([oddSlo()], points).burnRates).toEqual(guestOnly.burnRates);
  });

  it('counts a latency SLI from the cumulative bucket at its threshold', () => {
    const latency = oddSlo({
      loadResults: { kind: 'latency', steps: ['checkout'], latencyThresholdMs: 250 },
    });
    const points = Array.from({ length: 4 }, (_, k) => point(k, { ok: 10, slow: k === 3 ? 4 : 0 }));
    const { burnRates } = run([latency], points, { t: [t0 + 4000] });
    // 2 s at second 3: 4 of 20 over 250 ms = 0.2, burn 2.
    expect(burnRates.find((b) => b.windowMs === 2000)?.values).toEqual([expect.closeTo(2, 10)]);
  });
});

describe("alerts from the customers' view", () => {
  it("fires with the generated rules' semantics: both windows of a pair above its factor, then `for`", () => {
    const { alerts } = run([oddSlo()], stepErrors());
    expect(alerts).toHaveLength(1);
    const [page] = alerts;
    expect(page).toMatchObject({
      source: 'results',
      alertname: 'CheckoutOddBudgetBurn',
      slo: 'checkout-odd',
      segment: 'guest',
      tier: 'page',
      forMs: 2000,
    });
    // Quick pair at second 5 (sample t0 + 6 s): 2 s 0.25 and 4 s 0.125, both above 0.1 → pending;
    // firing 2 s later; at second 11 the 2 s window is clean and the slow pair's 3 s window holds
    // 5 of 30 (0.167 < 0.2): resolved at t0 + 12 s.
    expect(page?.transitions).toEqual([
      { atMs: t0 + 6000, state: 'pending' },
      { atMs: t0 + 8000, state: 'firing' },
      { atMs: t0 + 12_000, state: 'inactive' },
    ]);
    expect(page?.firstPendingMs).toBe(t0 + 6000);
    expect(page?.firstFiringMs).toBe(t0 + 8000);
  });

  it('honours minEvents on the long window of each pair', () => {
    const guarded = (minEvents: number): Slo =>
      oddSlo({ minEvents: { minEvents, totalQuery: 'sum(irate(http_requests_total[{{.window}}]))' } });
    // 50 events: never in the quick pair's 4 s (40 events); the slow pair (6 s holds 60) first holds
    // at second 7: 3 s 15/30 = 0.5 and 6 s 15/60 = 0.25, both above 0.2.
    const [page] = run([guarded(50)], stepErrors()).alerts;
    expect(page?.firstPendingMs).toBe(t0 + 8000);
    expect(page?.firstFiringMs).toBe(t0 + 10_000);
    // 61 events: no window ever holds that many.
    const [never] = run([guarded(61)], stepErrors()).alerts;
    expect(never?.transitions).toEqual([]);
    expect(never?.firstFiringMs).toBeUndefined();
  });

  it('evaluates every interval across a gap between samples, so `for` runs on the rules’ clock', () => {
    const gapped = samples.filter((atMs) => atMs <= t0 + 6000 || atMs >= t0 + 9000);
    const [page] = run([oddSlo()], stepErrors(), { t: gapped }).alerts;
    expect(page?.firstFiringMs).toBe(t0 + 8000);
  });

  it('fires at once without `for`', () => {
    const [page] = run([oddSlo({}, { forMs: 0 })], stepErrors()).alerts;
    expect(page?.transitions[0]).toEqual({ atMs: t0 + 6000, state: 'firing' });
  });
});

describe('SLOs the results cannot count', () => {
  it('says why: an unknown counting, a step not broken out, a missing latency bucket', () => {
    const unknown = oddSlo({
      id: 'store-unknown',
      loadResults: {
        kind: 'availability',
        steps: ['checkout'],
        counting: {
          kind: 'unknown',
          reason: 'a raw error-ratio query counts no events by status',
          location: { file: 'x.yaml', line: 1, col: 1 },
        },
      },
    });
    const cart = oddSlo({ id: 'store-cart', loadResults: { ...oddSlo().loadResults, steps: ['cart'] } });
    const everyStep = oddSlo({ id: 'store-every', loadResults: { ...oddSlo().loadResults, steps: [] } });
    const latency = oddSlo({
      id: 'store-slow',
      loadResults: { kind: 'latency', steps: ['checkout'], latencyThresholdMs: 300 },
    });
    const { notCounted, alerts, burnRates } = run([unknown, cart, everyStep, latency], stepErrors());
    expect(notCounted.map((n) => [n.slo.id, n.reason])).toEqual([
      [
        'store-unknown',
        'its loadResults counting is unknown (a raw error-ratio query counts no events by status)',
      ],
      ['store-cart', 'the load recorded no per-second series of step cart'],
      ['store-every', 'the load recorded no per-second series of step browse, product, add-to-cart, cart'],
      ['store-slow', "the load's per-second points have no 300 ms latency bucket"],
    ]);
    expect(alerts).toEqual([]);
    expect(burnRates).toEqual([]);
  });

  it('counts every step together when the SLO names none and every journey step was broken out', () => {
    const steps = ['browse', 'product', 'add-to-cart', 'cart', 'checkout'];
    const everyStep = oddSlo({ loadResults: { ...oddSlo().loadResults, steps: [] } });
    const points = [point(0, { ok: 10 }, 'guest', 'browse'), point(0, { failed: 10 }, 'guest', 'checkout')];
    const { burnRates } = run([everyStep], points, { steps, t: [t0 + 1000] });
    // 2 s at second 0: 10 bad of 20 = 0.5, burn 5.
    expect(burnRates.find((b) => b.windowMs === 2000)?.values).toEqual([expect.closeTo(5, 10)]);
  });
});
