import type { AlertTier, LoadCounting, Slo } from '../../src/slo/model.js';
import { defaultTier } from '../../src/slo/defaults.js';

const day = 24 * 3_600_000;

/** What `status_class="5xx"` in an error query derives: 5xx answers, timeouts and connection errors. */
export const serverErrors: LoadCounting = {
  kind: 'outcomes',
  origin: 'derived',
  bad: { status: ['5xx'], errors: ['timeout', 'connection'] },
  events: 'all',
};

export function tier(name: AlertTier['name'], overrides: Partial<AlertTier> = {}): AlertTier {
  return defaultTier(name, overrides);
}

/** An events SLO with the defaults a shopsre/v1 spec would get; override what a test is about. */
export function buildSlo(overrides: Partial<Slo> = {}): Slo {
  const service = overrides.service ?? 'store';
  const name = overrides.name ?? 'checkout-availability';
  return {
    id: `${service}-${name}`,
    service,
    name,
    baseName: name,
    description: 'Checkout requests succeed.',
    objective: 99.9,
    periodMs: 30 * day,
    sli: {
      kind: 'events',
      errorQuery: 'sum(rate(http_requests_total{route="/api/checkout",code=~"5.."}[{{.window}}]))',
      totalQuery: 'sum(rate(http_requests_total{route="/api/checkout"}[{{.window}}]))',
    },
    labels: {},
    alerting: {
      name: 'CheckoutAvailabilityBudgetBurn',
      labels: {},
      annotations: {},
      tiers: [tier('page'), tier('ticket')],
    },
    loadResults: { steps: ['checkout'], kind: 'availability', counting: serverErrors },
    source: { format: 'shopsre/v1', file: 'test.yaml' },
    ...overrides,
  };
}
