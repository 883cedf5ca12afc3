import * as z from 'zod';
import type { IntentRequest } from './payment-intents.js';

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

export type IntentRequestResult =
  { readonly ok: true; readonly request: IntentRequest } | { readonly ok: false; readonly message: string };

export function parseIntentRequest(body: unknown): IntentRequestResult {
  const parsed = intentRequestSchema.safeParse(body);
  if (!parsed.success) {
    const message = parsed.error.issues
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`)
      .join('; ');
    return { ok: false, message };
  }
  return { ok: true, request: { ...parsed.data, metadata: parsed.data.metadata ?? {} } };
}

/** Equal for requests with the same parameters, whatever the key order of the JSON they came in. */
export function fingerprint(request: IntentRequest): string {
  const metadata = Object.entries(request.metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([request.amount, request.currency, request.paymentToken, metadata]);
}
