import { formatEndpoint, type Endpoint } from './address.js';
import { FaultProxyError } from './errors.js';
import { startHttpProxy } from './http-proxy.js';
import {
  parsePatch,
  parseProxy,
  parseProxyList,
  type ListenPolicy,
  type ProxyConfig,
} from './proxy-schema.js';
import type { ProxyKind } from './schema.js';
import { startTcpProxy } from './tcp-proxy.js';
import type { FaultProxy, ProxyDeps } from './fault-proxy.js';
import { toxicSnapshot, type ToxicSnapshot } from './toxic-set.js';

/** A proxy as the control API shows it: Toxiproxy's fields, plus `kind`. */
export interface ProxySnapshot {
  readonly name: string;
  readonly kind: ProxyKind;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
  readonly toxics: ToxicSnapshot[];
}

/** What `/populate` did: the proxies it created or kept, and the error that stopped it, if any. */
export interface PopulateResult {
  readonly proxies: ProxySnapshot[];
  readonly error?: FaultProxyError;
}

/** The proxies by name; both the HTTP control API and the in-process API call these. */
export class ProxyRegistry {
  private readonly running = new Map<string, FaultProxy>();
  private readonly starting = new Set<string>();

  constructor(
    private readonly deps: ProxyDeps,
    private readonly policy: ListenPolicy,
  ) {}

  list(): ProxySnapshot[] {
    return [...this.running.values()].map(snapshot);
  }

  get(name: string): ProxySnapshot {
    return snapshot(this.proxy(name));
  }

  async add(input: unknown): Promise<ProxySnapshot> {
    const config = parseProxy(input, this.policy);
    if (this.running.has(config.name) || this.starting.has(config.name)) {
      throw new FaultProxyError(409, `proxy '${config.name}' already exists`);
    }
    return snapshot(await this.start(config));
  }

  /**
   * Toxiproxy's populate: every proxy checked first (400 before anything changes), then each created,
   * kept when one of that name already has the same kind, listen address (port 0: any port) and
   * upstream (its toxics too), or replaced. Proxies not listed are left alone.
   */
  async populate(input: unknown): Promise<PopulateResult> {
    const configs = parseProxyList(input, this.policy);
    const done: ProxySnapshot[] = [];
    for (const config of configs) {
      try {
        const existing = this.running.get(config.name);
        if (existing && sameProxy(existing, config)) {
          done.push(snapshot(existing));
          continue;
        }
        if (this.starting.has(config.name)) {
          throw new FaultProxyError(409, `proxy '${config.name}' is being created`);
        }
        if (existing) await this.remove(config.name);
        done.push(snapshot(await this.start(config)));
      } catch (error) {
        if (!(error instanceof FaultProxyError)) throw error;
        return {
          proxies: done,
          error: new FaultProxyError(error.status, `${config.name}: ${error.message}`),
        };
      }
    }
    return { proxies: done };
  }

  /**
   * Fields left out keep their value. A new listen address rebinds (open connections end, as in
   * Toxiproxy); a new upstream applies to new connections and requests, so a proxy enabled in the
   * same call sends its first ones there.
   */
  async update(name: string, input: unknown): Promise<ProxySnapshot> {
    const proxy = this.proxy(name);
    const patch = parsePatch(proxy, input, this.policy);
    if (patch.listen && !sameListen(proxy.listen, patch.listen)) await proxy.setListen(patch.listen);
    if (patch.upstream) proxy.setUpstream(patch.upstream);
    if (patch.enabled !== undefined) await proxy.setEnabled(patch.enabled);
    return snapshot(proxy);
  }

  async remove(name: string): Promise<void> {
    const proxy = this.proxy(name);
    this.running.delete(name);
    await proxy.close();
  }

  addToxic(proxyName: string, input: unknown): ToxicSnapshot {
    return toxicSnapshot(this.proxy(proxyName).addToxic(input));
  }

  updateToxic(proxyName: string, name: string, input: unknown): ToxicSnapshot {
    const toxic = this.proxy(proxyName).updateToxic(name, input);
    if (!toxic) throw new FaultProxyError(404, `proxy '${proxyName}' has no toxic '${name}'`);
    return toxicSnapshot(toxic);
  }

  toxics(proxyName: string): ToxicSnapshot[] {
    return this.proxy(proxyName).toxics().map(toxicSnapshot);
  }

  toxic(proxyName: string, name: string): ToxicSnapshot {
    const toxic = this.proxy(proxyName)
      .toxics()
      .find((candidate) => candidate.name === name);
    if (!toxic) throw new FaultProxyError(404, `proxy '${proxyName}' has no toxic '${name}'`);
    return toxicSnapshot(toxic);
  }

  removeToxic(proxyName: string, name: string): void {
    if (!this.proxy(proxyName).removeToxic(name)) {
      throw new FaultProxyError(404, `proxy '${proxyName}' has no toxic '${name}'`);
    }
  }

  /** Every toxic removed and every proxy enabled again, as Toxiproxy's reset. */
  async reset(): Promise<void> {
    const proxies = [...this.running.values()];
    for (const proxy of proxies) proxy.clearToxics();
    await Promise.all(proxies.map((proxy) => proxy.setEnabled(true)));
  }

  async close(): Promise<void> {
    const proxies = [...this.running.values()];
    this.running.clear();
    await Promise.all(proxies.map((proxy) => proxy.close()));
  }

  private async start(config: ProxyConfig): Promise<FaultProxy> {
    this.starting.add(config.name);
    try {
      const start = config.kind === 'tcp' ? startTcpProxy : startHttpProxy;
      const proxy = await start(config, this.deps);
      this.running.set(config.name, proxy);
      return proxy;
    } finally {
      this.starting.delete(config.name);
    }
  }

  private proxy(name: string): FaultProxy {
    const proxy = this.running.get(name);
    if (!proxy) throw new FaultProxyError(404, `no proxy named '${name}'`);
    return proxy;
  }
}

function snapshot(proxy: FaultProxy): ProxySnapshot {
  const { name, kind, listen, upstream, enabled } = proxy;
  return { name, kind, listen, upstream, enabled, toxics: proxy.toxics().map(toxicSnapshot) };
}

function sameProxy(proxy: FaultProxy, config: ProxyConfig): boolean {
  const upstream =
    config.kind === 'tcp' ? formatEndpoint(config.upstream) : `http://${formatEndpoint(config.upstream)}`;
  return proxy.kind === config.kind && proxy.upstream === upstream && sameListen(proxy.listen, config.listen);
}

/** Port 0 asks for any port, so the one bound matches it. */
function sameListen(bound: string, requested: Endpoint): boolean {
  if (requested.port !== 0) return bound === formatEndpoint(requested);
  return bound.slice(0, bound.lastIndexOf(':')) === formatEndpoint(requested).slice(0, -2);
}
