import { abortableSleep } from '../../src/core/clock.js';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import * as z from 'zod';
import type { Logger } from '../../src/core/logger.js';
import { containsCardNumber } from './card-data.js';
import type { IdempotencyKeys } from './idempotency-keys.js';
import {
  fingerprint,
  parseIntentRequest,
  parseRefundRequest,
  refundFingerprint,
  type ParseResult,
} from './intent-request.js';
import type { IntentRequest, Page, PaymentBook, PaymentIntent, Refund } from './payment-intents.js';
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

export type RefundResponse =
  | { readonly status: 200; readonly body: Refund }
  | { readonly status: 400 | 404; readonly body: VendorErrorBody };

export interface VendorAppDeps {
  readonly name: string;
  readonly secretKey: string;
  readonly book: PaymentBook;
  readonly keys: IdempotencyKeys<CreateResponse>;
  /** Kept apart from the creates' keys: a key names one request to one endpoint. */
  readonly refundKeys: IdempotencyKeys<RefundResponse>;
  readonly behaviour: BehaviourState;
  readonly logger: Pick<Logger, 'error'>;
}

const maxKeyLength = 255;

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  starting_after: z.string().min(1).optional(),
});

function errorBody(type: ErrorType, code: string, message: string): VendorErrorBody {
  return { error: { type, code, message } };
}

function vendorError(
  status: number,
  type: ErrorType,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return Response.json(errorBody(type, code, message), { status, headers });
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

const pause = (ms: number): Promise<void> => abortableSleep(ms);

/** A POST under Stripe's idempotency rules: the key's first answer is saved and replayed. */
interface IdempotentPost<Q, R extends { status: number; body: unknown }> {
  readonly keys: IdempotencyKeys<R>;
  readonly parse: (body: unknown) => ParseResult<Q>;
  readonly fingerprint: (request: Q) => string;
  readonly process: (request: Q) => Promise<R>;
  /** Delay of every answer, fresh or replayed; default none. */
  readonly answerDelayMs?: () => number;
}

async function idempotentPost<Q, R extends { status: number; body: unknown }>(
  c: Context,
  post: IdempotentPost<Q, R>,
): Promise<Response> {
  const key = c.req.header('Idempotency-Key');
  if (key === undefined || key === '') {
    return vendorError(
      400,
      'invalid_request_error',
      'parameter_missing',
      'Idempotency-Key header is required.',
    );
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
  const parsed = post.parse(json);
  if (!parsed.ok) return vendorError(400, 'invalid_request_error', 'parameter_invalid', parsed.message);

  const claim = post.keys.claim(key, post.fingerprint(parsed.request));
  if (claim.kind === 'in_use') {
    const message = 'A request with this Idempotency-Key is still being processed.';
    return vendorError(409, 'idempotency_error', 'idempotency_key_in_use', message);
  }
  if (claim.kind === 'reused') {
    const message = 'This Idempotency-Key was used with different parameters.';
    return vendorError(400, 'idempotency_error', 'idempotency_key_reused', message);
  }
  if (claim.kind === 'replay') {
    await pause(post.answerDelayMs?.() ?? 0);
    return Response.json(claim.response.body, {
      status: claim.response.status,
      headers: { 'Idempotent-Replayed': 'true' },
    });
  }
  let response: R;
  try {
    response = await post.process(parsed.request);
    post.keys.save(key, response);
  } finally {
    post.keys.release(key);
  }
  await pause(post.answerDelayMs?.() ?? 0);
  return Response.json(response.body, { status: response.status });
}

export function createPaymentVendorApp(deps: VendorAppDeps): Hono {
  const { book, behaviour } = deps;
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

  // The intent is visible as `processing` from receipt, so a lookup during processing never
  // reads "no such payment" for a charge that is about to happen.
  const confirm = async (request: IntentRequest): Promise<CreateResponse> => {
    const received = book.receive(request);
    await pause(behaviour.processingMs());
    const intent = book.confirm(received.id, request);
    if (intent.status === 'succeeded') return { status: 200, body: intent };
    const error = { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' } as const;
    return { status: 402, body: { error: { ...error, paymentIntent: intent } } };
  };

  app.post('/v1/payment_intents', async (c) => {
    const failure = behaviour.takeFailure();
    if (failure !== undefined) {
      return vendorError(failure, 'api_error', 'simulated_failure', 'The vendor failed before processing.');
    }
    return idempotentPost(c, {
      keys: deps.keys,
      parse: parseIntentRequest,
      fingerprint,
      process: confirm,
      answerDelayMs: () => behaviour.responseDelayMs(),
    });
  });

  app.post('/v1/refunds', (c) =>
    idempotentPost(c, {
      keys: deps.refundKeys,
      parse: parseRefundRequest,
      fingerprint: refundFingerprint,
      process: (request): Promise<RefundResponse> => {
        const result = book.refund(request);
        switch (result.kind) {
          case 'refunded':
            return Promise.resolve({ status: 200, body: result.refund });
          case 'no-such-intent': {
            const body = errorBody('invalid_request_error', 'resource_missing', 'No such payment intent.');
            return Promise.resolve({ status: 404, body });
          }
          case 'not-captured': {
            const message = `The payment intent is ${result.status}: there is no charge to refund.`;
            const body = errorBody('invalid_request_error', 'charge_not_captured', message);
            return Promise.resolve({ status: 400, body });
          }
          case 'already-refunded': {
            const message = 'The charge of this payment intent has already been refunded.';
            const body = errorBody('invalid_request_error', 'charge_already_refunded', message);
            return Promise.resolve({ status: 400, body });
          }
        }
      },
    }),
  );

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

  const paged =
    <T>(noun: string, read: (startingAfter: string | undefined, limit: number) => Page<T> | undefined) =>
    (c: Context): Response => {
      const query = pageQuery.safeParse(c.req.query());
      if (!query.success) {
        const message = `limit must be an integer from 1 to 1000; starting_after a ${noun} id.`;
        return vendorError(400, 'invalid_request_error', 'parameter_invalid', message);
      }
      const page = read(query.data.starting_after, query.data.limit);
      if (page === undefined) {
        return vendorError(
          400,
          'invalid_request_error',
          'resource_missing',
          `starting_after names no ${noun}.`,
        );
      }
      return c.json(page);
    };
  app.get(
    '/v1/charges',
    paged('charge', (after, limit) => book.chargesAfter(after, limit)),
  );
  // The ledger: every charge and refund in the order it happened, paged like the charges.
  app.get(
    '/v1/ledger',
    paged('charge or refund', (after, limit) => book.entriesAfter(after, limit)),
  );

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
