import { Hono, type Context } from 'hono';
import * as z from 'zod';
import { maxQuantityPerLine, type CartRepository } from '../cart/cart-repository.js';
import { isDatabaseUnavailable } from '../db/pools.js';
import type { StoreEnv } from '../http/env.js';
import { Problem, unavailable } from '../http/problem.js';
import { readJson } from '../http/read-json.js';
import { customerHeader, sessionHeader } from '../http/segment.js';

const addItemBody = z
  .object({
    productId: z.string().min(1).max(64),
    quantity: z.number().int().min(1).max(maxQuantityPerLine).default(1),
  })
  .strict();

export function cartRoutes(carts: CartRepository): Hono<StoreEnv> {
  const app = new Hono<StoreEnv>();
  app.get('/api/cart', async (c) => c.json(await guard(() => carts.get(cartKey(c)))));
  app.post('/api/cart/items', async (c) => {
    const key = cartKey(c);
    const body = await readJson(c, addItemBody);
    return c.json(await guard(() => carts.add(key, body.productId, body.quantity)), 201);
  });
  app.delete('/api/cart/items/:productId', async (c) =>
    c.json(await guard(() => carts.remove(cartKey(c), c.req.param('productId')))),
  );
  app.delete('/api/cart', async (c) => {
    await guard(() => carts.clear(cartKey(c)));
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

export async function guard<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw unavailable('the store database is unavailable; retry shortly');
    throw error;
  }
}
