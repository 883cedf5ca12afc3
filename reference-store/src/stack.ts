import { FaultProxyError, type FaultProxyServer } from '../../src/chaos/local/proxy/index.js';
import { faultProxyInterposer } from '../../src/chaos/local/store-links.js';
import type { Clock } from '../../src/core/clock.js';
import { EnvironmentError } from '../../src/core/errors.js';
import type { Writer } from '../../src/core/io.js';
import type { LogLevel } from '../../src/core/logger.js';
import type { CreatedStore } from './store.js';

/**
 * The whole reference store as `store serve` and a game day run it: the embedded database (or a
 * PostgreSQL given by URL), the vendor simulators, the CDN edge and origin, a fault proxy on every
 * link and the store in front. One call starts it, one `stop()` takes all of it down, in order.
 */
export interface StoreStackOptions {
  readonly port: number;
  readonly host?: string;
  /** What `/admin/*` requires; made up when undefined and the host is not loopback (`store.adminToken`). */
  readonly adminToken?: string;
  readonly databaseUrl?: string;
  readonly replicaUrl?: string;
  readonly seed: number;
  readonly products?: number;
  readonly dataDir?: string;
  readonly maxInFlight?: number;
  /** Fault proxies on every link with their control API on this port (0: any free one); off when undefined. */
  readonly faultProxyPort?: number;
  /** Toxics added without a TTL expire after this long (the proxies' own default when undefined). */
  readonly maxToxicTtlMs?: number;
  readonly logSink: Writer;
  readonly logLevel?: LogLevel;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock?: Clock;
  /** Orders younger than this are not reconciled; the store's default when undefined. */
  readonly reconcileGraceMs?: number;
  readonly reconcileIntervalMs?: number;
}

export interface StoreStackAddresses {
  readonly store: string;
  readonly metrics: string;
  /** Password replaced by `***`. */
  readonly database: string;
  readonly databaseKind: 'postgresql' | 'embedded PGlite';
  readonly replica: string | null;
  readonly vendors: readonly { readonly name: string; readonly url: string }[];
  readonly cdnEdge: string;
  readonly cdnOrigin: string | null;
  readonly faultProxies: string | null;
  /** Names of the proxied links (`database`, `vendor-primary`...), as the chaos catalogue targets them. */
  readonly proxiedLinks: readonly string[];
  readonly seed: number;
}

export interface StoreStack {
  readonly store: CreatedStore;
  readonly addresses: StoreStackAddresses;
  /** Stops the store (draining), its dependencies, then the fault proxies. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startStoreStack(options: StoreStackOptions): Promise<StoreStack> {
  const { createStore } = await import('./store.js');
  let proxies: FaultProxyServer | undefined;
  if (options.faultProxyPort !== undefined) {
    const { startFaultProxyServer } = await import('../../src/chaos/local/proxy/index.js');
    try {
      proxies = await startFaultProxyServer({
        port: options.faultProxyPort,
        ...(options.maxToxicTtlMs === undefined ? {} : { maxToxicTtlMs: options.maxToxicTtlMs }),
      });
    } catch (error) {
      if (portInUse(error)) {
        throw new EnvironmentError(
          `port ${options.faultProxyPort} (fault proxies) is in use: another store serve? Use --chaos-port 0 or --no-fault-proxies`,
        );
      }
      throw error;
    }
  }
  let store: CreatedStore;
  try {
    store = await createStore({
      port: options.port,
      host: options.host ?? '127.0.0.1',
      ...(options.adminToken === undefined ? {} : { adminToken: options.adminToken }),
      databaseUrl: options.databaseUrl,
      replicaUrl: options.replicaUrl,
      seed: options.seed,
      ...(options.products === undefined ? {} : { products: options.products }),
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight }),
      ...(options.reconcileGraceMs === undefined ? {} : { reconcileGraceMs: options.reconcileGraceMs }),
      ...(options.reconcileIntervalMs === undefined
        ? {}
        : { reconcileIntervalMs: options.reconcileIntervalMs }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
      logSink: options.logSink,
      env: options.env,
      interpose: proxies ? faultProxyInterposer(proxies) : undefined,
    });
  } catch (error) {
    await proxies?.close();
    throw startFailure(error, options.port, options.databaseUrl);
  }
  const { dependencies } = store;
  const addresses: StoreStackAddresses = {
    store: store.url,
    metrics: `${store.url}/metrics`,
    database: redactPassword(dependencies.databaseUrl),
    databaseKind: options.databaseUrl ? 'postgresql' : 'embedded PGlite',
    replica: dependencies.replicaUrl ? redactPassword(dependencies.replicaUrl) : null,
    vendors: dependencies.vendors.map((v) => ({ name: v.name, url: v.url })),
    cdnEdge: dependencies.cdnUrl,
    cdnOrigin: dependencies.cdnOriginUrl ?? null,
    faultProxies: proxies?.url ?? null,
    proxiedLinks: proxies?.proxies().map((p) => p.name) ?? [],
    seed: options.seed,
  };
  let stopped: Promise<void> | undefined;
  return {
    store,
    addresses,
    stop() {
      stopped ??= (async () => {
        try {
          await store.stop();
        } finally {
          await proxies?.close();
        }
      })();
      return stopped;
    },
  };
}

/** A port taken, whether Node says so or the fault proxies' own listen error does. */
function portInUse(error: unknown): boolean {
  if ((error as { code?: unknown }).code === 'EADDRINUSE') return true;
  return error instanceof FaultProxyError && error.status === 409 && error.message.includes('in use');
}

export function redactPassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

function startFailure(error: unknown, port: number, databaseUrl: string | undefined): Error {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'EADDRINUSE') {
    return new EnvironmentError(`port ${port} is in use: stop what holds it, or pick another with --port`);
  }
  if (
    databaseUrl &&
    (code === 'ECONNREFUSED' || /connect|password|database .* does not exist/i.test(message))
  ) {
    return new EnvironmentError(`cannot use the database at ${redactPassword(databaseUrl)}: ${message}`);
  }
  return new EnvironmentError(`the store could not start: ${message}`);
}
