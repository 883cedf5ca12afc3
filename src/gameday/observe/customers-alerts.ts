import { journeySteps } from '../../loadgen/plan.js';
import { errorKinds, type LoadResults, type Summary } from '../../loadgen/results.js';
import { countOf, withinThreshold } from '../../slo/evaluate/results-source.js';
import { burnFactor, errorBudgetRatio, type BurnWindow, type Slo } from '../../slo/model.js';
import { alertWindowsOf } from '../../slo/windows.js';
import { createAlertStateMachine } from '../alerts/alert-state.js';
import { journalAlert } from '../alerts/journal-alert.js';
import type { BurnSeries, JournalAlert } from '../journal.js';

type StepPoint = LoadResults['timeSeries'][number];

/**
 * Burn rates and alert states of SLOs the in-process evaluator cannot read (their SLI is not a
 * shape it understands), from the customers' view: the load generator's per-second step points,
 * counted through each SLO's `loadResults` mapping with the same counting `slo check --results`
 * uses (results-source.ts `countOf`, `withinThreshold`) applied to a summary of each window.
 *
 * The rules' semantics are those of the generated rules (builtin-evaluator.ts): the burn rate of a
 * window is bad / events over the window ending at the evaluation, divided by the error budget; a
 * tier's condition holds when, for either of its window pairs, both windows' error ratios exceed
 * the pair's burn factor × the budget and, with `minEvents`, the long window holds that many
 * events; the alert state follows Prometheus' rule manager, `for` included (alert-state.ts).
 *
 * Second k of the load covers [start + k s, start + (k+1) s); an evaluation at `t` sees the seconds
 * complete by then (the last one is the second that `t` closes, as the journal aligns the customers'
 * series), and a window of W seconds the W seconds ending with it.
 */
export interface CustomersAlertsInput {
  /** Scaled SLOs (windows divided by the time scale) that the in-process evaluator cannot read. */
  readonly slos: readonly Slo[];
  /** Epoch ms of second 0 of the load's series. */
  readonly startedAtMs: number;
  /** Per-second step points of the load (those with `step`); others are ignored. */
  readonly points: readonly StepPoint[];
  /** Steps the load broke out per second: a step outside them has no points, which is not "no traffic". */
  readonly steps: readonly string[];
  /** The journal's sample times, epoch ms, ascending: one evaluation at each. */
  readonly t: readonly number[];
  /** The rules' evaluation interval: where samples are further apart, evaluations still happen at it. */
  readonly evaluationIntervalMs: number;
}

export interface CustomersAlerts {
  /** One series per SLO and window, aligned with `t`, source `results`. */
  readonly burnRates: BurnSeries[];
  /** One entry per SLO and enabled tier, source `results`. */
  readonly alerts: JournalAlert[];
  /** SLOs the results cannot count either, and why. */
  readonly notCounted: { readonly slo: Slo; readonly reason: string }[];
}

/**
 * The second of the load (second k covers [start + k s, start + (k+1) s)) that a sample at `atMs`
 * closes: the last one complete by then. -1 before the first is complete.
 */
export function secondClosedBy(atMs: number, startedAtMs: number): number {
  return Math.floor((atMs - startedAtMs) / 1000) - 1;
}

