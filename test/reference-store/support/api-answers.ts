import * as z from 'zod';
import type { HostileRequest, RouteName } from './hostile-requests.js';

/**
 * The answers the README's API table ("The reference store" › API) allows, route by route, with the
 * shape of each body, for checking what the store says to a hostile client.
 */
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
const product = productSummary
  .extend({ sku: z.string(), description: z.string(), inStock: z.number().int() })
  .strict();
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
  // 409 is the report with a violation: a hostile list of "acknowledged" checkouts has no orders. With
  // no list (GET) the store's own invariants must hold throughout, so only 200.
  'GET /admin/verify': { success: { 200: invariantReport }, problems: {} },
  'POST /admin/verify': { success: { 200: invariantReport, 409: invariantReport }, problems: bodyProblems },
  unrouted: { success: {}, problems: { 404: ['not-found'] } },
};

/** Every route answers these: the segment middleware reads the headers of every request. */
const everywhere: Problems = { 400: ['invalid-segment', 'invalid-header'] };

function merge(...tables: Problems[]): Problems {
  const out: Record<number, string[]> = {};
  for (const table of tables) {
    for (const [status, codes] of Object.entries(table))
      out[Number(status)] = [...(out[Number(status)] ?? []), ...codes];
  }
  return out;
}

/** Why an answer is not one the README allows for its route, or undefined when it is. */
export async function disallowedAnswer(
  request: HostileRequest,
  response: Response,
): Promise<string | undefined> {
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
    return codes.includes(code)
      ? undefined
      : `${status} ${code} is not in the API table for ${request.route}`;
  }
  const schema = allowed.success[status];
  if (schema === undefined)
    return `${status} (${type}) is not in the API table for ${request.route}: ${text.slice(0, 200)}`;
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
