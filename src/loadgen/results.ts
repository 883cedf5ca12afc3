import * as z from 'zod';
import { InputError, type SourceLocation } from '../core/errors.js';
import { parseSingleYamlDocument, zodIssuesToFindings, type YamlDocument } from '../core/yaml-source.js';

/**
 * The results document of a load run (`shopsre load run --out results.json`): the contract between the
 * load generator, the game day and `shopsre slo check --results`. CI jobs read it too, so a change to
 * a field's meaning needs a new `apiVersion`. Unknown fields are ignored on read, so a reader accepts
 * a document from a newer writer that only added fields.
 *
 * ```json
 * {
 *   "apiVersion": "shopsre/v1",
 *   "kind": "LoadResults",
 *   "run": { "id": "run-1", "startedAt": "2025-01-01T10:00:00Z", "endedAt": "2025-01-01T10:10:00Z",
 *            "durationMs": 600000, "target": "http://127.0.0.1:8080", "executor": "constant-arrival-rate",
 *            "seed": 42 },
 *   "totals": { "iterations": 6000, "requests": 30000, ... },
 *   "byStep": { "checkout": { ... } },
 *   "bySegment": { "vip": { ... } },
 *   "bySegmentStep": { "vip": { "checkout": { ... } } },
 *   "histograms": [{ "step": "checkout", "segment": "vip", "encoding": "hdr-base64", "data": "HISTFAAAA..." }],
 *   "timeSeries": [{ "t": 0, "segment": "vip", "step": "checkout", "count": 50, "errors": { ... },
 *                    "p50": 41, "p95": 120, "p99": 180 }]
 * }
 * ```
 */

/** Why a request counted as an error; each failed request has exactly one kind. */
export const errorKinds = ['http4xx', 'http5xx', 'timeout', 'connection', 'check'] as const;
export type ErrorKind = (typeof errorKinds)[number];

const count = z.number().int().nonnegative();
const milliseconds = z.number().nonnegative();
const statusKey = z.string().regex(/^[1-5]\d\d$/, 'a status key is an HTTP status code, e.g. "503"');
const thresholdKey = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'a bucket key is a threshold in milliseconds, e.g. "250"');

/** Requests per error kind: HTTP 4xx and 5xx answers, client timeouts, refused or reset connections, failed checks on a 2xx answer. */
const errorsByKindSchema = z.object({
  http4xx: count,
  http5xx: count,
  timeout: count,
  connection: count,
  check: count,
});

/**
 * Answers about the order rather than failures of the store, counted apart from errors: a checkout
 * refused because the stock ran out (409), a payment the card network declined (402), and a payment
 * whose outcome the store could not learn yet (202, settled later by its reconciler).
 */
export const businessOutcomes = ['outOfStock', 'declined', 'pending'] as const;
export type BusinessOutcome = (typeof businessOutcomes)[number];

const businessOutcomesSchema = z.object({ outOfStock: count, declined: count, pending: count });

/**
 * Counts and latencies of one slice of the run (all of it, one step, one segment, or a segment's step).
 */
export const summarySchema = z
  .object({
    /** Journeys started (one iteration runs the steps of the checkout journey once). */
    iterations: count,
    /** HTTP requests sent. */
    requests: count,
    /**
     * Requests that failed, whatever the kind. A business outcome (out of stock, declined) is an answer,
     * not a failure: it is counted in `businessOutcomes`, not here. Which requests an SLI counts as bad
     * is the SLI's own definition (`loadResults.bad`), read from `byStatus` and `errorsByKind`.
     */
    errors: count,
    /** `errors` split by kind. */
    errorsByKind: errorsByKindSchema,
    /**
     * Answers per HTTP status code ("200", "409", "503"), every answer counted (business outcomes and
     * failed checks included; timeouts and connection errors got none). Absent in documents written
     * before shopsre counted them: readers then count every error as bad.
     */
    byStatus: z.record(statusKey, count).optional(),
    /** Out-of-stock, declined and pending checkouts; absent in older documents. */
    businessOutcomes: businessOutcomesSchema.optional(),
    /** Iterations an arrival-rate executor could not start on time (no free VU): offered load that never ran. */
    dropped: count,
    /** Iterations completed per second of the run. */
    achievedRate: z.number().nonnegative(),
    /** Request latency percentiles in milliseconds, read from the slice's HDR histogram. */
    latencyMs: z.object({
      p50: milliseconds,
      p90: milliseconds,
      p95: milliseconds,
      p99: milliseconds,
      max: milliseconds,
    }),
    /**
     * Cumulative latency buckets: key is a threshold in milliseconds ("100", "250", ...), value the
     * number of requests that took at most that long. A latency SLI with a 250 ms threshold reads
     * `1 - latencyBucketsMs["250"] / requests` as its error ratio.
     */
    latencyBucketsMs: z.record(thresholdKey, count),
  })
  .superRefine((summary, ctx) => {
    if (summary.errors > summary.requests) {
      ctx.addIssue({
        code: 'custom',
        path: ['errors'],
        message: `errors (${summary.errors}) exceed requests (${summary.requests})`,
      });
    }
    const byKind = errorKinds.reduce((sum, kind) => sum + summary.errorsByKind[kind], 0);
    if (byKind !== summary.errors) {
      ctx.addIssue({
        code: 'custom',
        path: ['errorsByKind'],
        message: `errorsByKind adds up to ${byKind} but errors is ${summary.errors}: each failed request has exactly one kind`,
      });
    }
    const answered = Object.values(summary.byStatus ?? {}).reduce((sum, n) => sum + n, 0);
    const unanswered = summary.errorsByKind.timeout + summary.errorsByKind.connection;
    if (summary.byStatus !== undefined && answered + unanswered !== summary.requests) {
      ctx.addIssue({
        code: 'custom',
        path: ['byStatus'],
        message: `byStatus counts ${answered} answers, but ${summary.requests} requests less ${unanswered} without an answer is ${summary.requests - unanswered}`,
      });
    }
    for (const [threshold, atOrUnder] of Object.entries(summary.latencyBucketsMs)) {
      if (atOrUnder > summary.requests) {
        ctx.addIssue({
          code: 'custom',
          path: ['latencyBucketsMs', threshold],
          message: `bucket ${threshold} ms counts ${atOrUnder} requests, more than the ${summary.requests} sent`,
        });
      }
    }
  });

