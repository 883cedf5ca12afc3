import type { Clock } from '../../core/clock.js';
import { buildLoadPlan } from '../../loadgen/build-plan.js';
import { systemMonotonicClock } from '../../loadgen/engine/system-clock.js';
import { journeySteps, type LoadPlan } from '../../loadgen/plan.js';
import { defaultProfile, type LoadProfile } from '../../loadgen/profile.js';
import type { LoadResults, Summary } from '../../loadgen/results.js';
import { runLoad } from '../../loadgen/run-load.js';
import { sameThresholdMs } from '../../slo/evaluate/results-source.js';
import type { Slo } from '../../slo/model.js';
import type { ViewSeries } from '../journal.js';
import type { CustomerRecord, LoadControl } from '../runner/ports.js';
import type { ScenarioLoad } from '../scenario/scenario.js';

/**
 * The plan of a game day's load: the scenario's preset and rate against the target, for as long
 * as the game day can last (it is stopped when the game day is done with it), seeded by the
 * scenario so the same scenario replays the same shoppers.
 *
 * `resultsSlos` are the SLOs the in-process evaluator cannot read: their burn rates and alerts come
 * from the load's per-second points, so every step they count gets a series of its own (all of the
 * journey's steps for an SLO that names none) and every latency threshold they count a bucket.
 */
export function gameDayLoadPlan(
  load: ScenarioLoad,
  storeUrl: string,
  seed: number,
  durationMs: number,
  resultsSlos: readonly Slo[] = [],
): LoadPlan {
  const profile: LoadProfile = {
    ...defaultProfile,
    journey: {
      ...defaultProfile.journey,
      ...(load.segmentMix ? { segmentMix: load.segmentMix } : {}),
      ...(load.funnel ? { funnel: load.funnel } : {}),
      ...(load.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: load.requestTimeoutMs }),
    },
  };
  const plan = buildLoadPlan(
    {
      target: storeUrl,
      preset: load.preset,
      rate: load.rate,
      durationMs: Math.ceil(durationMs / 1000) * 1000,
      seed,
      ...(load.maxInFlight === undefined ? {} : { maxInFlight: load.maxInFlight }),
    },
    profile,
  );
  // The customers' view of checkout per segment and second (customerRecord reads these points).
  const seriesSteps = new Set<string>(['checkout']);
  const latencyBucketsMs = [...plan.latencyBucketsMs];
  for (const slo of resultsSlos) {
    const sli = slo.loadResults;
    for (const step of sli.steps.length === 0 ? journeySteps : sli.steps) seriesSteps.add(step);
    // The counting finds a bucket by `sameThresholdMs` (`withinThreshold`).
    if (
      sli.kind === 'latency' &&
      !latencyBucketsMs.some((ms) => sameThresholdMs(ms, sli.latencyThresholdMs))
    ) {
      latencyBucketsMs.push(sli.latencyThresholdMs);
    }
  }
  return {
    ...plan,
    latencyBucketsMs: latencyBucketsMs.sort((a, b) => a - b),
    seriesSteps: [...seriesSteps],
  };
}

/** The load generator in this process, as the runner starts and stops it. */
export function inProcessLoad(options: {
  readonly plan: LoadPlan;
  readonly runId: string;
  readonly runNonce: string;
  readonly wallClock: Clock;
}): LoadControl {
  return {
    start(signal) {
      const finished = runLoad({
        plan: options.plan,
        runId: options.runId,
        runNonce: options.runNonce,
        workers: 1,
        stopConditions: [],
        signal,
        clock: systemMonotonicClock,
        wallClock: options.wallClock,
      }).then(({ results }) => customerRecord(results, 'checkout', options.plan.seriesSteps));
      return { finished };
    },
  };
}

/** Bad answers as the checkout availability SLI counts them: 5xx, timeouts, connection errors. */
const badKinds = ['http5xx', 'timeout', 'connection'] as const;

/**
 * The customers' view of checkout per segment from a load run's results: one point per second of
 * the run (from its time series) and the totals of the run (from its per-segment step summaries).
 * The per-second points of every step broken out (`seriesSteps`, default the steps the series
 * holds) ride along for SLOs that only the load results can count.
 */
export function customerRecord(
  results: LoadResults,
  step = 'checkout',
  seriesSteps?: readonly string[],
): CustomerRecord {
  const startedAtMs = Date.parse(results.run.startedAt);
  const seconds = Math.max(0, ...results.timeSeries.map((p) => p.t + 1));
  const checkout: Record<string, ViewSeries> = {};
  for (const point of results.timeSeries) {
    if (point.step !== step) continue;
    const series = (checkout[point.segment] ??= emptySeries(seconds));
    const errors = badKinds.reduce((n, kind) => n + point.errors[kind], 0);
    const index = Math.floor(point.t);
    series.requests[index] = point.count;
    series.errors[index] = errors;
    series.errorRatio[index] = point.count > 0 ? errors / point.count : null;
    series.p95Ms[index] = point.count > 0 ? point.p95 : null;
  }
  const totals: Record<string, CustomerRecord['totals'][string]> = {};
  for (const [segment, steps] of Object.entries(results.bySegmentStep)) {
    const summary: Summary | undefined = Object.hasOwn(steps, step) ? steps[step] : undefined;
    if (!summary) continue;
    const business = summary.businessOutcomes;
    totals[segment] = {
      attempted: summary.requests,
      requests: summary.requests,
      errors: badKinds.reduce((n, kind) => n + summary.errorsByKind[kind], 0),
      business: business ? business.outOfStock + business.declined + business.pending : 0,
      p95Ms: summary.requests > 0 ? summary.latencyMs.p95 : undefined,
    };
  }
  const points = results.timeSeries.filter((p) => p.step !== undefined);
  const steps = seriesSteps ?? [...new Set(points.flatMap((p) => (p.step === undefined ? [] : [p.step])))];
  return { startedAtMs, checkout, totals, stepSeries: { steps, points } };
}

function emptySeries(length: number): {
  requests: (number | null)[];
  errors: (number | null)[];
  errorRatio: (number | null)[];
  p95Ms: (number | null)[];
} {
  const nulls = (): (number | null)[] => Array.from({ length }, () => null);
  return { requests: nulls(), errors: nulls(), errorRatio: nulls(), p95Ms: nulls() };
}
