import { isIP } from 'node:net';
import { Hono, type Context } from 'hono';
import { version } from '../../../version.js';
import { isLoopback, parseHostPort } from './address.js';
import { FaultProxyError } from './errors.js';
import type { ProxyRegistry } from './proxy-registry.js';

export interface ControlApiOptions {
  /** Answer any Host (a server exposed on purpose); otherwise loopback names and IP literals only. */
  readonly anyHost: boolean;
}

/**
 * The control API, Toxiproxy's (https://github.com/Shopify/toxiproxy#http-api): same routes, bodies,
 * answers and status codes, JSON bodies taken whatever their Content-Type (Toxiproxy's curl examples
 * send none), errors as `{ error, status }`. A web page must not drive it through the browser: like
 * Toxiproxy, a browser's User-Agent is refused, and so is any request with an Origin (browsers send one
 * on every cross-origin request and every POST or DELETE) and, against DNS rebinding, a Host that is
 * a name other than loopback's.
 */
export function controlApi(registry: ProxyRegistry, options: ControlApiOptions): Hono {
  const app = new Hono();

  app.use(async (c, next) => {
    const host = c.req.header('host') ?? '';
    const hostname = parseHostPort(host)?.host ?? host;
    if (!options.anyHost && !isLoopback(hostname) && isIP(hostname) === 0) {
      return refuse(c, 403, `Host '${host}' is not loopback`);
    }
    if (c.req.header('origin') !== undefined || (c.req.header('user-agent') ?? '').startsWith('Mozilla/')) {
      return refuse(c, 403, 'browsers may not drive the fault proxies');
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
  app.post('/populate', async (c) => {
    const { proxies, error } = await registry.populate(await body(c));
    if (error) return c.json({ error: error.message, status: error.status, proxies }, error.status);
    return c.json({ proxies }, 201);
  });
  app.get('/proxies/:name', (c) => c.json(registry.get(c.req.param('name'))));
  app.on(['POST', 'PATCH'], '/proxies/:name', async (c) =>
    c.json(await registry.update(c.req.param('name'), await body(c))),
  );
  app.delete('/proxies/:name', async (c) => {
    await registry.remove(c.req.param('name'));
    return c.body(null, 204);
  });

  app.get('/proxies/:name/toxics', (c) => c.json(registry.toxics(c.req.param('name'))));
  // 200, not 201: Toxiproxy's answer, which its Go client and toxiproxy-cli check for.
  app.post('/proxies/:name/toxics', async (c) =>
    c.json(registry.addToxic(c.req.param('name'), await body(c))),
  );
  app.get('/proxies/:name/toxics/:toxic', (c) =>
    c.json(registry.toxic(c.req.param('name'), c.req.param('toxic'))),
  );
  app.on(['POST', 'PATCH'], '/proxies/:name/toxics/:toxic', async (c) =>
    c.json(registry.updateToxic(c.req.param('name'), c.req.param('toxic'), await body(c))),
  );
  app.delete('/proxies/:name/toxics/:toxic', (c) => {
    registry.removeToxic(c.req.param('name'), c.req.param('toxic'));
    return c.body(null, 204);
  });

  app.notFound((c) => refuse(c, 404, `no route ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    if (error instanceof FaultProxyError) return refuse(c, error.status, error.message);
    return refuse(c, 500, `internal error: ${error.message}`);
  });
  return app;
}

function refuse(c: Context, status: 400 | 403 | 404 | 409 | 500, error: string): Response {
  return c.json({ error, status }, status);
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
