import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Env } from 'hono/types';

/** A hono app bound to a loopback (or given) port. */
export interface ListeningServer {
  /** `http://host:port`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  /**
   * Stops accepting, lets requests in flight finish for up to `drainMs` (default 0), then ends every
   * connection, keep-alive ones included, so a test or a game day stops at once.
   */
  close(drainMs?: number): Promise<void>;
}

export async function listenApp<E extends Env>(
  app: Hono<E>,
  port: number,
  host: string,
): Promise<ListeningServer> {
  const listener = getRequestListener(app.fetch);
  // The listener answers its own errors (500) and never rejects.
  const server = createServer((request, response) => void listener(request, response));
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostInUrl}:${bound}`,
    port: bound,
    close(drainMs = 0) {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (drainMs > 0) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([closed, new Promise((r) => (timer = setTimeout(r, drainMs)))]);
          clearTimeout(timer);
        }
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}
