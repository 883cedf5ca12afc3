import type { Slo } from '../../../src/slo/model.js';
import { scaleSlos } from '../../../src/slo/time-scale.js';
import { buildSlo, tier } from '../../slo/builders.js';

/**
 * The store's checkout SLOs for one segment, as the shopsre/v1 loader expands them
 * (reference-store/slos.yaml), scaled by 60 for a game day: availability (events, minEvents 20,
 * page `for: 2m` → 2 s) and latency (histogram `count − bucket{le="1"}`, no `for`).
 */
export function checkoutSlos(segment: string, options: { minEvents?: boolean } = {}): Slo[] {
  const selector = `route="/api/checkout",segment="${segment}"`;
  const totalQuery = `sum(rate(http_requests_total{${selector}}[{{.window}}]))`;
  const availability = buildSlo({
    name: `checkout-availability-${segment}`,
    baseName: 'checkout-availability',
    segment: { label: 'segment', value: segment },
    objective: 99.5,
    labels: { segment },
    sli: {
      kind: 'events',
      errorQuery: `sum(rate(http_requests_total{${selector},status_class="5xx"}[{{.window}}]))`,
      totalQuery,
    },
    ...(options.minEvents === false ? {} : { minEvents: { minEvents: 20, totalQuery } }),
    alerting: {
      name: 'CheckoutAvailabilityBudgetBurn',
      labels: {},
      annotations: {},
      tiers: [tier('page', { forMs: 120_000, severity: 'ticket' }), tier('ticket')],
    },
  });
  const count = `sum(rate(http_request_duration_seconds_count{${selector}}[{{.window}}]))`;
  const latency = buildSlo({
    name: `checkout-latency-${segment}`,
    baseName: 'checkout-latency',
    segment: { label: 'segment', value: segment },
    objective: 99,
    labels: { segment },
    sli: {
      kind: 'events',
      errorQuery: `(${count} - sum(rate(http_request_duration_seconds_bucket{${selector},le="1"}[{{.window}}])))`,
      totalQuery: count,
    },
    alerting: {
      name: 'CheckoutLatencyBudgetBurn',
      labels: {},
      annotations: {},
      tiers: [tier('page'), tier('ticket', { enabled: false })],
    },
  });
  return scaleSlos([availability, latency], 60);
}
