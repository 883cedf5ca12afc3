import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { systemClock, type Clock } from '../../../core/clock.js';
import { closeServer, formatEndpoint, listenOn } from './address.js';
import { controlApi } from './control-api.js';
import { ProxyRegistry, type ProxySnapshot } from './proxy-registry.js';
import type { ProxyInput, ProxyPatchInput, ToxicInput } from './schema.js';
import type { ToxicSnapshot } from './toxic-set.js';

export interface FaultProxyServerOptions {
  /** The control API binds loopback only. Default 127.0.0.1. */
  readonly host?: '127.0.0.1';
  /** Default 0: any free port. */
  readonly port?: number;
  /** Uniform in [0, 1), for toxicity draws and jitter; pass a seeded one for repeatable runs. Default Math.random. */
  readonly random?: () => number;
  /** Toxics' createdAt and expiresAt, and their lazy expiry. Default the system clock. */
  readonly clock?: Clock;
}

/** The fault proxies and their control API; each method does what the matching HTTP route does. */
export interface FaultProxyServer {
  /** The control API's base, `http://127.0.0.1:port`. */
  readonly url: string;
  proxies(): ProxySnapshot[];
  proxy(name: string): ProxySnapshot;
  addProxy(config: ProxyInput): Promise<ProxySnapshot>;
  updateProxy(name: string, patch: ProxyPatchInput): Promise<ProxySnapshot>;
  removeProxy(name: string): Promise<void>;
  addToxic(proxy: string, toxic: ToxicInput): ToxicSnapshot;
  toxics(proxy: string): ToxicSnapshot[];
  toxic(proxy: string, name: string): ToxicSnapshot;
  removeToxic(proxy: string, name: string): void;
  /** Removes every toxic and enables every proxy. */
  reset(): Promise<void>;
  /** Closes every proxy (and their connections), then the control API. */
  close(): Promise<void>;
}

export async function startFaultProxyServer(
  options: FaultProxyServerOptions = {},
): Promise<FaultProxyServer> {
  const host: string = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error(`the fault proxy control API binds 127.0.0.1 only, not ${host}`);
  const registry = new ProxyRegistry({
    random: options.random ?? Math.random,
    clock: options.clock ?? systemClock,
  });
  const listener = getRequestListener(controlApi(registry).fetch);
  const server = createServer((request, response) => void listener(request, response));
  const bound = await listenOn(server, { host, port: options.port ?? 0 });
  let closing: Promise<void> | undefined;
  return {
    url: `http://${formatEndpoint(bound)}`,
    proxies: () => registry.list(),
    proxy: (name) => registry.get(name),
    addProxy: (config) => registry.add(config),
    updateProxy: (name, patch) => registry.update(name, patch),
    removeProxy: (name) => registry.remove(name),
    addToxic: (proxy, toxic) => registry.addToxic(proxy, toxic),
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
