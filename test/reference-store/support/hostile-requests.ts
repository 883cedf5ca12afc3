import fc from 'fast-check';
import * as z from 'zod';

/**
 * Requests a hostile client could send to every route of the store, and the answers the README's API
 * table allows for each. Strings carry NUL, every other control character, lone surrogates, quotes
 * and backslashes; numbers are fractional, negative, huge and not numbers at all; bodies are nested
 * thousands deep, truncated, invalid UTF-8 or of another content type; headers hold any byte a client
 * can put in one.
 */
export type RouteName =
  | 'GET /api/products'
  | 'GET /api/products/:id'
  | 'GET /api/cart'
  | 'POST /api/cart/items'
  | 'DELETE /api/cart/items/:productId'
  | 'DELETE /api/cart'
  | 'POST /api/checkout'
  | 'GET /api/orders/:id'
  | 'GET /assets/*'
  | 'GET /healthz|/readyz|/metrics'
  | 'POST /admin/reconcile'
  | 'GET /admin/verify'
  | 'POST /admin/verify'
  | 'unrouted';

export interface HostileRequest {
  readonly route: RouteName;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

/** Sessions the property shares between runs, so carts fill up and checkouts get past the empty cart. */
export const propertySessions = ['prop-session-1', 'prop-session-2'] as const;

const tricky = [
  '\u0000',
  'p-\u0000',
  'p-00001\u0000',
  '\u0000p-00001',
  '\ud800',
  'p-\udc00',
  '\u0085',
  '\u009f',
  '\u007f',
  '\u001b[31m',
  '\t',
  '\r\n',
  '%00',
  '%',
  "'; drop table orders; --",
  "O'Brien",
  '\\',
  '\\x00',
  '"',
  '$1',
  '${1}',
  '..',
  '../admin',
  ' ',
  '',
  '\u202e',
  '\ufeff',
  '\u00a0',
  '\u200b',
  '😀',
  'a'.repeat(64),
  'a'.repeat(65),
  'a'.repeat(201),
  'null',
  '[]',
  '{}',
  '-1',
  'kettle & | ! <-> ( ) : *',
  '"unclosed',
  'p-00001',
  'p-00002',
];

/** Any UTF-16 code unit, NUL and lone surrogates included, and the classic troublemakers. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(...tricky),
  fc.string({
    unit: fc.constantFrom('\u0000', '\u0001', '\u001f', '\u007f', '\u0085', '\\', "'", '"', '%', '&', ' ', 'p', '-', '0'),
    maxLength: 30,
  }),
);

const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.integer({ min: -2, max: 102 }),
  fc.double(),
  fc.constantFrom(0, -0, 1, 100, 101, 2 ** 31, 2 ** 53 + 2, 1e308, 4242424242424242),
);

const numberText: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: -10, max: 20_000 }).map(String),
  fc.double().map(String),
  fc.constantFrom('', ' ', '1e309', 'NaN', 'Infinity', '-0', '0x10', '1.0', '5 ', '٣', '1_000', '+5', '9'.repeat(400)),
  hostileText,
);

const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

/** What a header can carry: any byte but NUL, CR and LF (the Fetch API refuses those three). */
const headerText: fc.Arbitrary<string> = fc.string({
  unit: fc
    .integer({ min: 1, max: 0xff })
    .filter((c) => c !== 10 && c !== 13)
    .map((c) => String.fromCharCode(c)),
  maxLength: 80,
});

const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'application/problem+json',
    'application/json-seq',
    'application/jsonx',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    '',
  ),
  fc.constant(undefined),
  headerText,
);

