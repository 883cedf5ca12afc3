import * as z from 'zod';
import { parseDuration } from '../../core/duration.js';
import { faultNames } from '../../chaos/catalogue.js';

/**
 * The game day scenario file (`scenarios/*.yaml`, `apiVersion: shopsre/v1`, `kind: GameDay`): the
 * wire format. `load.ts` turns it into the domain `Scenario` (durations in milliseconds, defaults
 * applied, cross-field rules checked); past the loader nothing sees these shapes.
 */

const duration = z
  .string()
  .refine((text) => parseDuration(text) !== undefined, 'expected a duration such as 30s, 5m or 1h30m');
const segment = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected a lowercase segment name');
const name = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected lowercase letters, digits and "-"');
const percent = z.number().min(0).max(100);
const faultName = z.enum(faultNames);
const paramValue = z.union([z.number(), z.string()]);

const rolesSchema = z.strictObject({
  incidentCommander: z.string().min(1).default('incident commander (unassigned)'),
  scribe: z.string().min(1).default('scribe (unassigned)'),
  observers: z.array(z.string().min(1)).default([]),
});

const targetSchema = z.union([
  z.strictObject({
    /** The store, its vendors, CDN, fault proxies and database, started in this process. */
    embedded: z
      .strictObject({
        seed: z.number().int().default(1),
        products: z.number().int().min(10).max(100_000).optional(),
      })
      .prefault({}),
  }),
  z.strictObject({
    /** The user's own store; faults through fault proxies they run (`shopsre chaos proxy`). */
    storeUrl: z.url({ protocol: /^https?$/ }),
    metricsUrl: z.url({ protocol: /^https?$/ }),
    /** Control API of the fault proxies in front of the store's dependencies. */
    chaosUrl: z.url({ protocol: /^https?$/ }).optional(),
  }),
]);

const loadSchema = z.strictObject({
  preset: z.enum(['steady', 'flash-sale', 'spike']).default('steady'),
  /** Base arrival rate, iterations per second. */
  rate: z.number().positive().max(2000).default(20),
  segmentMix: z.record(segment, z.number().nonnegative()).optional(),
  /** How many iterations stop after browsing, after adding to cart, or check out. */
  funnel: z
    .strictObject({
      browse: z.number().nonnegative(),
      addToCart: z.number().nonnegative(),
      checkout: z.number().nonnegative(),
    })
    .optional(),
  maxInFlight: z.number().int().positive().optional(),
  requestTimeout: duration.optional(),
});

const plannedFaultSchema = z.strictObject({
  fault: faultName,
  /** From the start of the inject phase. */
  at: duration.or(z.literal('0s')).default('0s'),
  for: duration,
  params: z.record(z.string(), paramValue).default({}),
});

const randomScheduleSchema = z.strictObject({
  /** Faults to draw from, as a chaos monkey would; each draw takes its parameters from here. */
  from: z
    .array(z.strictObject({ fault: faultName, params: z.record(z.string(), paramValue).default({}) }))
    .min(1),
  count: z.number().int().min(1).max(20),
  minDuration: duration,
  maxDuration: duration,
  /** The same seed gives the same schedule; default the scenario's seed. */
  seed: z.number().int().optional(),
});

const phasesSchema = z.strictObject({
  /** Load before anything is observed: a store's first seconds (cold caches, JIT) are not its steady state. */
  warmup: duration.or(z.literal('0s')).default('10s'),
  baseline: duration,
  inject: z.strictObject({
    duration,
    faults: z.array(plannedFaultSchema).default([]),
    random: randomScheduleSchema.optional(),
  }),
  recover: z.strictObject({
    /** Give up waiting for the steady state after this long. */
    timeout: duration,
    /** Recovered means the steady state held for this long in a row. */
    hold: duration.default('5s'),
  }),
});

const segments = z.array(segment).min(1).optional();

const steadyCheckSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('checkout-success'),
    /** Share of checkouts answered without an error (business outcomes count as answered). */
    minPercent: percent,
    segments,
    window: duration.default('10s'),
  }),
  z.strictObject({
    kind: z.literal('p95-latency'),
    maxMs: z.number().positive(),
    segments,
    window: duration.default('10s'),
  }),
  z.strictObject({
    kind: z.literal('burn-rate'),
    slo: z.string().min(1),
    /** Burn rate over the window must stay below this (1 spends the budget exactly over the period). */
    below: z.number().positive(),
    /** An alert window of the SLO, unscaled (`5m`, `1h`). */
    window: duration,
    segments,
  }),
]);

const expectationSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('alert-fires'),
    alert: z.string().min(1),
    segment: segment.optional(),
    severity: z.string().optional(),
    /** Must fire within this long of the first fault's start (as run). */
    within: duration,
  }),
  z.strictObject({
    kind: z.literal('alert-silent'),
    alert: z.string().min(1),
    segment: segment.optional(),
    severity: z.string().optional(),
  }),
  z.strictObject({
    kind: z.literal('recovered'),
    /** Steady state holds again within this long of the last revert. */
    within: duration,
  }),
  z.strictObject({ kind: z.literal('invariants-hold') }),
  z.strictObject({
    kind: z.literal('checkout-success'),
    segment,
    /** Over the whole inject phase. */
    minPercent: percent,
  }),
]);

const stopConditionSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('checkout-success-below'),
    percent,
    segment,
    for: duration,
  }),
  z.strictObject({
    kind: z.literal('p95-above'),
    ms: z.number().positive(),
    segment,
    for: duration,
  }),
]);

export const scenarioDocumentSchema = z.strictObject({
  apiVersion: z.literal('shopsre/v1'),
  kind: z.literal('GameDay'),
  /** Default: the file name without `.yaml`. */
  name: name.optional(),
  title: z.string().min(1),
  description: z.string().min(1),
  hypothesis: z.string().min(1),
  roles: rolesSchema.prefault({}),
  target: targetSchema.default({ embedded: { seed: 1 } }),
  /** SLO file, relative to the scenario file; default the reference store's SLOs. */
  slos: z.string().min(1).optional(),
  load: loadSchema.prefault({}),
  seed: z.number().int().default(1),
  /** Alert windows, `for` and the SLO period are divided by this; default 60 embedded, 1 otherwise. */
  timeScale: z.number().min(1).max(3600).optional(),
  phases: phasesSchema,
  steadyState: z.array(steadyCheckSchema).default([]),
  expectations: z.array(expectationSchema).default([]),
  stopConditions: z.array(stopConditionSchema).default([]),
  runbooks: z.array(z.string().min(1)).default([]),
});

export type ScenarioDocument = z.infer<typeof scenarioDocumentSchema>;
export type SteadyCheckDocument = z.infer<typeof steadyCheckSchema>;
export type ExpectationDocument = z.infer<typeof expectationSchema>;
export type StopConditionDocument = z.infer<typeof stopConditionSchema>;
