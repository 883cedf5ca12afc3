import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import * as z from 'zod';
import type { Logger } from '../../src/core/logger.js';
import { containsCardNumber } from './card-data.js';
import type { IdempotencyKeys } from './idempotency-keys.js';
import { fingerprint, parseIntentRequest } from './intent-request.js';
import type { IntentRequest, PaymentBook, PaymentIntent } from './payment-intents.js';
import type { BehaviourState } from './vendor-behaviour.js';

type ErrorType = 'invalid_request_error' | 'card_error' | 'idempotency_error' | 'api_error';

export interface VendorErrorBody {
  readonly error: {
    readonly type: ErrorType;
    readonly code: string;
    readonly message: string;
    readonly paymentIntent?: PaymentIntent;
  };
}

/** What an idempotency key saves and replays. */
export type CreateResponse =
  | { readonly status: 200; readonly body: PaymentIntent }
  | { readonly status: 402; readonly body: VendorErrorBody };

export interface VendorAppDeps {
  readonly name: string;
  readonly secretKey: string;
  readonly book: PaymentBook;
  readonly keys: IdempotencyKeys<CreateResponse>;
  readonly behaviour: BehaviourState;
  readonly logger: Pick<Logger, 'error'>;
}

const maxKeyLength = 255;

const chargesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  starting_after: z.string().min(1).optional(),
});

function vendorError(
  status: number,
  type: ErrorType,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const body: VendorErrorBody = { error: { type, code, message } };
  return Response.json(body, { status, headers });
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

const pause = (ms: number): Promise<void> =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();

export function createPaymentVendorApp(deps: VendorAppDeps): Hono {
  const { book, keys, behaviour } = deps;
  const secretDigest = digest(deps.secretKey);
  const app = new Hono();

  app.get('/healthz', (c) => c.json({ ok: true, name: deps.name }));

  app.use('/v1/*', async (c, next) => {
    const token = /^Bearer (\S+)$/.exec(c.req.header('Authorization') ?? '')?.[1];
    // Digests of equal length let the comparison take the same time wherever the token differs.
    if (token === undefined || !timingSafeEqual(digest(token), secretDigest)) {
      const message = 'Invalid or missing API key.';
      return vendorError(401, 'invalid_request_error', 'invalid_api_key', message, {
        'WWW-Authenticate': 'Bearer',
      });
    }
    await next();
    return undefined;
  });

  const confirm = (request: IntentRequest): CreateResponse => {
    const intent = book.confirm(request);
    if (intent.status === 'succeeded') return { status: 200, body: intent };
    const error = { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' } as const;
    return { status: 402, body: { error: { ...error, paymentIntent: intent } } };
  };

  app.post('/v1/payment_intents', async (c) => {
    const failure = behaviour.takeFailure();
    if (failure !== undefined) {
      return vendorError(failure, 'api_error', 'simulated_failure', 'The vendor failed before processing.');
    }
    const key = c.req.header('Idempotency-Key');
    if (key === undefined || key === '') {
      const message = 'Idempotency-Key header is required.';
      return vendorError(400, 'invalid_request_error', 'parameter_missing', message);
    }
    if (key.length > maxKeyLength) {
      const message = `Idempotency-Key must be at most ${maxKeyLength} characters.`;
      return vendorError(400, 'invalid_request_error', 'parameter_invalid', message);
    }
    const text = await c.req.text();
    if (containsCardNumber(text)) {
      const message = 'Raw card data is not accepted; send a payment token.';
      return vendorError(400, 'invalid_request_error', 'raw_card_data_rejected', message);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return vendorError(400, 'invalid_request_error', 'invalid_json', 'The body is not valid JSON.');
    }
    const parsed = parseIntentRequest(json);
    if (!parsed.ok) return vendorError(400, 'invalid_request_error', 'parameter_invalid', parsed.message);

    const claim = keys.claim(key, fingerprint(parsed.request));
    if (claim.kind === 'in_use') {
      const message = 'A request with this Idempotency-Key is still being processed.';
      return vendorError(409, 'idempotency_error', 'idempotency_key_in_use', message);
    }
    if (claim.kind === 'reused') {
      const message = 'This Idempotency-Key was used with different parameters.';
      return vendorError(400, 'idempotency_error', 'idempotency_key_reused', message);
    }
    if (claim.kind === 'replay') {
      await pause(behaviour.responseDelayMs());
      return c.json(claim.response.body, claim.response.status, { 'Idempotent-Replayed': 'true' });
    }
    let response: CreateResponse;
    try {
      await pause(behaviour.processingMs());
      response = confirm(parsed.request);
      keys.save(key, response);
    } finally {
      keys.release(key);
    }
    await pause(behaviour.responseDelayMs());
    return c.json(response.body, response.status);
  });

  app.get('/v1/payment_intents/:id', (c) => {
    const intent = book.intent(c.req.param('id'));
    if (intent === undefined) {
      return vendorError(404, 'invalid_request_error', 'resource_missing', 'No such payment intent.');
    }
    return c.json(intent);
  });

  app.get('/v1/payment_intents', (c) => {
    const orderId = c.req.query('order_id');
    if (orderId === undefined || orderId === '') {
      return vendorError(400, 'invalid_request_error', 'parameter_missing', 'order_id is required.');
    }
    return c.json({ object: 'list', data: book.intentsForOrder(orderId) });
  });

  app.get('/v1/charges', (c) => {
    const query = chargesQuery.safeParse(c.req.query());
    if (!query.success) {
      const message = 'limit must be an integer from 1 to 1000; starting_after a charge id.';
      return vendorError(400, 'invalid_request_error', 'parameter_invalid', message);
    }
    const page = book.chargesAfter(query.data.starting_after, query.data.limit);
    if (page === undefined) {
      return vendorError(400, 'invalid_request_error', 'resource_missing', 'starting_after names no charge.');
    }
    return c.json(page);
  });

  app.notFound(() => vendorError(404, 'invalid_request_error', 'unrecognized_url', 'Unrecognized URL.'));

  // As hono's default handler: an error that knows its response answers with it; anything else is
  // logged (message only: request bodies and headers stay out of logs) and answered with a 500.
  app.onError((err) => {
    if (err instanceof HTTPException) return err.getResponse();
    deps.logger.error('payment vendor request failed', { vendor: deps.name, error: err.message });
    return vendorError(500, 'api_error', 'internal_error', 'Internal vendor error.');
  });

  return app;
}
