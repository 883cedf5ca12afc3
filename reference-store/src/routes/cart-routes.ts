import { Hono, type Context } from 'hono';
import * as z from 'zod';
import { maxQuantityPerLine, type CartRepository } from '../cart/cart-repository.js';
import { answerDatabaseErrors } from '../http/database-problem.js';
import type { StoreEnv } from '../http/env.js';
import { Problem } from '../http/problem.js';
import { readJson } from '../http/read-json.js';
import { customerHeader, sessionHeader } from '../http/segment.js';
import { cleanString, pathParam } from '../http/text-input.js';

const addItemBody = z
  .object({
    productId: cleanString().min(1).max(64),
    quantity: z.number().int().min(1).max(maxQuantityPerLine).default(1),
  })
  .strict();

export function cartRoutes(carts: CartRepository): Hono<StoreEnv> {
  const app = new Hono<StoreEnv>();
  app.get('/api/cart', async (c) => c.json(await answerDatabaseErrors(() => carts.get(cartKey(c)))));
  app.post('/api/cart/items', async (c) => {
    const key = cartKey(c);
    const { productId, quantity } = await readJson(c, addItemBody);
    const cart = await answerDatabaseErrors(() => carts.add(key, productId, quantity), {
      'foreign-key': () => new Problem(404, 'unknown-product', `no product ${productId}`),
      check: () =>
        new Problem(422, 'quantity-limit', `at most ${maxQuantityPerLine} of one product per cart`),
    });
    return c.json(cart, 201);
  });
  app.delete('/api/cart/items/:productId', async (c) => {
    const key = cartKey(c);
    const productId = pathParam(c.req.param('productId'), 'productId');
    return c.json(await answerDatabaseErrors(() => carts.remove(key, productId)));
  });
  app.delete('/api/cart', async (c) => {
    await answerDatabaseErrors(() => carts.clear(cartKey(c)));
    return c.body(null, 204);
  });
  return app;
}

/** Whose cart the request names; 400 when it names none. */
export function cartKey(c: Context<StoreEnv>): string {
  const key = c.get('cartKey');
  if (!key) {
    throw new Problem(
      400,
      'missing-cart-owner',
      `send ${sessionHeader} (or ${customerHeader}) to name the cart`,
    );
  }
  return key;
}
