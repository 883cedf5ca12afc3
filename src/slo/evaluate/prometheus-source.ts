import * as z from 'zod';
import { formatDuration } from '../../core/duration.js';
import { EnvironmentError } from '../../core/errors.js';
import type { Slo } from '../model.js';
import type { SliSource } from './evaluate.js';
import type { SliMeasurement } from './measurement.js';

/** The slice of `fetch` the source needs; tests pass a fake or point it at a loopback server. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export interface PrometheusSourceOptions {
  /** Base URL of the Prometheus HTTP API, e.g. `http://127.0.0.1:9090` (a path prefix is kept). */
  readonly url: string;
  readonly fetch: Fetch;
  /** Per-query timeout; default 30 s. */
  readonly timeoutMs?: number;
}

const windowPlaceholder = /\{\{\s*\.window\s*\}\}/g;

const sample = z.tuple([z.number(), z.string()]);
const vectorResult = z.array(z.object({ value: sample }));
const answerSchema = z.object({
  status: z.enum(['success', 'error']),
  data: z.object({ resultType: z.string(), result: z.unknown() }).optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
});

/** Sample values as Prometheus writes them (strings, `NaN` and `+Inf` included), or undefined for a range result. */
function sampleValues(data: { resultType: string; result: unknown }): string[] | undefined {
  if (data.resultType === 'vector') {
    const vector = vectorResult.safeParse(data.result);
    return vector.success ? vector.data.map((s) => s.value[1]) : undefined;
  }
  if (data.resultType === 'scalar') {
    const scalar = sample.safeParse(data.result);
    return scalar.success ? [scalar.data[1]] : undefined;
  }
  return undefined;
}

/**
 * Measures SLIs with instant queries (`/api/v1/query` with `time=`) on the raw SLI expressions, so it
 * works whether or not the generated recording rules are loaded, and at any past time the server
 * still holds.
 */
export function prometheusSource(options: PrometheusSourceOptions): SliSource {
  const base = options.url.endsWith('/') ? options.url : `${options.url}/`;
  const endpoint = new URL('api/v1/query', base).href;
  const timeoutMs = options.timeoutMs ?? 30_000;

  /** The finite sample values of the answer; an empty list is "no data". */
  const query = async (expr: string, atMs: number): Promise<number[]> => {
    const fail = (what: string): EnvironmentError =>
      new EnvironmentError(`Prometheus at ${options.url}: ${what}; query: ${expr}`);
    let status: number;
    let body: string;
    try {
      const response = await options.fetch(endpoint, {
        // POST keeps long expressions out of the URL; the API accepts both.
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: expr, time: String(atMs / 1000) }).toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      body = await response.text();
    } catch (error) {
      throw fail(`unreachable (${describeFetchError(error)})`);
    }
    const answer = answerSchema.safeParse(parseJson(body));
    if (!answer.success) throw fail(`HTTP ${status}, not a Prometheus API answer: ${body.slice(0, 200)}`);
    const { data, error, errorType } = answer.data;
    if (status !== 200 || answer.data.status !== 'success') {
      throw fail(`HTTP ${status}, ${errorType ?? 'error'}: ${error ?? 'no message'}`);
    }
    const values = data ? sampleValues(data) : undefined;
    if (!values)
      throw fail(`the answer is a ${data?.resultType ?? 'nothing'}, expected an instant vector or a scalar`);
    // NaN (0/0 over no traffic) and infinities carry no measurement: treated as no data.
    return values.map(Number).filter(Number.isFinite);
  };

  return {
    origin: options.url,
    measure: (slo, windowMs, atMs) => measureSli(slo, windowMs, (expr) => query(expr, atMs)),
  };
}

async function measureSli(
  slo: Slo,
  windowMs: number,
  query: (expr: string) => Promise<number[]>,
): Promise<SliMeasurement> {
  const withWindow = (expr: string): string => expr.replace(windowPlaceholder, formatDuration(windowMs));
  // SLI queries are per-second rates over the window, so rate × window length counts the events.
  const countEvents = async (rateExpr: string): Promise<number> =>
    sum(await query(withWindow(rateExpr))) * (windowMs / 1000);
  const guardQuery = slo.minEvents?.totalQuery;

  if (slo.sli.kind === 'events') {
    // Two queries rather than `(error)/(total)`: the division is empty whenever the error selector
    // matches no series yet (no 5xx since the last restart), which would hide the traffic it had.
    const [errors, total, guardEvents] = await Promise.all([
      query(withWindow(slo.sli.errorQuery)),
      query(withWindow(slo.sli.totalQuery)),
      guardQuery === undefined || guardQuery === slo.sli.totalQuery ? undefined : countEvents(guardQuery),
    ]);
    const totalRate = sum(total);
    if (totalRate <= 0) return { errorRatio: 0, events: guardEvents ?? 0 };
    return { errorRatio: sum(errors) / totalRate, events: guardEvents ?? totalRate * (windowMs / 1000) };
  }

  const [ratio, events] = await Promise.all([
    query(withWindow(slo.sli.errorRatioQuery)),
    guardQuery === undefined ? undefined : countEvents(guardQuery),
  ]);
  const [value, ...more] = ratio;
  if (more.length > 0) {
    throw new EnvironmentError(
      `SLO ${slo.id} (${slo.source.file}): its error ratio query returned ${ratio.length} series; aggregate it to one with sum()`,
    );
  }
  // No data: a ratio over no traffic is 0/0, which is no evidence of errors.
  if (value === undefined) return { errorRatio: 0, events: 0 };
  return events === undefined ? { errorRatio: value } : { errorRatio: value, events };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Node's fetch wraps the socket error (ECONNREFUSED, ENOTFOUND) in `cause`; that is the useful part. */
function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (cause instanceof Error)
    return 'code' in cause && typeof cause.code === 'string' ? cause.code : cause.message;
  return error.name === 'TimeoutError' ? 'timed out' : error.message;
}
