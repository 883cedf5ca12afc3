import type { Slo } from '../../../src/slo/model.js';
import { buildSlo, tier } from '../builders.js';

const day = 86_400_000;
const segments = [
  { segment: 'guest', objective: 99.5, pageSeverity: 'ticket' },
  { segment: 'member', objective: 99.9, pageSeverity: 'page' },
  { segment: 'vip', objective: 99.95, pageSeverity: 'page' },
] as const;

/**
 * The reference store's checkout availability SLO expanded per customer segment (different
 * objectives, a guest outage only opens a ticket), plus an unsegmented raw-ratio SLO over 28 days.
 */
export function segmentedSlos(): Slo[] {
  const checkout = segments.map(({ segment, objective, pageSeverity }) => {
    const selector = `route="/api/checkout",segment="${segment}"`;
    const totalQuery = `sum(rate(http_requests_total{${selector}}[{{.window}}]))`;
    return buildSlo({
      name: `checkout-availability-${segment}`,
      baseName: 'checkout-availability',
      segment: { label: 'segment', value: segment },
      objective,
      labels: { team: 'checkout', segment },
      sli: {
        kind: 'events',
        errorQuery: `sum(rate(http_requests_total{${selector},status_class="5xx"}[{{.window}}]))`,
        totalQuery,
      },
      minEvents: { minEvents: 20, totalQuery },
      alerting: {
        name: 'CheckoutAvailabilityBudgetBurn',
        labels: {},
        annotations: { summary: 'Checkout for {{$labels.segment}} shoppers is burning its error budget.' },
        runbookUrl: 'https://runbooks.example.com/checkout-availability',
        tiers: [tier('page', { forMs: 120_000, severity: pageSeverity }), tier('ticket')],
      },
    });
  });
  const catalog = buildSlo({
    name: 'catalog-availability',
    objective: 99.9,
    periodMs: 28 * day,
    labels: { team: 'catalog' },
    sli: {
      kind: 'raw',
      errorRatioQuery:
        'sum(rate(http_requests_total{route=~"/api/products.*",status_class="5xx"}[{{.window}}]))\n/\nsum(rate(http_requests_total{route=~"/api/products.*"}[{{.window}}]))\n',
    },
    alerting: {
      name: 'CatalogAvailabilityBudgetBurn',
      labels: {},
      annotations: {},
      tiers: [tier('page'), tier('ticket', { enabled: false })],
    },
  });
  return [...checkout, catalog];
}
