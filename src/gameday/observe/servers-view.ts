import type { ExpositionSample } from '../alerts/exposition.js';
import type { ViewSeries } from '../journal.js';
import type { CheckoutStats } from './checkout-stats.js';

/**
 * The servers' view of checkout, per segment, from the store's own counters: requests and 5xx
 * answers of the checkout route (what the availability SLI counts), business outcomes from
 * `checkout_outcomes_total`, and the route's latency histogram. Each scrape is kept as cumulative
 * totals, so any span between two scrapes is a subtraction, and a p95 is read from the bucket
 * increases the way `histogram_quantile` reads them.
 */
export interface ServersViewOptions {
  readonly route: string;
  readonly segmentLabel: string;
  /** `checkout_outcomes_total` outcomes that are answers, not failures. */
  readonly businessOutcomes: readonly string[];
}

export const storeCheckoutView: ServersViewOptions = {
  route: '/api/checkout',
  segmentLabel: 'segment',
  businessOutcomes: ['declined', 'out_of_stock', 'payment_unknown'],
};

interface Totals {
  requests: number;
  errors: number;
  business: number;
  /** Cumulative bucket counts by upper bound in seconds (+Inf last). */
  buckets: Map<number, number>;
}

interface Snapshot {
  readonly atMs: number;
  readonly bySegment: ReadonlyMap<string, Totals>;
}

export interface ServersView {
  add(samples: readonly ExpositionSample[], atMs: number): void;
  readonly segments: () => string[];
  /** Between the last scrapes at or before `fromMs` and `toMs`; undefined without two scrapes. */
  checkout(segment: string, fromMs: number, toMs: number): CheckoutStats | undefined;
  /** One point per scrape after the first: what changed since the scrape before. */
  series(t: readonly number[]): Record<string, ViewSeries>;
}

export function createServersView(options: ServersViewOptions = storeCheckoutView): ServersView {
  const snapshots: Snapshot[] = [];
  const seen = new Set<string>();

  const at = (ms: number): Snapshot | undefined => {
    let found: Snapshot | undefined;
    for (const s of snapshots) {
      if (s.atMs <= ms) found = s;
      else break;
    }
    return found;
  };
  const between = (
    segment: string,
    from: Snapshot | undefined,
    to: Snapshot | undefined,
  ): CheckoutStats | undefined => {
    if (!to) return undefined;
    const end = to.bySegment.get(segment);
    if (!end) return undefined;
    const start = from?.bySegment.get(segment) ?? emptyTotals();
    const requests = Math.max(0, end.requests - start.requests);
    const buckets = [...end.buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([le, count]) => [le, Math.max(0, count - (start.buckets.get(le) ?? 0))] as const);
    return {
      requests,
      errors: Math.max(0, end.errors - start.errors),
      business: Math.max(0, end.business - start.business),
      p95Ms: quantileMs(0.95, buckets),
    };
  };

  return {
    add(samples, atMs) {
      const bySegment = new Map<string, Totals>();
      const totals = (segment: string): Totals => {
        let t = bySegment.get(segment);
        if (!t) bySegment.set(segment, (t = emptyTotals()));
        seen.add(segment);
        return t;
      };
      for (const sample of samples) {
        const segment = sample.labels[options.segmentLabel];
        if (segment === undefined || !Number.isFinite(sample.value)) continue;
        if (sample.name === 'http_requests_total' && sample.labels.route === options.route) {
          const t = totals(segment);
          t.requests += sample.value;
          if (sample.labels.status_class === '5xx') t.errors += sample.value;
        } else if (sample.name === 'checkout_outcomes_total') {
          if (options.businessOutcomes.includes(sample.labels.outcome ?? ''))
            totals(segment).business += sample.value;
        } else if (
          sample.name === 'http_request_duration_seconds_bucket' &&
          sample.labels.route === options.route
        ) {
          const le = sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le);
          const t = totals(segment);
          t.buckets.set(le, (t.buckets.get(le) ?? 0) + sample.value);
        }
      }
      snapshots.push({ atMs, bySegment });
    },
    segments: () => [...seen].sort(),
    // Counters hold everything since the store started; a span reaching back before the first
    // scrape starts at that scrape, not at zero (which would count the warm-up too).
    checkout: (segment, fromMs, toMs) => between(segment, at(fromMs) ?? snapshots[0], at(toMs)),
    series(t) {
      const out: Record<string, ViewSeries> = {};
      for (const segment of [...seen].sort()) {
        const points = t.map((ms) => {
          const index = snapshots.findIndex((s) => s.atMs === ms);
          return index > 0 ? between(segment, snapshots[index - 1], snapshots[index]) : undefined;
        });
        out[segment] = {
          requests: points.map((p) => p?.requests ?? null),
          errors: points.map((p) => p?.errors ?? null),
          errorRatio: points.map((p) => (p && p.requests > 0 ? p.errors / p.requests : null)),
          p95Ms: points.map((p) => p?.p95Ms ?? null),
          business: points.map((p) => p?.business ?? null),
        };
      }
      return out;
    },
  };
}

function emptyTotals(): Totals {
  return { requests: 0, errors: 0, business: 0, buckets: new Map() };
}

/**
 * `histogram_quantile` on bucket increases: linear interpolation inside the bucket the rank falls
 * in; the +Inf bucket answers the highest finite bound. Undefined when nothing was observed.
 */
export function quantileMs(q: number, buckets: readonly (readonly [number, number])[]): number | undefined {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (le === Infinity) return lowerBound * 1000;
      const inBucket = count - lowerCount;
      const fraction = inBucket > 0 ? (rank - lowerCount) / inBucket : 0;
      return (lowerBound + (le - lowerBound) * fraction) * 1000;
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound * 1000;
}
