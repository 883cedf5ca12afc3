import * as z from 'zod';
import { parseDuration } from '../core/duration.js';
import { InputError, type Finding } from '../core/errors.js';
import { parseSingleYamlDocument, zodIssuesToFindings, type YamlDocument } from '../core/yaml-source.js';
import { schemaVocabulary } from '../slo/schema-vocabulary.js';
import type { ExecutorConfig, JourneyConfig, Stage } from './plan.js';

/**
 * The load profile file: everything about a run beyond the common flags. Executor fields use k6's
 * names (`rate`, `timeUnit`, `duration`, `stages`, `vus`, `startVUs`, `startRate`) so k6 users feel at
 * home; `maxInFlight` stands for k6's `preAllocatedVUs`/`maxVUs` pair, since our arrival-rate
 * executors allocate nothing ahead.
 *
 * ```yaml
 * apiVersion: shopsre/v1
 * kind: LoadProfile
 * target: http://127.0.0.1:8080
 * seed: 42
 * executor:
 *   kind: ramping-arrival-rate
 *   startRate: 10
 *   stages: [{ duration: 1m, target: 100 }, { duration: 4m, target: 100 }]
 *   maxInFlight: 500
 * journey:
 *   segmentMix: { guest: 60, member: 35, vip: 5 }
 *   funnel: { browse: 8, addToCart: 1, checkout: 1 }
 *   requestTimeout: 5s
 *   products: { count: 2000, skew: 0.5 }   # Zipf popularity; skew 1.5+ makes a hot product
 *   declineShare: 0.02                     # checkouts paying with a declined card
 * latencyBuckets: [100, 250, 500, 1000]
 * ```
 */

/** Defaults of a run, for whatever neither flags nor profile say. */
export const loadDefaults = {
  rate: 10,
  timeUnitMs: 1000,
  durationMs: 30_000,
  maxInFlight: 100,
  vus: 10,
  seed: 1,
  latencyBucketsMs: [100, 250, 500, 1000],
  /**
   * The reference store's catalog size, and a mild skew: the most popular product gets about 1 % of
   * the picks, the first page of twenty about 9 %, so a steady run does not turn into a sell-out.
   */
  products: { count: 2000, skew: 0.5 },
} as const;

/** The store API pages up to offset 10 000 (reference-store catalog routes), plus one page. */
const maxCatalogProducts = 10_020;

/** A run is bounded: nothing runs longer than a day. */
export const maxRunMs = 24 * 3600_000;

const durationText = z
  .string()
  .refine((text) => parseDuration(text) !== undefined, 'expected a duration such as 30s, 5m or 1h30m');

const stageSchema = z.strictObject({
  duration: durationText,
  /** Rate (arrival-rate) or VUs (vus) reached at the end of the stage. */
  target: z.number().nonnegative(),
});

const maxInFlight = z.number().int().positive().default(loadDefaults.maxInFlight);
const timeUnit = durationText.default('1s');

const executorSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('constant-arrival-rate'),
    rate: z.number().positive().default(loadDefaults.rate),
    timeUnit,
    duration: durationText.default('30s'),
    maxInFlight,
  }),
  z.strictObject({
    kind: z.literal('ramping-arrival-rate'),
    startRate: z.number().nonnegative().default(0),
    timeUnit,
    stages: z.array(stageSchema).min(1),
    maxInFlight,
  }),
  z.strictObject({
    kind: z.literal('constant-vus'),
    vus: z.number().int().positive().default(loadDefaults.vus),
    duration: durationText.default('30s'),
  }),
  z.strictObject({
    kind: z.literal('ramping-vus'),
    startVUs: z.number().int().nonnegative().default(0),
    stages: z.array(stageSchema).min(1),
  }),
]);

const headerName = z.string().regex(/^[a-z0-9-]+$/i, 'expected an HTTP header name');
const weight = z.number().nonnegative();

const journeySchema = z.strictObject({
  kind: z.enum(['checkout', 'single']).default('checkout'),
  segmentMix: z
    .record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected a lowercase segment name'), weight)
    .default({ guest: 60, member: 35, vip: 5 }),
  funnel: z
    .strictObject({ browse: weight.default(8), addToCart: weight.default(1), checkout: weight.default(1) })
    .prefault({}),
  requestTimeout: durationText.default('10s'),
  segmentHeader: headerName.default('x-customer-segment'),
  /** Which products iterations view and buy: Zipf popularity over the whole catalog. */
  products: z
    .strictObject({
      count: z.number().int().min(1).max(maxCatalogProducts).default(loadDefaults.products.count),
      skew: z.number().min(0).max(5).default(loadDefaults.products.skew),
    })
    .prefault({}),
  /** Share of checkouts paying with a token the vendor declines. */
  declineShare: z.number().min(0).max(1).default(0),
});

const loadProfileSchema = z.strictObject({
  apiVersion: z.literal('shopsre/v1'),
  kind: z.literal('LoadProfile'),
  target: z
    .string()
    .refine((text) => /^https?:$/.test(URL.parse(text)?.protocol ?? ''), 'expected an http(s) URL')
    .optional(),
  executor: executorSchema.optional(),
  journey: journeySchema.prefault({}),
  seed: z.number().int().default(loadDefaults.seed),
  latencyBuckets: z
    .array(z.number().positive())
    .min(1)
    .default([...loadDefaults.latencyBucketsMs]),
});

type ProfileDocument = z.infer<typeof loadProfileSchema>;

