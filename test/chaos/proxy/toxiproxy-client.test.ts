import { performance } from 'node:perf_hooks';
import { Toxiproxy, ToxiproxyError, type ICreateToxicBody } from 'toxiproxy-node-client';
import { describe, expect, it } from 'vitest';
import {
  attempt,
  freePort,
  proxyPort,
  startEchoServer,
  startProxies,
  tcpClient,
  type TcpClient,
} from './support.js';

/**
 * Toxiproxy's own Node client (toxiproxy-node-client, as the Testcontainers module uses it) against
 * the fault proxies, unchanged: what it sends, and how it reads the answers. Only lower bounds are
 * asserted on time, which a toxic guarantees whatever the machine's load.
 */
async function toxiproxy(options: Parameters<typeof startProxies>[0] = {}) {
  const server = await startProxies(options);
  const echo = await startEchoServer();
  const client = new Toxiproxy(server.url);
  const proxy = await client.createProxy({
    name: 'redis',
    listen: '127.0.0.1:0',
    upstream: `127.0.0.1:${echo.port}`,
  });
  const port = proxyPort(proxy.listen);
  return { server, echo, client, proxy, port, connect: () => tcpClient(port) };
}

function toxic<T>(
  type: ICreateToxicBody<T>['type'],
  attributes: T,
  stream: 'upstream' | 'downstream' = 'downstream',
) {
  return { name: `${type}_${stream}`, type, stream, toxicity: 1, attributes };
}

async function roundTrip(client: TcpClient, text = 'ping'): Promise<number> {
  const start = performance.now();
  client.send(text);
  expect(await client.read(text.length)).toBe(text);
  return performance.now() - start;
}

