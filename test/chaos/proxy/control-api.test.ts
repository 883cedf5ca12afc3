import { get } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startFaultProxyServer } from '../../../src/chaos/local/proxy/index.js';
import { startEchoServer, startHttpUpstream, startProxies } from './support.js';

type Json = Record<string, unknown>;

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${base}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? {} : (JSON.parse(text) as Json) };
}

describe('fault proxy control API', () => {
  it('creates, lists, shows, updates and deletes proxies, answering the bound listen address', async () => {
    const server = await startProxies();
    const echo = await startEchoServer();
    const created = await call(server.url, 'POST', '/proxies', {
      name: 'database',
      kind: 'tcp',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${echo.port}`,
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'database', kind: 'tcp', enabled: true, toxics: [] });
    expect(created.json.listen).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);

    const listed = await call(server.url, 'GET', '/proxies');
    expect(Object.keys(listed.json)).toEqual(['database']);
    expect((await call(server.url, 'GET', '/proxies/database')).json).toEqual(created.json);

    const disabled = await call(server.url, 'POST', '/proxies/database', { enabled: false });
    expect(disabled.json).toMatchObject({ enabled: false, listen: created.json.listen });
    expect((await call(server.url, 'DELETE', '/proxies/database')).status).toBe(204);
    expect((await call(server.url, 'GET', '/proxies')).json).toEqual({});
  });

  it('creates toxics with defaults and shows, lists and deletes them', async () => {
    const server = await startProxies({ clock: { now: () => 1_000 } });
    const upstream = await startHttpUpstream();
    await server.addProxy({ name: 'vendor', kind: 'http', upstream: upstream.url });
    const created = await call(server.url, 'POST', '/proxies/vendor/toxics', {
      type: 'status',
      ttlMs: 5_000,
      attributes: { status: 503 },
      match: { method: 'post', pathPrefix: '/v1/payment_intents' },
    });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      name: 'status_downstream',
      type: 'status',
      stream: 'downstream',
      toxicity: 1,
      attributes: { status: 503, body: '', headers: {} },
      match: { method: 'POST', pathPrefix: '/v1/payment_intents' },
      firstN: 0,
      hits: 0,
      createdAt: 1_000,
      expiresAt: 6_000,
    });
    expect((await call(server.url, 'GET', '/proxies/vendor/toxics')).json).toEqual([created.json]);
    expect((await call(server.url, 'GET', '/proxies/vendor/toxics/status_downstream')).json).toEqual(
      created.json,
    );
    expect((await call(server.url, 'GET', '/proxies/vendor')).json.toxics).toEqual([created.json]);
    expect((await call(server.url, 'DELETE', '/proxies/vendor/toxics/status_downstream')).status).toBe(204);
    expect(server.toxics('vendor')).toEqual([]);
  });

  it('answers 400 naming the field for bad proxy and toxic bodies', async () => {
    const server = await startProxies();
    const echo = await startEchoServer();
    await server.addProxy({ name: 'database', kind: 'tcp', upstream: `127.0.0.1:${echo.port}` });
    const bad = async (path: string, body: unknown): Promise<string> => {
      const { status, json } = await call(server.url, 'POST', path, body);
      expect(status).toBe(400);
      return String(json.error);
    };
    expect(await bad('/proxies', { name: 'x', kind: 'udp', upstream: 'a:1' })).toMatch(/^kind: /);
    expect(await bad('/proxies', { name: 'x', kind: 'tcp', upstream: 'nowhere' })).toMatch(
      /upstream: 'nowhere'/,
    );
    expect(await bad('/proxies', { name: 'x', kind: 'http', upstream: 'https://a:1' })).toMatch(
      /http:\/\/host:port/,
    );
    expect(await bad('/proxies', { name: 'x', kind: 'tcp', listen: '0.0.0.0:0', upstream: 'a:1' })).toMatch(
      /not loopback/,
    );
    expect(await bad('/proxies/database/toxics', { type: 'latency', attributes: { latency: 5 } })).toMatch(
      /ttlMs/,
    );
    expect(await bad('/proxies/database/toxics', { type: 'status', ttlMs: 100 })).toBe(
      "type: unknown toxic type 'status' for a tcp proxy (one of latency, bandwidth, timeout, reset_peer, down)",
    );
    expect(
      await bad('/proxies/database/toxics', {
        type: 'latency',
        ttlMs: 100,
        attributes: { latency: 5, spread: 1 },
      }),
    ).toBe('attributes: Unrecognized key: "spread"');
    expect(await bad('/proxies/database/toxics', { type: 'latency', ttlMs: 100, attributes: {} })).toMatch(
      /^attributes\.latency: /,
    );
    expect(await bad('/proxies/database/toxics', { type: 'down', ttlMs: 100, firstN: 2 })).toMatch(
      /http proxies only/,
    );
    expect(await bad('/proxies/database/toxics', { type: 'down', ttlMs: 86_400_001 })).toMatch(/^ttlMs: /);
    expect(await bad('/proxies/database/toxics', { type: 'down', ttlMs: 10, toxicity: 1.5 })).toMatch(
      /^toxicity: /,
    );
    expect(await bad('/proxies/database', { enabled: 'no' })).toMatch(/^enabled: /);
  });

  it('answers 404 for unknown proxies, toxics and routes, and 409 for duplicates', async () => {
    const server = await startProxies();
    const echo = await startEchoServer();
    const config = { name: 'database', kind: 'tcp', upstream: `127.0.0.1:${echo.port}` } as const;
    await server.addProxy(config);
    expect(await call(server.url, 'GET', '/proxies/nope')).toEqual({
      status: 404,
      json: { error: "no proxy named 'nope'" },
    });
    expect((await call(server.url, 'POST', '/proxies/nope/toxics', { type: 'down', ttlMs: 10 })).status).toBe(
      404,
    );
    expect((await call(server.url, 'DELETE', '/proxies/database/toxics/nope')).status).toBe(404);
    expect((await call(server.url, 'GET', '/nothing')).status).toBe(404);
    expect((await call(server.url, 'POST', '/proxies', config)).json).toEqual({
      error: "proxy 'database' already exists",
    });
    await call(server.url, 'POST', '/proxies/database/toxics', { type: 'down', ttlMs: 1000 });
    const again = await call(server.url, 'POST', '/proxies/database/toxics', { type: 'down', ttlMs: 1000 });
    expect(again).toEqual({ status: 409, json: { error: "toxic 'down_downstream' already exists" } });
  });

  it('answers its version, and refuses bodies not sent as JSON and non-loopback Host headers', async () => {
    const server = await startProxies();
    expect((await call(server.url, 'GET', '/version')).json).toEqual({
      version: expect.any(String) as string,
    });
    const plain = await fetch(`${server.url}/proxies`, { method: 'POST', body: '{"name":"x"}' });
    expect(plain.status).toBe(415);
    // fetch may not set Host, so a plain node:http request, as a DNS-rebound page's would arrive.
    const rebound = await new Promise<number | undefined>((resolve, reject) => {
      get(`${server.url}/proxies`, { headers: { host: 'evil.example:80' } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      }).on('error', reject);
    });
    expect(rebound).toBe(403);
    const notJson = await fetch(`${server.url}/proxies`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(await notJson.json()).toEqual({ error: expect.stringMatching(/^body is not JSON/) as string });
  });

  it('refuses to bind the control API to a non-loopback host', async () => {
    const host = '0.0.0.0' as '127.0.0.1';
    await expect(startFaultProxyServer({ host })).rejects.toThrow(/127\.0\.0\.1 only/);
  });

  it('throws the same errors from the in-process API as the HTTP API answers', async () => {
    const server = await startProxies();
    expect(() => server.proxy('nope')).toThrow(expect.objectContaining({ status: 404 }) as Error);
    await expect(server.addProxy({ name: 'x', kind: 'tcp', upstream: 'nowhere' })).rejects.toMatchObject({
      status: 400,
      message: "upstream: 'nowhere' is not host:port",
    });
  });
});
