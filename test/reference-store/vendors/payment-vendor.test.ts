import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../../src/core/clock.js';
import type {
  Charge,
  LedgerEntry,
  PaymentIntent,
  PaymentVendor,
  PaymentVendorOptions,
  Refund,
} from '../../../reference-store/vendors/payment-vendor.js';
import { createPaymentVendor } from '../../../reference-store/vendors/payment-vendor.js';

const secretKey = 'sk_test_primary_secret';
const createdAt = 1_700_000_000;
const order = { amount: 4200, currency: 'usd', paymentToken: 'tok_visa', metadata: { orderId: 'ord_1' } };

interface ErrorBody {
  readonly error: { readonly type: string; readonly code: string; readonly message: string };
}
interface List<T> {
  readonly object: 'list';
  readonly data: readonly T[];
  readonly hasMore?: boolean;
}

function vendor(options: Partial<PaymentVendorOptions> = {}): PaymentVendor {
  return createPaymentVendor({
    name: 'primary',
    secretKey,
    processingMs: 0,
    clock: fixedClock(createdAt * 1000 + 250),
    ...options,
  });
}

function create(
  target: PaymentVendor,
  body: unknown,
  key: string | null = 'key-1',
  auth = `Bearer ${secretKey}`,
): Promise<Response> {
  const headers: Record<string, string> = { Authorization: auth, 'Content-Type': 'application/json' };
  if (key !== null) headers['Idempotency-Key'] = key;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return Promise.resolve(target.app.request('/v1/payment_intents', { method: 'POST', headers, body: text }));
}

function refund(
  target: PaymentVendor,
  body: unknown,
  key: string | null = 'refund-key-1',
  auth = `Bearer ${secretKey}`,
): Promise<Response> {
  const headers: Record<string, string> = { Authorization: auth, 'Content-Type': 'application/json' };
  if (key !== null) headers['Idempotency-Key'] = key;
  return Promise.resolve(
    target.app.request('/v1/refunds', { method: 'POST', headers, body: JSON.stringify(body) }),
  );
}

function get(target: PaymentVendor, path: string): Promise<Response> {
  return Promise.resolve(target.app.request(path, { headers: { Authorization: `Bearer ${secretKey}` } }));
}

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** Advances fake time in steps until `pending` settles, however many ticks a body read takes. */
async function runTimers<T>(pending: Promise<T>): Promise<T> {
  let settled = false;
  const tracked = pending.finally(() => {
    settled = true;
  });
  for (let step = 0; step < 100 && !settled; step += 1) await vi.advanceTimersByTimeAsync(10);
  return tracked;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('authentication', () => {
  it('a create without a bearer key is rejected with 401', async () => {
    const target = vendor();
    const response = await create(target, order, 'key-1', '');
    expect(response.status).toBe(401);
    expect(response.headers.get('WWW-Authenticate')).toBe('Bearer');
    expect((await json<ErrorBody>(response)).error.code).toBe('invalid_api_key');
    expect(target.ledger()).toHaveLength(0);
  });

  it('a wrong key is rejected with 401 and neither key appears in the answer', async () => {
    const response = await create(vendor(), order, 'key-1', 'Bearer sk_test_wrong');
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(text).not.toContain('sk_test_wrong');
    expect(text).not.toContain(secretKey);
  });

  it('reads need the key too', async () => {
    const response = await vendor().app.request('/v1/charges');
    expect(response.status).toBe(401);
  });

  it('the health check answers without a key', async () => {
    const response = await vendor().app.request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, name: 'primary' });
  });
});