/** A load profile after parsing: what the flags start from. */
export interface LoadProfile {
  readonly target?: string;
  /** Absent when the profile names none, so flags such as `--vus` may choose the kind. */
  readonly executor?: ExecutorConfig;
  readonly journey: Omit<JourneyConfig, 'target' | 'seed'>;
  readonly seed: number;
  readonly latencyBucketsMs: readonly number[];
}

/** The profile of a run given by flags alone. */
export const defaultProfile: LoadProfile = toProfile(
  loadProfileSchema.parse({ apiVersion: 'shopsre/v1', kind: 'LoadProfile' }),
);

/** k6 names a k6 user may reach for, with what to write instead. */
const k6Hints: Readonly<Record<string, string>> = {
  maxVUs: 'use maxInFlight: the most iterations in flight at once',
  preAllocatedVUs: 'use maxInFlight: nothing is allocated ahead',
};

/** Parses a profile file; every finding carries file:line:col. */
export function parseLoadProfile(file: string, text: string): LoadProfile {
  const doc = parseSingleYamlDocument(file, text, 'LoadProfile');
  const parsed = loadProfileSchema.safeParse(doc.value);
  if (!parsed.success) throw new InputError(shapeFindings(doc, parsed.error.issues));
  const findings = ruleFindings(doc, parsed.data);
  if (findings.length > 0) throw new InputError(findings);
  return toProfile(parsed.data);
}

function shapeFindings(doc: YamlDocument, issues: readonly z.core.$ZodIssue[]): Finding[] {
  const findings: Finding[] = [];
  const rest: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') {
      rest.push(issue);
      continue;
    }
    const plain = issue.keys.filter((key) => k6Hints[key] === undefined);
    for (const key of issue.keys.filter((k) => k6Hints[k] !== undefined)) {
      findings.push({
        location: doc.locateKey(issue.path, key),
        message: `unknown key "${key}": ${k6Hints[key]}`,
      });
    }
    if (plain.length > 0) rest.push({ ...issue, keys: plain });
  }
  findings.push(...zodIssuesToFindings(doc, rest, schemaVocabulary(loadProfileSchema)));
  return findings.sort((a, b) => a.location.line - b.location.line || a.location.col - b.location.col);
}

/** Rules across fields, checked once the shape is right. */
function ruleFindings(doc: YamlDocument, profile: ProfileDocument): Finding[] {
  const findings: Finding[] = [];
  const weights = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);
  if (weights(profile.journey.segmentMix) <= 0) {
    findings.push({
      location: doc.locate(['journey', 'segmentMix']),
      message: 'segmentMix needs at least one segment with a weight above 0',
    });
  }
  if (weights(profile.journey.funnel) <= 0) {
    findings.push({
      location: doc.locate(['journey', 'funnel']),
      message: 'funnel needs a weight above 0 on browse, addToCart or checkout',
    });
  }
  profile.latencyBuckets.forEach((bucket, i) => {
    const previous = profile.latencyBuckets[i - 1];
    if (previous !== undefined && bucket <= previous) {
      findings.push({
        location: doc.locate(['latencyBuckets', i]),
        message: `latency buckets must increase: ${bucket} follows ${previous}`,
      });
    }
  });
  const executor = profile.executor;
  if (executor) {
    const [field, lengthMs] =
      'stages' in executor
        ? ['stages', executor.stages.reduce((sum, stage) => sum + ms(stage.duration), 0)]
        : ['duration', ms(executor.duration)];
    if (lengthMs > maxRunMs) {
      findings.push({
        location: doc.locate(['executor', field]),
        message: `the run would last ${(lengthMs / 3600_000).toFixed(1)}h: a run lasts at most 24h`,
      });
    }
  }
  return findings;
}

function ms(duration: string): number {
  const value = parseDuration(duration);
  if (value === undefined) throw new Error(`duration "${duration}" passed the schema but does not parse`);
  return value;
}

function toStages(stages: readonly { duration: string; target: number }[]): Stage[] {
  return stages.map((stage) => ({ durationMs: ms(stage.duration), target: stage.target }));
}

function toExecutor(executor: NonNullable<ProfileDocument['executor']>): ExecutorConfig {
  switch (executor.kind) {
    case 'constant-arrival-rate':
      return {
        kind: executor.kind,
        rate: executor.rate,
        timeUnitMs: ms(executor.timeUnit),
        durationMs: ms(executor.duration),
        maxInFlight: executor.maxInFlight,
      };
    case 'ramping-arrival-rate':
      return {
        kind: executor.kind,
        startRate: executor.startRate,
        timeUnitMs: ms(executor.timeUnit),
        stages: toStages(executor.stages),
        maxInFlight: executor.maxInFlight,
      };
    case 'constant-vus':
      return { kind: executor.kind, vus: executor.vus, durationMs: ms(executor.duration) };
    case 'ramping-vus':
      return { kind: executor.kind, startVus: executor.startVUs, stages: toStages(executor.stages) };
  }
}

function toProfile(document: ProfileDocument): LoadProfile {
  const { journey } = document;
  return {
    ...(document.target === undefined ? {} : { target: document.target }),
    ...(document.executor === undefined ? {} : { executor: toExecutor(document.executor) }),
    journey: {
      kind: journey.kind,
      segmentMix: journey.segmentMix,
      funnel: journey.funnel,
      requestTimeoutMs: ms(journey.requestTimeout),
      segmentHeader: journey.segmentHeader.toLowerCase(),
      products: journey.products,
      declineShare: journey.declineShare,
    },
    seed: document.seed,
    latencyBucketsMs: document.latencyBuckets,
  };
}
