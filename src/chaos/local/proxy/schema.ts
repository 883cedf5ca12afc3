/**
 * The control API's wire format for toxics, Toxiproxy's (https://github.com/Shopify/toxiproxy#http-api)
 * plus shopsre's extensions, checked in two passes: the shape first, then what depends on the proxy
 * kind (toxic types and their attributes) and on the server's TTL bounds. Fields Toxiproxy's clients
 * echo back (`name`, `type`, `stream` on an update) are accepted; any other unknown field is refused,
 * naming it. Proxy bodies are in proxy-schema.ts.
 */
import { z } from 'zod';
import { FaultProxyError, invalid } from './errors.js';

export type ProxyKind = 'tcp' | 'http';
/** Toxiproxy's names: `upstream` is client to upstream, `downstream` the answers coming back. */
export type ToxicStream = 'upstream' | 'downstream';

const hour = 3_600_000;
const day = 24 * hour;
export const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, _ . - (at most 64)');
const ms = (max: number): z.ZodNumber => z.number().int().min(0).max(max);
/** Attributes left out are 0, as Toxiproxy's zero values. */
const latency = z.strictObject({ latency: ms(hour).default(0), jitter: ms(hour).default(0) });
const effect = <T extends string, A extends z.ZodType>(type: T, attributes: A) =>
  z.object({ type: z.literal(type), attributes });

const tcpEffect = z.discriminatedUnion('type', [
  effect('latency', latency),
  /** KB/s with Toxiproxy's KB of 1,000 bytes; 0 leaves the rate alone, as in Toxiproxy. */
  effect('bandwidth', z.strictObject({ rate: z.number().min(0).max(10_000_000).default(0) })),
  effect('slow_close', z.strictObject({ delay: ms(day).default(0) })),
  effect('timeout', z.strictObject({ timeout: ms(day).default(0) })),
  effect('reset_peer', z.strictObject({ timeout: ms(day).default(0) })),
  effect(
    'slicer',
    z
      .strictObject({
        average_size: z
          .number()
          .int()
          .min(1)
          .max(16 * 1024 * 1024),
        size_variation: z.number().int().min(0).default(0),
        /** Microseconds between slices, as in Toxiproxy. */
        delay: z
          .number()
          .int()
          .min(0)
          .max(hour * 1000)
          .default(0),
      })
      .refine((slicer) => slicer.size_variation < slicer.average_size, {
        message: 'size_variation must be smaller than average_size',
        path: ['size_variation'],
      }),
  ),
  effect('limit_data', z.strictObject({ bytes: z.number().int().min(0).default(0) })),
  /** shopsre's: every open connection cut, new ones closed at once. */
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

const stream = z.enum(['upstream', 'downstream']);
const toxicity = z.number().min(0).max(1);
const ttlMs = z.number().int().min(1);
const attributes = z.record(z.string(), z.unknown());

const toxicSchema = z.strictObject({
  /** Toxiproxy's Go client sends "" for "no name": `<type>_<stream>` then, as Toxiproxy does. */
  name: z.union([z.literal('').transform(() => undefined), name]).optional(),
  type: z.string(),
  stream: stream.default('downstream'),
  toxicity: toxicity.default(1),
  /** The proxy removes the toxic itself when it passes; left out, the server's default TTL. */
  ttlMs: ttlMs.optional(),
  attributes: attributes.default({}),
  match: matchSchema.default({}),
  firstN: z.number().int().min(0).default(0),
});
export type ToxicInput = z.input<typeof toxicSchema>;

const toxicPatchSchema = z.strictObject({
  name: z.string().optional(),
  type: z.string().optional(),
  stream: stream.optional(),
  toxicity: toxicity.optional(),
  ttlMs: ttlMs.optional(),
  attributes: attributes.optional(),
  match: matchSchema.optional(),
  firstN: z.number().int().min(0).optional(),
});
export type ToxicPatchInput = z.input<typeof toxicPatchSchema>;

export type ToxicConfig<E extends ToxicEffect = ToxicEffect> = E & {
  readonly name: string;
  readonly stream: ToxicStream;
  readonly toxicity: number;
  readonly ttlMs: number;
  readonly match: ToxicMatch;
  /** Only the first N requests that match get the toxic; 0 for all. */
  readonly firstN: number;
};

/** How long toxics live: `defaultMs` when a toxic names no TTL, and at most `maxMs`. */
export interface ToxicTtl {
  readonly defaultMs: number;
  readonly maxMs: number;
}

export function parseToxic(kind: 'tcp', input: unknown, ttl: ToxicTtl): ToxicConfig<TcpEffect>;
export function parseToxic(kind: 'http', input: unknown, ttl: ToxicTtl): ToxicConfig<HttpEffect>;
export function parseToxic(kind: ProxyKind, input: unknown, ttl: ToxicTtl): ToxicConfig {
  const shape = toxicSchema.safeParse(input);
  if (!shape.success) throw invalid(shape.error);
  const { type, attributes: rawAttributes, ...common } = shape.data;
  const toxicName = common.name ?? `${type}_${common.stream}`;
  return configure(kind, { ...common, name: toxicName, type, attributes: rawAttributes }, ttl);
}

/**
 * A toxic update as Toxiproxy does it: `attributes` merged into the current ones, `toxicity` replaced;
 * shopsre's `ttlMs` restarts the TTL from now, and `match` and `firstN` are replaced. Name, type and
 * stream cannot change (clients send them back as they are).
 */
export function parseToxicPatch(
  kind: ProxyKind,
  current: ToxicConfig,
  input: unknown,
  ttl: ToxicTtl,
): { config: ToxicConfig; renewTtl: boolean } {
  const shape = toxicPatchSchema.safeParse(input);
  if (!shape.success) throw invalid(shape.error);
  const patch = shape.data;
  for (const key of ['name', 'type', 'stream'] as const) {
    const value = patch[key];
    if (value !== undefined && value !== current[key]) {
      throw new FaultProxyError(400, `${key}: a toxic's ${key} cannot change; delete it and add another`);
    }
  }
  const config = configure(
    kind,
    {
      name: current.name,
      type: current.type,
      stream: current.stream,
      toxicity: patch.toxicity ?? current.toxicity,
      ttlMs: patch.ttlMs ?? current.ttlMs,
      attributes: { ...current.attributes, ...patch.attributes },
      match: patch.match ?? current.match,
      firstN: patch.firstN ?? current.firstN,
    },
    ttl,
  );
  return { config, renewTtl: patch.ttlMs !== undefined };
}

interface ToxicFields {
  readonly name: string;
  readonly type: string;
  readonly stream: ToxicStream;
  readonly toxicity: number;
  readonly ttlMs?: number | undefined;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly match: ToxicMatch;
  readonly firstN: number;
}

function configure(kind: ProxyKind, fields: ToxicFields, ttl: ToxicTtl): ToxicConfig {
  const { type, attributes: rawAttributes, ...common } = fields;
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
  if (common.ttlMs !== undefined && common.ttlMs > ttl.maxMs) {
    throw new FaultProxyError(
      400,
      `ttlMs: ${common.ttlMs} is longer than this server's maximum toxic TTL (${ttl.maxMs} ms, --max-toxic-ttl)`,
    );
  }
  const parsed = effects[kind].safeParse({ type, attributes: rawAttributes });
  if (!parsed.success) throw invalid(parsed.error);
  return { ...parsed.data, ...common, ttlMs: common.ttlMs ?? Math.min(ttl.defaultMs, ttl.maxMs) };
}
