import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import type { FaultProxyServer } from '../../../src/chaos/local/proxy/index.js';
import { closeAfter, startHttpUpstream, startProxies } from './support.js';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A vendor proxy in front of a recording upstream, and a keep-alive client to it. */
async function vendorProxy(server?: FaultProxyServer) {
  const proxies = server ?? (await startProxies());
  const upstream = await startHttpUpstream();
  const proxy = await proxies.addProxy({ name: 'vendor', kind: 'http', upstream: upstream.url });
  const agent = new Agent({ connections: 50 });
  closeAfter(() => agent.close());
  const base = `http://${proxy.listen}`;
  const send = async (method: string, path: string, body?: string): Promise<Answer> => {
    const response = await request(`${base}${path}`, { method, body, dispatcher: agent });
    return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
  };
  /** The error code the client sees, or `answered <status>`. */
  const failure = async (signal?: AbortSignal): Promise<string> => {
    try {
      const response = await request(`${base}/v1/payment_intents`, {
        method: 'POST',
        dispatcher: agent,
        signal,
      });
      await response.body.text();
      return `answered ${response.statusCode}`;
    } catch (error) {
      const { code, name } = error as { code?: unknown; name: string };
      return typeof code === 'string' ? code : name;
    }
  };
  return { proxies, upstream, base, send, failure };
}