export function customersAlerts(input: CustomersAlertsInput): CustomersAlerts {
  const burnRates: BurnSeries[] = [];
  const alerts: JournalAlert[] = [];
  const notCounted: { slo: Slo; reason: string }[] = [];
  const stepPoints = input.points.filter((p) => p.step !== undefined);
  const seconds = Math.max(0, ...stepPoints.map((p) => Math.floor(p.t) + 1));
  const evaluations = evaluationTimes(input.t, input.evaluationIntervalMs);
  for (const slo of input.slos) {
    const counter = windowCounter(slo, stepPoints, input.steps, seconds);
    if ('reason' in counter) {
      notCounted.push({ slo, reason: counter.reason });
      continue;
    }
    const measure = (windowMs: number, atMs: number): WindowCount | undefined => {
      const last = secondClosedBy(atMs, input.startedAtMs);
      const first = last - Math.max(1, Math.round(windowMs / 1000)) + 1;
      return counter.count(Math.max(0, first), Math.min(last, seconds - 1));
    };
    const budget = errorBudgetRatio(slo.objective);
    for (const windowMs of alertWindowsOf(slo.alerting.tiers)) {
      burnRates.push({
        source: 'results',
        slo: slo.baseName,
        ...(slo.segment ? { segment: slo.segment.value } : {}),
        windowMs,
        values: input.t.map((atMs) => {
          const counted = measure(windowMs, atMs);
          return counted === undefined ? null : counted.errorRatio / budget;
        }),
      });
    }
    // One window pair of the generated rules: both windows above the threshold, and the long
    // window holding `minEvents` events when the SLO has the guard.
    const pairActive = (pair: BurnWindow, atMs: number): boolean => {
      const threshold = burnFactor(pair, slo.periodMs) * budget;
      const short = measure(pair.shortWindowMs, atMs);
      const long = measure(pair.longWindowMs, atMs);
      if (!short || !long || !(short.errorRatio > threshold) || !(long.errorRatio > threshold)) return false;
      // The guard counts the SLI's own events here: the results hold no other total query.
      return !slo.minEvents || long.events >= slo.minEvents.minEvents;
    };
    for (const tier of slo.alerting.tiers) {
      if (!tier.enabled) continue;
      const machine = createAlertStateMachine(tier.forMs ?? 0);
      for (const atMs of evaluations) {
        machine.evaluate(pairActive(tier.quick, atMs) || pairActive(tier.slow, atMs), atMs);
      }
      alerts.push(journalAlert(slo, tier, 'results', machine));
    }
  }
  return { burnRates, alerts, notCounted };
}

interface WindowCount {
  /** Bad / events, 0 without events (as `slo check --results` counts a run without traffic). */
  readonly errorRatio: number;
  readonly events: number;
}

interface WindowCounter {
  /** The SLO's counts over seconds `from` to `to` (inclusive); undefined when that span is empty. */
  count(from: number, to: number): WindowCount | undefined;
}

/**
 * Running totals per slice (a step the SLO names, or every step when it names none), so a window's
 * counts are the difference of two totals whatever its length.
 */
function windowCounter(
  slo: Slo,
  points: readonly StepPoint[],
  recordedSteps: readonly string[],
  seconds: number,
): WindowCounter | { reason: string } {
  const sli = slo.loadResults;
  if (sli.kind === 'availability' && sli.counting.kind === 'unknown') {
    return { reason: `its loadResults counting is unknown (${sli.counting.reason})` };
  }
  const named = sli.steps.length === 0 ? journeySteps : sli.steps;
  const missing = named.filter((step) => !recordedSteps.includes(step));
  if (missing.length > 0) {
    return { reason: `the load recorded no per-second series of step ${missing.join(', ')}` };
  }
  const segment = slo.segment?.value;
  const ownPoints = points.filter((p) => segment === undefined || p.segment === segment);
  if (sli.kind === 'latency') {
    const unbucketed = ownPoints.find(
      (p) =>
        withinThreshold({ latencyBucketsMs: p.latencyBucketsMs ?? {} }, sli.latencyThresholdMs) === undefined,
    );
    if (unbucketed) {
      return {
        reason: `the load's per-second points have no ${sli.latencyThresholdMs} ms latency bucket`,
      };
    }
  }
  // The slices `slo check --results` counts one by one: each step named, or every step together.
  const slices: (string | undefined)[] = sli.steps.length === 0 ? [undefined] : [...sli.steps];
  const totals = slices.map((step) =>
    runningTotals(
      ownPoints.filter((p) => step === undefined || p.step === step),
      seconds,
    ),
  );
  return {
    count(from, to) {
      if (to < 0 || from > to) return undefined;
      let bad = 0;
      let events = 0;
      for (const running of totals) {
        const summary = asSummary(difference(running[to + 1], running[from]));
        // As `slo check --results`: a slice without requests counts nothing.
        if (summary.requests === 0) continue;
        if (sli.kind === 'availability') {
          const counted = countOf(summary, sli.counting);
          bad += counted.bad;
          events += counted.events;
        } else {
          const within = withinThreshold(summary, sli.latencyThresholdMs) ?? summary.requests;
          bad += summary.requests - within;
          events += summary.requests;
        }
      }
      return { errorRatio: events === 0 ? 0 : bad / events, events };
    },
  };
}

