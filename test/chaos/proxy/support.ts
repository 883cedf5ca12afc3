import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach } from 'vitest';
import { seededRandom } from '../../../src/core/rng.js';
import {
  startFaultProxyServer,
  type FaultProxyServer,
  type FaultProxyServerOptions,
} from '../../../src/chaos/local/proxy/index.js';

/** Everything a test starts, closed after it in reverse order. */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export function closeAfter(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup);
}

export async function startProxies(options: FaultProxyServerOptions = {}): Promise<FaultProxyServer> {
  const random = seededRandom(7);
  const server = await startFaultProxyServer({ random: () => random.next(), ...options });
  closeAfter(() => server.close());
  return server;
}

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A TCP server that echoes, optionally prefixed with its tag (to tell two upstreams apart). */
export async function startEchoServer(tag = ''): Promise<{ port: number; connections(): number }> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: false }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => socket.write(tag === '' ? chunk : Buffer.concat([Buffer.from(tag), chunk])));
  });
  const port = await listening(server);
  closeAfter(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { port, connections: () => sockets.size };
}

/** What the HTTP upstream received, per request. */
export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** An HTTP upstream that answers 200 `ok` (or its body echoed for POST) and records each request. */
export async function startHttpUpstream(): Promise<{ url: string; received: Received[]; sockets(): number }> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  let opened = 0;
  const server = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      response.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': 'yes' });
      response.end(request.method === 'POST' ? `echo:${body}` : 'ok');
    });
  });
  server.on('connection', (socket: Socket) => {
    opened++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listening(server);
  closeAfter(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${port}`, received, sockets: () => opened };
}

/** A client connection that reads what comes back and tells how it ended. */
export interface TcpClient {
  readonly socket: Socket;
  send(text: string): void;
  /** Resolves with the next `bytes` bytes received (or rejects when the connection ends first). */
  read(bytes: number): Promise<string>;
  /** How the connection ended: 'close' (FIN), the error code (ECONNRESET), or 'open' after `withinMs`. */
  ending(withinMs: number): Promise<string>;
}

export async function tcpClient(port: number): Promise<TcpClient> {
  const socket = connect({ port, host: '127.0.0.1', noDelay: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  closeAfter(() => void socket.destroy());
  let buffered = '';
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const waiter of waiters) waiter();
    waiters.clear();
  };
  let end: string | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    wake();
  });
  socket.on('error', (error: NodeJS.ErrnoException) => {
    end ??= error.code ?? error.message;
    wake();
  });
  socket.on('close', () => {
    end ??= 'close';
    wake();
  });
  const next = (): Promise<void> => new Promise((resolve) => waiters.add(resolve));
  return {
    socket,
    send: (text) => void socket.write(text),
    async read(bytes) {
      while (buffered.length < bytes) {
        if (end !== undefined) throw new Error(`connection ended (${end}) after '${buffered}'`);
        await next();
      }
      const text = buffered.slice(0, bytes);
      buffered = buffered.slice(bytes);
      return text;
    },
    async ending(withinMs) {
      if (end !== undefined) return end;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, withinMs)));
      while (end === undefined) {
        const timedOut = await Promise.race([next().then(() => false), timeout.then(() => true)]);
        if (timedOut) break;
      }
      clearTimeout(timer);
      return end ?? 'open';
    },
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

export const proxyPort = (listen: string): number => Number(listen.slice(listen.lastIndexOf(':') + 1));

/** How a connection attempt to `port` goes: 'refused' (ECONNREFUSED) or 'accepted'. */
export function attempt(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ECONNREFUSED' ? 'refused' : 'other'),
    );
  });
}

/** A loopback port free a moment ago (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listening(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}
