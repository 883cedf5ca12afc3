import fc from 'fast-check';

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
    unit: fc.constantFrom(
      '\u0000',
      '\u0001',
      '\u001f',
      '\u007f',
      '\u0085',
      '\\',
      "'",
      '"',
      '%',
      '&',
      ' ',
      'p',
      '-',
      '0',
    ),
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
  fc.constantFrom(
    '',
    ' ',
    '1e309',
    'NaN',
    'Infinity',
    '-0',
    '0x10',
    '1.0',
    '5 ',
    '٣',
    '1_000',
    '+5',
    '9'.repeat(400),
  ),
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
  { weight: 12, arbitrary: fc.constant('application/json') },
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
  fc.constantFrom(
    'p-00001',
    'p-00002',
    'p-99999',
    '%',
    '%zz',
    '%00',
    '%ED%A0%80',
    '..',
    '.',
    '%2e%2e',
    'a%2Fb',
    'ord_x',
  ),
);

const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arb, { nil: undefined, freq: 3 });

/** Mostly well-formed (so requests get past the headers to the route), sometimes absent or hostile. */
const headerValue = (
  valid: fc.Arbitrary<string>,
  invalid: readonly string[] = [],
): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    { weight: 12, arbitrary: valid },
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('', ...invalid) },
    { weight: 1, arbitrary: headerText },
  );

const commonHeaders: fc.Arbitrary<Record<string, string>> = fc
  .record({
    'x-customer-segment': headerValue(fc.constantFrom('guest', 'member', 'vip'), ['VIP', 'platinum']),
    'x-session-id': headerValue(fc.constantFrom(...propertySessions)),
    'x-customer-id': fc.oneof(
      { weight: 4, arbitrary: fc.constant(undefined) },
      {
        weight: 1,
        arbitrary: headerValue(fc.constantFrom('cust-00001', 'cust-00042', 'cust-99999'), ['cust 1']),
      },
    ),
    authorization: fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.oneof(fc.constant('Bearer nope'), headerText) },
    ),
  })
  .map(defined);

function defined(record: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter((e): e is [string, string] => e[1] !== undefined));
}

/** JSON of an object with the expected keys holding anything, extra keys, or no object at all. */
function hostileBody(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<string | Uint8Array> {
  // All the expected keys most of the time (each holding anything); else some missing, or extra ones.
  const object = fc.oneof(
    { weight: 3, arbitrary: fc.record(fields) },
    {
      weight: 2,
      arbitrary: fc
        .record(
          { ...fields, extra: optional(fc.dictionary(hostileText, anyJson, { maxKeys: 2 })) },
          { requiredKeys: [] },
        )
        .map(({ extra, ...rest }) => ({ ...rest, ...(extra ?? {}) })),
    },
  );
  return fc.oneof(
    { weight: 10, arbitrary: object.map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: anyJson.map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: hostileText },
    {
      weight: 1,
      arbitrary: fc.tuple(object, fc.nat()).map(([value, cut]) => {
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
  { weight: 2, arbitrary: fc.constantFrom('prop-key-000001', 'prop-key-000002', 'prop-key-000003') },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 1_000_000 }).map((n) => `prop-key-${n}`) },
  headerText,
);

/** Ids of the seeded catalog (300 products), and a few past its end. */
const seededProductId: fc.Arbitrary<string> = fc
  .integer({ min: 1, max: 320 })
  .map((n) => `p-${String(n).padStart(5, '0')}`);

const productId: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: seededProductId },
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
    headers: {
      ...p.headers,
      ...extra,
      ...(p.contentType === undefined ? {} : { 'content-type': p.contentType }),
    },
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
        q: fc.oneof(
          fc.constantFrom(undefined, 'kettle', 'red kettle', '"garden hose" -red', 'or'),
          hostileText,
        ),
        category: optional(fc.oneof(fc.constantFrom('garden', 'kitchen'), hostileText)),
        limit: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, numberText),
        offset: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, numberText),
      })
      .map((params) => `/api/products${query(params)}`),
  ),
  bodiless(
    'GET /api/products/:id',
    'GET',
    fc.oneof(seededProductId, pathSegment, pathSegment).map((id) => `/api/products/${id}`),
  ),
  bodiless('GET /api/cart', 'GET', fc.constant('/api/cart')),
  {
    weight: 4,
    arbitrary: withBody(
      'POST /api/cart/items',
      '/api/cart/items',
      hostileBody({
        productId,
        quantity: fc.oneof(
          { weight: 8, arbitrary: fc.integer({ min: 1, max: 3 }) },
          hostileNumber,
          anyJson,
          hostileText,
        ),
      }),
    ),
  },
  bodiless(
    'DELETE /api/cart/items/:productId',
    'DELETE',
    fc.oneof(seededProductId, pathSegment, pathSegment).map((id) => `/api/cart/items/${id}`),
  ),
  bodiless('DELETE /api/cart', 'DELETE', fc.constant('/api/cart')),
  {
    weight: 3,
    arbitrary: withBody(
      'POST /api/checkout',
      '/api/checkout',
      hostileBody({
        paymentToken: fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom('tok_visa', 'tok_chargeDeclined', 'tok_') },
          hostileText,
          anyJson,
        ),
      }),
      optional(idempotencyKey).map((key): Record<string, string> =>
        key === undefined ? {} : { 'idempotency-key': key },
      ),
    ),
  },
  bodiless(
    'GET /api/orders/:id',
    'GET',
    pathSegment.map((id) => `/api/orders/${id}`),
  ),
  bodiless(
    'GET /assets/*',
    'GET',
    fc
      .oneof(fc.constantFrom('img/product-7.svg', 'img/product-1.svg', 'nothing.bin'), pathSegment)
      .map((p) => `/assets/${p}`),
  ),
  bodiless('GET /healthz|/readyz|/metrics', 'GET', fc.constantFrom('/healthz', '/readyz', '/metrics')),
  { arbitrary: bodiless('POST /admin/reconcile', 'POST', fc.constant('/admin/reconcile')), weight: 1 },
  { arbitrary: bodiless('GET /admin/verify', 'GET', fc.constant('/admin/verify')), weight: 1 },
  withBody(
    'POST /admin/verify',
    '/admin/verify',
    hostileBody({
      acknowledged: fc.oneof(
        fc.array(
          fc.record({ idempotencyKey: fc.oneof(hostileText, anyJson), orderId: optional(hostileText) }),
          { maxLength: 3 },
        ),
        anyJson,
      ),
    }),
  ),
  bodiless(
    'unrouted',
    'GET',
    fc.oneof(
      pathSegment.map((p) => `/${p}`),
      fc.constantFrom('/api', '/api/', '/api/products/', '/api/cart/items', '/admin'),
    ),
  ),
  fc
    .tuple(
      commonHeaders,
      fc.constantFrom('PUT', 'PATCH', 'OPTIONS'),
      fc.constantFrom('/api/products', '/api/cart', '/api/checkout', '/admin/verify'),
    )
    .map(([headers, method, path]) => ({
      route: 'unrouted' as const,
      method,
      path,
      headers,
    })),
);
