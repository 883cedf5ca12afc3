import type { IterationRunner, JourneyConfig } from '../plan.js';
import { anyBody, checkBrowse, checkCart, checkCheckout, checkProduct } from './checks.js';
import type { IterationPlanner } from './iteration-plan.js';
import { stepSender, type SenderDeps } from './step-sender.js';

/**
 * A test payment token in the style of the big gateways: the journey never sends, holds or logs a card
 * number, so neither do the store's logs nor its database.
 */
const checkoutBody = JSON.stringify({ paymentToken: 'tok_test_visa' });

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

    const ids = await send({
      step: 'browse',
      method: 'GET',
      path: `${basePath}/api/products?limit=20`,
      headers,
      readJson: true,
      check: checkBrowse,
    });
    const productId = ids?.[Math.floor(plan.productPick * ids.length)];
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
      body: checkoutBody,
      readJson: true,
      check: checkCheckout,
    });
  };
}
