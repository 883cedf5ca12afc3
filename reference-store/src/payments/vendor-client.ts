import { Pool } from 'undici';

/**
 * The store's side of a payment vendor's payment-intents API (reference-store/vendors/): create with
 * an Idempotency-Key, look up by order, refund, read the ledger. Errors are classified here, once, by what
 * they tell us about the charge: that matters more than the status code.
 */
export interface VendorEndpoint {
  readonly name: string;
  readonly url: string;
  /** Sent as a bearer token; never logged. */
  readonly secretKey: string;
}

/**
 * The environment variable that holds a vendor's secret key, for `store serve` (which otherwise makes
 * a fresh one per run) and `store verify --vendor`: `SHOPSRE_VENDOR_PRIMARY_KEY` for `primary`.
 * Keys travel in the environment, never in argv, where any user of the machine can read them.
 */
export function secretKeyVariable(vendorName: string): string {
  return `SHOPSRE_VENDOR_${vendorName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_KEY`;
}

export interface CreateIntentRequest {
  readonly idempotencyKey: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly paymentToken: string;
  readonly orderId: string;
}

export type IntentStatus = 'succeeded' | 'requires_payment_method' | 'processing' | 'canceled';

export interface VendorIntent {
  readonly id: string;
  readonly status: IntentStatus;
  readonly amount: number;
  readonly orderId: string | undefined;
}

export interface VendorCharge {
  readonly kind: 'charge';
  readonly id: string;
  readonly paymentIntent: string;
  readonly amount: number;
  readonly orderId: string | null;
  readonly captured: boolean;
}

export interface VendorRefund {
  readonly kind: 'refund';
  readonly id: string;
  readonly charge: string;
  readonly paymentIntent: string;
  readonly amount: number;
  readonly orderId: string | null;
}

/** The vendor's ledger, in the order money moved. */
export type VendorLedgerEntry = VendorCharge | VendorRefund;

export interface RefundIntentRequest {
  /** The same for every attempt at refunding one charge, from any store process: it refunds once. */
  readonly idempotencyKey: string;
  readonly intentId: string;
  readonly orderId: string;
}

export type CreateIntentResult =
  | { readonly kind: 'succeeded'; readonly intentId: string }
  | { readonly kind: 'declined'; readonly intentId: string | undefined };

/**
 * - `not-processed`: the vendor certainly did not charge (refused connection, 429, 502/503): safe to
 *   retry and to fail over to another vendor.
 * - `ambiguous`: it may have charged (timeout, reset after sending, 500/504, key in use): retry only
 *   with the same idempotency key at the same vendor; never fail over.
 * - `rejected`: the vendor refused the request itself (4xx): a bug of ours, not retried.
 */
export type VendorErrorKind = 'not-processed' | 'ambiguous' | 'rejected';

export class VendorError extends Error {
  constructor(
    readonly vendor: string,
    readonly kind: VendorErrorKind,
    message: string,
    readonly status?: number,
    /** The vendor's error code (`resource_missing`, `charge_already_refunded`, ...), when it sent one. */
    readonly code?: string,
  ) {
    super(`${vendor}: ${message}`);
    this.name = 'VendorError';
  }
}

export interface VendorClient {
  readonly name: string;
  createIntent(request: CreateIntentRequest, signal: AbortSignal): Promise<CreateIntentResult>;
  findIntentsByOrder(orderId: string, signal: AbortSignal): Promise<VendorIntent[]>;
  /** Refunds the whole charge of an intent; a repeat with the same key answers the same refund. */
  refund(request: RefundIntentRequest, signal: AbortSignal): Promise<VendorRefund>;
  /** Every ledger entry after `startingAfter` (from the start without it), all pages. */
  listLedger(signal: AbortSignal, startingAfter?: string): Promise<VendorLedgerEntry[]>;
  close(): Promise<void>;
}

const notProcessedStatuses = new Set([429, 502, 503]);
const notProcessedCodes = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EHOSTUNREACH']);

