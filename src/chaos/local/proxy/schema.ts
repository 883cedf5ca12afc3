/**
 * The control API's wire format, one zod schema per request body, checked in two passes: the shape
 * first, then what depends on the proxy kind (addresses, toxic types and their attributes).
 */
import { z } from 'zod';
import { isLoopback, parseHostPort, type Endpoint } from './address.js';
import { FaultProxyError, invalid } from './errors.js';

export type ProxyKind = 'tcp' | 'http';
/** Toxiproxy's names: `upstream` is client to upstream, `downstream` the answers coming back. */
export type ToxicStream = 'upstream' | 'downstream';

const hour = 3_600_000;
const day = 24 * hour;
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, _ . - (at most 64)');
const ms = (max: number): z.ZodNumber => z.number().int().min(0).max(max);
const latency = z.strictObject({ latency: ms(hour), jitter: ms(hour).default(0) });
const effect = <T extends string, A extends z.ZodType>(type: T, attributes: A) =>
  z.object({ type: z.literal(type), attributes });

const tcpEffect = z.discriminatedUnion('type', [
  effect('latency', latency),
  /** KB/s with Toxiproxy's KB of 1,000 bytes. */
  effect('bandwidth', z.strictObject({ rate: z.number().positive().max(10_000_000) })),
  effect('timeout', z.strictObject({ timeout: ms(day).default(0) })),
  effect('reset_peer', z.strictObject({ timeout: ms(day).default(0) })),
  effect('down', z.strictObject({})),
]);
const httpEffect = z.discriminatedUnion('type', [
  effect(
    'status',
    z.strictObject({
      status: z.number().int().min(200).max(599),
      body: z.string().default(''),
      headers: z.record(z.string(), z.string()).default({}),
    }),
  ),
  effect('throttle', z.strictObject({ retryAfterSeconds: z.number().int().min(0).max(day).default(1) })),
  effect('latency', latency),
  effect('abort', z.strictObject({})),
  effect('hang', z.strictObject({})),
  /** Forward, send the head and `bytes` of the body, then reset the client connection. */
  effect('reset_after', z.strictObject({ bytes: z.number().int().min(0).default(0) })),
]);
export type TcpEffect = z.output<typeof tcpEffect>;
export type HttpEffect = z.output<typeof httpEffect>;
export type ToxicEffect = TcpEffect | HttpEffect;

const effects = { tcp: tcpEffect, http: httpEffect } as const;
const toxicTypes: Readonly<Record<ProxyKind, readonly string[]>> = {
  tcp: tcpEffect.options.map((option) => option.shape.type.value),
  http: httpEffect.options.map((option) => option.shape.type.value),
};

const matchSchema = z.strictObject({
  method: z
    .string()
    .regex(/^[A-Za-z]+$/)
    .transform((method) => method.toUpperCase())
    .optional(),
  pathPrefix: z.string().startsWith('/').optional(),
});
export type ToxicMatch = z.output<typeof matchSchema>;

const toxicSchema = z.strictObject({
  name: name.optional(),
  type: z.string(),
  stream: z.enum(['upstream', 'downstream']).default('downstream'),
  toxicity: z.number().min(0).max(1).default(1),
  /** Required: the proxy removes the toxic itself when it passes, so a fault outlives its injector by at most this. */
  ttlMs: z.number().int().min(1).max(day),
  attributes: z.record(z.string(), z.unknown()).default({}),
  match: matchSchema.default({}),
  firstN: z.number().int().min(0).default(0),
});
export type ToxicInput = z.input<typeof toxicSchema>;

export type ToxicConfig<E extends ToxicEffect = ToxicEffect> = E & {
  readonly name: string;
  readonly stream: ToxicStream;
  readonly toxicity: number;
  readonly ttlMs: number;
  readonly match: ToxicMatch;
  /** Only the first N requests that match get the toxic; 0 for all. */
  readonly firstN: number;
};

export function parseToxic(kind: 'tcp', input: unknown): ToxicConfig<TcpEffect>;
export function parseToxic(kind: 'http', input: unknown): ToxicConfig<HttpEffect>;
export function parseToxic(kind: ProxyKind, input: unknown): ToxicConfig {
  const shape = toxicSchema.safeParse(input);
  if (!shape.success) throw invalid(shape.error);
  const { type, attributes, ...common } = shape.data;
  if (!toxicTypes[kind].includes(type)) {
    const known = toxicTypes[kind].join(', ');
    throw new FaultProxyError(
      400,
      `type: unknown toxic type '${type}' for a ${kind} proxy (one of ${known})`,
    );
  }
  if (kind === 'tcp' && (Object.keys(common.match).length > 0 || common.firstN > 0)) {
    throw new FaultProxyError(400, 'match and firstN are for http proxies only');
  }
  const parsed = effects[kind].safeParse({ type, attributes });
  if (!parsed.success) throw invalid(parsed.error);
  return { ...parsed.data, ...common, name: common.name ?? `${type}_${common.stream}` };
}

const proxySchema = z.strictObject({
  name,
  kind: z.enum(['tcp', 'http']),
  listen: z.string().default('127.0.0.1:0'),
  upstream: z.string(),
  enabled: z.boolean().default(true),
});
export type ProxyInput = z.input<typeof proxySchema>;

export interface ProxyConfig {
  readonly name: string;
  readonly kind: ProxyKind;
  readonly listen: Endpoint;
  readonly upstream: Endpoint;
  readonly enabled: boolean;
}

export function parseProxy(input: unknown): ProxyConfig {
  const shape = proxySchema.safeParse(input);
  if (!shape.success) throw invalid(shape.error);
  const { kind, listen: listenText } = shape.data;
  const listen = parseHostPort(listenText);
  if (!listen) throw new FaultProxyError(400, `listen: '${listenText}' is not host:port`);
  if (!isLoopback(listen.host)) {
    throw new FaultProxyError(400, `listen: '${listenText}' is not loopback; faults stay on this machine`);
  }
  return { ...shape.data, listen, upstream: parseUpstream(kind, shape.data.upstream) };
}

const patchSchema = z.strictObject({ enabled: z.boolean().optional(), upstream: z.string().optional() });

interface ProxyPatch {
  readonly enabled?: boolean;
  readonly upstream?: Endpoint;
}
export type ProxyPatchInput = z.input<typeof patchSchema>;

export function parsePatch(kind: ProxyKind, input: unknown): ProxyPatch {
  const shape = patchSchema.safeParse(input);
  if (!shape.success) throw invalid(shape.error);
  const { enabled, upstream } = shape.data;
  return {
    ...(enabled === undefined ? {} : { enabled }),
    ...(upstream === undefined ? {} : { upstream: parseUpstream(kind, upstream) }),
  };
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