const encoder = new TextEncoder();
const hex = (byte: number): string => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`;

/** A path segment: hostile text percent-encoded as UTF-8, raw bytes (often not UTF-8), or a trap. */
const pathSegment: fc.Arbitrary<string> = fc.oneof(
  hostileText.map((text) => [...encoder.encode(text)].map(hex).join('')),
  fc.uint8Array({ maxLength: 20 }).map((bytes) => [...bytes].map(hex).join('')),
  fc.constantFrom('p-00001', 'p-00002', 'p-99999', '%', '%zz', '%00', '%ED%A0%80', '..', '.', '%2e%2e', 'a%2Fb', 'ord_x'),
);

const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arb, { nil: undefined, freq: 3 });

const commonHeaders: fc.Arbitrary<Record<string, string>> = fc
  .record({
    'x-customer-segment': optional(
      fc.oneof(fc.constantFrom('guest', 'member', 'vip', 'VIP', '', 'platinum'), headerText),
    ),
    'x-session-id': optional(fc.oneof(fc.constantFrom(...propertySessions), headerText)),
    'x-customer-id': optional(fc.oneof(fc.constantFrom('cust-00001', 'cust-00042', 'cust-99999'), headerText)),
    authorization: optional(fc.oneof(fc.constant('Bearer nope'), headerText)),
  })
  .map(defined);

function defined(record: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter((e): e is [string, string] => e[1] !== undefined));
}

/** JSON of an object with the expected keys holding anything, extra keys, or no object at all. */
function hostileBody(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<string | Uint8Array> {
  const object = fc
    .record(
      { ...fields, extra: optional(fc.dictionary(hostileText, anyJson, { maxKeys: 2 })) },
      { requiredKeys: [] },
    )
    .map(({ extra, ...rest }) => ({ ...rest, ...(extra ?? {}) }));
  return fc.oneof(
    { weight: 6, arbitrary: object.map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: anyJson.map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: hostileText },
    {
      weight: 1,
      arbitrary: fc
        .tuple(object, fc.nat())
        .map(([value, cut]) => {
          const text = JSON.stringify(value);
          return text.slice(0, cut % (text.length + 1));
        }),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom('[', '{"a":'))
        .map(([depth, open]) => `${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}`),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  );
}

const idempotencyKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('prop-key-000001', 'prop-key-000002', 'prop-key-000003'),
  fc.integer({ min: 1, max: 1_000_000 }).map((n) => `prop-key-${n}`),
  headerText,
);

const productId: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: 1, max: 320 }).map((n) => `p-${String(n).padStart(5, '0')}`),
  hostileText,
  hostileNumber,
  anyJson,
);

interface RequestParts {
  readonly headers: Record<string, string>;
  readonly contentType: string | undefined;
}

const parts: fc.Arbitrary<RequestParts> = fc.record({ headers: commonHeaders, contentType });

function withBody(
  route: RouteName,
  path: string,
  body: fc.Arbitrary<string | Uint8Array>,
  extraHeaders: fc.Arbitrary<Record<string, string>> = fc.constant({}),
): fc.Arbitrary<HostileRequest> {
  return fc.tuple(parts, body, extraHeaders).map(([p, b, extra]) => ({
    route,
    method: 'POST',
    path,
    headers: { ...p.headers, ...extra, ...(p.contentType === undefined ? {} : { 'content-type': p.contentType }) },
    body: b,
  }));
}

function bodiless(
  route: RouteName,
  method: string,
  path: fc.Arbitrary<string>,
  extraHeaders: fc.Arbitrary<Record<string, string>> = fc.constant({}),
): fc.Arbitrary<HostileRequest> {
  return fc
    .tuple(commonHeaders, path, extraHeaders)
    .map(([headers, p, extra]) => ({ route, method, path: p, headers: { ...headers, ...extra } }));
}

const query = (params: Record<string, string | undefined>): string => {
  const search = new URLSearchParams(defined(params)).toString();
  return search === '' ? '' : `?${search}`;
};

export const hostileRequest: fc.Arbitrary<HostileRequest> = fc.oneof(
  bodiless(
    'GET /api/products',
    'GET',
    fc
      .record({
        q: optional(hostileText),
        category: optional(fc.oneof(fc.constantFrom('garden', 'kitchen'), hostileText)),
        limit: optional(numberText),
        offset: optional(numberText),
      })
      .map((params) => `/api/products${query(params)}`),
  ),
  bodiless('GET /api/products/:id', 'GET', pathSegment.map((id) => `/api/products/${id}`)),
  bodiless('GET /api/cart', 'GET', fc.constant('/api/cart')),
  withBody('POST /api/cart/items', '/api/cart/items', hostileBody({ productId, quantity: fc.oneof(hostileNumber, anyJson, hostileText) })),
  bodiless('DELETE /api/cart/items/:productId', 'DELETE', pathSegment.map((id) => `/api/cart/items/${id}`)),
  bodiless('DELETE /api/cart', 'DELETE', fc.constant('/api/cart')),
  withBody(
    'POST /api/checkout',
    '/api/checkout',
    hostileBody({
      paymentToken: fc.oneof(fc.constantFrom('tok_visa', 'tok_chargeDeclined', 'tok_'), hostileText, anyJson),
    }),
    optional(idempotencyKey).map((key) => (key === undefined ? {} : { 'idempotency-key': key })),
  ),
  bodiless('GET /api/orders/:id', 'GET', pathSegment.map((id) => `/api/orders/${id}`)),
  bodiless(
    'GET /assets/*',
    'GET',
    fc.oneof(fc.constantFrom('img/product-7.svg', 'img/product-1.svg', 'nothing.bin'), pathSegment).map((p) => `/assets/${p}`),
  ),
  bodiless('GET /healthz|/readyz|/metrics', 'GET', fc.constantFrom('/healthz', '/readyz', '/metrics')),
  { arbitrary: bodiless('POST /admin/reconcile', 'POST', fc.constant('/admin/reconcile')), weight: 1 },
  { arbitrary: bodiless('GET /admin/verify', 'GET', fc.constant('/admin/verify')), weight: 1 },
  withBody(
    'POST /admin/verify',
    '/admin/verify',
    hostileBody({
      acknowledged: fc.oneof(
        fc.array(fc.record({ idempotencyKey: fc.oneof(hostileText, anyJson), orderId: optional(hostileText) }), { maxLength: 3 }),
        anyJson,
      ),
    }),
  ),
  bodiless(
    'unrouted',
    'GET',
    fc.oneof(pathSegment.map((p) => `/${p}`), fc.constantFrom('/api', '/api/', '/api/products/', '/api/cart/items', '/admin')),
  ),
  fc.tuple(commonHeaders, fc.constantFrom('PUT', 'PATCH', 'OPTIONS'), fc.constantFrom('/api/products', '/api/cart', '/api/checkout', '/admin/verify')).map(([headers, method, path]) => ({
    route: 'unrouted' as const,
    method,
    path,
    headers,
  })),
);

const problemBody = z.looseObject({
  type: z.string().regex(/^https:\/\/shopsre\.dev\/problems\/[a-z0-9-]+$/),
  title: z.string().min(1),
  status: z.number().int(),
  detail: z.string(),
});

const productSummary = z.strictObject({
  id: z.string(),
  name: z.string(),
  category: z.string(),
  priceCents: z.number().int(),
  currency: z.string(),
  image: z.string(),
});
const productList = z.strictObject({
  items: z.array(productSummary).max(100),
  total: z.number().int().min(0),
  limit: z.number().int().min(1).max(100),
  offset: z.number().int().min(0),
});
const product = productSummary.extend({ sku: z.string(), description: z.string(), inStock: z.number().int() }).strict();
const cart = z.strictObject({
  items: z.array(
    z.strictObject({
      productId: z.string(),
      name: z.string(),
      quantity: z.number().int().min(1).max(100),
      unitPriceCents: z.number().int(),
    }),
  ),
  totalCents: z.number().int(),
  currency: z.string(),
});
const order = z.strictObject({
  orderId: z.string(),
  status: z.enum(['pending', 'paid', 'payment_failed', 'payment_unknown']),
  segment: z.enum(['guest', 'member', 'vip']),
  totalCents: z.number().int(),
  currency: z.string(),
  items: z.array(
    z.strictObject({ productId: z.string(), quantity: z.number().int(), unitPriceCents: z.number().int() }),
  ),
  payment: z.strictObject({ provider: z.string(), intentId: z.string().nullable() }).nullable(),
  failureReason: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
const reconcileReport = z.strictObject({
  examined: z.number().int(),
  paid: z.number().int(),
  failed: z.number().int(),
  unresolved: z.number().int(),
  refunded: z.number().int(),
});
const invariantReport = z.strictObject({
  ok: z.boolean(),
  counts: z.looseObject({ products: z.number().int() }),
  skipped: z.array(z.string()),
  violations: z.array(z.strictObject({ invariant: z.string(), detail: z.string() })),
});

/** A success answer: its status and the schema of its body (`null`: no body; `'any'`: a relayed asset). */
type Success = Readonly<Record<number, z.ZodType | null | 'any'>>;
/** A problem answer: its status and the problem codes (the end of `type`) allowed with it. */
type Problems = Readonly<Record<number, readonly string[]>>;

const bodyProblems: Problems = {
  400: ['malformed-json', 'invalid-body', 'card-data-rejected'],
  413: ['body-too-large'],
  415: ['unsupported-media-type'],
};
const cartOwner: Problems = { 400: ['missing-cart-owner'] };

/** The README's API table ("The reference store" › API), route by route. */
export const allowedAnswers: Readonly<Record<RouteName, { success: Success; problems: Problems }>> = {
  'GET /api/products': { success: { 200: productList }, problems: { 400: ['invalid-query'] } },
  'GET /api/products/:id': {
    success: { 200: product },
    problems: { 400: ['invalid-path'], 404: ['unknown-product', 'not-found'] },
  },
  'GET /api/cart': { success: { 200: cart }, problems: cartOwner },
  'POST /api/cart/items': {
    success: { 201: cart },
    problems: merge(bodyProblems, cartOwner, { 404: ['unknown-product'], 422: ['quantity-limit'] }),
  },
  'DELETE /api/cart/items/:productId': {
    success: { 200: cart },
    problems: merge(cartOwner, { 400: ['invalid-path'], 404: ['not-found'] }),
  },
  'DELETE /api/cart': { success: { 204: null }, problems: cartOwner },
  'POST /api/checkout': {
    success: { 200: order, 201: order, 202: order },
    problems: merge(bodyProblems, cartOwner, {
      400: ['missing-idempotency-key', 'invalid-idempotency-key'],
      402: ['payment-declined'],
      409: ['out-of-stock'],
      422: ['empty-cart', 'idempotency-key-reused'],
    }),
  },
  'GET /api/orders/:id': {
    success: { 200: order },
    problems: { 400: ['invalid-path'], 404: ['unknown-order', 'not-found'] },
  },
  // Relayed from the CDN edge as it answers: its 404 is the origin's, not a problem document.
  'GET /assets/*': { success: { 200: 'any', 404: 'any' }, problems: { 404: ['not-found'] } },
  'GET /healthz|/readyz|/metrics': { success: { 200: 'any' }, problems: {} },
  'POST /admin/reconcile': { success: { 200: reconcileReport }, problems: {} },
  'GET /admin/verify': { success: { 200: invariantReport }, problems: {} },
  'POST /admin/verify': { success: { 200: invariantReport }, problems: bodyProblems },
  unrouted: { success: {}, problems: { 404: ['not-found'] } },
};

/** Every route answers these: the segment middleware reads the headers of every request. */
const everywhere: Problems = { 400: ['invalid-segment', 'invalid-header'] };

function merge(...tables: Problems[]): Problems {
  const out: Record<number, string[]> = {};
  for (const table of tables) {
    for (const [status, codes] of Object.entries(table)) out[Number(status)] = [...(out[Number(status)] ?? []), ...codes];
  }
  return out;
}

/** Why an answer is not one the README allows for its route, or undefined when it is. */
export async function disallowedAnswer(request: HostileRequest, response: Response): Promise<string | undefined> {
  const { status } = response;
  const type = response.headers.get('content-type') ?? '';
  const text = await response.text();
  const allowed = allowedAnswers[request.route];
  if (type === 'application/problem+json') {
    const parsed = problemBody.safeParse(safeJson(text));
    if (!parsed.success) return `problem body of another shape: ${text.slice(0, 200)}`;
    if (parsed.data.status !== status) return `problem status ${parsed.data.status} on a ${status}`;
    const code = parsed.data.type.slice('https://shopsre.dev/problems/'.length);
    const codes = merge(allowed.problems, everywhere)[status] ?? [];
    return codes.includes(code) ? undefined : `${status} ${code} is not in the API table for ${request.route}`;
  }
  const schema = allowed.success[status];
  if (schema === undefined) return `${status} (${type}) is not in the API table for ${request.route}: ${text.slice(0, 200)}`;
  if (schema === 'any') return undefined;
  if (schema === null) return text === '' ? undefined : `a ${status} with a body`;
  if (!type.startsWith('application/json')) return `a ${status} as ${type}`;
  const parsed = schema.safeParse(safeJson(text));
  return parsed.success ? undefined : `a ${status} body of another shape: ${parsed.error.message}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
