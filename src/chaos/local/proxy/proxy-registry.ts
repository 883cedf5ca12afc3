import type { Clock } from '../../../core/clock.js';
import type { Endpoint } from './address.js';
import { FaultProxyError } from './errors.js';
import { startHttpProxy } from './http-proxy.js';
import { parsePatch, parseProxy, type ProxyKind } from './schema.js';
import { startTcpProxy } from './tcp-proxy.js';
import { toxicSnapshot, type ActiveToxic, type ToxicSnapshot } from './toxic-set.js';

export interface ProxyDeps {
  /** Uniform in [0, 1): toxicity draws and jitter. */
  readonly random: () => number;
  /** Toxics' createdAt and expiresAt. */
  readonly clock: Clock;
}

/** One running proxy, TCP or HTTP, as the registry drives it. */
export interface FaultProxy {
  readonly name: string;
  readonly kind: ProxyKind;
  /** The bound `host:port`. */
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
  setEnabled(enabled: boolean): Promise<void>;
  setUpstream(upstream: Endpoint): void;
  /** Validates for the proxy's kind; throws FaultProxyError. */
  addToxic(input: unknown): ActiveToxic;
  toxics(): readonly ActiveToxic[];
  removeToxic(name: string): boolean;
  clearToxics(): void;
  close(): Promise<void>;
}

/** A proxy as the control API shows it. */
export interface ProxySnapshot {
  readonly name: string;
  readonly kind: ProxyKind;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
  readonly toxics: ToxicSnapshot[];
}

/** The proxies by name; both the HTTP control API and the in-process API call these. */
export class ProxyRegistry {
  private readonly running = new Map<string, FaultProxy>();
  private readonly starting = new Set<string>();

  constructor(private readonly deps: ProxyDeps) {}

  list(): ProxySnapshot[] {
    return [...this.running.values()].map(snapshot);
  }

  get(name: string): ProxySnapshot {
    return snapshot(this.proxy(name));
  }

  async add(input: unknown): Promise<ProxySnapshot> {
    const config = parseProxy(input);
    if (this.running.has(config.name) || this.starting.has(config.name)) {
      throw new FaultProxyError(409, `proxy '${config.name}' already exists`);
    }
    this.starting.add(config.name);
    try {
      const start = config.kind === 'tcp' ? startTcpProxy : startHttpProxy;
      const proxy = await start(config, this.deps);
      this.running.set(config.name, proxy);
      return snapshot(proxy);
    } finally {
      this.starting.delete(config.name);
    }
  }

  /** A new upstream first, so a proxy enabled in the same call sends its first connections there. */
  async update(name: string, input: unknown): Promise<ProxySnapshot> {
    const proxy = this.proxy(name);
    const patch = parsePatch(proxy.kind, input);
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