describe('validation', () => {
  it.each([
    ['a fractional amount', { ...order, amount: 10.5 }],
    ['a zero amount', { ...order, amount: 0 }],
    ['a negative amount', { ...order, amount: -100 }],
    ['an amount given as a string', { ...order, amount: '4200' }],
    ['an uppercase currency', { ...order, currency: 'USD' }],
    ['a four-letter currency', { ...order, currency: 'usdt' }],
    ['a token without the tok_ prefix', { ...order, paymentToken: 'card_visa' }],
    ['a missing token', { amount: 4200, currency: 'usd' }],
    ['an unknown field', { ...order, capture: false }],
    ['a non-string metadata value', { ...order, metadata: { orderId: 7 } }],
  ])('%s is rejected with 400 invalid_request_error and records nothing', async (_case, body) => {
    const target = vendor();
    const response = await create(target, body);
    expect(response.status).toBe(400);
    expect((await json<ErrorBody>(response)).error).toMatchObject({
      type: 'invalid_request_error',
      code: 'parameter_invalid',
    });
    expect(target.intents()).toHaveLength(0);
  });

  it('a body that is not JSON is rejected with 400', async () => {
    const response = await create(vendor(), '{"amount":');
    expect(response.status).toBe(400);
    expect((await json<ErrorBody>(response)).error.code).toBe('invalid_json');
  });

  it('a create without an Idempotency-Key is rejected with 400', async () => {
    const target = vendor();
    const response = await create(target, order, null);
    expect(response.status).toBe(400);
    expect((await json<ErrorBody>(response)).error.code).toBe('parameter_missing');
    expect(target.ledger()).toHaveLength(0);
  });

  it.each([
    ['a card number in metadata', { ...order, metadata: { note: '4242424242424242' } }],
    ['a card number written in groups', { ...order, metadata: { note: '4242 4242 4242 4242' } }],
    ['a card number as a JSON number', { ...order, card: 4242424242424242 }],
    ['a 13-digit number inside a string', { ...order, metadata: { orderId: 'ord_4222222222222' } }],
    ['a card number in a body that is not even JSON', 'number=4000056655665556'],
  ])('%s is rejected with raw_card_data_rejected and is never stored', async (_case, body) => {
    const target = vendor();
    const response = await create(target, body);
    expect(response.status).toBe(400);
    expect((await json<ErrorBody>(response)).error.code).toBe('raw_card_data_rejected');
    expect(target.intents()).toHaveLength(0);
    expect((await create(target, order)).status).toBe(200);
  });

  it('twelve digits or a date with separators is not mistaken for a card number', async () => {
    const metadata = { orderId: 'ord_424242424242', placedAt: '2024-06-10 12:00:00' };
    expect((await create(vendor(), { ...order, metadata })).status).toBe(200);
  });
});

describe('payment', () => {
  it('a valid create captures at once: 200 with a succeeded intent and one charge in the ledger', async () => {
    const target = vendor();
    const response = await create(target, order);
    expect(response.status).toBe(200);
    expect(response.headers.get('Idempotent-Replayed')).toBeNull();
    const intent = await json<PaymentIntent>(response);
    expect(intent).toEqual({
      id: 'pi_primary_000001',
      object: 'payment_intent',
      status: 'succeeded',
      amount: 4200,
      currency: 'usd',
      metadata: { orderId: 'ord_1' },
      latestCharge: 'ch_primary_000001',
      created: createdAt,
    });
    expect(target.ledger()).toEqual([
      {
        id: 'ch_primary_000001',
        object: 'charge',
        paymentIntent: 'pi_primary_000001',
        amount: 4200,
        currency: 'usd',
        orderId: 'ord_1',
        captured: true,
        amountRefunded: 0,
        refunded: false,
        created: createdAt,
      },
    ]);
    expect(target.stats()).toEqual({ creates: 1, replays: 0, charges: 1 });
  });

  it('a charge without an orderId in metadata has orderId null, and ids take idPrefix', async () => {
    const target = vendor({ idPrefix: 'backup' });
    const intent = await json<PaymentIntent>(await create(target, { ...order, metadata: undefined }));
    expect(intent.id).toBe('pi_backup_000001');
    expect(intent.metadata).toEqual({});
    expect(target.ledger()[0]?.orderId).toBeNull();
  });

  it('an intent is readable by id, and an unknown id answers 404 resource_missing', async () => {
    const target = vendor();
    const intent = await json<PaymentIntent>(await create(target, order));
    expect(await json<PaymentIntent>(await get(target, `/v1/payment_intents/${intent.id}`))).toEqual(intent);
    const missing = await get(target, '/v1/payment_intents/pi_primary_999999');
    expect(missing.status).toBe(404);
    expect((await json<ErrorBody>(missing)).error.code).toBe('resource_missing');
  });

  it('the declined token answers 402 card_declined and leaves an intent without a charge', async () => {
    const target = vendor();
    const response = await create(target, { ...order, paymentToken: 'tok_chargeDeclined' });
    expect(response.status).toBe(402);
    expect((await json<ErrorBody>(response)).error).toMatchObject({
      type: 'card_error',
      code: 'card_declined',
    });
    expect(target.intents()).toMatchObject([{ status: 'requires_payment_method', latestCharge: null }]);
    expect(target.ledger()).toHaveLength(0);
  });

  it('intents are found by order id', async () => {
    const target = vendor();
    await create(target, order, 'key-1');
    await create(target, { ...order, metadata: { orderId: 'ord_2' } }, 'key-2');
    await create(target, { ...order, paymentToken: 'tok_chargeDeclined' }, 'key-3');
    const list = await json<List<PaymentIntent>>(await get(target, '/v1/payment_intents?order_id=ord_1'));
    expect(list.object).toBe('list');
    expect(list.data.map((intent) => intent.status)).toEqual(['succeeded', 'requires_payment_method']);
    expect((await get(target, '/v1/payment_intents')).status).toBe(400);
  });
});

