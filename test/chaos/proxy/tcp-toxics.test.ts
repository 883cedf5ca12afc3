import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import type { FaultProxyServer } from '../../../src/chaos/local/proxy/index.js';
import { median, proxyPort, startEchoServer, startProxies, tcpClient, type TcpClient } from './support.js';

/** A database-like proxy in front of an echo server. */
async function databaseProxy(server?: FaultProxyServer) {
  const proxies = server ?? (await startProxies());
  const echo = await startEchoServer();
  const proxy = await proxies.addProxy({ name: 'database', kind: 'tcp', upstream: `127.0.0.1:${echo.port}` });
  const port = proxyPort(proxy.listen);
  return { proxies, echo, port, connect: () => tcpClient(port) };
}

async function roundTrip(client: TcpClient, text = 'ping'): Promise<number> {
  const start = performance.now();
  client.send(text);
  expect(await client.read(text.length)).toBe(text);
  return performance.now() - start;
}

describe('TCP fault proxy', () => {
  it('passes bytes both ways untouched while no toxic is active', async () => {
    const { connect } = await databaseProxy();
    const client = await connect();
    const big = 'x'.repeat(1_000_000);
    client.send(big);
    expect(await client.read(big.length)).toBe(big);
    expect(await roundTrip(client)).toBeLessThan(50);
  });

  it('delays each chunk by the latency toxic, on connections already open too: median 50 ms ± 20 ms', async () => {
    const { proxies, connect } = await databaseProxy();
    const client = await connect();
    await roundTrip(client);
    proxies.addToxic('database', { type: 'latency', ttlMs: 10_000, attributes: { latency: 50, jitter: 10 } });
    const took: number[] = [];
    for (let i = 0; i < 10; i++) took.push(await roundTrip(client, `query ${i};`));
    expect(median(took)).toBeGreaterThan(30);
    expect(median(took)).toBeLessThan(70);
    expect(proxies.toxic('database', 'latency_downstream').hits).toBe(1);
  });

  it('keeps bytes in order whatever the jitter', async () => {
    const { proxies, connect } = await databaseProxy();
    proxies.addToxic('database', {
      type: 'latency',
      stream: 'upstream',
      ttlMs: 10_000,
      attributes: { latency: 10, jitter: 10 },
    });
    const client = await connect();
    const parts = Array.from({ length: 50 }, (_, i) => `${i},`);
    for (const part of parts) {
      client.send(part);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await client.read(parts.join('').length)).toBe(parts.join(''));
  });

  it('limits the rate with the bandwidth toxic: 30 KB at 100 KB/s takes about 300 ms', async () => {
    const { proxies, connect } = await databaseProxy();
    proxies.addToxic('database', { type: 'bandwidth', ttlMs: 10_000, attributes: { rate: 100 } });
    const client = await connect();
    const took = await roundTrip(client, 'y'.repeat(30_000));
    expect(took).toBeGreaterThan(250);
    expect(took).toBeLessThan(600);
  });

  it('holds data while a timeout 0 toxic lasts and lets it through when it is deleted', async () => {
    const { proxies, connect } = await databaseProxy();
    const client = await connect();
    proxies.addToxic('database', {
      name: 'hold',
      type: 'timeout',
      ttlMs: 10_000,
      attributes: { timeout: 0 },
    });
    const answer = client.read(4);
    client.send('ping');
    expect(await client.ending(200)).toBe('open');
    proxies.removeToxic('database', 'hold');
    expect(await answer).toBe('ping');
  });

  it('closes a connection timeout ms after the timeout toxic stopped its data', async () => {
    const { proxies, connect } = await databaseProxy();
    proxies.addToxic('database', { type: 'timeout', ttlMs: 10_000, attributes: { timeout: 100 } });
    const client = await connect();
    const start = performance.now();
    client.send('ping');
    expect(await client.ending(2_000)).toBe('close');
    expect(performance.now() - start).toBeGreaterThan(80);
  });

  it('resets connections with reset_peer: the client sees ECONNRESET', async () => {
    const { proxies, connect } = await databaseProxy();
    const open = await connect();
    await roundTrip(open);
    proxies.addToxic('database', { type: 'reset_peer', ttlMs: 10_000, attributes: { timeout: 0 } });
    expect(await open.ending(1_000)).toBe('ECONNRESET');
    // Reset at once, so the client may see it before its connect completes.
    const later = await connect().then(
      (client) => client.ending(1_000),
      (error: NodeJS.ErrnoException) => error.code,
    );
    expect(later).toBe('ECONNRESET');
    expect(proxies.toxic('database', 'reset_peer_downstream').hits).toBe(2);
  });

  it('cuts every open connection with down, both sides, and closes new ones at once while it lasts', async () => {
    const { proxies, echo, connect } = await databaseProxy();
    const open = await connect();
    await roundTrip(open);
    expect(echo.connections()).toBe(1);
    proxies.addToxic('database', { name: 'down', type: 'down', ttlMs: 10_000 });
    expect(await open.ending(1_000)).toBe('close');
    await expect.poll(() => echo.connections()).toBe(0);
    const refused = await connect();
    expect(await refused.ending(1_000)).toBe('close');
    expect(echo.connections()).toBe(0);
    expect(proxies.toxic('database', 'down').hits).toBe(2);
    proxies.removeToxic('database', 'down');
    expect(await roundTrip(await connect())).toBeLessThan(50);
  });

  it('affects a toxicity share of connections: 0.3 of 200 within 4 σ', async () => {
    const { proxies, connect } = await databaseProxy();
    proxies.addToxic('database', { type: 'down', toxicity: 0.3, ttlMs: 10_000 });
    let refused = 0;
    for (let i = 0; i < 200; i++) {
      const client = await connect();
      client.send('ping');
      const answer = await client.read(4).catch(() => 'refused');
      if (answer === 'refused') refused++;
      client.socket.destroy();
    }
    expect(Math.abs(refused - 60)).toBeLessThan(4 * Math.sqrt(200 * 0.3 * 0.7));
    expect(proxies.toxic('database', 'down_downstream').hits).toBe(refused);
  });
});
