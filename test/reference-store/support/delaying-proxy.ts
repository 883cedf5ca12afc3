import type { IncomingHttpHeaders } from 'node:http';
import { startLoopbackServer } from '../../helpers/loopback-server.js';

/**
 * An HTTP hop in front of a payment vendor that holds every create (POST /v1/payment_intents) for a
 * while before passing it on, even after the caller gave up: a request that reaches the vendor late.
 * Lookups, refunds and ledger reads pass at once.
 */
export interface DelayingProxy {
  readonly url: string;
  setCreateDelayMs(ms: number): void;
  /** Requests received and not yet answered by the vendor. */
  pending(): number;
  close(): Promise<void>;
}

const hopByHop = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

function forwardable(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) =>
      typeof value === 'string' && !hopByHop.has(name) ? [[name, value]] : [],
    ),
  );
}

export async function startDelayingProxy(upstream: string): Promise<DelayingProxy> {
  let createDelayMs = 0;
  let pending = 0;
  const server = await startLoopbackServer((req, res) => {
    pending++;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const isCreate = req.method === 'POST' && (req.url ?? '').startsWith('/v1/payment_intents');
      const delay = isCreate ? createDelayMs : 0;
      setTimeout(() => {
        fetch(`${upstream}${req.url ?? '/'}`, {
          method: req.method ?? 'GET',
          headers: forwardable(req.headers),
          ...(req.method === 'GET' ? {} : { body: Buffer.concat(chunks) }),
        })
          .then(async (answer) => {
            const body = Buffer.from(await answer.arrayBuffer());
            if (!res.destroyed) {
              res.writeHead(answer.status, {
                'content-type': answer.headers.get('content-type') ?? 'text/plain',
              });
              res.end(body);
            }
          })
          .catch(() => {
            if (!res.destroyed) res.writeHead(502).end();
          })
          .finally(() => pending--);
      }, delay);
    });
  });
  return {
    url: server.url,
    setCreateDelayMs: (ms) => {
      createDelayMs = ms;
    },
    pending: () => pending,
    close: () => server.close(),
  };
}
