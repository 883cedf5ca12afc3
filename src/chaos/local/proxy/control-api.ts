import { Hono, type Context } from 'hono';
import { version } from '../../../version.js';
import { isLoopback, parseHostPort } from './address.js';
import { FaultProxyError } from './errors.js';
import type { ProxyRegistry } from './proxy-registry.js';

/**
 * The control API, after Toxiproxy's (https://github.com/Shopify/toxiproxy#http-api): JSON in and
 * out, errors as `{ error }`. Two guards keep a web page from driving it through the browser: the
 * Host must be loopback (DNS rebinding) and a body must be sent as application/json, which a page
 * cannot do cross-origin without a preflight that this API never answers.
 */
export function controlApi(registry: ProxyRegistry): Hono {
  const app = new Hono();

  app.use(async (c, next) => {
    const host = c.req.header('host') ?? '';
    const hostname = parseHostPort(host)?.host ?? host;
    if (!isLoopback(hostname)) return c.json({ error: `Host '${host}' is not loopback` }, 403);
    const type = c.req.header('content-type') ?? '';
    const length = c.req.header('content-length');
    const hasBody =
      (length !== undefined && length !== '0') || c.req.header('transfer-encoding') !== undefined;
    if (hasBody && !/^application\/json\s*(;|$)/i.test(type)) {
      return c.json({ error: 'send the body as Content-Type: application/json' }, 415);
    }
    return next();
  });

  app.get('/version', (c) => c.json({ version }));
  app.post('/reset', async (c) => {
    await registry.reset();
    return c.body(null, 204);
  });

  app.get('/proxies', (c) => c.json(Object.fromEntries(registry.list().map((proxy) => [proxy.name, proxy]))));
  app.post('/proxies', async (c) => c.json(await registry.add(await body(c)), 201));
  app.get('/proxies/:name', (c) => c.json(registry.get(c.req.param('name'))));
  app.post('/proxies/:name', async (c) => c.json(await registry.update(c.req.param('name'), await body(c))));
  app.delete('/proxies/:name', async (c) => {
    await registry.remove(c.req.param('name'));
    return c.body(null, 204);
  });

  app.get('/proxies/:name/toxics', (c) => c.json(registry.toxics(c.req.param('name'))));
  app.post('/proxies/:name/toxics', async (c) =>
    c.json(registry.addToxic(c.req.param('name'), await body(c)), 201),
  );
  app.get('/proxies/:name/toxics/:toxic', (c) =>
    c.json(registry.toxic(c.req.param('name'), c.req.param('toxic'))),
  );
  app.delete('/proxies/:name/toxics/:toxic', (c) => {
    registry.removeToxic(c.req.param('name'), c.req.param('toxic'));
    return c.body(null, 204);
  });

  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => {
    if (error instanceof FaultProxyError) return c.json({ error: error.message }, error.status);
    return c.json({ error: `internal error: ${error.message}` }, 500);
  });
  return app;
}

async function body(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new FaultProxyError(400, `body is not JSON: ${(error as Error).message}`);
  }
}
