import { Hono } from 'hono';
import * as z from 'zod';
import type { CheckoutService } from '../checkout/checkout-service.js';
import type { OrderRepository } from '../checkout/order-repository.js';
import { orderView } from '../checkout/order-view.js';
import type { StoreEnv } from '../http/env.js';
import { answerDatabaseErrors } from '../http/database-problem.js';
import { Problem } from '../http/problem.js';
import { readJson } from '../http/read-json.js';
import { pathParam } from '../http/text-input.js';
import { cartKey } from './cart-routes.js';

const checkoutBody = z
  .object({
    paymentToken: z.string().regex(/^tok_[A-Za-z0-9_]{1,64}$/, 'a vendor token such as tok_visa'),
  })
  .strict();

const keyPattern = /^[A-Za-z0-9_.:-]{8,128}$/;

export function checkoutRoutes(checkout: CheckoutService, orders: OrderRepository): Hono<StoreEnv> {
  const app = new Hono<StoreEnv>();
  app.post('/api/checkout', async (c) => {
    const key = c.req.header('idempotency-key');
    if (!key)
      throw new Problem(
        400,
        'missing-idempotency-key',
        'send an Idempotency-Key header (8 to 128 characters)',
      );
    if (!keyPattern.test(key)) {
      throw new Problem(
        400,
        'invalid-idempotency-key',
        'Idempotency-Key must be 8 to 128 letters, digits or _.:-',
      );
    }
    const cart = cartKey(c);
    const body = await readJson(c, checkoutBody);
    const result = await checkout.checkout({
      idempotencyKey: key,
      cartKey: cart,
      segment: c.get('segment'),
      paymentToken: body.paymentToken,
    });
    if (result.replayed) c.header('idempotent-replayed', 'true');
    if (result.status === 202) c.header('retry-after', '5');
    if (result.status === 402) {
      throw new Problem(
        402,
        'payment-declined',
        'the payment was declined; try another payment method',
        { orderId: result.order.orderId, orderStatus: result.order.status },
        result.replayed ? { 'idempotent-replayed': 'true' } : {},
      );
    }
    c.header('location', `/api/orders/${result.order.orderId}`);
    return c.json(result.order, result.status);
  });
  app.get('/api/orders/:id', async (c) => {
    const id = pathParam(c.req.param('id'), 'the order id');
    const order = id.length <= 64 ? await answerDatabaseErrors(() => orders.findById(id)) : undefined;
    if (!order) throw new Problem(404, 'unknown-order', `no order ${id}`);
    return c.json(orderView(order));
  });
  return app;
}
