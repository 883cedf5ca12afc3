/**
 * Body checks of the checkout journey, one per step. A check returns what the next step needs, or
 * undefined when the answer does not have the expected shape (a `check` error). They are plain type
 * guards rather than zod schemas because they run on every request of the hot loop.
 */

type ProductId = string | number;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is ProductId {
  return (typeof value === 'string' && value !== '') || typeof value === 'number';
}

/**
 * Browse answers `{ items: [{ id, ... }] }`; a bare array of products is accepted too. An empty list
 * fails the check: the journey has nothing to view.
 */
export function checkBrowse(json: unknown): ProductId[] | undefined {
  const items = Array.isArray(json) ? json : isRecord(json) ? json.items : undefined;
  if (!Array.isArray(items) || items.length === 0) return undefined;
  const ids: ProductId[] = [];
  for (const item of items) {
    if (!isRecord(item) || !isId(item.id)) return undefined;
    ids.push(item.id);
  }
  return ids;
}

export function checkProduct(json: unknown): true | undefined {
  return isRecord(json) && isId(json.id) ? true : undefined;
}

export function checkCart(json: unknown): true | undefined {
  return isRecord(json) && Array.isArray(json.items) ? true : undefined;
}

/** Checkout answers `{ orderId, status }` (or `{ id, status }`). */
export function checkCheckout(json: unknown): true | undefined {
  if (!isRecord(json) || typeof json.status !== 'string') return undefined;
  return isId(json.orderId) || isId(json.id) ? true : undefined;
}

/** Steps whose body is not inspected. */
export function anyBody(): true {
  return true;
}
