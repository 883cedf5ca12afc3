import { Hono } from 'hono';
import type { StoreEnv } from '../http/env.js';
import type { StoreMetrics } from '../metrics.js';
import type { ReconcileReport } from '../payments/reconciler.js';
import type { AcknowledgedCheckout, InvariantReport } from '../verify/invariants.js';
import { readJson } from '../http/read-json.js';
import { cleanString } from '../http/text-input.js';
import * as z from 'zod';

const verifyBody = z
  .object({
    acknowledged: z
      .array(
        z
          .object({
            idempotencyKey: cleanString().min(1).max(128),
            orderId: cleanString().max(64).optional(),
          })
          .strict(),
      )
      .max(1_000_000)
      .optional(),
  })
  .strict();

export interface OperationsDeps {
  readonly metrics: StoreMetrics;
  /** Whether the primary database answers now (bounded). */
  readonly databaseUp: () => Promise<boolean>;
  readonly breakerStates: () => Record<string, string>;
  /** False until the catalog snapshot is loaded, and again while draining on shutdown. */
  readonly accepting: () => boolean;
  readonly reconcile: () => Promise<ReconcileReport>;
  readonly verify: (acknowledged?: readonly AcknowledgedCheckout[]) => Promise<InvariantReport>;
}

/**
 * Health, readiness, metrics and the operator's endpoints. Readiness stays 200 while the database
 * is down: the store still serves the catalog from its snapshot and answers checkout with a fast
 * 503, and taking every pod out of a load balancer would turn a degraded store into an outage.
 */
export function operationsRoutes(deps: OperationsDeps): Hono<StoreEnv> {
  const app = new Hono<StoreEnv>();
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', async (c) => {
    const database = (await deps.databaseUp()) ? 'up' : 'down';
    const ready = deps.accepting();
    return c.json(
      { ready, degraded: database === 'down', database, paymentBreakers: deps.breakerStates() },
      ready ? 200 : 503,
    );
  });
  app.get('/metrics', async (c) => {
    c.header('content-type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });
  app.post('/admin/reconcile', async (c) => c.json(await deps.reconcile()));
  app.get('/admin/verify', async (c) => {
    const report = await deps.verify();
    return c.json(report, report.ok ? 200 : 409);
  });
  // POST carries the checkouts a client saw acknowledged, to check each has its order.
  app.post('/admin/verify', async (c) => {
    const body = await readJson(c, verifyBody);
    const report = await deps.verify(body.acknowledged);
    return c.json(report, report.ok ? 200 : 409);
  });
  return app;
}