/** node:http rather than undici, which refuses to send a Connection header naming other fields. */
function rawRequest(url: string, headers: Record<string, string>, body: string, agent: HttpAgent) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const outgoing = httpRequest(url, { method: 'POST', headers, agent }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('HTTP fault proxy', () => {
  it('forwards requests and answers untouched but for hop-by-hop headers, keeping connections alive', async () => {
    const { upstream, base } = await vendorProxy();
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
    closeAfter(() => agent.destroy());
    const headers = {
      authorization: 'Bearer sk_test_123',
      'idempotency-key': 'order-42',
      connection: 'keep-alive, x-hop',
      'x-hop': 'dropped',
      'content-type': 'application/json',
    };
    for (let i = 0; i < 5; i++) {
      const answer = await rawRequest(
        `${base}/v1/payment_intents?attempt=${i}`,
        headers,
        `{"i":${i}}`,
        agent,
      );
      expect(answer).toMatchObject({ status: 200, body: `echo:{"i":${i}}` });
      expect(answer.headers['x-upstream']).toBe('yes');
    }
    expect(upstream.received).toHaveLength(5);
    const last = upstream.received[4];
    expect(last).toMatchObject({ method: 'POST', url: '/v1/payment_intents?attempt=4', body: '{"i":4}' });
    expect(last?.headers).toMatchObject({
      authorization: 'Bearer sk_test_123',
      'idempotency-key': 'order-42',
    });
    expect(last?.headers['x-hop']).toBeUndefined();
    expect(upstream.sockets()).toBe(1);
  });

  it('forwards the Host the client used, so a virtual-hosted upstream behind the proxy sees its name', async () => {
    const { upstream, base } = await vendorProxy();
    const agent = new HttpAgent();
    closeAfter(() => agent.destroy());
    const answer = await rawRequest(
      `${base}/v1/payment_intents`,
      { host: 'pay.shop.test:8443' },
      '{}',
      agent,
    );
    expect(answer.status).toBe(200);
    expect(upstream.received.map((received) => received.headers.host)).toEqual(['pay.shop.test:8443']);
  });

  it('adds the latency toxic before forwarding: every request at least latency − jitter (80 ms) later', async () => {
    const { proxies, send } = await vendorProxy();
    // A first round opens the 20 connections on both sides, so the measured round pays only the toxic.
    await Promise.all(Array.from({ length: 20 }, () => send('GET', '/asset.css')));
    proxies.addToxic('vendor', { type: 'latency', ttlMs: 10_000, attributes: { latency: 100, jitter: 20 } });
    const took = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const start = performance.now();
        expect((await send('GET', '/asset.css')).status).toBe(200);
        return performance.now() - start;
      }),
    );
    // Only the lower bound is the toxic's doing; how much later than that a busy machine answers is not.
    expect(Math.min(...took)).toBeGreaterThanOrEqual(79);
    expect(proxies.toxic('vendor', 'latency_downstream').hits).toBe(20);
  });

  it('fails a toxicity share of requests: 0.3 of 400 within 4 σ, counted as hits', async () => {
    const { proxies, send } = await vendorProxy();
    proxies.addToxic('vendor', { type: 'status', toxicity: 0.3, ttlMs: 10_000, attributes: { status: 503 } });
    const statuses = await Promise.all(
      Array.from({ length: 400 }, async () => (await send('GET', '/')).status),
    );
    const failed = statuses.filter((status) => status === 503).length;
    const sigma = Math.sqrt(400 * 0.3 * 0.7);
    expect(Math.abs(failed - 120)).toBeLessThan(4 * sigma);
    expect(statuses.filter((status) => status === 200)).toHaveLength(400 - failed);
    expect(proxies.toxic('vendor', 'status_downstream').hits).toBe(failed);
  });

  it('throttles with 429 and the Retry-After header, without forwarding', async () => {
    const { proxies, upstream, send } = await vendorProxy();
    proxies.addToxic('vendor', { type: 'throttle', ttlMs: 10_000, attributes: { retryAfterSeconds: 7 } });
    const answer = await send('POST', '/v1/payment_intents', '{}');
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBe('7');
    expect(upstream.received).toEqual([]);
  });

  it('answers the status toxic with its body and headers', async () => {
    const { proxies, send } = await vendorProxy();
    proxies.addToxic('vendor', {
      type: 'status',
      ttlMs: 10_000,
      attributes: {
        status: 502,
        body: '{"error":"bad gateway"}',
        headers: { 'Content-Type': 'application/json' },
      },
    });
    const answer = await send('GET', '/');
    expect(answer).toMatchObject({ status: 502, body: '{"error":"bad gateway"}' });
    expect(answer.headers['content-type']).toBe('application/json');
  });

  it('fails exactly the first N matching requests, then lets every one through', async () => {
    const { proxies, send } = await vendorProxy();
    proxies.addToxic('vendor', { type: 'status', firstN: 3, ttlMs: 10_000, attributes: { status: 503 } });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await send('POST', '/v1/payment_intents', '{}')).status);
    expect(statuses).toEqual([503, 503, 503, 200, 200, 200, 200, 200]);
  });

  it('affects only requests that match method and path prefix (POST /v1/payment_intents)', async () => {
    const { proxies, send } = await vendorProxy();
    proxies.addToxic('vendor', {
      type: 'status',
      ttlMs: 10_000,
      attributes: { status: 503 },
      match: { method: 'POST', pathPrefix: '/v1/payment_intents' },
      firstN: 1,
    });
    expect((await send('GET', '/v1/payment_intents/pi_1')).status).toBe(200);
    expect((await send('POST', '/v1/refunds', '{}')).status).toBe(200);
    expect((await send('POST', '/v1/payment_intents', '{}')).status).toBe(503);
    expect((await send('POST', '/v1/payment_intents', '{}')).status).toBe(200);
    expect(proxies.toxic('vendor', 'status_downstream')).toMatchObject({ hits: 1 });
  });

  it('aborts with a reset the client sees as ECONNRESET', async () => {
    const { proxies, upstream, failure } = await vendorProxy();
    proxies.addToxic('vendor', { type: 'abort', ttlMs: 10_000 });
    expect(await failure()).toBe('ECONNRESET');
    expect(upstream.received).toEqual([]);
  });

  it('holds a hanging request until the client gives up, and closes those left when the toxic ends', async () => {
    const { proxies, upstream, failure } = await vendorProxy();
    proxies.addToxic('vendor', { name: 'hang', type: 'hang', ttlMs: 10_000 });
    expect(await failure(AbortSignal.timeout(100))).toBe('TimeoutError');
    const held = failure();
    await expect.poll(() => proxies.toxic('vendor', 'hang').hits).toBe(2);
    proxies.removeToxic('vendor', 'hang');
    expect(await held).toBe('UND_ERR_SOCKET');
    expect(upstream.received).toEqual([]);
    expect(await failure()).toBe('answered 200');
  });

  it('forwards, then closes the connection part-way through the answer (reset_after)', async () => {
    const { proxies, base } = await vendorProxy();
    proxies.addToxic('vendor', { type: 'reset_after', ttlMs: 10_000, attributes: { bytes: 3 } });
    const agent = new HttpAgent({ keepAlive: true });
    closeAfter(() => agent.destroy());
    const cut = await new Promise<string>((resolve) => {
      const outgoing = httpRequest(`${base}/`, { method: 'POST', agent }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('error', (error: NodeJS.ErrnoException) =>
          resolve(`${response.statusCode} '${text}' ${error.code}`),
        );
        response.on('end', () => resolve(`complete '${text}'`));
      });
      outgoing.on('error', (error: NodeJS.ErrnoException) => resolve(`no answer ${error.code}`));
      outgoing.end('a long enough body');
    });
    expect(cut).toBe("200 'ech' ECONNRESET");
  });

  it('answers 502 when the upstream cannot be reached', async () => {
    const proxies = await startProxies();
    const proxy = await proxies.addProxy({ name: 'vendor', kind: 'http', upstream: 'http://127.0.0.1:1' });
    const response = await request(`http://${proxy.listen}/`);
    expect(response.statusCode).toBe(502);
    expect(await response.body.json()).toEqual({
      error: expect.stringMatching(/^fault proxy: upstream failed/) as string,
    });
  });
});
