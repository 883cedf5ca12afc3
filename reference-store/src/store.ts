import type { Hono } from 'hono';
import type pg from 'pg';
import { systemClock, type Clock } from '../../src/core/clock.js';
import type { Writer } from '../../src/core/io.js';
import { createLogger, type LogLevel, type Logger } from '../../src/core/logger.js';
import { createStoreApp } from './app.js';
import { createCartRepository } from './cart/cart-repository.js';
import { createCatalogReader } from './catalog/catalog-reader.js';
import { CheckoutService } from './checkout/checkout-service.js';
import { OrderRepository } from './checkout/order-repository.js';
import { migrate } from './db/migrate.js';
import { createStorePools, type PoolOptions } from './db/pools.js';
import { seedStore, type SeedOptions } from './db/seed.js';
import {
  startStoreDependencies,
  type DependencyOptions,
  type Interposer,
  type StoreDependencies,
} from './dependencies.js';
import { adminTokenFor, type AdminToken } from './http/admin-access.js';
import type { StoreEnv } from './http/env.js';
import { listenApp } from './http/listen.js';
import { createStoreMetrics, initializeSloSeries, type StoreMetrics } from './metrics.js';
import { createPaymentGateway, type PaymentPolicyOptions } from './payments/payment-gateway.js';
import { createLateChargeSweeper } from './payments/late-charges.js';
import { reconcilePayments, type ReconcileReport } from './payments/reconciler.js';
import { RefundRepository } from './payments/refund-repository.js';
import { createVendorClient, type VendorEndpoint } from './payments/vendor-client.js';
import { assetProxy } from './routes/asset-routes.js';
import { startTracing } from './tracing.js';
import { checkoutLedger, type CheckoutLedgerSegment } from './verify/checkout-ledger.js';
import { verifyInvariants, type AcknowledgedCheckout, type InvariantReport } from './verify/invariants.js';

/** How the store itself behaves, whatever it talks to. */
export interface StoreSettings {
  /** Port of the store's HTTP API; default 8080 from the CLI, 0 (any free port) for the library. */
  readonly port?: number;
  readonly host?: string;
  /**
   * Bearer token `/admin/*` requires. Default: none on loopback; beyond loopback one is made up
   * (`RunningStore.adminToken`), so an open port never lets anyone reconcile or read the report.
   */
  readonly adminToken?: string;
  /** Customer segments; the first is the default. Default guest, member, vip. */
  readonly segments?: readonly string[];
  /** Requests in flight before shedding with 503; default 256. */
  readonly maxInFlight?: number;
  readonly payment?: PaymentPolicyOptions;
  readonly pool?: PoolOptions;
  /** Period of the background reconciler; default 5000 ms, 0 turns it off. */
  readonly reconcileIntervalMs?: number;
  /** Orders younger than this are not reconciled; default 30 000 ms. */
  readonly reconcileGraceMs?: number;
  /** Requests in flight get this long to finish on stop; default 5000 ms. */
  readonly drainMs?: number;
  /** Seeds an empty database given with a URL; the embedded one comes seeded. */
  readonly seed?: SeedOptions;
  readonly logSink?: Writer;
  readonly logLevel?: LogLevel;
  readonly clock?: Clock;
  /** For OTEL_EXPORTER_OTLP_ENDPOINT; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface StoreEndpoints {
  readonly databaseUrl: string;
  readonly replicaUrl?: string | undefined;
  readonly vendors: readonly VendorEndpoint[];
  readonly cdnUrl: string;
}

export interface RunningStore {
  readonly url: string;
  readonly app: Hono<StoreEnv>;
  readonly metrics: StoreMetrics;
  /** What `/admin/*` requires; undefined when it is open (loopback, no token given). */
  readonly adminToken: AdminToken | undefined;
  reconcile(options?: { graceMs?: number }): Promise<ReconcileReport>;
  verify(acknowledged?: readonly AcknowledgedCheckout[]): Promise<InvariantReport>;
  /** Checkouts per segment created between two times, from the store's own books (game day impact). */
  ledger(fromMs: number, toMs: number): Promise<CheckoutLedgerSegment[]>;
  stop(): Promise<void>;
}

