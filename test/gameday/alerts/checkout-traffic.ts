/**
 * Checkout traffic as the store's /metrics would count it, second by second: requests, server
 * errors and slow requests per segment, as cumulative counters with the store's metric names
 * (reference-store/src/metrics.ts). The same values feed the built-in evaluator (as exposition
 * text) and promtool (as input series), so both see identical counters.
 */
export interface CheckoutTraffic {
  readonly segments: readonly string[];
  /** Requests answered in second k (between k-1 and k), for k >= 1. */
  requests(segment: string, k: number): number;
  /** Of those, answered with a 5xx. */
  errors(segment: string, k: number): number;
  /** Of those, slower than the 1 s latency threshold. */
  slow(segment: string, k: number): number;
}

export interface CounterSeries {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Cumulative value at seconds 0..N. */
  readonly values: readonly number[];
}

const route = '/api/checkout';

export function checkoutCounters(traffic: CheckoutTraffic, lastSecond: number): CounterSeries[] {
  return traffic.segments.flatMap((segment) => {
    const cumulative = (perSecond: (k: number) => number): number[] => {
      const values = [0];
      for (let k = 1; k <= lastSecond; k++) values.push((values[k - 1] ?? 0) + perSecond(k));
      return values;
    };
    const requests = cumulative((k) => traffic.requests(segment, k));
    const errors = cumulative((k) => traffic.errors(segment, k));
    const slow = cumulative((k) => traffic.slow(segment, k));
    const labels = { route, segment };
    return [
      {
        name: 'http_requests_total',
        labels: { ...labels, status_class: '2xx' },
        values: requests.map((r, i) => r - (errors[i] ?? 0)),
      },
      { name: 'http_requests_total', labels: { ...labels, status_class: '5xx' }, values: errors },
      {
        name: 'http_request_duration_seconds_bucket',
        labels: { ...labels, le: '1' },
        values: requests.map((r, i) => r - (slow[i] ?? 0)),
      },
      { name: 'http_request_duration_seconds_bucket', labels: { ...labels, le: '+Inf' }, values: requests },
      { name: 'http_request_duration_seconds_count', labels, values: requests },
    ];
  });
}

/** Every series at second k, in the text format prom-client writes. */
export function expositionAt(series: readonly CounterSeries[], k: number): string {
  const lines: string[] = [];
  let family = '';
  for (const s of series) {
    const base = s.name.replace(/_(bucket|count)$/, '');
    if (base !== family) {
      family = base;
      lines.push(`# HELP ${base} ${base}`, `# TYPE ${base} ${base === s.name ? 'counter' : 'histogram'}`);
    }
    lines.push(`${s.name}${selector(s.labels)} ${s.values[k] ?? 0}`);
  }
  return `${lines.join('\n')}\n`;
}

export function selector(labels: Readonly<Record<string, string>>): string {
  return `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;
}
