import * as z from 'zod';
import { EnvironmentError, UsageError } from '../../../src/core/errors.js';
import { adminTokenVariable } from '../http/admin-access.js';
import type { AcknowledgedCheckout, InvariantReport } from './invariants.js';

/** The report as the store's /admin/verify sends it (reference-store/src/verify/invariants.ts). */
const invariantReportSchema = z.object({
  ok: z.boolean(),
  counts: z.object({
    orders: z.record(z.string(), z.number()),
    charges: z.record(z.string(), z.number()),
    refunds: z.record(z.string(), z.number()),
    products: z.number(),
    acknowledged: z.number(),
  }),
  skipped: z.array(z.string()),
  violations: z.array(z.object({ invariant: z.string(), detail: z.string() })),
});
/** A report as its reader sees it: made here by the library, or sent by a store's /admin/verify. */
export type VerifyReport = InvariantReport | z.infer<typeof invariantReportSchema>;

export interface StoreVerifyRequest {
  /** The store's base URL. */
  readonly url: string;
  /** Settle open payments first (POST /admin/reconcile). */
  readonly reconcile: boolean;
  readonly acknowledged?: readonly AcknowledgedCheckout[];
  /** Receives the reconciliation's counts. */
  readonly onReconciled?: (counts: Record<string, number>) => void;
  /** Bound on each call; default 60 s (reconciling asks every vendor about every open order). */
  readonly timeoutMs?: number;
  /** Sent as a bearer token: a store listening beyond loopback requires it on /admin/*. */
  readonly adminToken?: string;
}

/** The /admin/verify client: the running store checks its database against its vendors' ledgers. */
export async function verifyThroughStore(request: StoreVerifyRequest): Promise<VerifyReport> {
  const base = request.url.replace(/\/$/, '');
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> => {
    const headers: Record<string, string> = {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(request.adminToken === undefined ? {} : { authorization: `Bearer ${request.adminToken}` }),
    };
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        signal: AbortSignal.timeout(request.timeoutMs ?? 60_000),
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new EnvironmentError(`cannot reach the store at ${base}: ${(error as Error).message}`);
    }
    const json: unknown = await response.json().catch(() => undefined);
    if (response.status === 401) {
      throw new UsageError(
        request.adminToken === undefined
          ? `${base} requires its admin token: set ${adminTokenVariable} (store serve prints it when it makes one up)`
          : `${base} refused the admin token: set ${adminTokenVariable} to the token that store serve uses`,
      );
    }
    // 409 is /admin/verify's answer when an invariant is broken: a report all the same.
    if (response.status !== 200 && !(path === '/admin/verify' && response.status === 409)) {
      throw new EnvironmentError(`${method} ${base}${path} answered ${response.status}`);
    }
    return json;
  };
  if (request.reconcile) request.onReconciled?.(numbers(await call('POST', '/admin/reconcile')));
  const acknowledged = request.acknowledged;
  const parsed = invariantReportSchema.safeParse(
    await call('POST', '/admin/verify', acknowledged ? { acknowledged } : {}),
  );
  if (!parsed.success) {
    throw new EnvironmentError(`${base} is not a shopsre store (its /admin/verify answer has another shape)`);
  }
  return parsed.data;
}

function numbers(value: unknown): Record<string, number> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, number] => typeof e[1] === 'number'),
  );
}