export function createVendorClient(endpoint: VendorEndpoint, connections = 32): VendorClient {
  const base = new URL(endpoint.url);
  const pool = new Pool(base.origin, { connections, keepAliveTimeout: 10_000 });
  const prefix = base.pathname.replace(/\/$/, '');
  const headers = { authorization: `Bearer ${endpoint.secretKey}`, 'content-type': 'application/json' };

  const call = async (
    method: 'GET' | 'POST',
    path: string,
    signal: AbortSignal,
    extraHeaders: Record<string, string> = {},
    body?: string,
  ): Promise<{ status: number; json: unknown }> => {
    try {
      const response = await pool.request({
        method,
        path: `${prefix}${path}`,
        headers: { ...headers, ...extraHeaders },
        body,
        signal,
      });
      const text = await response.body.text();
      return { status: response.statusCode, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
    } catch (error) {
      throw classifyTransportError(endpoint.name, error);
    }
  };

  return {
    name: endpoint.name,
    async createIntent(request, signal) {
      const body = JSON.stringify({
        amount: request.amountCents,
        currency: request.currency,
        paymentToken: request.paymentToken,
        metadata: { orderId: request.orderId },
      });
      const { status, json } = await call(
        'POST',
        '/v1/payment_intents',
        signal,
        { 'idempotency-key': request.idempotencyKey },
        body,
      );
      if (status === 200 || status === 201) {
        const intent = parseIntent(json);
        if (intent?.status === 'succeeded') return { kind: 'succeeded', intentId: intent.id };
        throw new VendorError(endpoint.name, 'ambiguous', `intent in status ${intent?.status ?? 'unknown'}`);
      }
      if (status === 402) {
        const intentId = readString(json, ['error', 'paymentIntent']) ?? undefined;
        return { kind: 'declined', intentId };
      }
      throw statusError(endpoint.name, status, json);
    },
    async findIntentsByOrder(orderId, signal) {
      const { status, json } = await call(
        'GET',
        `/v1/payment_intents?order_id=${encodeURIComponent(orderId)}`,
        signal,
      );
      if (status !== 200) throw statusError(endpoint.name, status, json);
      return listData(json).flatMap((item) => {
        const intent = parseIntent(item);
        return intent ? [intent] : [];
      });
    },
    async refund(request, signal) {
      const body = JSON.stringify({
        paymentIntent: request.intentId,
        reason: 'requested_by_customer',
        metadata: { orderId: request.orderId },
      });
      const { status, json } = await call(
        'POST',
        '/v1/refunds',
        signal,
        { 'idempotency-key': request.idempotencyKey },
        body,
      );
      if (status !== 200) throw statusError(endpoint.name, status, json);
      const refund = parseLedgerEntry(json);
      if (refund?.kind !== 'refund') {
        throw new VendorError(endpoint.name, 'ambiguous', 'refund answered without a refund object');
      }
      return refund;
    },
    async listLedger(signal, startingAfter) {
      const entries: VendorLedgerEntry[] = [];
      let after = startingAfter;
      // Bounded: a ledger of a million entries is far past what a game day writes.
      for (let page = 0; page < 1000; page++) {
        const query = `limit=1000${after ? `&starting_after=${encodeURIComponent(after)}` : ''}`;
        const { status, json } = await call('GET', `/v1/ledger?${query}`, signal);
        if (status !== 200) throw statusError(endpoint.name, status, json);
        const data = listData(json).flatMap((item) => {
          const entry = parseLedgerEntry(item);
          return entry ? [entry] : [];
        });
        entries.push(...data);
        const hasMore = typeof json === 'object' && json !== null && (json as { hasMore?: unknown }).hasMore;
        if (hasMore !== true || data.length === 0) return entries;
        after = data.at(-1)?.id;
      }
      return entries;
    },
    close: () => pool.close(),
  };
}

function classifyTransportError(vendor: string, error: unknown): VendorError {
  if (error instanceof VendorError) return error;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && notProcessedCodes.has(code)) {
    return new VendorError(vendor, 'not-processed', message);
  }
  // Aborted (our timeout), reset or closed after the request went out: it may have been processed.
  return new VendorError(vendor, 'ambiguous', message);
}

function statusError(vendor: string, status: number, json: unknown): VendorError {
  const code = readString(json, ['error', 'code']);
  const message = code ?? `http ${status}`;
  if (notProcessedStatuses.has(status))
    return new VendorError(vendor, 'not-processed', message, status, code);
  if (status >= 500 || status === 409) return new VendorError(vendor, 'ambiguous', message, status, code);
  return new VendorError(vendor, 'rejected', message, status, code);
}

function readString(json: unknown, path: readonly string[]): string | undefined {
  let value: unknown = json;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' ? value : undefined;
}

function listData(json: unknown): unknown[] {
  const data = typeof json === 'object' && json !== null ? (json as { data?: unknown }).data : undefined;
  return Array.isArray(data) ? data : [];
}

function parseIntent(json: unknown): VendorIntent | undefined {
  const id = readString(json, ['id']);
  const status = readString(json, ['status']);
  const amount =
    typeof json === 'object' && json !== null ? (json as { amount?: unknown }).amount : undefined;
  if (!id || !status || typeof amount !== 'number') return undefined;
  return { id, status: status as IntentStatus, amount, orderId: readString(json, ['metadata', 'orderId']) };
}

function parseLedgerEntry(json: unknown): VendorLedgerEntry | undefined {
  const id = readString(json, ['id']);
  const paymentIntent = readString(json, ['paymentIntent']);
  const record = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  if (!id || !paymentIntent || typeof record.amount !== 'number') return undefined;
  const orderId = typeof record.orderId === 'string' ? record.orderId : null;
  if (record.object === 'charge') {
    return {
      kind: 'charge',
      id,
      paymentIntent,
      amount: record.amount,
      orderId,
      captured: record.captured === true,
    };
  }
  const charge = readString(json, ['charge']);
  if (record.object === 'refund' && charge) {
    return { kind: 'refund', id, charge, paymentIntent, amount: record.amount, orderId };
  }
  return undefined;
}