/** What a summary needs for counting: requests, errors by kind, answers per status, latency buckets. */
interface Counts {
  requests: number;
  readonly errorsByKind: Record<(typeof errorKinds)[number], number>;
  /** Undefined once a point without answers per status was added (an older writer). */
  byStatus: Map<string, number> | undefined;
  readonly latencyBucketsMs: Map<string, number>;
}

function noCounts(): Counts {
  return {
    requests: 0,
    errorsByKind: { http4xx: 0, http5xx: 0, timeout: 0, connection: 0, check: 0 },
    byStatus: new Map(),
    latencyBucketsMs: new Map(),
  };
}

function add(counts: Counts, point: StepPoint): void {
  counts.requests += point.count;
  for (const kind of errorKinds) counts.errorsByKind[kind] += point.errors[kind];
  if (point.byStatus === undefined) counts.byStatus = undefined;
  for (const [status, n] of Object.entries(point.byStatus ?? {})) {
    counts.byStatus?.set(status, (counts.byStatus.get(status) ?? 0) + n);
  }
  for (const [threshold, n] of Object.entries(point.latencyBucketsMs ?? {})) {
    counts.latencyBucketsMs.set(threshold, (counts.latencyBucketsMs.get(threshold) ?? 0) + n);
  }
}

/** Totals of seconds before k at index k (0 … seconds): second k's counts are `[k + 1] − [k]`. */
function runningTotals(points: readonly StepPoint[], seconds: number): Counts[] {
  const bySecond = new Map<number, StepPoint[]>();
  for (const point of points) {
    const k = Math.floor(point.t);
    const atK = bySecond.get(k);
    if (atK) atK.push(point);
    else bySecond.set(k, [point]);
  }
  const totals: Counts[] = [noCounts()];
  for (let k = 0; k < seconds; k++) {
    const next = copy(totals[k] ?? noCounts());
    for (const point of bySecond.get(k) ?? []) add(next, point);
    totals.push(next);
  }
  return totals;
}

function copy(counts: Counts): Counts {
  return {
    requests: counts.requests,
    errorsByKind: { ...counts.errorsByKind },
    byStatus: counts.byStatus && new Map(counts.byStatus),
    latencyBucketsMs: new Map(counts.latencyBucketsMs),
  };
}

function difference(later: Counts | undefined, earlier: Counts | undefined): Counts {
  const a = later ?? noCounts();
  const b = earlier ?? noCounts();
  const out = copy(a);
  out.requests -= b.requests;
  for (const kind of errorKinds) out.errorsByKind[kind] -= b.errorsByKind[kind];
  // Once a point without statuses was added, every later total has none either (`copy`).
  if (out.byStatus && b.byStatus) {
    for (const [status, n] of b.byStatus) out.byStatus.set(status, (out.byStatus.get(status) ?? 0) - n);
  }
  for (const [threshold, n] of b.latencyBucketsMs) {
    out.latencyBucketsMs.set(threshold, (out.latencyBucketsMs.get(threshold) ?? 0) - n);
  }
  return out;
}

/**
 * The counts of a window as a results summary, which is what the counting of `slo check --results`
 * reads. Only requests, errors, answers per status and latency buckets are counted per second;
 * iterations, drops, rates and percentiles are not, and are 0 here (the counting never reads them).
 */
function asSummary(counts: Counts): Summary {
  const byStatus = counts.byStatus && [...counts.byStatus].filter(([, n]) => n > 0);
  return {
    iterations: 0,
    requests: counts.requests,
    errors: errorKinds.reduce((n, kind) => n + counts.errorsByKind[kind], 0),
    errorsByKind: { ...counts.errorsByKind },
    ...(byStatus ? { byStatus: Object.fromEntries(byStatus) } : {}),
    dropped: 0,
    achievedRate: 0,
    latencyMs: { p50: 0, p90: 0, p95: 0, p99: 0, max: 0 },
    latencyBucketsMs: Object.fromEntries(counts.latencyBucketsMs),
  };
}

/** The samples' times, and evaluations every interval across any longer gap between them. */
function evaluationTimes(t: readonly number[], intervalMs: number): number[] {
  const out: number[] = [];
  for (const atMs of t) {
    const previous = out.at(-1);
    if (previous !== undefined && intervalMs > 0) {
      for (let between = previous + intervalMs; between < atMs - intervalMs / 2; between += intervalMs) {
        out.push(between);
      }
    }
    out.push(atMs);
  }
  return out;
}
