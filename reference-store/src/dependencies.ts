import { randomBytes } from 'node:crypto';
import { createAssetOrigin } from '../cdn/asset-origin.js';
import { createEdgeCache } from '../cdn/edge-cache.js';
import { createPaymentVendor, type PaymentVendor } from '../vendors/payment-vendor.js';
import { startEmbeddedDatabase, type EmbeddedDatabaseOptions } from './db/embedded-database.js';
import { secretKeyVariable, type VendorEndpoint } from './payments/vendor-client.js';

/** The store's links to its dependencies, each a place where a fault proxy can sit. */
export type DependencyLink =
  'database' | 'replica' | 'vendor-primary' | 'vendor-backup' | 'cdn-edge' | 'cdn-origin';

/**
 * Puts something (a fault proxy) on a link: given the upstream URL (postgres:// or http://), returns
 * the URL to use instead. shopsre's chaos driver passes one; the store knows nothing of faults.
 */
export type Interposer = (link: DependencyLink, upstream: string) => Promise<string>;

export interface DependencyOptions extends Partial<EmbeddedDatabaseOptions> {
  /** Use this PostgreSQL instead of starting the embedded one. */
  readonly databaseUrl?: string | undefined;
  readonly replicaUrl?: string | undefined;
  /** Use these vendors instead of starting the simulators (e.g. through fault proxies). */
  readonly vendors?: readonly VendorEndpoint[] | undefined;
  /** Use this CDN edge instead of starting an edge and an origin. */
  readonly cdnUrl?: string | undefined;
  readonly host?: string;
  /** A proxy on each link; the CDN edge reaches its origin through it too. */
  readonly interpose?: Interposer | undefined;
  /**
   * Where a started simulator takes its secret key (`SHOPSRE_VENDOR_PRIMARY_KEY`, ...), so that
   * `store verify --vendor` can read its ledger; default none: a fresh key per run.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * What the store talks to, each on its own loopback port so a fault proxy can be put between:
 * the database, a primary and a backup payment vendor, the CDN edge and its origin.
 */
export interface StoreDependencies {
  readonly databaseUrl: string;
  readonly replicaUrl: string | undefined;
  readonly vendors: readonly VendorEndpoint[];
  readonly cdnUrl: string;
  readonly cdnOriginUrl: string | undefined;
  /** The simulators this call started (empty when vendors were given), for tests and game days. */
  readonly vendorSimulators: readonly PaymentVendor[];
  /** Whether the embedded database had to be built from scratch (initdb and seeding, slow once). */
  readonly createdTemplate: boolean;
  stop(): Promise<void>;
}

export async function startStoreDependencies(options: DependencyOptions): Promise<StoreDependencies> {
  const host = options.host ?? '127.0.0.1';
  const stops: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const fn of stops.splice(0).reverse()) await fn().catch(() => undefined);
  };
  try {
    let databaseUrl = options.databaseUrl;
    let createdTemplate = false;
    if (!databaseUrl) {
      const embedded = await startEmbeddedDatabase({ ...options, seed: options.seed ?? 1 });
      stops.push(() => embedded.stop());
      databaseUrl = embedded.url;
      createdTemplate = embedded.createdTemplate;
    }

    let vendors = options.vendors;
    const vendorSimulators: PaymentVendor[] = [];
    if (!vendors) {
      const started: VendorEndpoint[] = [];
      for (const name of ['primary', 'backup']) {
        // A fresh key per run unless the operator gives one: then the store is its only holder.
        const given = options.env?.[secretKeyVariable(name)];
        const secretKey =
          given !== undefined && given !== '' ? given : `sk_test_${randomBytes(12).toString('hex')}`;
        const simulator = createPaymentVendor({ name, secretKey });
        const listening = await simulator.listen(0, host);
        stops.push(() => listening.close());
        vendorSimulators.push(simulator);
        started.push({ name, url: listening.url, secretKey });
      }
      vendors = started;
    }

    let cdnUrl = options.cdnUrl;
    let cdnOriginUrl: string | undefined;
    if (!cdnUrl) {
      const origin = await createAssetOrigin({ seed: options.seed ?? 1 }).listen(0, host);
      stops.push(() => origin.close());
      const originUrl = options.interpose ? await options.interpose('cdn-origin', origin.url) : origin.url;
      const edge = await createEdgeCache({ originUrl }).listen(0, host);
      stops.push(() => edge.close());
      cdnUrl = edge.url;
      cdnOriginUrl = origin.url;
    }
    return {
      databaseUrl,
      replicaUrl: options.replicaUrl,
      vendors,
      cdnUrl,
      cdnOriginUrl,
      vendorSimulators,
      createdTemplate,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
