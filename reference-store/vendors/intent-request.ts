import * as z from 'zod';
import type { IntentRequest, RefundRequest } from './payment-intents.js';

// Limits from Stripe's API reference: amounts up to eight digits, metadata of at most 50 keys of
// 40 characters with values of 500.
const metadataSchema = z
  .record(z.string().min(1).max(40), z.string().max(500))
  .refine((metadata) => Object.keys(metadata).length <= 50, 'metadata has more than 50 keys');

const intentRequestSchema = z.strictObject({
  amount: z.int().positive().max(99_999_999),
  currency: z.string().regex(/^[a-z]{3}$/, 'expected a 3-letter lowercase ISO currency code'),
  paymentToken: z.string().regex(/^tok_[A-Za-z0-9_]{1,64}$/, 'expected a token like tok_visa'),
  metadata: metadataSchema.optional(),
});

// Stripe's refund: the whole charge of a payment intent (partial refunds are not simulated).
const refundRequestSchema = z.strictObject({
  paymentIntent: z.string().regex(/^pi_[A-Za-z0-9_]{1,64}$/, 'expected a payment intent id like pi_...'),
  reason: z.enum(['duplicate', 'fraudulent', 'requested_by_customer']).default('requested_by_customer'),
  metadata: metadataSchema.optional(),
});

export type ParseResult<T> =
  { readonly ok: true; readonly request: T } | { readonly ok: false; readonly message: string };

function failure(error: z.ZodError): { readonly ok: false; readonly message: string } {
  const message = error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
  return { ok: false, message };
}

export function parseIntentRequest(body: unknown): ParseResult<IntentRequest> {
  const parsed = intentRequestSchema.safeParse(body);
  if (!parsed.success) return failure(parsed.error);
  return { ok: true, request: { ...parsed.data, metadata: parsed.data.metadata ?? {} } };
}

export function parseRefundRequest(body: unknown): ParseResult<RefundRequest> {
  const parsed = refundRequestSchema.safeParse(body);
  if (!parsed.success) return failure(parsed.error);
  return { ok: true, request: { ...parsed.data, metadata: parsed.data.metadata ?? {} } };
}

const sortedEntries = (metadata: Readonly<Record<string, string>>): [string, string][] =>
  Object.entries(metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Equal for requests with the same parameters, whatever the key order of the JSON they came in. */
export function fingerprint(request: IntentRequest): string {
  return JSON.stringify([
    request.amount,
    request.currency,
    request.paymentToken,
    sortedEntries(request.metadata),
  ]);
}

export function refundFingerprint(request: RefundRequest): string {
  return JSON.stringify([request.paymentIntent, request.reason, sortedEntries(request.metadata)]);
}
