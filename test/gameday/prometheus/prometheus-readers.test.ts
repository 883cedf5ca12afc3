import { describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../../src/core/errors.js';
import type { Fetch } from '../../../src/gameday/prometheus/prometheus-api.js';
import { readPrometheusAlerts } from '../../../src/gameday/prometheus/read-alerts.js';
import { readPrometheusBurnRates } from '../../../src/gameday/prometheus/read-burn-rates.js';
import { journalSchema } from '../../../src/gameday/journal.js';
import { checkoutSlos } from '../alerts/game-day-slos.js';

type Matrix = { metric: Record<string, string>; values: [number, string][] }[];

/** A Prometheus API that answers every query with `matrix`, and records the queries. */
function fakePrometheus(matrix: Matrix, status = 200) {
  const queries: URLSearchParams[] = [];
  const fetch: Fetch = (_url, init) => {
    queries.push(new URLSearchParams(typeof init.body === 'string' ? init.body : ''));
    const body = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: matrix } });
    return Promise.resolve(new Response(body, { status }));
  };
  return { api: { url: 'http://127.0.0.1:9', fetch }, queries };
}

const t0 = 1_700_000_000_000;
const at = (seconds: number): number => (t0 + seconds * 1000) / 1000;
const guestPage = {
  alertname: 'CheckoutAvailabilityBudgetBurn',
  sloth_id: 'store-checkout-availability-guest',
  sloth_severity: 'page',
};
const samples = (from: number, to: number): [number, string][] =>
  Array.from({ length: to - from + 1 }, (_, i) => [at(from + i) + 0.25, '1']);

describe('reading alert states from Prometheus', () => {
  it("rebuilds transitions from ALERTS' raw samples: pending, firing, resolved one interval after the last sample", async () => {
    // Evaluations land 250 ms after each whole second (the group's offset).
    const { api, queries } = fakePrometheus([
      { metric: { ...guestPage, alertstate: 'pending' }, values: samples(10, 11) },
      { metric: { ...guestPage, alertstate: 'firing' }, values: [...samples(12, 20), ...samples(40, 41)] },
    ]);
    const alerts = await readPrometheusAlerts(api, checkoutSlos('guest'), {
      fromMs: t0,
      toMs: t0 + 60_000,
      evaluationIntervalMs: 1000,
    });
    expect(queries[0]?.get('query')).toBe('ALERTS{sloth_id!=""}[60000ms]');
    expect(queries[0]?.get('time')).toBe(String((t0 + 60_000) / 1000));
    const page = alerts.find((a) => a.slo === 'checkout-availability' && a.tier === 'page');
    expect(page).toEqual({
      source: 'prometheus',
      alertname: 'CheckoutAvailabilityBudgetBurn',
      slo: 'checkout-availability',
      segment: 'guest',
      tier: 'page',
      severity: 'ticket',
      forMs: 2000,
      firstPendingMs: t0 + 10_250,
      firstFiringMs: t0 + 12_250,
      transitions: [
        { atMs: t0 + 10_250, state: 'pending' },
        { atMs: t0 + 12_250, state: 'firing' },
        { atMs: t0 + 21_250, state: 'inactive' },
        { atMs: t0 + 40_250, state: 'firing' },
        { atMs: t0 + 42_250, state: 'inactive' },
      ],
    });
    expect(alerts.map((a) => `${a.slo} ${a.tier} ${a.transitions.length}`)).toEqual([
      'checkout-availability page 5',
      'checkout-availability ticket 0',
      'checkout-latency page 0',
    ]);
    expect(() => journalSchema.shape.alerts.parse(alerts)).not.toThrow();
  });

  it('keeps an alert firing when its last sample is the latest evaluation', async () => {
    const { api } = fakePrometheus([
      { metric: { ...guestPage, alertstate: 'firing' }, values: samples(50, 59) },
    ]);
    const [page] = await readPrometheusAlerts(api, checkoutSlos('guest'), {
      fromMs: t0,
      toMs: t0 + 60_000,
      evaluationIntervalMs: 1000,
    });
    expect(page?.transitions).toEqual([{ atMs: t0 + 50_250, state: 'firing' }]);
  });

  it('turns an API error into an environment error that names the query', async () => {
    const fetch: Fetch = () =>
      Promise.resolve(
        new Response(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }), {
          status: 400,
        }),
      );
    await expect(
      readPrometheusAlerts({ url: 'http://127.0.0.1:9', fetch }, checkoutSlos('guest'), {
        fromMs: t0,
        toMs: t0 + 1000,
        evaluationIntervalMs: 1000,
      }),
    ).rejects.toThrow(
      new EnvironmentError(
        'Prometheus at http://127.0.0.1:9: HTTP 400, bad_data: parse error; query: ALERTS{sloth_id!=""}[1000ms]',
      ),
    );
  });
});

describe('reading burn rates from Prometheus', () => {
  it('divides the recorded ratio by the budget, at each journal time, from the latest sample within the lookback', async () => {
    const ratio = (window: string, values: [number, string][]) => ({
      metric: {
        __name__: `slo:sli_error:ratio_rate${window}`,
        sloth_id: 'store-checkout-availability-guest',
        sloth_window: window,
      },
      values,
    });
    const { api, queries } = fakePrometheus([
      ratio('1m', [
        [at(0.5), '0'],
        [at(1.5), '0.05'],
        [at(2.5), 'NaN'],
      ]),
    ]);
    const t = [t0, t0 + 1000, t0 + 2000, t0 + 3000, t0 + 6000];
    const series = await readPrometheusBurnRates(api, checkoutSlos('guest'), t, {
      evaluationIntervalMs: 1000,
    });
    expect(queries[0]?.get('query')).toBe('{__name__=~"slo:sli_error:ratio_rate.+",sloth_id!=""}[8000ms]');
    const oneMinute = series.find((s) => s.slo === 'checkout-availability' && s.windowMs === 60_000);
    // Budget 0.5 %: 0.05 is a burn rate of 10. t0 has no sample yet; NaN and a stale sample give null.
    expect(oneMinute).toEqual({
      source: 'prometheus',
      slo: 'checkout-availability',
      segment: 'guest',
      windowMs: 60_000,
      values: [null, 0, 10, null, null],
    });
    expect(series.filter((s) => s.slo === 'checkout-availability')).toHaveLength(7);
    expect(() => journalSchema.shape.series.shape.burnRates.parse(series)).not.toThrow();
  });
});
