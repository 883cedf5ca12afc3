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
    expect(created.status).toBe(200);
    expect(created.json).toEqual({
      name: 'status_downstream',
      type: 'status',
      stream: 'downstream',
      toxicity: 1,
      attributes: { status: 503, body: '', headers: {} },
      match: { method: 'POST', pathPrefix: '/v1/payment_intents' },
      firstN: 0,
      ttlMs: 5_000,
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

  it('updates a toxic as Toxiproxy does: attributes merged, toxicity replaced, the TTL renewed only when given', async () => {
    let now = 1_000;
    const server = await startProxies({ clock: { now: () => now } });
    const echo = await startEchoServer();
    await server.addProxy({ name: 'database', upstream: `127.0.0.1:${echo.port}` });
    const created = await call(server.url, 'POST', '/proxies/database/toxics', {
      type: 'latency',
      attributes: { latency: 100, jitter: 10 },
    });
    expect(created.json).toMatchObject({ ttlMs: 600_000, expiresAt: 601_000 });
    now = 2_000;
    const patched = await call(server.url, 'PATCH', '/proxies/database/toxics/latency_downstream', {
      toxicity: 0.5,
      attributes: { latency: 200 },
    });
    expect(patched).toMatchObject({
      status: 200,
      json: { toxicity: 0.5, attributes: { latency: 200, jitter: 10 }, createdAt: 1_000, expiresAt: 601_000 },
    });
    // What Toxiproxy's clients send: the toxic back as they read it, name, type and stream unchanged.
    const { name, type, stream, toxicity, attributes } = created.json;
    const renewed = await call(server.url, 'POST', '/proxies/database/toxics/latency_downstream', {
      ...{ name, type, stream, toxicity, attributes },
      ttlMs: 5_000,
    });
    expect(renewed.json).toMatchObject({
      toxicity: 1,
      attributes: { latency: 100 },
      ttlMs: 5_000,
      expiresAt: 7_000,
    });
    const retyped = await call(server.url, 'POST', '/proxies/database/toxics/latency_downstream', {
      type: 'bandwidth',
    });
    expect(retyped).toEqual({
      status: 400,
      json: { error: "type: a toxic's type cannot change; delete it and add another", status: 400 },
    });
  });

  it("takes the bodies toxiproxy-cli's Go client sends: toxics null or echoed, an empty toxic name, PATCH updates", async () => {
    const server = await startProxies();
    const echo = await startEchoServer();
    const send = (method: string, path: string, body: unknown) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: { 'user-agent': 'toxiproxy-cli', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const upstream = `127.0.0.1:${echo.port}`;
    const created = await send('POST', '/proxies', {
      name: 'redis',
      listen: '127.0.0.1:0',
      upstream,
      enabled: true,
      toxics: null,
    });
    expect(created.status).toBe(201);
    const proxy = (await created.json()) as Json;
    const toxic = await send('POST', '/proxies/redis/toxics', {
      name: '',
      type: 'latency',
      stream: 'upstream',
      toxicity: 1,
      attributes: { latency: 1000 },
    });
    expect(toxic.status).toBe(200);
    expect(await toxic.json()).toMatchObject({
      name: 'latency_upstream',
      attributes: { latency: 1000, jitter: 0 },
    });
    const patched = await send('PATCH', '/proxies/redis/toxics/latency_upstream', {
      attributes: { jitter: 5 },
    });
    expect(await patched.json()).toMatchObject({ attributes: { latency: 1000, jitter: 5 } });
    const saved = await send('POST', '/proxies/redis', {
      ...proxy,
      enabled: false,
      toxics: server.toxics('redis'),
    });
    expect(await saved.json()).toMatchObject({ name: 'redis', enabled: false, listen: proxy.listen });
  });

  it('answers populate with the proxies it made and, when one cannot listen, 409 naming it', async () => {
    const server = await startProxies();
    const echo = await startEchoServer();
    const taken = await server.addProxy({ name: 'taken', upstream: `127.0.0.1:${echo.port}` });
    const answer = await call(server.url, 'POST', '/populate', [
      { name: 'first', upstream: `127.0.0.1:${echo.port}` },
      { name: 'second', listen: taken.listen, upstream: `127.0.0.1:${echo.port}` },
    ]);
    expect(answer.status).toBe(409);
    expect(answer.json).toMatchObject({
      error: `second: listen address ${taken.listen} is in use`,
      status: 409,
      proxies: [{ name: 'first', kind: 'tcp', enabled: true, toxics: [] }],
    });
    expect(server.proxies().map((proxy) => proxy.name)).toEqual(['taken', 'first']);
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
    expect(await bad('/proxies/database/toxics', { type: 'status', ttlMs: 100 })).toBe(
      "type: unknown toxic type 'status' for a tcp proxy (one of latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, down)",
    );
    expect(
      await bad('/proxies/database/toxics', {
        type: 'latency',
        ttlMs: 100,
        attributes: { latency: 5, spread: 1 },
      }),
    ).toBe('attributes: Unrecognized key: "spread"');
    expect(
      await bad('/proxies/database/toxics', { type: 'latency', ttlMs: 100, attributes: { latency: -1 } }),
    ).toMatch(/^attributes\.latency: /);
    expect(
      await bad('/proxies/database/toxics', {
        type: 'slicer',
        attributes: { average_size: 10, size_variation: 10 },
      }),
    ).toBe('attributes.size_variation: size_variation must be smaller than average_size');
    expect(await bad('/proxies/database/toxics', { type: 'down', ttlMs: 100, firstN: 2 })).toMatch(
      /http proxies only/,
    );
    expect(await bad('/proxies/database/toxics', { type: 'down', ttlMs: 86_400_001 })).toMatch(
      /^ttlMs: 86400001 is longer than this server's maximum toxic TTL \(86400000 ms/,
    );
    expect(await bad('/proxies/database/toxics', { type: 'down', ttlMs: 0 })).toMatch(/^ttlMs: /);
    expect(await bad('/proxies/database/toxics', { type: 'down', ttlMs: 10, toxicity: 1.5 })).toMatch(
      /^toxicity: /,
    );
    expect(await bad('/proxies/database', { enabled: 'no' })).toMatch(/^enabled: /);
    expect(await bad('/proxies/database', { kind: 'http' })).toMatch(/^kind: a proxy's kind cannot change/);
    expect(await bad('/populate', { name: 'x' })).toBe('body: expected a list of proxies');
    expect(
      await bad('/populate', [
        { name: 'a', upstream: 'a:1' },
        { name: 'b', upstream: 'nowhere' },
      ]),
    ).toBe("[1] upstream: 'nowhere' is not host:port");
    expect(server.proxies().map((proxy) => proxy.name)).toEqual(['database']);
  });

  it('answers 404 for unknown proxies, toxics and routes, and 409 for duplicates', async () => {
    const server = await startProxies();
    const echo = await startEchoServer();
    const config = { name: 'database', kind: 'tcp', upstream: `127.0.0.1:${echo.port}` } as const;
    await server.addProxy(config);
    expect(await call(server.url, 'GET', '/proxies/nope')).toEqual({
      status: 404,
      json: { error: "no proxy named 'nope'", status: 404 },
    });
    expect((await call(server.url, 'POST', '/proxies/nope/toxics', { type: 'down', ttlMs: 10 })).status).toBe(
      404,
    );
    expect((await call(server.url, 'DELETE', '/proxies/database/toxics/nope')).status).toBe(404);
    expect((await call(server.url, 'GET', '/nothing')).status).toBe(404);
    expect((await call(server.url, 'POST', '/proxies', config)).json).toEqual({
      error: "proxy 'database' already exists",
      status: 409,
    });
    await call(server.url, 'POST', '/proxies/database/toxics', { type: 'down', ttlMs: 1000 });
    const again = await call(server.url, 'POST', '/proxies/database/toxics', { type: 'down', ttlMs: 1000 });
    expect(again).toEqual({
      status: 409,
      json: { error: "toxic 'down_downstream' already exists", status: 409 },
    });
    expect((await call(server.url, 'POST', '/proxies/database/toxics/nope', { toxicity: 0.5 })).status).toBe(
      404,
    );
  });

  it('answers its version, takes JSON whatever its Content-Type, and refuses browsers and non-loopback Host names', async () => {
    const server = await startProxies();
    const echo = await startEchoServer();
    expect((await call(server.url, 'GET', '/version')).json).toEqual({
      version: expect.any(String) as string,
    });
    // As Toxiproxy's curl examples send it: no Content-Type (fetch labels a string text/plain).
    const plain = await fetch(`${server.url}/proxies`, {
      method: 'POST',
      body: JSON.stringify({ name: 'plain', upstream: `127.0.0.1:${echo.port}` }),
    });
    expect(plain.status).toBe(201);
    expect(await plain.json()).toMatchObject({ name: 'plain', kind: 'tcp', enabled: true });
    const statusWith = (headers: Record<string, string>) =>
      // fetch may not set Host, so a plain node:http request, as a DNS-rebound page's would arrive.
      new Promise<number | undefined>((resolve, reject) => {
        get(`${server.url}/proxies`, { headers }, (response) => {
          response.resume();
          resolve(response.statusCode);
        }).on('error', reject);
      });
    expect(await statusWith({ host: 'evil.example:80' })).toBe(403);
    expect(await statusWith({ host: '127.0.0.2:8474' })).toBe(200);
    expect(await statusWith({ 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)' })).toBe(403);
    expect(await statusWith({ origin: 'https://evil.example' })).toBe(403);
    const notJson = await fetch(`${server.url}/proxies`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(await notJson.json()).toEqual({
      error: expect.stringMatching(/^body is not JSON/) as string,
      status: 400,
    });
  });

  it('refuses to bind the control API to a non-loopback host', async () => {
    await expect(startFaultProxyServer({ host: '0.0.0.0' })).rejects.toThrow(
      /binds loopback only, not 0\.0\.0\.0/,
    );
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
