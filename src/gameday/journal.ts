import * as z from 'zod';

/**
 * The journal of one game day: the single source of the postmortem, its charts and its summary.
 * Everything a report shows is here, measured, with the source each figure came from; `gameday
 * report` renders the same files from it byte for byte. Times are epoch milliseconds (UTC); the
 * time scale says how the run's windows map to the unscaled ones the user would deploy.
 */

const epochMs = z.number().int().nonnegative();
const ratio = z.number().min(0).max(1);

export const phaseNames = ['start', 'baseline', 'inject', 'observe', 'recover', 'verify', 'report'] as const;
export type PhaseName = (typeof phaseNames)[number];

const phaseSchema = z.strictObject({
  name: z.enum(phaseNames),
  startMs: epochMs,
  /** Absent when the run ended inside the phase (killed, interrupted before it closed). */
  endMs: epochMs.optional(),
  /** `completed`, or why it ended early: a stop condition, a signal, an error. */
  outcome: z.enum(['completed', 'stopped', 'interrupted', 'failed', 'timed-out']),
  note: z.string().optional(),
});

const roleSchema = z.strictObject({
  incidentCommander: z.string(),
  scribe: z.string(),
  observers: z.array(z.string()),
});

const scenarioSchema = z.strictObject({
  name: z.string(),
  file: z.string(),
  title: z.string(),
  description: z.string(),
  hypothesis: z.string(),
  roles: roleSchema,
  runbooks: z.array(z.string()),
});

const faultSchema = z.strictObject({
  /** Unique within the run: `<run id>-<fault>-<n>`. */
  id: z.string(),
  fault: z.string(),
  /** Driver target: the dependency it acts on (`vendor-primary`, `database`...). */
  target: z.string(),
  params: z.record(z.string(), z.union([z.number(), z.string()])),
  /** Offset from the start of the inject phase, and planned duration, both as run (scaled clock). */
  plannedOffsetMs: z.number().int().nonnegative(),
  plannedDurationMs: z.number().int().positive(),
  injectedAtMs: epochMs.optional(),
  /** When the driver's probe saw the fault take effect. */
  verifiedAtMs: epochMs.optional(),
  verification: z.string().optional(),
  revertedAtMs: epochMs.optional(),
  /** `completed` at its planned end; `interrupted` by a stop condition, a signal or an error. */
  end: z.enum(['completed', 'interrupted', 'not-injected', 'revert-failed']).optional(),
  error: z.string().optional(),
});

export const alertStates = ['inactive', 'pending', 'firing'] as const;
export type AlertState = (typeof alertStates)[number];

const detectionSchema = z.strictObject({
  /**
   * The firing this detection measures: the first at or after the fault's start (an alert already
   * firing from before, say at a cold start, is not a detection of the fault). Absent when it did
   * not fire after the fault began.
   */
  firingMs: epochMs.optional(),
  /** The alert was firing when the fault began, so its start says nothing about detection. */
  alreadyFiring: z.boolean().optional(),
  /** The fault this detection is measured from: the first one injected before the alert fired. */
  faultId: z.string(),
  faultStartMs: epochMs,
  /** Error ratio measured (servers' view) while the fault was on. */
  measuredErrorRatio: ratio,
  /** The earliest firing time the rule allows for that ratio: L·f·b/e after the step, plus `for`. */
  earliestFiringMs: epochMs.optional(),
  /** Why there is no bound: the ratio never reached the threshold, say. */
  boundNote: z.string().optional(),
  /** Which window pair gives the bound (`page quick 1h/5m`). */
  condition: z.string().optional(),
  /**
   * Slack past the earliest firing time before the detection counts as late (as run: the evaluation
   * and scrape intervals); the report's "late" finding needs it. Absent: no slack.
   */
  toleranceMs: z.number().int().nonnegative().optional(),
});

const alertSchema = z.strictObject({
  /**
   * `builtin`: the in-process evaluator; `prometheus`: Prometheus' own rule evaluation; `results`:
   * the same rules applied to the customers' view (the load's per-second step points, counted
   * through the SLO's `loadResults`), for SLOs whose SLI the in-process evaluator cannot read.
   */
  source: z.enum(['builtin', 'prometheus', 'results']),
  alertname: z.string(),
  slo: z.string(),
  segment: z.string().optional(),
  tier: z.enum(['page', 'ticket']),
  severity: z.string(),
  forMs: z.number().int().nonnegative(),
  transitions: z.array(z.strictObject({ atMs: epochMs, state: z.enum(alertStates) })),
  firstPendingMs: epochMs.optional(),
  firstFiringMs: epochMs.optional(),
  detection: detectionSchema.optional(),
});

/** One per-second series: values aligned with the journal's `series.t`; null where nothing was measured. */
const numbers = z.array(z.number().nullable());

const viewSeriesSchema = z.strictObject({
  requests: numbers,
  errors: numbers,
  errorRatio: numbers,
  p95Ms: numbers,
  /** Checkouts that ended as business outcomes (out of stock, declined, pending): not errors. */
  business: numbers.optional(),
});

const burnSeriesSchema = z.strictObject({
  source: z.enum(['builtin', 'prometheus', 'results']),
  slo: z.string(),
  segment: z.string().optional(),
  windowMs: z.number().int().positive(),
  /** The alert tier this window belongs to, and the burn factor its condition compares against (14.4): the chart's threshold lines. */
  tier: z.enum(['page', 'ticket']).optional(),
  threshold: z.number().positive().optional(),
  values: numbers,
});

