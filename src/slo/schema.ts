import * as z from 'zod';
import { parseDuration } from '../core/duration.js';

/**
 * The shopsre/v1 SLO file: the wire format, kept apart from the domain model (src/slo/model.ts).
 * Objects are strict so a typo such as `objetive` is a finding, not a silently ignored key.
 * The JSON Schema in schemas/slo.schema.json is generated from this (npm run schema).
 */

const durationText = z
  .string()
  .regex(/^(\d+(y|w|d|h|m|s|ms))+$/, {
    message: 'expected a Prometheus duration such as 5m, 1h, 30d',
    abort: true,
  })
  .refine(
    (text) => parseDuration(text) !== undefined,
    'expected a non-zero duration with units in descending order, such as 1h30m',
  );

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a Prometheus label name');
const labels = z.record(labelName, z.string()).describe('Prometheus labels added to every rule');
const annotations = z.record(z.string(), z.string());

const objectivePercent = z
  .number()
  .gt(0, 'objective must be above 0')
  .lt(100, 'objective must be below 100 (100 % leaves no error budget)');

const objectiveSchema = z
  .union([
    objectivePercent,
    z
      .object({ default: objectivePercent })
      .catchall(objectivePercent)
      .describe('a default plus per-segment overrides, e.g. { default: 99.5, vip: 99.95 }'),
  ])
  .describe('target in percent (99.9 means 99.9 %)');

const eventsSli = z
  .object({
    errorQuery: z.string().describe('PromQL rate of bad events, with {{.window}} as the range'),
    totalQuery: z.string().describe('PromQL rate of all events, with {{.window}} as the range'),
  })
  .strict();

const latencySli = z
  .object({
    metric: z
      .string()
      .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'expected a histogram metric name')
      .describe('histogram base name, e.g. http_request_duration_seconds'),
    le: z
      .union([z.string(), z.number()])
      .describe('threshold bucket upper bound, as the le label value (seconds), e.g. "0.5"'),
    selector: z
      .string()
      .default('')
      .describe('label matchers without braces, e.g. route="/api/checkout",method="POST"'),
  })
  .strict();

const rawSli = z
  .object({ errorRatioQuery: z.string().describe('PromQL error ratio with {{.window}} as the range') })
  .strict();

const sliSchema = z
  .object({ events: eventsSli.optional(), latency: latencySli.optional(), raw: rawSli.optional() })
  .strict()
  .describe('exactly one of events, latency, raw');

const burnWindowSchema = z
  .object({
    budgetPercent: z.number().gt(0).lte(100).describe('share of the period budget this window may burn'),
    shortWindow: durationText,
    longWindow: durationText,
  })
  .strict();

const severitySchema = z.union([
  z.string().min(1),
  z.object({ default: z.string().min(1) }).catchall(z.string().min(1)),
]);

const tierSchema = z
  .object({
    enabled: z.boolean().default(true),
    for: durationText.optional().describe('Prometheus for: duration'),
    severity: severitySchema
      .optional()
      .describe('routed severity, or per segment: { default: page, guest: ticket }'),
    labels: labels.optional(),
    annotations: annotations.optional(),
    quick: burnWindowSchema.optional(),
    slow: burnWindowSchema.optional(),
  })
  .strict();

const alertingSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected an alert name')
      .optional(),
    labels: labels.optional(),
    annotations: annotations.optional(),
    runbook: z.string().url('expected a URL').optional().describe('runbook link: the runbook_url annotation'),
    page: tierSchema.optional(),
    ticket: tierSchema.optional(),
  })
  .strict();

const statusMessage = 'expected a status class such as 5xx, or a status code from 100 to 599 such as 409';
const statusPattern = z
  .union([
    z.number({ error: statusMessage }).int(statusMessage).min(100, statusMessage).max(599, statusMessage),
    z.enum(['1xx', '2xx', '3xx', '4xx', '5xx'], { error: statusMessage }),
  ])
  .describe('a status class (5xx) or a status code (409)');

const outcomeSetSchema = z
  .object({
    status: z.array(statusPattern).default([]).describe('answers by status class or code'),
    errors: z
      .array(z.enum(['timeout', 'connection', 'check']))
      .default([])
      .describe('requests the load generator counted as an error of this kind'),
  })
  .strict();

const loadResultsSchema = z
  .object({
    steps: z.array(z.string()).default([]).describe('journey steps that count; empty = all'),
    bad: outcomeSetSchema
      .optional()
      .describe('outcomes that count as bad; default: read from the error query'),
    events: outcomeSetSchema
      .optional()
      .describe('outcomes that count as events at all; default: read from the total query'),
  })
  .strict();

const sloEntrySchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'expected a lowercase name such as checkout-availability'),
    description: z.string().default(''),
    objective: objectiveSchema,
    period: durationText.optional().describe('SLO period, e.g. 7d, 28d, 30d, 90d'),
    segmented: z.boolean().default(true).describe('expand per customer segment'),
    sli: sliSchema,
    labels: labels.optional(),
    minEvents: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('alert only when the long window saw at least this many events'),
    alerting: alertingSchema.default({}),
    loadResults: loadResultsSchema.optional(),
  })
  .strict();

const segmentsSchema = z
  .object({
    label: labelName.default('segment'),
    values: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected a lowercase segment name'))
      .default(['guest', 'member', 'vip']),
  })
  .strict();

const serviceFields = {
  apiVersion: z.literal('shopsre/v1'),
  service: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'expected a lowercase service name'),
  labels: labels.optional(),
  segments: segmentsSchema.default({ label: 'segment', values: ['guest', 'member', 'vip'] }),
  period: durationText.optional().describe('default period of the SLOs in this document'),
};

const sloListDocumentSchema = z
  .object({ ...serviceFields, kind: z.literal('SLOList'), slos: z.array(sloEntrySchema).min(1) })
  .strict();

const sloDocumentSchema = z
  .object({ ...serviceFields, kind: z.literal('SLO'), ...sloEntrySchema.shape })
  .strict();

export const shopsreDocumentSchema = z.discriminatedUnion('kind', [sloDocumentSchema, sloListDocumentSchema]);

export type SloEntry = z.infer<typeof sloEntrySchema>;
export type ShopsreDocument = z.infer<typeof shopsreDocumentSchema>;
export type TierSpec = z.infer<typeof tierSchema>;
