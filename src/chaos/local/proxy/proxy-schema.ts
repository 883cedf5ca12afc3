/**
 * The control API's wire format for proxies (Toxiproxy's, plus shopsre's `kind`), checked in two
 * passes: the shape first, then the addresses for the proxy's kind and the server's listen policy.
 * `toxics`, which Toxiproxy's clients send back with a proxy, is accepted and not used.
 */
import { z } from 'zod';
import { isLoopback, parseHostPort, type Endpoint } from './address.js';
import { FaultProxyError, invalid } from './errors.js';
import { name, type ProxyKind } from './schema.js';

const proxySchema = z.strictObject({
  name,
  /** Toxiproxy's proxies are all TCP; `http` is shopsre's. */
  kind: z.enum(['tcp', 'http']).default('tcp'),
  listen: z.string().default('127.0.0.1:0'),
  upstream: z.string(),
  enabled: z.boolean().default(true),
  /** Toxiproxy's clients send the proxy back with its toxics (Go's: null for none); not changed this way. */
  toxics: z.array(z.unknown()).nullish(),
});
export type ProxyInput = z.input<typeof proxySchema>;

export interface ProxyConfig {
  readonly name: string;
  readonly kind: ProxyKind;
  readonly listen: Endpoint;
  readonly upstream: Endpoint;
  readonly enabled: boolean;
}

/** Whether proxies may listen on addresses other than loopback (an explicit choice of the server). */
export interface ListenPolicy {
  readonly allowNonLoopback: boolean;
}

export function parseProxy(input: unknown, policy: ListenPolicy): ProxyConfig {
  const shape = proxySchema.safeParse(input);
  if (!shape.success) throw invalid(shape.error);
  const { name: proxyName, kind, enabled } = shape.data;
  return {
    name: proxyName,
    kind,
    enabled,
    listen: parseListen(shape.data.listen, policy),
    upstream: parseUpstream(kind, shape.data.upstream),
  };
}

/** Toxiproxy's `/populate` body: a list of proxies, checked whole before anything changes. */
export function parseProxyList(input: unknown, policy: ListenPolicy): ProxyConfig[] {
  if (!Array.isArray(input)) throw new FaultProxyError(400, 'body: expected a list of proxies');
  const configs = input.map((item, index) => {
    try {
      return parseProxy(item, policy);
    } catch (error) {
      if (error instanceof FaultProxyError) throw new FaultProxyError(400, `[${index}] ${error.message}`);
      throw error;
    }
  });
  const seen = new Set<string>();
  for (const config of configs) {
    if (seen.has(config.name)) throw new FaultProxyError(400, `proxy '${config.name}' is listed twice`);
    seen.add(config.name);
  }
  return configs;
}

const patchSchema = z.strictObject({
  name: z.string().optional(),
  kind: z.enum(['tcp', 'http']).optional(),
  enabled: z.boolean().optional(),
  listen: z.string().optional(),
  upstream: z.string().optional(),
  toxics: z.array(z.unknown()).nullish(),
});

interface ProxyPatch {
  readonly enabled?: boolean;
  readonly listen?: Endpoint;
  readonly upstream?: Endpoint;
}
export type ProxyPatchInput = z.input<typeof patchSchema>;

/** Fields left out keep their value, as Toxiproxy's update; name and kind cannot change. */
export function parsePatch(
  current: { readonly name: string; readonly kind: ProxyKind },
  input: unknown,
  policy: ListenPolicy,
): ProxyPatch {
  const shape = patchSchema.safeParse(input);
  if (!shape.success) throw invalid(shape.error);
  const { enabled, listen, upstream } = shape.data;
  if (shape.data.name !== undefined && shape.data.name !== current.name) {
    throw new FaultProxyError(400, "name: a proxy's name cannot change; delete it and create another");
  }
  if (shape.data.kind !== undefined && shape.data.kind !== current.kind) {
    throw new FaultProxyError(400, "kind: a proxy's kind cannot change; delete it and create another");
  }
  return {
    ...(enabled === undefined ? {} : { enabled }),
    ...(listen === undefined ? {} : { listen: parseListen(listen, policy) }),
    ...(upstream === undefined ? {} : { upstream: parseUpstream(current.kind, upstream) }),
  };
}

/**
 * `host:port`; an empty host (Toxiproxy's `:8666`), or an empty address (any port), is loopback here
 * unless the server is exposed.
 */
function parseListen(text: string, policy: ListenPolicy): Endpoint {
  if (text === '') return parseListen(':0', policy);
  const listen = parseHostPort(
    text.startsWith(':') ? `${policy.allowNonLoopback ? '0.0.0.0' : '127.0.0.1'}${text}` : text,
  );
  if (!listen) throw new FaultProxyError(400, `listen: '${text}' is not host:port`);
  if (!policy.allowNonLoopback && !isLoopback(listen.host)) {
    throw new FaultProxyError(
      400,
      `listen: '${text}' is not loopback; faults stay on this machine unless the server is started with a non-loopback --host`,
    );
  }
  return listen;
}

/** `host:port` for tcp, `http://host:port` (no path) for http. */
function parseUpstream(kind: ProxyKind, text: string): Endpoint {
  if (kind === 'tcp') {
    const endpoint = parseHostPort(text);
    if (!endpoint || endpoint.port === 0)
      throw new FaultProxyError(400, `upstream: '${text}' is not host:port`);
    return endpoint;
  }
  const url = URL.canParse(text) ? new URL(text) : undefined;
  const endpoint = url && parseHostPort(url.host);
  if (!url || url.protocol !== 'http:' || url.pathname !== '/' || url.search !== '' || !endpoint) {
    throw new FaultProxyError(400, `upstream: '${text}' is not http://host:port`);
  }
  return endpoint;
}