/**
 * Starts the store against endpoints that already run (a game day or the chaos driver puts fault
 * proxies in front of them). The store talks to each over the network only.
 */
export async function startStore(
  endpoints: StoreEndpoints,
  settings: StoreSettings = {},
): Promise<RunningStore> {
  const clock = settings.clock ?? systemClock;
  const logger = createLogger({
    sink: settings.logSink ?? process.stderr,
    clock,
    level: settings.logLevel ?? 'info',
    json: true,
  });
  const tracing = await startTracing(settings.env ?? process.env);
  const pools = await createStorePools(
    { primary: endpoints.databaseUrl, replica: endpoints.replicaUrl },
    settings.pool ?? {},
    logger,
  );
  const cleanups: (() => Promise<void>)[] = [() => tracing.shutdown(), () => pools.close()];
  const cleanup = async (): Promise<void> => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
  };
  try {
    await migrate(pools.primary);
    if (settings.seed) await seedStore(pools.primary, settings.seed);
    const customers = new Map(
      (
        await pools.primary.query<{ id: string; segment: string }>('select id, segment from customers')
      ).rows.map((r) => [r.id, r.segment]),
    );
    const metrics = createStoreMetrics(() => [
      {
        name: 'primary',
        total: pools.primary.totalCount,
        idle: pools.primary.idleCount,
        waiting: pools.primary.waitingCount,
      },
      ...(pools.replica
        ? [
            {
              name: 'replica',
              total: pools.replica.totalCount,
              idle: pools.replica.idleCount,
              waiting: pools.replica.waitingCount,
            },
          ]
        : []),
    ]);
    initializeSloSeries(metrics, settings.segments ?? ['guest', 'member', 'vip']);
    const vendorClients = endpoints.vendors.map((endpoint) => createVendorClient(endpoint));
    const gateway = createPaymentGateway(vendorClients, settings.payment ?? {}, metrics);
    cleanups.push(() => gateway.close());
    const orders = new OrderRepository(pools.primary);
    const checkout = new CheckoutService(orders, gateway, metrics, logger);
    const catalog = createCatalogReader(pools, metrics, logger);
    await catalog.refreshSnapshot();
    const assets = assetProxy(endpoints.cdnUrl);
    cleanups.push(() => assets.close());

    let accepting = true;
    const lateCharges = createLateChargeSweeper(vendorClients, new RefundRepository(pools.primary), logger);
    const reconcile = (graceMs = settings.reconcileGraceMs ?? 30_000): Promise<ReconcileReport> =>
      reconcilePayments(orders, vendorClients, metrics, logger, {
        graceMs,
        isInFlight: (k) => checkout.isInFlight(k),
        lateCharges,
      });
    const verify = (acknowledged?: readonly AcknowledgedCheckout[]): Promise<InvariantReport> =>
      verifyInvariants({
        pool: pools.primary,
        vendors: vendorClients,
        ...(acknowledged ? { acknowledged } : {}),
      });

    const host = settings.host ?? '127.0.0.1';
    const adminToken = adminTokenFor(host, settings.adminToken);
    const app = createStoreApp({
      adminToken: adminToken?.value,
      catalog,
      carts: createCartRepository(pools.primary),
      checkout,
      orders,
      assets: assets.routes,
      metrics,
      logger,
      segments: settings.segments ?? ['guest', 'member', 'vip'],
      customerSegment: (id) => customers.get(id),
      maxInFlight: settings.maxInFlight ?? 256,
      operations: {
        metrics,
        databaseUp: () => databaseUp(pools.primary),
        breakerStates: () => gateway.breakerStates(),
        accepting: () => accepting,
        reconcile: () => reconcile(0),
        verify: (acknowledged) => verify(acknowledged),
      },
    });
    const server = await listenApp(app, settings.port ?? 0, host);
    cleanups.push(() => server.close(settings.drainMs ?? 5000));
    const background = startBackgroundWork(
      logger,
      settings.reconcileIntervalMs ?? 5000,
      () => reconcile(),
      () => catalog.refreshSnapshot(),
    );
    cleanups.push(() => Promise.resolve(background.stop()));
    let stopping: Promise<void> | undefined;
    return {
      url: server.url,
      app,
      metrics,
      adminToken,
      reconcile: (options) => reconcile(options?.graceMs),
      verify,
      ledger: (fromMs, toMs) => checkoutLedger(pools.primary, fromMs, toMs),
      stop() {
        accepting = false;
        stopping ??= cleanup();
        return stopping;
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function databaseUp(pool: pg.Pool): Promise<boolean> {
  try {
    await pool.query({ text: 'select 1', query_timeout: 500 } as pg.QueryConfig);
    return true;
  } catch {
    return false;
  }
}

/** The reconciler and the catalog snapshot refresh, never overlapping themselves; timers do not hold the process. */
function startBackgroundWork(
  logger: Logger,
  intervalMs: number,
  reconcile: () => Promise<ReconcileReport>,
  refreshSnapshot: () => Promise<void>,
): { stop(): void } {
  if (intervalMs <= 0) return { stop: () => undefined };
  let running = false;
  let ticks = 0;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    ticks++;
    const work = ticks % 12 === 0 ? Promise.all([reconcile(), refreshSnapshot()]) : reconcile();
    work
      .then((result) => {
        const report = Array.isArray(result) ? result[0] : result;
        if (report.paid + report.failed + report.refunded > 0)
          logger.info('reconciled payments', { ...report });
      })
      .catch((error: unknown) => logger.warn('background work failed', { error: String(error) }))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** The endpoints the store is given: the dependencies' own, or a proxy's in front of each. */
async function interposed(
  dependencies: StoreDependencies,
  interpose: Interposer | undefined,
): Promise<StoreEndpoints> {
  const direct = {
    databaseUrl: dependencies.databaseUrl,
    replicaUrl: dependencies.replicaUrl,
    vendors: dependencies.vendors,
    cdnUrl: dependencies.cdnUrl,
  };
  if (!interpose) return direct;
  const vendors: VendorEndpoint[] = [];
  for (const vendor of dependencies.vendors) {
    const link = vendor.name === 'backup' ? 'vendor-backup' : 'vendor-primary';
    vendors.push({ ...vendor, url: await interpose(link, vendor.url) });
  }
  return {
    databaseUrl: await interpose('database', dependencies.databaseUrl),
    replicaUrl: dependencies.replicaUrl ? await interpose('replica', dependencies.replicaUrl) : undefined,
    vendors,
    cdnUrl: await interpose('cdn-edge', dependencies.cdnUrl),
  };
}

/** Everything: the dependencies (embedded unless URLs are given) and the store in front of them. */
export interface StoreOptions extends DependencyOptions, Omit<StoreSettings, 'seed' | 'host'> {
  readonly host?: string;
}

export interface CreatedStore extends RunningStore {
  readonly dependencies: StoreDependencies;
  /** What the store itself was given: the dependencies' addresses, or the proxies' in front of them. */
  readonly endpoints: StoreEndpoints;
}

export async function createStore(options: StoreOptions = {}): Promise<CreatedStore> {
  const dependencies = await startStoreDependencies(options);
  try {
    const endpoints = await interposed(dependencies, options.interpose);
    const store = await startStore(endpoints, {
      ...options,
      // A database given by URL is seeded on first use, like the embedded template.
      seed: options.databaseUrl
        ? {
            seed: options.seed ?? 1,
            ...(options.products === undefined ? {} : { products: options.products }),
            ...(options.customers === undefined ? {} : { customers: options.customers }),
            ...(options.historyOrders === undefined ? {} : { historyOrders: options.historyOrders }),
          }
        : undefined,
    });
    return {
      ...store,
      dependencies,
      endpoints,
      async stop() {
        await store.stop();
        await dependencies.stop();
      },
    };
  } catch (error) {
    await dependencies.stop();
    throw error;
  }
}
