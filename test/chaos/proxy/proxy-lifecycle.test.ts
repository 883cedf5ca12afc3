import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import {
  attempt,
  proxyPort,
  startEchoServer,
  startHttpUpstream,
  startProxies,
  tcpClient,
} from './support.js';

async function status(url: string): Promise<number> {
  const response = await request(url);
  await response.body.dump();
  return response.statusCode;
}

describe('fault proxy lifecycle', () => {
  it('removes a toxic when its TTL passes, by its own timer, and traffic is clean again', async () => {
    // A clock that never moves: only the proxy's timer can end the toxic.
    const proxies = await startProxies({ clock: { now: () => 0 } });
    const upstream = await startHttpUpstream();
    const proxy = await proxies.addProxy({ name: 'vendor', kind: 'http', upstream: upstream.url });
    const toxic = proxies.addToxic('vendor', { type: 'status', ttlMs: 150, attributes: { status: 503 } });
    expect(toxic.expiresAt).toBe(150);
    expect(await status(`http://${proxy.listen}/`)).toBe(503);
    await expect.poll(() => proxies.toxics('vendor'), { timeout: 2_000, interval: 25 }).toEqual([]);
    expect(await status(`http://${proxy.listen}/`)).toBe(200);
  });

  it('checks expiry against the clock on every connection and request, whatever the timer', async () => {
    let now = 0;
    const proxies = await startProxies({ clock: { now: () => now } });
    const echo = await startEchoServer();
    const upstream = await startHttpUpstream();
    const database = await proxies.addProxy({
      name: 'database',
      kind: 'tcp',
      upstream: `127.0.0.1:${echo.port}`,
    });
    const vendor = await proxies.addProxy({ name: 'vendor', kind: 'http', upstream: upstream.url });
    proxies.addToxic('database', { type: 'down', ttlMs: 60_000 });
    proxies.addToxic('vendor', { type: 'status', ttlMs: 60_000, attributes: { status: 503 } });
    now = 60_000;
    const client = await tcpClient(proxyPort(database.listen));
    client.send('ping');
    expect(await client.read(4)).toBe('ping');
    expect(await status(`http://${vendor.listen}/`)).toBe(200);
    expect(proxies.proxies().map((proxy) => proxy.toxics)).toEqual([[], []]);
  });

  it('releases held TCP data when a timeout toxic expires', async () => {
    const proxies = await startProxies();
    const echo = await startEchoServer();
    const proxy = await proxies.addProxy({
      name: 'database',
      kind: 'tcp',
      upstream: `127.0.0.1:${echo.port}`,
    });
    const client = await tcpClient(proxyPort(proxy.listen));
    proxies.addToxic('database', {
      type: 'timeout',
      stream: 'upstream',
      ttlMs: 150,
      attributes: { timeout: 0 },
    });
    client.send('ping');
    expect(await client.read(4)).toBe('ping');
    expect(proxies.toxics('database')).toEqual([]);
  });

  it('refuses connections while disabled, closing open ones, and accepts again on the same port', async () => {
    const proxies = await startProxies();
    const echo = await startEchoServer();
    const proxy = await proxies.addProxy({
      name: 'database',
      kind: 'tcp',
      upstream: `127.0.0.1:${echo.port}`,
    });
    const port = proxyPort(proxy.listen);
    const open = await tcpClient(port);
    await proxies.updateProxy('database', { enabled: false });
    expect(await open.ending(1_000)).toBe('close');
    expect(await attempt(port)).toBe('refused');
    const enabled = await proxies.updateProxy('database', { enabled: true });
    expect(enabled.listen).toBe(proxy.listen);
    expect(await attempt(port)).toBe('accepted');
  });

  it('sends new TCP connections to a new upstream and leaves open ones where they were', async () => {
    const proxies = await startProxies();
    const primary = await startEchoServer('primary:');
    const replica = await startEchoServer('replica:');
    const proxy = await proxies.addProxy({
      name: 'database',
      kind: 'tcp',
      upstream: `127.0.0.1:${primary.port}`,
    });
    const before = await tcpClient(proxyPort(proxy.listen));
    before.send('a');
    expect(await before.read(9)).toBe('primary:a');
    const updated = await proxies.updateProxy('database', { upstream: `127.0.0.1:${replica.port}` });
    expect(updated.upstream).toBe(`127.0.0.1:${replica.port}`);
    const after = await tcpClient(proxyPort(proxy.listen));
    after.send('b');
    expect(await after.read(9)).toBe('replica:b');
    before.send('c');
    expect(await before.read(9)).toBe('primary:c');
  });

  it('sends new HTTP requests to a new upstream', async () => {
    const proxies = await startProxies();
    const first = await startHttpUpstream();
    const second = await startHttpUpstream();
    const proxy = await proxies.addProxy({ name: 'origin', kind: 'http', upstream: first.url });
    await status(`http://${proxy.listen}/a`);
    await proxies.updateProxy('origin', { upstream: second.url });
    await status(`http://${proxy.listen}/b`);
    expect(first.received.map((received) => received.url)).toEqual(['/a']);
    expect(second.received.map((received) => received.url)).toEqual(['/b']);
  });

  it('cleans everything on POST /reset: every toxic removed and every proxy enabled', async () => {
    const proxies = await startProxies();
    const echo = await startEchoServer();
    const upstream = await startHttpUpstream();
    const database = await proxies.addProxy({
      name: 'database',
      kind: 'tcp',
      upstream: `127.0.0.1:${echo.port}`,
    });
    const vendor = await proxies.addProxy({
      name: 'vendor',
      kind: 'http',
      upstream: upstream.url,
      enabled: false,
    });
    proxies.addToxic('database', { type: 'latency', ttlMs: 60_000, attributes: { latency: 1_000 } });
    proxies.addToxic('vendor', { type: 'status', ttlMs: 60_000, attributes: { status: 503 } });
    expect(await attempt(proxyPort(vendor.listen))).toBe('refused');

    const reset = await fetch(`${proxies.url}/reset`, { method: 'POST' });
    expect(reset.status).toBe(204);
    expect(proxies.proxies().map(({ enabled, toxics }) => ({ enabled, toxics }))).toEqual([
      { enabled: true, toxics: [] },
      { enabled: true, toxics: [] },
    ]);
    expect(await status(`http://${vendor.listen}/`)).toBe(200);
    const client = await tcpClient(proxyPort(database.listen));
    const start = performance.now();
    client.send('ping');
    expect(await client.read(4)).toBe('ping');
    expect(performance.now() - start).toBeLessThan(500);
  });

  it('stops listening when a proxy is deleted, and closes every proxy when the server closes', async () => {
    const proxies = await startProxies();
    const echo = await startEchoServer();
    const kept = await proxies.addProxy({ name: 'kept', kind: 'tcp', upstream: `127.0.0.1:${echo.port}` });
    const deleted = await proxies.addProxy({
      name: 'deleted',
      kind: 'tcp',
      upstream: `127.0.0.1:${echo.port}`,
    });
    await proxies.removeProxy('deleted');
    expect(await attempt(proxyPort(deleted.listen))).toBe('refused');
    expect(await attempt(proxyPort(kept.listen))).toBe('accepted');
    await proxies.close();
    expect(await attempt(proxyPort(kept.listen))).toBe('refused');
  });
});
