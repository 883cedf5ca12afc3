import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric of the store, in one place. Names and labels are a contract (DESIGN.md): the SLO
 * files (reference-store/slos.yaml), the game day and dashboards query them.
 */
export const metricNames = {
  requests: 'http_requests_total',
  requestDuration: 'http_request_duration_seconds',
  inFlight: 'http_requests_in_flight',
  shed: 'http_requests_shed_total',
  checkoutOutcomes: 'checkout_outcomes_total',
  paymentAttempts: 'payment_attempts_total',
  paymentDuration: 'payment_attempt_duration_seconds',
  breakerState: 'payment_circuit_breaker_state',
  reconciliations: 'payment_reconciliations_total',
  dbPool: 'db_pool_connections',
  catalogFallbacks: 'catalog_fallback_reads_total',
} as const;

/**
 * Latency buckets in seconds: the SLO thresholds (100, 250, 500, 1000 ms) are bucket bounds, so a
 * latency SLI reads an exact count instead of an interpolation.
 */
export const latencyBucketsSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type CheckoutOutcome =
  'paid' | 'declined' | 'payment_unknown' | 'out_of_stock' | 'unavailable' | 'rejected' | 'replayed';

export type PaymentAttemptOutcome =
  'succeeded' | 'declined' | 'timeout' | 'error' | 'rejected' | 'circuit_open' | 'bulkhead_full';

/** 0 closed, 1 open, 2 half-open, as cockatiel's CircuitState numbers them. */
export type BreakerStateValue = 0 | 1 | 2;

export interface StoreMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'route' | 'method' | 'status_class' | 'segment'>;
  readonly requestDuration: Histogram<'route' | 'method' | 'status_class' | 'segment'>;
  readonly inFlight: Gauge;
  readonly shed: Counter<'segment'>;
  readonly checkoutOutcomes: Counter<'segment' | 'outcome'>;
  readonly paymentAttempts: Counter<'provider' | 'outcome'>;
  readonly paymentDuration: Histogram<'provider' | 'outcome'>;
  readonly breakerState: Gauge<'provider'>;
  readonly reconciliations: Counter<'outcome'>;
  readonly catalogFallbacks: Counter<'source'>;
}

export interface PoolStats {
  readonly name: string;
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

/**
 * prom-client's defaults that break Prometheus' naming rules (`promtool check metrics`: a gauge must not
 * end in `_total`). Each is the sum of a default kept by type: `sum(nodejs_active_handles)` and so on.
 */
const droppedDefaults = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

/** A registry per store, so several stores in one process (tests, game days) never share series. */
export function createStoreMetrics(poolStats: () => readonly PoolStats[]): StoreMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const name of droppedDefaults) registry.removeSingleMetric(name);
  const routeLabels = ['route', 'method', 'status_class', 'segment'] as const;
  new Gauge({
    name: metricNames.dbPool,
    help: 'Database pool connections by pool and state (total, idle, waiting clients).',
    labelNames: ['pool', 'state'],
    registers: [registry],
    collect() {
      for (const stats of poolStats()) {
        this.set({ pool: stats.name, state: 'total' }, stats.total);
        this.set({ pool: stats.name, state: 'idle' }, stats.idle);
        this.set({ pool: stats.name, state: 'waiting' }, stats.waiting);
      }
    },
  });
  return {
    registry,
    requests: new Counter({
      name: metricNames.requests,
      help: 'HTTP requests by route template, method, status class (2xx...) and customer segment.',
      labelNames: routeLabels,
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: metricNames.requestDuration,
      help: 'HTTP request latency by route template, method, status class and customer segment.',
      labelNames: routeLabels,
      buckets: latencyBucketsSeconds,
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: metricNames.inFlight,
      help: 'HTTP requests being served now.',
      registers: [registry],
    }),
    shed: new Counter({
      name: metricNames.shed,
      help: 'Requests refused with 503 because too many were in flight (load shedding).',
      labelNames: ['segment'],
      registers: [registry],
    }),
    checkoutOutcomes: new Counter({
      name: metricNames.checkoutOutcomes,
      help: 'Checkout results by customer segment and outcome.',
      labelNames: ['segment', 'outcome'],
      registers: [registry],
    }),
    paymentAttempts: new Counter({
      name: metricNames.paymentAttempts,
      help: 'Calls to a payment vendor by provider and outcome.',
      labelNames: ['provider', 'outcome'],
      registers: [registry],
    }),
    paymentDuration: new Histogram({
      name: metricNames.paymentDuration,
      help: 'Latency of calls to a payment vendor by provider and outcome.',
      labelNames: ['provider', 'outcome'],
      buckets: latencyBucketsSeconds,
      registers: [registry],
    }),
    breakerState: new Gauge({
      name: metricNames.breakerState,
      help: 'Circuit breaker per payment provider: 0 closed, 1 open, 2 half-open.',
      labelNames: ['provider'],
      registers: [registry],
    }),
    reconciliations: new Counter({
      name: metricNames.reconciliations,
      help: 'Orders in an unknown payment state resolved by looking the intent up at the vendor, and late charges on failed orders refunded.',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    catalogFallbacks: new Counter({
      name: metricNames.catalogFallbacks,
      help: 'Catalog reads served by a fallback because the preferred database failed (replica, primary, cache).',
      labelNames: ['source'],
      registers: [registry],
    }),
  };
}

export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

/** The routes the store's SLOs read, with their method: their series exist from the first scrape. */
const sloRoutes = [
  { route: '/api/checkout', method: 'POST' },
  { route: '/api/products', method: 'GET' },
  { route: '/api/products/:id', method: 'GET' },
] as const;

/**
 * Creates, at zero, every series an SLO or a game day reads, for each segment. A counter series
 * that appears only with its first increment has no earlier sample, so `rate()` cannot count that
 * first event: the first 5xx of a segment would go unseen by Prometheus and by the game day alike
 * (Prometheus' own advice: initialize the label values you know of).
 */
export function initializeSloSeries(metrics: StoreMetrics, segments: readonly string[]): void {
  const outcomes: readonly CheckoutOutcome[] = [
    'paid',
    'declined',
    'payment_unknown',
    'out_of_stock',
    'unavailable',
    'rejected',
    'replayed',
  ];
  for (const segment of segments) {
    for (const { route, method } of sloRoutes) {
      for (const status_class of ['2xx', '4xx', '5xx']) {
        const labels = { route, method, status_class, segment };
        metrics.requests.inc(labels, 0);
        metrics.requestDuration.zero(labels);
      }
    }
    metrics.shed.inc({ segment }, 0);
    for (const outcome of outcomes) metrics.checkoutOutcomes.inc({ segment, outcome }, 0);
  }
}