const seriesSchema = z.strictObject({
  intervalMs: z.number().int().positive(),
  /** Sample times, epoch ms. */
  t: z.array(epochMs),
  /** Checkout step per segment, as the load generator's customers saw it. */
  customers: z.record(z.string(), viewSeriesSchema),
  /** Checkout route per segment, from the store's /metrics. */
  servers: z.record(z.string(), viewSeriesSchema),
  burnRates: z.array(burnSeriesSchema),
});

const checkResultSchema = z.strictObject({
  name: z.string(),
  segment: z.string().optional(),
  value: z.number().nullable(),
  threshold: z.number(),
  passed: z.boolean(),
  detail: z.string(),
});

const steadyStateSchema = z.strictObject({
  at: z.enum(['baseline', 'recover']),
  atMs: epochMs,
  held: z.boolean(),
  checks: z.array(checkResultSchema),
});

const expectationSchema = z.strictObject({
  description: z.string(),
  kind: z.string(),
  met: z.boolean(),
  detail: z.string(),
});

const invariantSchema = z.strictObject({
  name: z.string(),
  passed: z.boolean(),
  detail: z.string(),
});

const impactSchema = z.strictObject({
  segment: z.string(),
  checkoutsAttempted: z.number().int().nonnegative(),
  checkoutsFailed: z.number().int().nonnegative(),
  /** Out of stock, declined, pending: answered, not failed. */
  businessOutcomes: z.number().int().nonnegative(),
  /**
   * Sum of the failed checkouts' cart totals, in minor units (cents) of `currency`, from the store's
   * books; absent when they were not readable (a target of your own), rather than a made-up zero.
   */
  failedValueMinor: z.number().int().nonnegative().optional(),
  currency: z.string(),
  /** Share of the SLO period's error budget this run consumed (1 = all of it). */
  budgetConsumed: z.number().nonnegative(),
  source: z.string(),
});

const eventSchema = z.strictObject({
  atMs: epochMs,
  kind: z.enum(['phase', 'fault', 'alert', 'steady-state', 'stop', 'invariant', 'runbook', 'note']),
  message: z.string(),
  marker: z.enum(['OUTAGE BEGINS', 'MITIGATED', 'OUTAGE ENDS']).optional(),
});

const actionItemSchema = z.strictObject({
  kind: z.enum(['prevent', 'mitigate', 'detect']),
  title: z.string(),
  owner: z.string(),
  finding: z.string(),
});

/** An SLO whose SLI the in-process evaluator cannot read, and which sources evaluated it instead. */
const notEvaluableSchema = z.strictObject({
  /** The SLO's name as written, and the segment it was expanded for. */
  slo: z.string(),
  segment: z.string().optional(),
  /** Why the in-process evaluator cannot read it. */
  reason: z.string(),
  /** Who evaluated its burn rates and alerts instead; empty when nobody could. */
  sources: z.array(z.enum(['prometheus', 'results'])),
  /** Why the load results could not count it either, when they could not. */
  resultsNote: z.string().optional(),
});

export const verdicts = ['held', 'refuted', 'interrupted', 'error'] as const;
export type VerdictOutcome = (typeof verdicts)[number];

export const journalSchema = z.strictObject({
  apiVersion: z.literal('shopsre/v1'),
  kind: z.literal('GameDayJournal'),
  runId: z.string(),
  tool: z.strictObject({ name: z.literal('shopsre'), version: z.string() }),
  target: z.strictObject({
    kind: z.enum(['embedded', 'external']),
    storeUrl: z.string(),
    metricsUrl: z.string(),
    storeVersion: z.string().optional(),
    prometheusUrl: z.string().optional(),
  }),
  seed: z.number().int(),
  /** Alert windows were divided by this; 60 turns the 1 h window into 1 min. */
  timeScale: z.number().positive(),
  scenario: scenarioSchema,
  startedAtMs: epochMs,
  endedAtMs: epochMs,
  phases: z.array(phaseSchema),
  faults: z.array(faultSchema),
  alerts: z.array(alertSchema),
  /** SLOs not evaluated in process; absent in journals written before shopsre listed them. */
  notEvaluable: z.array(notEvaluableSchema).optional(),
  series: seriesSchema,
  steadyState: z.array(steadyStateSchema),
  expectations: z.array(expectationSchema),
  invariants: z.strictObject({
    checked: z.boolean(),
    passed: z.boolean(),
    items: z.array(invariantSchema),
    note: z.string().optional(),
  }),
  impact: z.array(impactSchema),
  timeline: z.array(eventSchema),
  actionItems: z.array(actionItemSchema),
  verdict: z.strictObject({
    outcome: z.enum(verdicts),
    exitCode: z.number().int().min(0).max(4),
    reasons: z.array(z.string()),
  }),
});

export type Journal = z.infer<typeof journalSchema>;
export type JournalPhase = z.infer<typeof phaseSchema>;
export type JournalFault = z.infer<typeof faultSchema>;
export type JournalAlert = z.infer<typeof alertSchema>;
export type AlertTransition = JournalAlert['transitions'][number];
export type Detection = z.infer<typeof detectionSchema>;
export type JournalSeries = z.infer<typeof seriesSchema>;
export type ViewSeries = z.infer<typeof viewSeriesSchema>;
export type BurnSeries = z.infer<typeof burnSeriesSchema>;
export type SteadyStateResult = z.infer<typeof steadyStateSchema>;
export type CheckResult = z.infer<typeof checkResultSchema>;
export type ExpectationResult = z.infer<typeof expectationSchema>;
export type Impact = z.infer<typeof impactSchema>;
export type NotEvaluableSlo = z.infer<typeof notEvaluableSchema>;
export type TimelineEvent = z.infer<typeof eventSchema>;
export type ActionItem = z.infer<typeof actionItemSchema>;