describe("Toxiproxy's Node client against the fault proxies", () => {
  it('creates, lists, reads, updates, disables and deletes a proxy', async () => {
    const { client, proxy, port, connect } = await toxiproxy();
    expect(proxy).toMatchObject({ name: 'redis', enabled: true });
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    expect(await roundTrip(await connect())).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(await client.getVersion())).toEqual({ version: expect.any(String) as string });

    expect(Object.keys(await client.getAll())).toEqual(['redis']);
    expect((await client.get('redis')).toJson()).toEqual(proxy.toJson());

    const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    expect(disabled.enabled).toBe(false);
    expect(await attempt(port)).toBe('refused');
    const enabled = await disabled.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    expect(enabled).toMatchObject({ enabled: true, listen: proxy.listen });
    expect(await attempt(port)).toBe('accepted');

    const tagged = await startEchoServer('replica:');
    const moved = await enabled.update({
      enabled: true,
      listen: `127.0.0.1:${await freePort()}`,
      upstream: `127.0.0.1:${tagged.port}`,
    });
    expect(moved.listen).not.toBe(proxy.listen);
    expect(await attempt(port)).toBe('refused');
    const client2 = await tcpClient(proxyPort(moved.listen));
    client2.send('a');
    expect(await client2.read(9)).toBe('replica:a');

    await moved.remove();
    expect(await client.getAll()).toEqual({});
    expect(await attempt(proxyPort(moved.listen))).toBe('refused');
  });

  it('adds, reads, updates and removes a toxic; one added without a TTL gets the default one', async () => {
    const { server, proxy, connect } = await toxiproxy({ clock: { now: () => 1_000 } });
    const added = await proxy.addToxic(toxic('latency', { latency: 100, jitter: 0 }));
    expect(added.toJson()).toEqual({
      name: 'latency_downstream',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 100, jitter: 0 },
    });
    // Ten minutes: a fault whose injector forgot it still ends.
    expect(server.toxic('redis', 'latency_downstream')).toMatchObject({ ttlMs: 600_000, expiresAt: 601_000 });
    const client = await connect();
    expect(await roundTrip(client)).toBeGreaterThanOrEqual(95);

    const read = await proxy.getToxic<{ latency: number; jitter: number }>('latency_downstream');
    expect(read.toJson()).toEqual(added.toJson());
    const updated = await read.update({ ...read.toJson(), attributes: { latency: 300, jitter: 0 } });
    expect(updated.attributes).toEqual({ latency: 300, jitter: 0 });
    expect(await roundTrip(client, 'pong')).toBeGreaterThanOrEqual(290);

    await updated.remove();
    expect(server.toxics('redis')).toEqual([]);
    await expect(proxy.getToxic('latency_downstream')).rejects.toThrow(ToxiproxyError);
  });

  it("bounds a toxic's TTL by the server's maximum: the default shortens to it, a longer one is refused", async () => {
    const { server, proxy } = await toxiproxy({ maxToxicTtlMs: 60_000 });
    await proxy.addToxic(toxic('timeout', { timeout: 0 }));
    expect(server.toxic('redis', 'timeout_downstream').ttlMs).toBe(60_000);
    const tooLong = await fetch(`${server.url}/proxies/redis/toxics`, {
      method: 'POST',
      body: JSON.stringify({ type: 'latency', ttlMs: 60_001, attributes: { latency: 1 } }),
    });
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toMatchObject({ error: expect.stringMatching(/--max-toxic-ttl/) as string });
  });

  it('resets: every toxic removed and every proxy enabled again', async () => {
    const { client, server, proxy, port } = await toxiproxy();
    await proxy.addToxic(toxic('latency', { latency: 1_000, jitter: 0 }));
    await proxy.addToxic(toxic('bandwidth', { rate: 1 }, 'upstream'));
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    await client.reset();
    expect(server.proxy('redis')).toMatchObject({ enabled: true, toxics: [] });
    expect(await attempt(port)).toBe('accepted');
  });

  it('populates: creates new proxies, keeps an identical one with its toxics, replaces a changed one', async () => {
    const { client, server, proxy, echo } = await toxiproxy();
    await proxy.addToxic(toxic('latency', { latency: 10, jitter: 0 }));
    const same = { name: 'redis', listen: proxy.listen, upstream: proxy.upstream };
    const created = await client.populate([
      same,
      { name: 'postgres', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` },
    ]);
    expect(Object.keys(created)).toEqual(['redis', 'postgres']);
    expect(server.toxics('redis').map((kept) => kept.name)).toEqual(['latency_downstream']);
    const postgres = await tcpClient(proxyPort(server.proxy('postgres').listen));
    expect(await roundTrip(postgres)).toBeGreaterThanOrEqual(0);

    const other = await startEchoServer('other:');
    await client.populate([{ ...same, upstream: `127.0.0.1:${other.port}` }]);
    expect(server.proxy('redis')).toMatchObject({ upstream: `127.0.0.1:${other.port}`, toxics: [] });
    expect(Object.keys(await client.getAll())).toEqual(['postgres', 'redis']);
  });

  describe('each TCP toxic, seen by a client through the proxy', () => {
    it('latency: every answer waits at least its latency', async () => {
      const { proxy, connect } = await toxiproxy();
      await proxy.addToxic(toxic('latency', { latency: 150, jitter: 0 }));
      expect(await roundTrip(await connect())).toBeGreaterThanOrEqual(145);
    });

    it('bandwidth: 20 KB at 50 KB/s takes at least 0.35 s', async () => {
      const { proxy, connect } = await toxiproxy();
      await proxy.addToxic(toxic('bandwidth', { rate: 50 }));
      expect(await roundTrip(await connect(), 'b'.repeat(20_000))).toBeGreaterThanOrEqual(350);
    });

    it('slow_close: the close reaches the client at least its delay after the upstream closed', async () => {
      const { proxy, connect } = await toxiproxy();
      await proxy.addToxic(toxic('slow_close', { delay: 300 }));
      const client = await connect();
      await roundTrip(client);
      const start = performance.now();
      client.socket.end(); // the echo server closes in turn
      expect(await client.ending(5_000)).toBe('close');
      expect(performance.now() - start).toBeGreaterThanOrEqual(295);
    });

    it('timeout: data stops, and the connection closes after its timeout', async () => {
      const { proxy, connect } = await toxiproxy();
      await proxy.addToxic(toxic('timeout', { timeout: 200 }));
      const client = await connect();
      const start = performance.now();
      client.send('ping');
      expect(await client.ending(5_000)).toBe('close');
      expect(performance.now() - start).toBeGreaterThanOrEqual(195);
      await expect(client.read(4)).rejects.toThrow(/connection ended \(close\) after ''/);
    });

    it('reset_peer: the client sees ECONNRESET', async () => {
      const { proxy, connect } = await toxiproxy();
      const client = await connect();
      await roundTrip(client);
      await proxy.addToxic(toxic('reset_peer', { timeout: 0 }));
      expect(await client.ending(5_000)).toBe('ECONNRESET');
    });

    it('slicer: 1,000 bytes come in pieces of 100 ± 20 bytes, 20 ms apart, whole and in order', async () => {
      const { proxy, connect } = await toxiproxy();
      await proxy.addToxic(toxic('slicer', { average_size: 100, size_variation: 20, delay: 20_000 }));
      const client = await connect();
      const reads: number[] = [];
      client.socket.on('data', (chunk: Buffer) => reads.push(chunk.length));
      const text = Array.from({ length: 100 }, (_, i) => `${i}`.padStart(9, '.') + ',').join('');
      const took = await roundTrip(client, text);
      expect(reads.reduce((sum, size) => sum + size, 0)).toBe(1_000);
      expect(reads.length).toBeGreaterThan(1);
      // At least ceil(1000 / 120) = 9 pieces, so at least 8 gaps of 20 ms.
      expect(took).toBeGreaterThanOrEqual(155);
    });

    it('limit_data: the client gets its bytes, then the connection closes', async () => {
      const { proxy, connect } = await toxiproxy();
      await proxy.addToxic(toxic('limit_data', { bytes: 10 }));
      const client = await connect();
      client.send('hello world, and more');
      expect(await client.read(10)).toBe('hello worl');
      expect(await client.ending(5_000)).toBe('close');
      await expect(client.read(1)).rejects.toThrow(/connection ended/);
    });

    it('a disabled proxy refuses connections, as Toxiproxy takes a service down', async () => {
      const { proxy, port, connect } = await toxiproxy();
      const open = await connect();
      await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
      expect(await open.ending(5_000)).toBe('close');
      expect(await attempt(port)).toBe('refused');
    });
  });
});