describe('idempotency', () => {
  it('the same key with the same body replays the saved answer and charges once', async () => {
    const target = vendor();
    const first = await create(target, order);
    const second = await create(target, order);
    expect(second.status).toBe(200);
    expect(second.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await second.json()).toEqual(await first.json());
    expect(target.stats()).toEqual({ creates: 1, replays: 1, charges: 1 });
  });

  it('the same parameters in another key order count as the same body', async () => {
    const target = vendor();
    await create(target, order);
    const reordered = `{"metadata":{"orderId":"ord_1"},"paymentToken":"tok_visa","currency":"usd","amount":4200}`;
    const response = await create(target, reordered);
    expect(response.headers.get('Idempotent-Replayed')).toBe('true');
    expect(target.ledger()).toHaveLength(1);
  });

  it('a replayed decline is the same 402', async () => {
    const target = vendor();
    const declined = { ...order, paymentToken: 'tok_chargeDeclined' };
    await create(target, declined);
    const replay = await create(target, declined);
    expect(replay.status).toBe(402);
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    expect(target.intents()).toHaveLength(1);
  });

  it('the same key with a different body is rejected with 400 idempotency_key_reused', async () => {
    const target = vendor();
    await create(target, order);
    const response = await create(target, { ...order, amount: 5000 });
    expect(response.status).toBe(400);
    expect((await json<ErrorBody>(response)).error).toMatchObject({
      type: 'idempotency_error',
      code: 'idempotency_key_reused',
    });
    expect(target.ledger()).toHaveLength(1);
  });

  it('two concurrent creates with one key give one 200 and one 409, and charge once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const target = vendor({ processingMs: 50 });
    const responses = await runTimers(Promise.all([create(target, order), create(target, order)]));
    expect(responses.map((response) => response.status).sort()).toEqual([200, 409]);
    const conflict = responses.find((response) => response.status === 409);
    expect((await json<ErrorBody>(conflict ?? Response.error())).error.code).toBe('idempotency_key_in_use');
    expect(target.ledger()).toHaveLength(1);
    const retry = await runTimers(create(target, order));
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
  });

  it('failNext answers 503 without keeping the key, so a retry with that key charges once', async () => {
    const target = vendor();
    target.setBehaviour({ failNext: { count: 2, status: 503 } });
    expect((await create(target, order)).status).toBe(503);
    const second = await create(target, order);
    expect(second.status).toBe(503);
    expect((await json<ErrorBody>(second)).error.type).toBe('api_error');
    expect(target.intents()).toHaveLength(0);
    const retry = await create(target, order);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('Idempotent-Replayed')).toBeNull();
    expect(target.stats()).toEqual({ creates: 1, replays: 0, charges: 1 });
  });
});

