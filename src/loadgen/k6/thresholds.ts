import { errorBudgetRatio, type OutcomeSet, type Slo } from '../../slo/model.js';
import { journeySteps, type ExecutorConfig, type LoadPlan } from '../plan.js';
import type { JsValue } from './js-literal.js';

/**
 * One SLO as the k6 script measures it: a custom metric fed by exactly the requests the SLO counts
 * (its segment, or all; its steps, or all), with one threshold.
 *
 * Why a metric per SLO rather than `http_req_failed{segment:s,step:X}`:
 * - an SLO over several steps (catalog availability over `browse` and `product`) is one error ratio
 *   over their union; one threshold per step would fail a run whose combined ratio is within budget;
 * - a request counts as bad the way our results count it: by the SLO's own definition of bad
 *   (`loadResults.bad`, or what its error query says: 5xx answers, timeouts, refused connections), and
 *   only requests that are events of the SLO feed it, while k6's `http_req_failed` counts every
 *   non-2xx status (a 409 out-of-stock included) and ignores checks.
 * Availability is a Rate of failed requests, `rate<=budget`. Latency is a Trend of request durations,
 * `p(objective)<=threshold`, k6's own idiom, fractional percentiles included; k6 interpolates between
 * neighbouring samples there, where our SLI counts requests at or under the threshold, so the two can
 * differ by one sample at the boundary. `<=` rather than `<` because the gate fails only on an
 * overspent budget (`budgetRemainingBelow: 0` in the default policy): a ratio exactly at budget passes.
 */
export interface SloMetric {
  /** k6 metric name: letters, digits and underscores, as k6 requires of custom metrics. */
  readonly metric: string;
  readonly kind: 'availability' | 'latency';
  /** Segment the SLO is expanded for; undefined counts every segment. */
  readonly segment?: string;
  /** Steps that count; empty counts every step. */
  readonly steps: readonly string[];
  /**
   * Availability: which outcomes are bad and which are events. Absent when the SLO cannot say (then
   * every failed request is bad, as in a results document without per-status counts).
   */
  readonly counting?: { readonly bad: OutcomeSet; readonly events: OutcomeSet | 'all' };
  readonly threshold: string;
}

export function sloMetrics(slos: readonly Slo[]): SloMetric[] {
  const taken = new Set<string>();
  return slos.map((slo) => {
    const metric = uniqueName(`slo_${slo.id.replace(/[^A-Za-z0-9_]+/g, '_')}`, taken);
    const base = { metric, steps: slo.loadResults.steps };
    const segment = slo.segment === undefined ? {} : { segment: slo.segment.value };
    if (slo.loadResults.kind === 'availability') {
      const budget = errorBudgetRatio(slo.objective);
      const { counting } = slo.loadResults;
      return {
        ...base,
        ...segment,
        kind: 'availability',
        ...(counting.kind === 'outcomes' ? { counting: { bad: counting.bad, events: counting.events } } : {}),
        threshold: `rate<=${decimal(budget)}`,
      };
    }
    const limitMs = slo.loadResults.latencyThresholdMs;
    return {
      ...base,
      ...segment,
      kind: 'latency',
      threshold: `p(${decimal(slo.objective)})<=${decimal(limitMs)}`,
    };
  });
}

/**
 * `options.thresholds`: one per SLO, plus `dropped_iterations` for the open-model executors. An
 * iteration k6 cannot start on time (all `maxVUs` busy) is dropped, where our generator starts it late
 * and counts the wait in its latency; either way the run did not offer the planned load, so any drop
 * fails it (`count<1`). Closed-model executors cannot drop, so they get no such threshold. Every
 * threshold runs to the end (`abortOnFail: false`), as our run does, so the summary shows them all.
 */
export function k6Thresholds(executor: ExecutorConfig, metrics: readonly SloMetric[]): JsValue {
  const thresholds: Record<string, JsValue> = {};
  const entry = (threshold: string): JsValue => [{ threshold, abortOnFail: false }];
  if (executor.kind === 'constant-arrival-rate' || executor.kind === 'ramping-arrival-rate') {
    thresholds.dropped_iterations = entry('count<1');
  }
  for (const m of metrics) thresholds[m.metric] = entry(m.threshold);
  return thresholds;
}

/**
 * SLOs that count requests the script never sends: a segment the mix never draws, or a step the
 * journey does not have (a typo, or a checkout SLO on `--journey single`). A threshold without samples
 * passes in k6, so these deserve a warning rather than silence.
 */
export function sloCoverageGaps(plan: LoadPlan, slos: readonly Slo[]): string[] {
  const { journey } = plan;
  // `single` is the step name of the single journey (src/loadgen/journey/single.ts).
  const steps: readonly string[] = journey.kind === 'checkout' ? journeySteps : ['single'];
  const segments = Object.keys(journey.segmentMix).filter((s) => (journey.segmentMix[s] ?? 0) > 0);
  const gaps: string[] = [];
  for (const slo of slos) {
    const segment = slo.segment?.value;
    if (segment !== undefined && !segments.includes(segment)) {
      gaps.push(
        `SLO ${slo.id}: the segment mix never sends segment "${segment}", so its threshold gets no data`,
      );
      continue;
    }
    const missing = slo.loadResults.steps.filter((step) => !steps.includes(step));
    if (missing.length > 0) {
      gaps.push(
        `SLO ${slo.id}: the ${journey.kind} journey has no step ${missing.map((s) => `"${s}"`).join(', ')}, ` +
          `so its threshold never counts it (steps: ${steps.join(', ')})`,
      );
    }
  }
  return gaps;
}

/**
 * Budgets come out of float arithmetic (100 - 99.95 is 0.04999999999999716): twelve significant
 * digits print the decimal the user wrote (0.0005), far finer than any run can measure.
 */
function decimal(value: number): string {
  return String(Number(value.toPrecision(12)));
}

/** k6 caps metric names at 128 characters; SLO ids that collide after sanitizing get a suffix. */
function uniqueName(wanted: string, taken: Set<string>): string {
  let name = wanted.slice(0, 128);
  for (let n = 2; taken.has(name); n++) name = `${wanted.slice(0, 128 - String(n).length - 1)}_${n}`;
  taken.add(name);
  return name;
}
