import * as z from 'zod';
import { EnvironmentError } from '../../core/errors.js';

/** The slice of `fetch` the readers need; tests pass a fake. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export interface PrometheusApi {
  /** Base URL, e.g. `http://127.0.0.1:9090`. */
  readonly url: string;
  readonly fetch: Fetch;
  /** Per-request timeout; default 30 s. */
  readonly timeoutMs?: number;
}

export interface RawSeries {
  readonly labels: Readonly<Record<string, string>>;
  /** Stored samples, oldest first: epoch ms and value (NaN kept). */
  readonly samples: readonly { readonly t: number; readonly v: number }[];
}

const answerSchema = z.object({
  status: z.enum(['success', 'error']),
  data: z
    .object({
      resultType: z.string(),
      result: z.array(
        z.object({
          metric: z.record(z.string(), z.string()),
          values: z.array(z.tuple([z.number(), z.string()])).optional(),
        }),
      ),
    })
    .optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
});

/**
 * The samples Prometheus stored for `selector` in `[fromMs, toMs]`, with their own timestamps: an
 * instant query of the range selector `selector[Nms]` at `toMs` returns raw samples, not the
 * resampled steps `query_range` would, so a rule's evaluation times come back exactly.
 */
export async function rawSamples(
  api: PrometheusApi,
  selector: string,
  fromMs: number,
  toMs: number,
): Promise<RawSeries[]> {
  const rangeMs = Math.max(1, Math.ceil(toMs - fromMs));
  const expr = `${selector}[${rangeMs}ms]`;
  const endpoint = new URL('api/v1/query', api.url.endsWith('/') ? api.url : `${api.url}/`).href;
  const fail = (what: string): EnvironmentError =>
    new EnvironmentError(`Prometheus at ${api.url}: ${what}; query: ${expr}`);
  let status: number;
  let body: string;
  try {
    const response = await api.fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: expr, time: String(toMs / 1000) }).toString(),
      signal: AbortSignal.timeout(api.timeoutMs ?? 30_000),
    });
    status = response.status;
    body = await response.text();
  } catch (error) {
    throw fail(`unreachable (${(error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw fail(`HTTP ${status}, not JSON: ${body.slice(0, 200)}`);
  }
  const answer = answerSchema.safeParse(json);
  if (!answer.success) throw fail(`HTTP ${status}, not a Prometheus API answer: ${body.slice(0, 200)}`);
  const { data, error, errorType } = answer.data;
  if (status !== 200 || answer.data.status !== 'success' || !data) {
    throw fail(`HTTP ${status}, ${errorType ?? 'error'}: ${error ?? 'no message'}`);
  }
  if (data.resultType !== 'matrix') throw fail(`the answer is a ${data.resultType}, expected a matrix`);
  return data.result.map((series) => ({
    labels: series.metric,
    // Timestamps are float seconds with millisecond precision.
    samples: (series.values ?? []).map(([t, v]) => ({ t: Math.round(t * 1000), v: sampleValue(v) })),
  }));
}

/** Prometheus writes `+Inf`/`-Inf`, which Number() does not read. */
function sampleValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/**
 * A GET of Prometheus' HTTP API read through `schema`; anything else (unreachable, an HTTP error,
 * not JSON, another shape) is the environment's failure, with what was asked.
 */
export async function getAnswer<T>(api: PrometheusApi, path: string, schema: z.ZodType<T>): Promise<T> {
  const url = new URL(path, api.url.endsWith('/') ? api.url : `${api.url}/`).href;
  let response: Response;
  try {
    response = await api.fetch(url, { method: 'GET', signal: AbortSignal.timeout(api.timeoutMs ?? 10_000) });
  } catch (error) {
    throw new EnvironmentError(`Prometheus at ${api.url} is unreachable: ${(error as Error).message}`);
  }
  const body = await response.text();
  if (!response.ok)
    throw new EnvironmentError(`Prometheus at ${api.url}: GET /${path} answered HTTP ${response.status}`);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new EnvironmentError(`Prometheus at ${api.url}: GET /${path} is not JSON: ${body.slice(0, 200)}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new EnvironmentError(`Prometheus at ${api.url}: its GET /${path} answer is not Prometheus' API`);
  return parsed.data;
}

const activeTargetsSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    activeTargets: z.array(
      z.object({
        scrapeUrl: z.string(),
        health: z.string(),
        scrapeInterval: z.string().optional(),
        lastError: z.string().optional(),
      }),
    ),
  }),
});
export type ActiveTarget = z.infer<typeof activeTargetsSchema>['data']['activeTargets'][number];

/** The scrape targets Prometheus runs now (`/api/v1/targets?state=active`). */
export async function activeTargets(api: PrometheusApi): Promise<ActiveTarget[]> {
  return (await getAnswer(api, 'api/v1/targets?state=active', activeTargetsSchema)).data.activeTargets;
}