describe('slow responses', () => {
  it('with responseDelayMs the charge and the order lookup see the payment before the answer arrives', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const target = vendor({ processingMs: 10 });
    target.setBehaviour({ responseDelayMs: 150 });
    let answered = false;
    const pending = create(target, order).then((response) => {
      answered = true;
      return response;
    });
    for (let step = 0; step < 10 && target.ledger().length === 0; step += 1) {
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(target.ledger()).toHaveLength(1);
    const lookup = await json<List<PaymentIntent>>(await get(target, '/v1/payment_intents?order_id=ord_1'));
    expect(lookup.data.map((intent) => intent.status)).toEqual(['succeeded']);
    expect(answered).toBe(false);
    expect((await runTimers(pending)).status).toBe(200);
  });

  it('while a create is processing, its intent is found as processing, without a charge', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const target = vendor({ processingMs: 200 });
    const pending = create(target, order);
    await vi.advanceTimersByTimeAsync(10);
    const lookup = await json<List<PaymentIntent>>(await get(target, '/v1/payment_intents?order_id=ord_1'));
    expect(lookup.data).toMatchObject([{ status: 'processing', latestCharge: null }]);
    const [intent] = lookup.data;
    expect(await json<PaymentIntent>(await get(target, `/v1/payment_intents/${intent?.id}`))).toMatchObject({
      status: 'processing',
    });
    expect(target.ledger()).toHaveLength(0);

    expect((await runTimers(pending)).status).toBe(200);
    const after = await json<List<PaymentIntent>>(await get(target, '/v1/payment_intents?order_id=ord_1'));
    expect(after.data).toMatchObject([
      { id: intent?.id, status: 'succeeded', latestCharge: target.ledger()[0]?.id },
    ]);
  });

  it('settings that make no sense are refused', () => {
    const target = vendor();
    expect(() => target.setBehaviour({ responseDelayMs: -1 })).toThrow(RangeError);
    expect(() => target.setBehaviour({ failNext: { count: 1, status: 200 } })).toThrow(RangeError);
  });
});

describe('charge ledger', () => {
  async function ledgerOf(count: number): Promise<PaymentVendor> {
    const target = vendor();
    for (let index = 1; index <= count; index += 1) {
      await create(target, { ...order, metadata: { orderId: `ord_${index}` } }, `key-${index}`);
    }
    return target;
  }

  it('pages through charges in creation order with limit and starting_after', async () => {
    const target = await ledgerOf(5);
    const pages: (readonly string[])[] = [];
    let cursor = '';
    for (;;) {
      const query = cursor === '' ? 'limit=2' : `limit=2&starting_after=${cursor}`;
      const page = await json<List<Charge>>(await get(target, `/v1/charges?${query}`));
      pages.push(page.data.map((charge) => charge.orderId ?? ''));
      if (page.hasMore !== true) break;
      cursor = page.data.at(-1)?.id ?? '';
    }
    expect(pages).toEqual([['ord_1', 'ord_2'], ['ord_3', 'ord_4'], ['ord_5']]);
  });

  it('without a limit a page holds up to 100 charges', async () => {
    const target = await ledgerOf(101);
    const page = await json<List<Charge>>(await get(target, '/v1/charges'));
    expect(page.data).toHaveLength(100);
    expect(page.hasMore).toBe(true);
  });

  it.each(['limit=0', 'limit=1001', 'limit=ten', 'starting_after=ch_primary_999999'])(
    '%s is rejected with 400',
    async (query) => {
      const response = await get(await ledgerOf(1), `/v1/charges?${query}`);
      expect(response.status).toBe(400);
    },
  );
});

