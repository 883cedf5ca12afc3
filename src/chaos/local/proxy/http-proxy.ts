import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { formatEndpoint } from './address.js';
import { Forwarder } from './http-forward.js';
import { ProxyListener } from './listener.js';
import type { FaultProxy, ProxyDeps } from './fault-proxy.js';
import type { ProxyConfig } from './proxy-schema.js';
import { parseToxic, parseToxicPatch, type HttpEffect, type ToxicConfig, type ToxicMatch } from './schema.js';
import { draws, ToxicSet, type ActiveToxic } from './toxic-set.js';

type HttpToxic = ActiveToxic<HttpEffect>;
/** A patch of an HTTP toxic is an HTTP toxic again (parseToxicPatch keeps the type). */
type HttpChange = { config: ToxicConfig<HttpEffect>; renewTtl: boolean };
/** A toxic that answers the request (or refuses to), rather than only delaying it. */
type AnsweringToxic = ActiveToxic<Exclude<HttpEffect, { type: 'latency' }>>;

/**
 * An HTTP reverse proxy (payment vendors, CDN origin). Toxics apply per request, in creation order:
 * latency toxics add up, and the first answering toxic (status, throttle, abort, hang, reset_after)
 * ends the chain; toxics after it are not drawn for that request. `stream` is recorded but every HTTP
 * toxic acts on the request. A `hang` that ends (deleted, expired, reset) closes the connections it holds.
 */
export async function startHttpProxy(
  config: ProxyConfig,
  { random, clock, toxicTtl }: ProxyDeps,
): Promise<FaultProxy> {
  const forwarder = new Forwarder(config.upstream);
  let upstream = config.upstream;
  const held = new Map<AnsweringToxic, Set<ServerResponse>>();
  const toxics = new ToxicSet<HttpEffect>(clock, {
    added: (toxic) => {
      if (toxic.type === 'hang') held.set(toxic, new Set());
    },
    removed: (toxic) => {
      if (toxic.type !== 'hang') return;
      for (const response of held.get(toxic) ?? []) response.socket?.destroy();
      held.delete(toxic);
    },
    // Requests a hang holds stay held by the updated toxic.
    updated: (previous, next) => {
      let holding: Set<ServerResponse> | undefined;
      if (previous.type === 'hang') {
        holding = held.get(previous);
        held.delete(previous);
      }
      if (next.type === 'hang') held.set(next, holding ?? new Set());
    },
  });

  const answer = (
    toxic: AnsweringToxic | undefined,
    request: IncomingMessage,
    response: ServerResponse,
  ): void => {
    if (response.destroyed || request.socket.destroyed) return;
    if (toxic === undefined) {
      forwarder.forward(request, response);
      return;
    }
    switch (toxic.type) {
      case 'status': {
        const { status, body, headers } = toxic.attributes;
        request.resume();
        response.writeHead(status, { ...lowercased(headers), 'content-length': Buffer.byteLength(body) });
        response.end(body);
        return;
      }
      case 'throttle':
        request.resume();
        response.writeHead(429, {
          'retry-after': String(toxic.attributes.retryAfterSeconds),
          'content-length': 0,
        });
        response.end();
        return;
      case 'abort':
        request.socket.resetAndDestroy();
        return;
      case 'hang': {
        const holding = held.get(toxic);
        if (!holding) {
          response.socket?.destroy(); // it ended while this request waited out a latency toxic
          return;
        }
        request.resume();
        holding.add(response);
        response.once('close', () => holding.delete(response));
        return;
      }
      case 'reset_after':
        forwarder.forward(request, response, toxic.attributes.bytes);
    }
  };

  const server = createServer((request, response) => {
    const active = toxics.active();
    if (active.length === 0) {
      forwarder.forward(request, response);
      return;
    }
    const { delayMs, toxic } = plan(active, request, random);
    // Unref'd: the client's socket keeps the process alive while it waits, and nothing else should.
    if (delayMs > 0) setTimeout(() => answer(toxic, request, response), delayMs).unref();
    else answer(toxic, request, response);
  });
  server.keepAliveTimeout = 10_000;
  // The proxy never times a request out itself (a latency toxic may hold one for an hour): the client does.
  server.requestTimeout = 0;
  const listener = new ProxyListener(server, config.listen, () => server.closeAllConnections());
  // Bound even when created disabled, so the answer names the real port the store will be given.
  await listener.setEnabled(true);
  if (!config.enabled) await listener.setEnabled(false);

  return {
    name: config.name,
    kind: 'http',
    get listen() {
      return listener.endpoint;
    },
    get upstream() {
      return `http://${formatEndpoint(upstream)}`;
    },
    get enabled() {
      return listener.enabled;
    },
    setEnabled: (enabled) => listener.setEnabled(enabled),
    setListen: (next) => listener.moveTo(next),
    setUpstream: (next) => {
      upstream = next;
      forwarder.retarget(next);
    },
    addToxic: (input) => toxics.add(parseToxic('http', input, toxicTtl)),
    updateToxic: (name, input) =>
      toxics.update(name, (current) => parseToxicPatch('http', current, input, toxicTtl) as HttpChange),
    toxics: () => toxics.active(),
    removeToxic: (name) => toxics.remove(name),
    clearToxics: () => toxics.clear(),
    close: async () => {
      toxics.clear();
      await listener.setEnabled(false);
      await forwarder.close();
    },
  };
}

/** The delay and the answering toxic for one request; draws and counts only the toxics it reaches. */
function plan(
  active: readonly HttpToxic[],
  request: IncomingMessage,
  random: () => number,
): { delayMs: number; toxic: AnsweringToxic | undefined } {
  let delayMs = 0;
  for (const toxic of active) {
    if (!matches(toxic.match, request)) continue;
    if (toxic.firstN > 0 && ++toxic.matched > toxic.firstN) continue;
    if (!draws(toxic.toxicity, random)) continue;
    toxic.hits++;
    if (toxic.type !== 'latency') return { delayMs, toxic };
    const { latency, jitter } = toxic.attributes;
    delayMs += Math.max(0, latency + jitter * (2 * random() - 1));
  }
  return { delayMs, toxic: undefined };
}

function matches({ method, pathPrefix }: ToxicMatch, request: IncomingMessage): boolean {
  return (
    (method === undefined || request.method === method) &&
    (pathPrefix === undefined || (request.url ?? '/').startsWith(pathPrefix))
  );
}

function lowercased(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
