import type { IterationRunner, JourneyConfig } from '../plan.js';
import type { BusinessOutcome } from '../results.js';
import { catalogPageSize } from './popularity.js';
import { anyBody, checkBrowse, checkCart, checkCheckout, checkProduct } from './checks.js';
import type { IterationPlanner } from './iteration-plan.js';
import { stepSender, type SenderDeps } from './step-sender.js';

/**
 * Test payment tokens in the style of the big gateways: the journey never sends, holds or logs a card
 * number, so neither do the store's logs nor its database. The second is the one the reference
 * vendor's card network declines (after Stripe's `tok_chargeDeclined`).
 */
const paidBody = JSON.stringify({ paymentToken: 'tok_test_visa' });
const declinedBody = JSON.stringify({ paymentToken: 'tok_chargeDeclined' });

/**
 * Checkout answers about the order, not failures of the store: counted apart from errors. 202 is a
 * 2xx and passes the check; it is counted as pending all the same.
 */
export const checkoutOutcomes: Readonly<Record<number, BusinessOutcome>> = {
  202: 'pending',
  402: 'declined',
  409: 'outOfStock',
};

/**
 * The checkout funnel against the reference store's API (see plan.ts): browse → product, then
 * add-to-cart → cart, then checkout, as deep as the iteration's funnel depth. A failed step ends the
 * iteration, as a shopper who hits an error would leave.
 */
export function checkoutJourney(
  config: JourneyConfig,
  /** Path prefix of the store's API, from the target URL; usually empty. */
  basePath: string,
  planner: IterationPlanner,
  deps: SenderDeps,
): IterationRunner {
  return async (ctx) => {
    const plan = planner.plan(ctx.iteration);
    const send = stepSender(ctx, plan.segment, deps);
    const headers = { [config.segmentHeader]: plan.segment, 'x-session-id': plan.sessionId };

    const index = plan.productRank % catalogPageSize;
    const offset = plan.productRank - index;
    const ids = await send({
      step: 'browse',
      method: 'GET',
      path: `${basePath}/api/products?limit=${catalogPageSize}&offset=${offset}`,
      headers,
      readJson: true,
      check: checkBrowse,
    });
    // A catalog smaller than the profile says gives a short page: stay on it.
    const productId = ids?.[index < ids.length ? index : index % ids.length];
    if (productId === undefined) return;
    const viewed = await send({
      step: 'product',
      method: 'GET',
      path: `${basePath}/api/products/${encodeURIComponent(String(productId))}`,
      headers,
      readJson: true,
      check: checkProduct,
    });
    if (!viewed || plan.depth === 'browse') return;

    const added = await send({
      step: 'add-to-cart',
      method: 'POST',
      path: `${basePath}/api/cart/items`,
      headers,
      body: JSON.stringify({ productId, quantity: 1 }),
      readJson: false,
      check: anyBody,
    });
    if (!added) return;
    const cart = await send({
      step: 'cart',
      method: 'GET',
      path: `${basePath}/api/cart`,
      headers,
      readJson: true,
      check: checkCart,
    });
    if (!cart || plan.depth === 'add-to-cart') return;

    await send({
      step: 'checkout',
      method: 'POST',
      path: `${basePath}/api/checkout`,
      headers: { ...headers, 'idempotency-key': plan.idempotencyKey },
      body: plan.declined ? declinedBody : paidBody,
      readJson: true,
      check: checkCheckout,
      outcomes: checkoutOutcomes,
    });
  };
}
