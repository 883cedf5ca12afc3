import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { systemClock, type Clock } from '../../../core/clock.js';
import { closeServer, formatEndpoint, isLoopback, listenOn } from './address.js';
import { controlApi } from './control-api.js';
import { ProxyRegistry, type PopulateResult, type ProxySnapshot } from './proxy-registry.js';
import type { ProxyInput, ProxyPatchInput } from './proxy-schema.js';
import type { ToxicInput, ToxicPatchInput } from './schema.js';
import type { ToxicSnapshot } from './toxic-set.js';

/** The TTL of a toxic added without one (Toxiproxy's clients never send one): a forgotten fault still ends. */
const defaultToxicTtlMs = 10 * 60_000;
/** The longest TTL a toxic may ask for unless the server says otherwise. */
const defaultMaxToxicTtlMs = 24 * 3_600_000;

export interface FaultProxyServerOptions {
  /** The control API's address. Default 127.0.0.1; any other needs `allowNonLoopback`. */
  readonly host?: string;
  /** Default 0: any free port. */
  readonly port?: number;
  /**
   * Lets the control API and the proxies bind addresses other than loopback, and the control API answer
   * any Host. Default false: faults stay on this machine (DESIGN.md, Safety).
   */
  readonly allowNonLoopback?: boolean;
  /** The longest TTL a toxic may have; a toxic without one gets the shorter of 10 minutes and this. Default 24 h. */
  readonly maxToxicTtlMs?: number;
  /** Uniform in [0, 1), for toxicity draws, jitter and slices; pass a seeded one for repeatable runs. Default Math.random. */
  readonly random?: () => number;
  /** Toxics' createdAt and expiresAt, and their lazy expiry. Default the system clock. */
  readonly clock?: Clock;
}

/** The fault proxies and their control API; each method does what the matching HTTP route does. */
export interface FaultProxyServer {
  /** The control API's base, `http://host:port`. */
  readonly url: string;
  proxies(): ProxySnapshot[];
  proxy(name: string): ProxySnapshot;
  addProxy(config: ProxyInput): Promise<ProxySnapshot>;
  /** Toxiproxy's `/populate`: creates, keeps or replaces each proxy listed. */
  populate(configs: readonly ProxyInput[]): Promise<PopulateResult>;
  updateProxy(name: string, patch: ProxyPatchInput): Promise<ProxySnapshot>;
  removeProxy(name: string): Promise<void>;
  addToxic(proxy: string, toxic: ToxicInput): ToxicSnapshot;
  updateToxic(proxy: string, name: string, patch: ToxicPatchInput): ToxicSnapshot;
  toxics(proxy: string): ToxicSnapshot[];
  toxic(proxy: string, name: string): ToxicSnapshot;
  removeToxic(proxy: string, name: string): void;
  /** Removes every toxic and enables every proxy. */
  reset(): Promise<void>;
  /** Closes every proxy (and their connections, toxics removed), then the control API. */
  close(): Promise<void>;
}

export async function startFaultProxyServer(
  options: FaultProxyServerOptions = {},
): Promise<FaultProxyServer> {
  const host = options.host ?? '127.0.0.1';
  const allowNonLoopback = options.allowNonLoopback ?? false;
  if (!allowNonLoopback && !isLoopback(host)) {
    throw new Error(`the fault proxy control API binds loopback only, not ${host}, unless allowNonLoopback`);
  }
  const maxMs = options.maxToxicTtlMs ?? defaultMaxToxicTtlMs;
  const registry = new ProxyRegistry(
    {
      random: options.random ?? Math.random,
      clock: options.clock ?? systemClock,
      toxicTtl: { defaultMs: Math.min(defaultToxicTtlMs, maxMs), maxMs },
    },
    { allowNonLoopback },
  );
  const listener = getRequestListener(controlApi(registry, { anyHost: allowNonLoopback }).fetch);
  const server = createServer((request, response) => void listener(request, response));
  const bound = await listenOn(server, { host, port: options.port ?? 0 });
  let closing: Promise<void> | undefined;
  return {
    url: `http://${formatEndpoint(bound)}`,
    proxies: () => registry.list(),
    proxy: (name) => registry.get(name),
    addProxy: (config) => registry.add(config),
    populate: (configs) => registry.populate(configs),
    updateProxy: (name, patch) => registry.update(name, patch),
    removeProxy: (name) => registry.remove(name),
    addToxic: (proxy, toxic) => registry.addToxic(proxy, toxic),
    updateToxic: (proxy, name, patch) => registry.updateToxic(proxy, name, patch),
    toxics: (proxy) => registry.toxics(proxy),
    toxic: (proxy, name) => registry.toxic(proxy, name),
    removeToxic: (proxy, name) => registry.removeToxic(proxy, name),
    reset: () => registry.reset(),
    close() {
      closing ??= (async () => {
        await registry.close();
        const closed = closeServer(server);
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}
