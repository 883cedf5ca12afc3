/**
 * The fault catalogue: what each fault *means*, named once. Drivers (local fault proxies, Chaos Mesh on
 * Kubernetes) decide how it is carried out. Plain data, so `chaos list --json`, scenario files and
 * both drivers read the same definitions.
 */

/** A parameter of a fault: its type, default and bounds, as `--param name=value` takes it. */
export type FaultParam =
  | {
      readonly kind: 'number';
      readonly description: string;
      readonly default: number;
      readonly min: number;
      readonly max: number;
      /** Shown after the value: `ms`, `KB/s`, or nothing for a ratio. */
      readonly unit?: string;
    }
  | {
      readonly kind: 'choice';
      readonly description: string;
      readonly default: string;
      readonly choices: readonly string[];
    }
  | { readonly kind: 'text'; readonly description: string; readonly default: string };

/** Which dependency of the store a fault acts on; each is one fault proxy locally. */
export type FaultTarget = 'database' | 'vendor-primary' | 'vendor-backup' | 'cdn-edge' | 'cdn-origin';

export interface FaultDefinition {
  readonly name: FaultName;
  /** One line, for `chaos list`. */
  readonly description: string;
  /** Where it acts by default; `partition` takes it from its `dependency` parameter. */
  readonly target: FaultTarget;
  readonly params: Readonly<Record<string, FaultParam>>;
  /** Every injection must say how long it lasts (`--for`), and may not last longer than this. */
  readonly maxDurationMs: number;
  readonly defaultDurationMs: number;
}

export const faultNames = [
  'vendor-outage',
  'vendor-latency',
  'vendor-throttle',
  'db-failover',
  'db-latency',
  'cdn-slowness',
  'cdn-origin-errors',
  'partition',
] as const;
export type FaultName = (typeof faultNames)[number];

const minute = 60_000;
const vendorParam = {
  kind: 'choice',
  description: 'which payment vendor',
  default: 'primary',
  choices: ['primary', 'backup'],
} as const;
/** Added latency and its jitter, in ms; jitter may go up to half the latency's maximum. */
function latency(defaults: {
  latencyMs: number;
  jitterMs: number;
  maxMs: number;
}): Record<'latencyMs' | 'jitterMs', FaultParam> {
  return {
    latencyMs: {
      kind: 'number',
      description: 'added latency',
      default: defaults.latencyMs,
      min: 1,
      max: defaults.maxMs,
      unit: 'ms',
    },
    jitterMs: {
      kind: 'number',
      description: 'uniform jitter around it',
      default: defaults.jitterMs,
      min: 0,
      max: defaults.maxMs / 2,
      unit: 'ms',
    },
  };
}
const rate = (description: string): FaultParam => ({
  kind: 'number',
  description,
  default: 1,
  min: 0,
  max: 1,
});

export const catalogue: Readonly<Record<FaultName, FaultDefinition>> = {
  'vendor-outage': {
    name: 'vendor-outage',
    description: 'the payment vendor answers 5xx, hangs or resets, for a share of calls',
    target: 'vendor-primary',
    params: {
      vendor: vendorParam,
      mode: {
        kind: 'choice',
        description: 'how calls fail',
        default: 'error',
        choices: ['error', 'hang', 'reset'],
      },
      status: { kind: 'number', description: 'status of error mode', default: 503, min: 500, max: 599 },
      rate: rate('share of calls that fail, 0 to 1'),
      firstN: {
        kind: 'number',
        description: 'only the first N calls fail (0: all), to test retries',
        default: 0,
        min: 0,
        max: 1_000_000,
      },
    },
    maxDurationMs: 60 * minute,
    defaultDurationMs: 30_000,
  },
  'vendor-latency': {
    name: 'vendor-latency',
    description: 'calls to the payment vendor are slowed, with jitter',
    target: 'vendor-primary',
    params: {
      vendor: vendorParam,
      ...latency({ latencyMs: 1500, jitterMs: 250, maxMs: 120_000 }),
      rate: rate('share of calls slowed, 0 to 1'),
    },
    maxDurationMs: 60 * minute,
    defaultDurationMs: 30_000,
  },
  'vendor-throttle': {
    name: 'vendor-throttle',
    description: 'the payment vendor answers 429 Too Many Requests with Retry-After',
    target: 'vendor-primary',
    params: {
      vendor: vendorParam,
      retryAfterSeconds: {
        kind: 'number',
        description: 'Retry-After sent',
        default: 2,
        min: 0,
        max: 3600,
        unit: 's',
      },
      rate: rate('share of calls throttled, 0 to 1'),
    },
    maxDurationMs: 60 * minute,
    defaultDurationMs: 30_000,
  },
  'db-failover': {
    name: 'db-failover',
    description: 'the primary database goes away: connections cut, new ones refused, then a new primary',
    target: 'database',
    params: {
      unavailableMs: {
        kind: 'number',
        description: 'how long new connections are refused before the new primary answers',
        default: 10_000,
        min: 0,
        max: 10 * minute,
        unit: 'ms',
      },
    },
    maxDurationMs: 30 * minute,
    defaultDurationMs: 30_000,
  },
  'db-latency': {
    name: 'db-latency',
    description: 'every round trip to the database is slowed, with jitter',
    target: 'database',
    params: {
      ...latency({ latencyMs: 100, jitterMs: 20, maxMs: 60_000 }),
    },
    maxDurationMs: 60 * minute,
    defaultDurationMs: 30_000,
  },
  'cdn-slowness': {
    name: 'cdn-slowness',
    description: 'assets are slow: latency between edge and origin, or at the edge',
    target: 'cdn-origin',
    params: {
      where: {
        kind: 'choice',
        description: 'origin: between edge and origin (misses are slow); edge: every asset',
        default: 'origin',
        choices: ['origin', 'edge'],
      },
      ...latency({ latencyMs: 2000, jitterMs: 200, maxMs: 120_000 }),
    },
    maxDurationMs: 60 * minute,
    defaultDurationMs: 30_000,
  },
  'cdn-origin-errors': {
    name: 'cdn-origin-errors',
    description: 'the asset origin answers 5xx to the CDN edge, for a share of requests',
    target: 'cdn-origin',
    params: {
      status: { kind: 'number', description: 'status answered', default: 502, min: 500, max: 599 },
      rate: rate('share of requests that fail, 0 to 1'),
    },
    maxDurationMs: 60 * minute,
    defaultDurationMs: 30_000,
  },
  partition: {
    name: 'partition',
    description: 'the store is cut off from one dependency: nothing gets through either way',
    target: 'database',
    params: {
      dependency: {
        kind: 'choice',
        description: 'which dependency',
        default: 'database',
        choices: ['database', 'vendor-primary', 'vendor-backup', 'cdn-edge', 'cdn-origin'],
      },
    },
    maxDurationMs: 30 * minute,
    defaultDurationMs: 30_000,
  },
};

/** A fault as a driver receives it: defaults applied, bounds checked, duration within the maximum. */
export interface FaultSpec {
  readonly fault: FaultName;
  readonly target: FaultTarget;
  readonly params: Readonly<Record<string, number | string>>;
  readonly durationMs: number;
}