describe('over a socket', () => {
  it('listens on a free loopback port, charges over fetch and closes', async () => {
    const target = vendor();
    const server = await target.listen();
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${server.url}/v1/payment_intents`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${secretKey}`, 'Idempotency-Key': 'net-1' },
        body: JSON.stringify(order),
      });
      expect(response.status).toBe(200);
      expect((await json<PaymentIntent>(response)).status).toBe('succeeded');
      expect(target.ledger()).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

describe('refunds', () => {
  async function charged(target: PaymentVendor, orderId = 'ord_1'): Promise<PaymentIntent> {
    const response = await create(target, { ...order, metadata: { orderId } }, `key-${orderId}`);
    expect(response.status).toBe(200);
    return json<PaymentIntent>(response);
  }

  it('refunds the whole charge of an intent: the refund is in the ledger and the charge shows it', async () => {
    const target = vendor();
    const intent = await charged(target);
    const response = await refund(target, { paymentIntent: intent.id, metadata: { orderId: 'ord_1' } });
    expect(response.status).toBe(200);
    const body = await json<Refund>(response);
    expect(body).toEqual({
      id: 're_primary_000001',
      object: 'refund',
      charge: intent.latestCharge,
      paymentIntent: intent.id,
      amount: order.amount,
      currency: order.currency,
      orderId: 'ord_1',
      reason: 'requested_by_customer',
      status: 'succeeded',
      metadata: { orderId: 'ord_1' },
      created: createdAt,
    });
    expect(target.refunds()).toEqual([body]);
    expect(target.ledger()).toMatchObject([
      { id: intent.latestCharge, amountRefunded: order.amount, refunded: true },
    ]);
  });

  it('the same key replays the refund, and another key cannot refund the charge again', async () => {
    const target = vendor();
    const intent = await charged(target);
    const first = await json<Refund>(await refund(target, { paymentIntent: intent.id }, 'r-1'));
    const replay = await refund(target, { paymentIntent: intent.id }, 'r-1');
    expect(replay.status).toBe(200);
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await json<Refund>(replay)).toEqual(first);
    const again = await refund(target, { paymentIntent: intent.id }, 'r-2');
    expect(again.status).toBe(400);
    expect((await json<ErrorBody>(again)).error.code).toBe('charge_already_refunded');
    expect(target.refunds()).toHaveLength(1);
  });

  it('an intent without a charge (declined) cannot be refunded, and an unknown intent answers 404', async () => {
    const target = vendor();
    const declined = await json<ErrorBody & { error: { paymentIntent: PaymentIntent } }>(
      await create(target, { ...order, paymentToken: 'tok_chargeDeclined' }),
    );
    const notCaptured = await refund(target, { paymentIntent: declined.error.paymentIntent.id }, 'r-1');
    expect(notCaptured.status).toBe(400);
    expect((await json<ErrorBody>(notCaptured)).error.code).toBe('charge_not_captured');
    const missing = await refund(target, { paymentIntent: 'pi_primary_999999' }, 'r-2');
    expect(missing.status).toBe(404);
    expect((await json<ErrorBody>(missing)).error.code).toBe('resource_missing');
    expect(target.refunds()).toEqual([]);
  });

  it.each([
    ['without a key', null, { paymentIntent: 'pi_primary_000001' }, 400, 'parameter_missing'],
    [
      'with an unknown field',
      'r-1',
      { paymentIntent: 'pi_primary_000001', amount: 1 },
      400,
      'parameter_invalid',
    ],
    [
      'with an unknown reason',
      'r-1',
      { paymentIntent: 'pi_primary_000001', reason: 'bored' },
      400,
      'parameter_invalid',
    ],
    [
      'with something else than an intent id',
      'r-1',
      { paymentIntent: 'ch_primary_000001' },
      400,
      'parameter_invalid',
    ],
  ])('a refund %s is rejected and refunds nothing', async (_case, key, body, status, code) => {
    const target = vendor();
    await charged(target);
    const response = await refund(target, body, key);
    expect(response.status).toBe(status);
    expect((await json<ErrorBody>(response)).error.code).toBe(code);
    expect(target.refunds()).toEqual([]);
  });

  it('a refund needs the key', async () => {
    const target = vendor();
    const intent = await charged(target);
    expect((await refund(target, { paymentIntent: intent.id }, 'r-1', 'Bearer sk_test_wrong')).status).toBe(
      401,
    );
    expect(target.refunds()).toEqual([]);
  });
});

describe('ledger', () => {
  it('pages through charges and refunds in the order they happened', async () => {
    const target = vendor();
    for (const orderId of ['ord_1', 'ord_2', 'ord_3']) {
      await create(target, { ...order, metadata: { orderId } }, `key-${orderId}`);
    }
    const [, second] = target.intents();
    await refund(target, { paymentIntent: second?.id });
    const ids: string[] = [];
    let cursor = '';
    for (;;) {
      const query = cursor === '' ? 'limit=3' : `limit=3&starting_after=${cursor}`;
      const page = await json<List<LedgerEntry>>(await get(target, `/v1/ledger?${query}`));
      ids.push(...page.data.map((entry) => `${entry.object} ${entry.orderId ?? ''}`));
      if (page.hasMore !== true) break;
      cursor = page.data.at(-1)?.id ?? '';
    }
    expect(ids).toEqual(['charge ord_1', 'charge ord_2', 'charge ord_3', 'refund ord_2']);
  });

  it('needs the key, and refuses a cursor that names no entry', async () => {
    const target = vendor();
    expect((await target.app.request('/v1/ledger')).status).toBe(401);
    const response = await get(target, '/v1/ledger?starting_after=re_primary_000009');
    expect(response.status).toBe(400);
    expect((await json<ErrorBody>(response)).error.code).toBe('resource_missing');
  });
});
