import type { Clock } from '../../../core/clock.js';
import type { Endpoint } from './address.js';
import type { ProxyKind, ToxicTtl } from './schema.js';
import type { ActiveToxic } from './toxic-set.js';

/**
 * What a proxy of either kind offers the registry, and what the registry gives each: the contract
 * between `proxy-registry.ts` and the TCP and HTTP proxies it starts, kept apart so that neither
 * proxy imports the registry that imports it.
 */
export interface ProxyDeps {
  /** Uniform in [0, 1): toxicity draws, jitter and slice sizes. */
  readonly random: () => number;
  /** Toxics' createdAt and expiresAt. */
  readonly clock: Clock;
  readonly toxicTtl: ToxicTtl;
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
  setListen(listen: Endpoint): Promise<void>;
  setUpstream(upstream: Endpoint): void;
  /** Validates for the proxy's kind; throws FaultProxyError. */
  addToxic(input: unknown): ActiveToxic;
  /** Undefined when there is no such toxic; throws FaultProxyError for a bad patch. */
  updateToxic(name: string, input: unknown): ActiveToxic | undefined;
  toxics(): readonly ActiveToxic[];
  removeToxic(name: string): boolean;
  clearToxics(): void;
  close(): Promise<void>;
}
