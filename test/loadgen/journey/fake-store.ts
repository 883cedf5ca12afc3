import type { HttpClient, HttpOutcome, HttpRequest } from '../../../src/loadgen/http-client.js';
import { startLoopbackServer, type LoopbackServer } from '../../helpers/loopback-server.js';

/** A request as the store saw it. */
export interface SeenRequest {
  readonly step: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What a step answers instead of the normal answer. */
export interface StepFault {
  readonly status?: number;
  readonly body?: string;
  /** Real milliseconds before answering (loopback server only). */
  readonly delayMs?: number;
}

/**
 * The five endpoints of the reference store's API that the checkout journey uses, in memory: a
 * catalog of 20 products, a cart per `x-session-id`, and checkouts that answer an order.
 */
export function fakeStore() {
  const seen: SeenRequest[] = [];
  const faults = new Map<string, StepFault>();
  const carts = new Map<string, (string | number)[]>();
  let orders = 0;

  const stepOf = (method: string, path: string): string => {
    const route = path.split('?')[0] ?? '';
    if (method === 'GET' && route === '/api/products') return 'browse';
    if (method === 'GET' && route.startsWith('/api/products/')) return 'product';
    if (method === 'POST' && route === '/api/cart/items') return 'add-to-cart';
    if (method === 'GET' && route === '/api/cart') return 'cart';
    if (method === 'POST' && route === '/api/checkout') return 'checkout';
    return 'unknown';
  };

  const normal = (step: string, request: SeenRequest): { status: number; body: string } => {
    const session = request.headers['x-session-id'] ?? '';
    switch (step) {
      case 'browse':
        return ok({ items: Array.from({ length: 20 }, (_, i) => ({ id: 100 + i, name: `product ${i}` })) });
      case 'product':
        return ok({ id: decodeURIComponent(request.path.split('/').pop() ?? ''), price: 1999 });
      case 'add-to-cart': {
        const { productId } = JSON.parse(request.body) as { productId: string | number };
        carts.set(session, [...(carts.get(session) ?? []), productId]);
        return { status: 201, body: JSON.stringify({ ok: true }) };
      }
      case 'cart':
        return ok({ items: (carts.get(session) ?? []).map((productId) => ({ productId, quantity: 1 })) });
      case 'checkout':
        orders += 1;
        return ok({ orderId: `order-${orders}`, status: 'paid' });
      default:
        return { status: 404, body: '{}' };
    }
  };

  return {
    seen,
    /** Makes `step` answer with this fault from now on. */
    fail(step: string, fault: StepFault) {
      faults.set(step, fault);
    },
    /** Forgets every fault and every request seen. */
    heal() {
      faults.clear();
      seen.length = 0;
    },
    handle(method: string, path: string, headers: Readonly<Record<string, string>>, body: string) {
      const step = stepOf(method, path);
      const request = { step, method, path, headers, body };
      seen.push(request);
      const fault = faults.get(step);
      const answer = normal(step, request);
      return {
        status: fault?.status ?? answer.status,
        body: fault?.body ?? answer.body,
        delayMs: fault?.delayMs ?? 0,
      };
    },
  };
}

export type FakeStore = ReturnType<typeof fakeStore>;

function ok(value: unknown) {
  return { status: 200, body: JSON.stringify(value) };
}

/** The fake store behind a node:http server on 127.0.0.1. */
export function listen(store: FakeStore): Promise<LoopbackServer> {
  return startLoopbackServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
      );
      const answer = store.handle(
        req.method ?? 'GET',
        req.url ?? '/',
        headers,
        Buffer.concat(chunks).toString(),
      );
      const send = () =>
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      if (answer.delayMs > 0) setTimeout(send, answer.delayMs);
      else send();
    });
  });
}

/**
 * An HTTP client that calls the fake store directly, with no socket, and advances `clock` by
 * `latencyMs` per request: thousands of iterations run in milliseconds.
 */
export function inMemoryClient(
  store: FakeStore,
  clock: { advance(ms: number): void } = { advance() {} },
  latencyMs = 0,
): HttpClient {
  return {
    request(request: HttpRequest): Promise<HttpOutcome> {
      const headers =
        request.body === undefined
          ? request.headers
          : { ...request.headers, 'content-type': 'application/json' };
      const answer = store.handle(request.method, request.path, headers, request.body ?? '');
      clock.advance(latencyMs);
      let json: unknown;
      try {
        json = request.readJson ? JSON.parse(answer.body) : undefined;
      } catch {
        json = undefined;
      }
      return Promise.resolve({ kind: 'answered', status: answer.status, json });
    },
    close: () => Promise.resolve(),
  };
}

/** A monotonic clock that moves only when told to. */
export function manualClock(startMs = 0) {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    advance(ms: number) {
      nowMs += ms;
    },
  };
}
