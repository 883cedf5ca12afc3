import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EnvironmentError, ExitCode } from '../../../src/core/errors.js';
import { prometheusSource } from '../../../src/slo/evaluate/prometheus-source.js';
import { buildSlo } from '../builders.js';
import { at, ms } from './fakes.js';

/** What the fake API answers for a query: a vector of values, or a raw HTTP status and body. */
type Answer = { vector: string[] } | { status: number; body: string };

/**
 * A loopback server speaking the shape of Prometheus' `/api/v1/query`: it records each request and
 * answers from `answers` by query text (an empty vector when the query is unknown).
 */
const answers = new Map<string, Answer>();
const requests: { path: string; query: string; time: string }[] = [];
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const query = form.get('query') ?? '';
      requests.push({ path: req.url ?? '', query, time: form.get('time') ?? '' });
      const answer = answers.get(query) ?? { vector: [] };
      if ('status' in answer) {
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
        return;
      }
      const result = answer.vector.map((value, i) => ({
        metric: { series: String(i) },
        value: [Number(form.get('time')), value],
      }));
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

beforeEach(() => {
  answers.clear();
  requests.length = 0;
});

const source = () => prometheusSource({ url: baseUrl, fetch: (url, init) => fetch(url, init) });
const slo = buildSlo();
const errors5m = 'sum(rate(http_requests_total{route="/api/checkout",code=~"5.."}[5m]))';
const total5m = 'sum(rate(http_requests_total{route="/api/checkout"}[5m]))';

async function rejection(promise: Promise<unknown>): Promise<EnvironmentError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof EnvironmentError) return error;
    throw error;
  }
  throw new Error('expected the query to fail');
}

describe('SLIs from the Prometheus HTTP API', () => {
  it('queries the raw error and total expressions with the window filled in, at the evaluation time', async () => {
    answers.set(errors5m, { vector: ['0.5'] });
    answers.set(total5m, { vector: ['100'] });
    const measurement = await source().measure(slo, 5 * ms.minute, at);
    expect(measurement).toEqual({ errorRatio: 0.005, events: 100 * 300 });
    expect(requests.map((r) => r.query).sort()).toEqual([errors5m, total5m].sort());
    expect(new Set(requests.map((r) => r.time))).toEqual(new Set([String(at / 1000)]));
    expect(new Set(requests.map((r) => r.path))).toEqual(new Set(['/api/v1/query']));
  });

  it('no error series yet means a zero ratio, with the traffic still counted', async () => {
    answers.set(total5m, { vector: ['100'] });
    expect(await source().measure(slo, 5 * ms.minute, at)).toEqual({ errorRatio: 0, events: 30_000 });
  });

  it('no traffic, or NaN from 0/0, is no data: ratio 0 and no events, never NaN', async () => {
    expect(await source().measure(slo, 5 * ms.minute, at)).toEqual({ errorRatio: 0, events: 0 });
    const raw = buildSlo({ sli: { kind: 'raw', errorRatioQuery: 'errors:ratio_rate[{{.window}}]' } });
    answers.set('errors:ratio_rate[1h]', { vector: ['NaN'] });
    expect(await source().measure(raw, ms.hour, at)).toEqual({ errorRatio: 0, events: 0 });
  });

  it('series split by a label are added up before dividing', async () => {
    answers.set(errors5m, { vector: ['1', '2'] });
    answers.set(total5m, { vector: ['100', '200'] });
    expect(await source().measure(slo, 5 * ms.minute, at)).toEqual({ errorRatio: 0.01, events: 300 * 300 });
  });

  it('a raw ratio counts events only through its minEvents query', async () => {
    const raw = buildSlo({
      sli: { kind: 'raw', errorRatioQuery: 'errors:ratio_rate{{.window}}' },
      minEvents: { minEvents: 10, totalQuery: 'sum(rate(requests_total[{{ .window }}]))' },
    });
    answers.set('errors:ratio_rate1h', { vector: ['0.25'] });
    answers.set('sum(rate(requests_total[1h]))', { vector: ['2'] });
    expect(await source().measure(raw, ms.hour, at)).toEqual({ errorRatio: 0.25, events: 7_200 });
    const unguarded = buildSlo({ sli: { kind: 'raw', errorRatioQuery: 'errors:ratio_rate{{.window}}' } });
    expect(await source().measure(unguarded, ms.hour, at)).toEqual({ errorRatio: 0.25 });
  });

  it('keeps a path prefix of the URL', async () => {
    const prefixed = prometheusSource({
      url: `${baseUrl}/prometheus/`,
      fetch: (url, init) => fetch(url, init),
    });
    await prefixed.measure(slo, 5 * ms.minute, at);
    expect(new Set(requests.map((r) => r.path))).toEqual(new Set(['/prometheus/api/v1/query']));
  });
});

describe('Prometheus failures are environment errors (exit 3) naming the URL and the query', () => {
  it('a query error answered by the API', async () => {
    const body = JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 5' });
    answers.set(errors5m, { status: 400, body });
    const error = await rejection(source().measure(slo, 5 * ms.minute, at));
    expect(error.exitCode).toBe(ExitCode.environment);
    expect(error.message).toBe(
      `Prometheus at ${baseUrl}: HTTP 400, bad_data: parse error at char 5; query: ${errors5m}`,
    );
  });

  it('an answer that is not the API (a proxy error page)', async () => {
    answers.set(total5m, { status: 502, body: '<html>Bad Gateway</html>' });
    const error = await rejection(source().measure(slo, 5 * ms.minute, at));
    expect(error.message).toBe(
      `Prometheus at ${baseUrl}: HTTP 502, not a Prometheus API answer: <html>Bad Gateway</html>; query: ${total5m}`,
    );
  });

  it('a server that does not answer', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = prometheusSource({ url, fetch: (u, init) => fetch(u, init) });
    const error = await rejection(unreachable.measure(slo, 5 * ms.minute, at));
    expect(error.message).toMatch(
      new RegExp(`^Prometheus at ${url}: unreachable \\(ECONNREFUSED\\); query: `),
    );
  });

  it('a query that times out, through the fetch the source is given', async () => {
    const timedOut = prometheusSource({
      url: 'http://prometheus.example:9090',
      fetch: () =>
        Promise.reject(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    });
    const error = await rejection(timedOut.measure(slo, 5 * ms.minute, at));
    expect(error.message).toBe(
      `Prometheus at http://prometheus.example:9090: unreachable (timed out); query: ${errors5m}`,
    );
  });

  it('a raw ratio split into several series, which cannot be added up', async () => {
    const raw = buildSlo({ sli: { kind: 'raw', errorRatioQuery: 'ratio[{{.window}}]' } });
    answers.set('ratio[5m]', { vector: ['0.1', '0.2'] });
    const error = await rejection(source().measure(raw, 5 * ms.minute, at));
    expect(error.message).toBe(
      'SLO store-checkout-availability (test.yaml): its error ratio query returned 2 series; aggregate it to one with sum()',
    );
  });

  it('a range vector instead of an instant one', async () => {
    const body = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } });
    answers.set(errors5m, { status: 200, body });
    const error = await rejection(source().measure(slo, 5 * ms.minute, at));
    expect(error.message).toMatch(/the answer is a matrix, expected an instant vector or a scalar; query: /);
  });
});
