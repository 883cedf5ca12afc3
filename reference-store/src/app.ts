import { Hono } from 'hono';
import type { Logger } from '../../src/core/logger.js';
import type { CartRepository } from './cart/cart-repository.js';
import type { CatalogReader } from './catalog/catalog-reader.js';
import type { CheckoutService } from './checkout/checkout-service.js';
import type { OrderRepository } from './checkout/order-repository.js';
import type { StoreEnv } from './http/env.js';
import { requireAdminToken } from './http/admin-access.js';
import { databaseProblem } from './http/database-problem.js';
import { shedLoad } from './http/load-shedding.js';
import { observeRequests } from './http/observe.js';
import { Problem, problemResponse } from './http/problem.js';
import { segmentMiddleware } from './http/segment.js';
import type { StoreMetrics } from './metrics.js';
import { cartRoutes } from './routes/cart-routes.js';
import { catalogRoutes } from './routes/catalog-routes.js';
import { checkoutRoutes } from './routes/checkout-routes.js';
import { operationsRoutes, type OperationsDeps } from './routes/operations-routes.js';
import { activeTraceIds } from './tracing.js';

export interface StoreAppDeps {
  readonly catalog: CatalogReader;
  readonly carts: CartRepository;
  readonly checkout: CheckoutService;
  readonly orders: OrderRepository;
  /** `/assets/*` relayed to the CDN edge. */
  readonly assets: Hono<StoreEnv>;
  readonly operations: OperationsDeps;
  readonly metrics: StoreMetrics;
  readonly logger: Logger;
  readonly segments: readonly string[];
  readonly customerSegment: (customerId: string) => string | undefined;
  /** Requests in flight on /api and /assets before the store sheds with 503. */
  readonly maxInFlight: number;
  /** Bearer token that `/admin/*` requires; open to any caller when undefined (loopback). */
  readonly adminToken?: string | undefined;
}

/** The store's HTTP app; `app.request()` serves it without a port, `listenApp` binds it. */
export function createStoreApp(deps: StoreAppDeps): Hono<StoreEnv> {
  const app = new Hono<StoreEnv>();
  app.onError((error, c) => {
    // A database error no route answered is classified here too: only a database away is a 503.
    const problem = databaseProblem(error);
    if (problem) return problemResponse(problem);
    const sqlState = (error as { code?: unknown }).code;
    deps.logger.error('unhandled error', {
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      error: error.message,
      ...(typeof sqlState === 'string' ? { code: sqlState } : {}),
      ...activeTraceIds(),
    });
    return problemResponse(new Problem(500, 'internal', 'the store failed to answer; this is a bug'));
  });
  app.notFound((c) =>
    problemResponse(
      new Problem(404, 'not-found', `nothing at ${c.req.method} ${new URL(c.req.url).pathname}`),
    ),
  );
  app.use('*', observeRequests(deps.metrics, deps.logger));
  // Before anything reads the request: a caller without the token learns nothing but 401.
  if (deps.adminToken !== undefined) app.use('/admin/*', requireAdminToken(deps.adminToken));
  app.use('*', segmentMiddleware(deps.segments, deps.customerSegment));
  const shed = shedLoad(deps.maxInFlight, deps.metrics);
  app.use('/api/*', shed);
  app.use('/assets/*', shed);
  app.route('/', operationsRoutes(deps.operations));
  app.route('/', catalogRoutes(deps.catalog));
  app.route('/', cartRoutes(deps.carts));
  app.route('/', checkoutRoutes(deps.checkout, deps.orders));
  app.route('/', deps.assets);
  return app;
}
