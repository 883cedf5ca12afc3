import { describe, expect, it } from 'vitest';
import { earliestFiring } from '../../../src/gameday/alerts/earliest-firing.js';
import type { Slo } from '../../../src/slo/model.js';
import { scaleSlos } from '../../../src/slo/time-scale.js';
import { buildSlo, tier } from '../../slo/builders.js';

/**
 * Hand-computed bounds for the store's guest checkout SLO at timeScale 60: objective 99.5 % (budget
 * b = 0.005), period 12 h. Page tier: quick 1m/5s at factor 14.4 (threshold 0.072), slow 6m/30s
 * at factor 6 (threshold 0.03).
 */
const t0 = 1_000_000;

function guestCheckout(overrides: Partial<Slo> = {}): Slo {
  const [slo] = scaleSlos([buildSlo({ objective: 99.5, ...overrides })], 60);
  if (!slo) throw new Error('no SLO');
  return slo;
}
const pageOf = (slo: Slo) => slo.alerting.tiers[0];

describe('earliest firing of a tier after the error ratio steps from 0 to e', () => {
  it('full windows: the quick pair fires first, L·f·b/e = 60 s × 0.072 / 0.5 = 8.64 s after the step', () => {
    const slo = guestCheckout();
    expect(earliestFiring(slo, pageOf(slo), { stepAtMs: t0, errorRatio: 0.5 }, { timeScale: 60 })).toEqual({
      earliestFiringMs: t0 + 8640,
      condition: 'page quick 1h/5m',
    });
  });

  it('adds `for`: 2 s after the same 8.64 s', () => {
    const slo = guestCheckout({
      alerting: { ...buildSlo().alerting, tiers: [tier('page', { forMs: 120_000 }), tier('ticket')] },
    });
    expect(earliestFiring(slo, pageOf(slo), { stepAtMs: t0, errorRatio: 0.5 }).earliestFiringMs).toBe(
      t0 + 8640 + 2000,
    );
  });

  it('below the quick threshold only the slow pair can fire: 360 s × 0.03 / 0.05 = 216 s', () => {
    const slo = guestCheckout();
    expect(earliestFiring(slo, pageOf(slo), { stepAtMs: t0, errorRatio: 0.05 }, { timeScale: 60 })).toEqual({
      earliestFiringMs: t0 + 216_000,
      condition: 'page slow 6h/30m',
    });
  });

  it('no bound at or under both thresholds, saying why', () => {
    const slo = guestCheckout();
    const bound = earliestFiring(slo, pageOf(slo), { stepAtMs: t0, errorRatio: 0.03 });
    expect(bound.earliestFiringMs).toBeUndefined();
    expect(bound.boundNote).toBe(
      'page quick 1m/5s: error ratio 0.03 does not exceed the threshold 0.072; ' +
        'page slow 6m/30s: error ratio 0.03 does not exceed the threshold 0.03',
    );
  });

  it('traffic that began 30 s before the step: windows reaching past it fire sooner, here the slow pair at 1.915 s', () => {
    // Long slow window (360 s) holds 30 s of clean traffic: 0.5·x / (x + 30) > 0.03 when
    // x > 0.03 × 30 / 0.47 = 1.9149 s; its 30 s short window is full by then (1.8 s bound).
    // The quick pair needs 0.072 × 30 / 0.428 = 5.05 s.
    const slo = guestCheckout();
    expect(
      earliestFiring(slo, pageOf(slo), { stepAtMs: t0, errorRatio: 0.5, trafficSinceMs: t0 - 30_000 }),
    ).toEqual({ earliestFiringMs: t0 + 1915, condition: 'page slow 6m/30s' });
  });

  it('the minimum-events guard delays firing until the long window holds minEvents events', () => {
    const totalQuery = 'sum(rate(http_requests_total{route="/api/checkout"}[{{.window}}]))';
    const slo = guestCheckout({ minEvents: { minEvents: 20, totalQuery } });
    // 1 event/s since 5 s before the step: 20 events 15 s after it, later than either ratio bound.
    expect(
      earliestFiring(slo, pageOf(slo), {
        stepAtMs: t0,
        errorRatio: 0.5,
        trafficSinceMs: t0 - 5000,
        eventsPerSecond: 1,
      }).earliestFiringMs,
    ).toBe(t0 + 15_000);
    // 0.2 events/s never puts 20 in the 60 s window, so only the slow pair (72 in 360 s) can fire.
    expect(earliestFiring(slo, pageOf(slo), { stepAtMs: t0, errorRatio: 0.5, eventsPerSecond: 0.2 })).toEqual(
      {
        earliestFiringMs: t0 + 21_600,
        condition: 'page slow 6m/30s',
      },
    );
  });
});