export const loadResultsSchema = z.object({
  apiVersion: z.literal('shopsre/v1'),
  kind: z.literal('LoadResults'),
  run: z.object({
    /** Unique id of the run; the game day journal refers to it. */
    id: z.string().min(1),
    /** RFC 3339 time the first iteration was scheduled. */
    startedAt: z.iso.datetime({ offset: true }),
    /** RFC 3339 time the last request finished. */
    endedAt: z.iso.datetime({ offset: true }),
    /** Length of the run: the only window a results file can speak for. */
    durationMs: z.number().int().positive(),
    /** Base URL the load was sent to. */
    target: z.string().min(1),
    /** Executor that paced the run, e.g. `constant-arrival-rate` or `ramping-vus`. */
    executor: z.string().min(1),
    /** Seed of the journey and segment mix; the same seed replays the same sequence. */
    seed: z.number().int(),
  }),
  /** The whole run. */
  totals: summarySchema,
  /** Per journey step (`browse`, `cart`, `checkout`, ...), all segments together. */
  byStep: z.record(z.string(), summarySchema),
  /** Per customer segment (`guest`, `member`, `vip`, ...), all steps together. */
  bySegment: z.record(z.string(), summarySchema),
  /** Per segment, then per step. */
  bySegmentStep: z.record(z.string(), z.record(z.string(), summarySchema)),
  /** The raw HDR latency histograms per segment and step, so readers can merge runs or ask for other percentiles. */
  histograms: z.array(
    z.object({
      step: z.string().min(1),
      segment: z.string().min(1),
      /** Base64 of HdrHistogram's compressed V2 encoding, which every HdrHistogram implementation reads. */
      encoding: z.literal('hdr-base64'),
      data: z.string(),
    }),
  ),
  /** Per-second buckets for charts and for the game day's timeline. */
  timeSeries: z.array(
    z.object({
      /** Seconds since `run.startedAt` at the start of the bucket. */
      t: z.number().nonnegative(),
      segment: z.string().min(1),
      /** Absent when the bucket covers every step of the segment. */
      step: z.string().min(1).optional(),
      /** Requests finished in the bucket. */
      count,
      /** Failed requests in the bucket, by kind. */
      errors: errorsByKindSchema,
      /** Latency percentiles of the bucket, in milliseconds. */
      p50: milliseconds,
      p95: milliseconds,
      p99: milliseconds,
      /**
       * Points of a step only (those with `step`), from writers that count them: answers per HTTP
       * status code and cumulative latency buckets, with the meaning they have in a summary, so an
       * SLO's `loadResults` counting can be applied to any span of seconds.
       */
      byStatus: z.record(statusKey, count).optional(),
      latencyBucketsMs: z.record(thresholdKey, count).optional(),
    }),
  ),
});

export type LoadResults = z.infer<typeof loadResultsSchema>;
export type Summary = z.infer<typeof summarySchema>;

/** A parsed results file, with the way back from a field path to its line and column. */
export interface LoadResultsFile {
  readonly file: string;
  readonly results: LoadResults;
  locate(path: readonly PropertyKey[]): SourceLocation;
}

/**
 * Parses a results document. The JSON goes through the YAML parser (JSON is YAML 1.2) so that every
 * finding carries the file:line:col of the offending value.
 */
export function parseLoadResults(file: string, text: string): LoadResultsFile {
  // Results files can be large: parse them as JSON first, and read them as YAML (for line and column)
  // only when something must be located, which is rare.
  let yamlDoc: YamlDocument | undefined;
  const located = (): YamlDocument => (yamlDoc ??= parseSingleYamlDocument(file, text, 'LoadResults'));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = located().value;
  }
  const parsed = loadResultsSchema.safeParse(value);
  if (!parsed.success) throw new InputError(zodIssuesToFindings(located(), parsed.error.issues));
  return { file, results: parsed.data, locate: (path) => located().locate(path) };
}

/**
 * A results document this process just produced, checked against the same contract as a file
 * (so a document that breaks it fails here, not in a later CI step) without writing or re-reading
 * it. It is rendered as text only if a finding must be located, which is rare.
 */
export function loadResultsInMemory(name: string, results: LoadResults): LoadResultsFile {
  let yamlDoc: YamlDocument | undefined;
  const located = (): YamlDocument =>
    (yamlDoc ??= parseSingleYamlDocument(name, `${JSON.stringify(results, null, 2)}\n`, 'LoadResults'));
  const parsed = loadResultsSchema.safeParse(results);
  if (!parsed.success) throw new InputError(zodIssuesToFindings(located(), parsed.error.issues));
  return { file: name, results: parsed.data, locate: (path) => located().locate(path) };
}
