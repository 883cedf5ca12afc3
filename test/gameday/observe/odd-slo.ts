import type { AlertTier, Slo } from '../../../src/slo/model.js';
import { buildSlo, tier } from '../../slo/builders.js';

/**
 * A made-up SLO whose SLI the in-process evaluator cannot read, with small windows so burn rates are
 * easy to compute by hand: objective 90 % (budget 0.1) over a 200 s period; the page tier's quick
 * pair is 2 s / 4 s at 2 % of the budget (factor 0.02 × 200 / 4 = 1, threshold ratio 0.1), its slow
 * pair 3 s / 6 s at 6 % (factor 0.06 × 200 / 6 = 2, threshold ratio 0.2); `for: 2s`; no ticket.
 */
export function oddSlo(overrides: Partial<Slo> = {}, page: Partial<AlertTier> = {}): Slo {
  return buildSlo({
    name: 'checkout-odd-guest',
    baseName: 'checkout-odd',
    segment: { label: 'segment', value: 'guest' },
    objective: 90,
    periodMs: 200_000,
    sli: {
      kind: 'events',
      errorQuery: 'sum(irate(http_requests_total{status_class="5xx"}[{{.window}}]))',
      totalQuery: 'sum(irate(http_requests_total[{{.window}}]))',
    },
    alerting: {
      name: 'CheckoutOddBudgetBurn',
      labels: {},
      annotations: {},
      tiers: [
        tier('page', {
          quick: { budgetPercent: 2, shortWindowMs: 2000, longWindowMs: 4000 },
          slow: { budgetPercent: 6, shortWindowMs: 3000, longWindowMs: 6000 },
          forMs: 2000,
          ...page,
        }),
        tier('ticket', { enabled: false }),
      ],
    },
    ...overrides,
  });
}
