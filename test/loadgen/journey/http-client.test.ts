import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpRequest } from '../../../src/loadgen/http-client.js';

/** Answers `/json` in chunks (103 Early Hints first), `/slow` after 2 s, anything else with `ok`. */
const sockets = new Set<Socket>();
const server = createServer((request, response) => {
  request.resume();
  if (request.url === '/json') return chunkedJson(response);
  if (request.url === '/slow') return void setTimeout(() => response.end('late'), 2000);
  response.end('ok');
});
server.on('connection', (socket) => sockets.add(socket));
let origin = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function chunkedJson(response: ServerResponse): void {
  response.writeEarlyHints({ link: '</style.css>; rel=preload' });
  response.setHeader('content-type', 'application/json');
  response.write('{"items":[{"id"');
  setTimeout(() => response.end(':1}]}'), 5);
}

const request = (path: string, signal: AbortSignal, readJson = false): HttpRequest => ({
  origin,
  path,
  method: 'GET',
  headers: {},
  readJson,
  timeoutMs: 1000,
  signal,
});

describe('the HTTP client', () => {
  it('keeps connections alive, one request on each at a time', async () => {
    sockets.clear();
    const client = createHttpClient({ connectTimeoutMs: 1000 });
    const signal = new AbortController().signal;
    try {
      for (let i = 0; i < 5; i++) await client.request(request('/', signal));
      expect(sockets.size).toBe(1);
      const answers = await Promise.all(
        Array.from({ length: 4 }, () => client.request(request('/', signal))),
      );
      expect(answers.every((answer) => answer.kind === 'answered' && answer.status === 200)).toBe(true);
      expect(sockets.size).toBe(4);
    } finally {
      await client.close();
    }
  });

  it('reads a JSON body only when asked, across chunks and after a 1xx answer', async () => {
    const client = createHttpClient({ connectTimeoutMs: 1000 });
    const signal = new AbortController().signal;
    try {
      expect(await client.request(request('/json', signal, true))).toEqual({
        kind: 'answered',
        status: 200,
        json: { items: [{ id: 1 }] },
      });
      expect(await client.request(request('/json', signal))).toEqual({
        kind: 'answered',
        status: 200,
        json: undefined,
      });
    } finally {
      await client.close();
    }
  });

  it("stops requests in flight when the run's signal aborts, and sends none after", async () => {
    const client = createHttpClient({ connectTimeoutMs: 1000 });
    const run = new AbortController();
    try {
      const inFlight = client.request(request('/slow', run.signal));
      setTimeout(() => run.abort(), 50);
      const startedAt = performance.now();
      expect(await inFlight).toEqual({ kind: 'aborted' });
      expect(performance.now() - startedAt).toBeLessThan(1000);
      expect(await client.request(request('/', run.signal))).toEqual({ kind: 'aborted' });
    } finally {
      await client.close();
    }
  });
});
