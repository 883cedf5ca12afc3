import { afterAll, beforeAll, expect } from 'vitest';
import type { OrderView } from '../../../reference-store/src/checkout/order-view.js';
import type { Charge, PaymentVendor } from '../../../reference-store/vendors/payment-vendor.js';
import {
  addToCart,
  checkoutRequest,
  newKey,
  setStock,
  shopper,
  startTestStore,
  type TestStore,
} from '../support/test-store.js';

/** The simulators' behaviour between tests: quick, no response delay, no injected failures. */
export const normalBehaviour = {
  processingMs: 5,
  responseDelayMs: 0,
  failNext: { count: 0, status: 503 },
} as const;

/** A store started before the file's tests and stopped after them, with its two vendor simulators. */
export interface PaymentStoreFixture {
  readonly store: TestStore;
  readonly primary: PaymentVendor;
  readonly backup: PaymentVendor;
  nextProduct(): Promise<string>;
}

export function usePaymentStore(): PaymentStoreFixture {
  let current:
    | { store: TestStore; primary: PaymentVendor; backup: PaymentVendor; next: () => Promise<string> }
    | undefined;
  beforeAll(async () => {
    const store = await startTestStore();
    current = { store, ...simulators(store), next: productPicker(store) };
  }, 60_000);
  afterAll(async () => {
    await current?.store.stop();
  });
  const get = (): NonNullable<typeof current> => {
    if (!current) throw new Error('the payment store is not started yet (use it inside a test)');
    return current;
  };
  return {
    get store() {
      return get().store;
    },
    get primary() {
      return get().primary;
    },
    get backup() {
      return get().backup;
    },
    nextProduct: () => get().next(),
  };
}

export function simulators(store: TestStore): { primary: PaymentVendor; backup: PaymentVendor } {
  const [primary, backup] = store.dependencies.vendorSimulators;
  if (!primary || !backup) throw new Error('the test store did not start a primary and a backup simulator');
  return { primary, backup };
}

export function resetVendors(vendors: readonly PaymentVendor[]): void {
  for (const vendor of vendors) vendor.setBehaviour(normalBehaviour);
}

/** Hands out a different product to every test of a file, so stock checks never overlap. */
export function productPicker(store: TestStore): () => Promise<string> {
  let ids: string[] | undefined;
  let next = 0;
  return async () => {
    ids ??= (
      await store.sql<{ product_id: string }>('select product_id from inventory order by product_id')
    ).map((r) => r.product_id);
    const id = ids[next++];
    if (id === undefined) throw new Error('no products left for this test file');
    return id;
  };
}

export interface CheckoutRun {
  readonly key: string;
  readonly productId: string;
  readonly headers: Record<string, string>;
  readonly response: Response;
  /** The parsed body: an order view for 2xx, a problem for the rest. */
  readonly body: Record<string, unknown>;
}

/** A fresh shopper with `quantity` of a product (stock set to `stock`) checks out with a fresh key. */
export async function checkoutFresh(
  store: TestStore,
  productId: string,
  options: { paymentToken?: string; quantity?: number; stock?: number } = {},
): Promise<CheckoutRun> {
  await setStock(store, productId, options.stock ?? 10);
  const { headers } = shopper();
  await addToCart(store, headers, productId, options.quantity ?? 1);
  return checkoutAgain(store, { key: newKey(), productId, headers }, options.paymentToken);
}

/** The same shopper, cart and key checking out (again). */
export async function checkoutAgain(
  store: TestStore,
  run: Pick<CheckoutRun, 'key' | 'productId' | 'headers'>,
  paymentToken = 'tok_visa',
): Promise<CheckoutRun> {
  const response = await store.request('/api/checkout', checkoutRequest(run.headers, run.key, paymentToken));
  const body = (await response.json()) as Record<string, unknown>;
  return { ...run, response, body };
}

export function orderOf(run: CheckoutRun): OrderView {
  return run.body as unknown as OrderView;
}

export async function storedOrder(store: TestStore, orderId: string): Promise<OrderView> {
  const response = await store.request(`/api/orders/${orderId}`);
  expect(response.status).toBe(200);
  return (await response.json()) as OrderView;
}

/** Every captured charge for the order, in each simulator's ledger. */
export function chargesFor(vendors: readonly PaymentVendor[], orderId: string): Charge[] {
  return vendors.flatMap((vendor) => vendor.ledger().filter((charge) => charge.orderId === orderId));
}

/** Polls `condition` every `intervalMs` until it holds; fails the test after `timeoutMs`. */
export async function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 3000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The sample with exactly these labels in the store's Prometheus text; 0 while the series does not exist. */
export async function metricValue(
  store: TestStore,
  name: string,
  labels: Readonly<Record<string, string>>,
): Promise<number> {
  const text = await store.metrics.registry.metrics();
  const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',');
    if (present.length === wanted.length && wanted.every((pair) => present.includes(pair))) {
      return Number(match[3]);
    }
  }
  return 0;
}

/** Neither a vendor's secret key nor a payment token appears anywhere in the store's logs. */
export function expectNoSecretsInLogs(store: TestStore): void {
  const logs = store.logs();
  for (const vendor of store.dependencies.vendors) {
    expect(vendor.secretKey.length).toBeGreaterThan(0);
    expect(logs).not.toContain(vendor.secretKey);
  }
  expect(logs).not.toContain('tok_');
}
