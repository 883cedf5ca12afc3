import type { Slo } from '../../slo/model.js';
import { customersAlerts, secondClosedBy, type CustomersAlerts } from '../observe/customers-alerts.js';
import type {
  ActionItem,
  Detection,
  ExpectationResult,
  Impact,
  Journal,
  JournalAlert,
  JournalFault,
  JournalPhase,
  NotEvaluableSlo,
  SteadyStateResult,
  TimelineEvent,
  ViewSeries,
} from '../journal.js';
import type { Scenario } from '../scenario/scenario.js';
import type {
  CustomerRecord,
  InvariantOutcome,
  LedgerSegment,
  ObserverRecord,
  RunningTarget,
} from './ports.js';
import { duration, percent } from '../format.js';

/** Judgements that live in their own modules (detection bounds, action items), passed in. */
export interface Assessors {
  /** The earliest firing time the alert's rule allows for the error ratio measured during the fault. */
  detection?(input: {
    readonly alert: JournalAlert;
    readonly slo: Slo | undefined;
    readonly fault: JournalFault;
    readonly errorRatio: number;
    readonly timeScale: number;
    /** The first sample of the servers' view: history before it is invisible to every window. */
    readonly trafficSinceMs: number | undefined;
    /** Checkouts per second of the alert's segment while the fault was on, for the min-events guard. */
    readonly eventsPerSecond: number | undefined;
  }): Pick<Detection, 'earliestFiringMs' | 'boundNote' | 'condition' | 'toleranceMs'> | undefined;
  actionItems?(journal: Omit<Journal, 'actionItems'>): ActionItem[];
}

export interface RunFacts {
  readonly scenario: Scenario;
  readonly slos: readonly Slo[];
  readonly runId: string;
  readonly toolVersion: string;
  readonly target: RunningTarget;
  readonly prometheusUrl: string | undefined;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly phases: readonly JournalPhase[];
  readonly faults: readonly JournalFault[];
  readonly steadyState: readonly SteadyStateResult[];
  readonly timeline: readonly TimelineEvent[];
  readonly observed: ObserverRecord | undefined;
  readonly customers: CustomerRecord | undefined;
  readonly invariants: InvariantOutcome;
  readonly ledger: readonly LedgerSegment[] | undefined;
  readonly injectWindow: { readonly startMs: number; readonly endMs: number } | undefined;
  readonly recoveredAtMs: number | undefined;
  readonly baselineHeld: boolean;
  readonly stopReason: string | undefined;
  readonly failure: string | undefined;
  readonly interrupted: boolean;
  readonly assessors: Assessors | undefined;
}

/** Turns what a run measured into its journal: expectations, detection, impact, verdict. */
export function assessRun(facts: RunFacts): Journal {
  const { scenario, observed } = facts;
  const injected = facts.faults.filter((f) => f.injectedAtMs !== undefined);
  const firstFault = injected[0];
  const fromResults = resultsView(facts);
  const alerts = [...(observed?.alerts ?? []), ...(fromResults?.alerts ?? [])].map((alert) =>
    withDetection(alert, facts, injected),
  );
  const notEvaluable = notEvaluableOf(facts, fromResults);
  const expectations = scenario.expectations.map((e) => judge(e, facts, alerts, firstFault));
  const impact = impactOf(facts);
  const reasons: string[] = [];
  if (facts.failure !== undefined) reasons.push(`the run failed: ${facts.failure}`);
  if (facts.interrupted)
    reasons.push('interrupted (SIGINT, SIGTERM or SIGHUP): every fault was reverted, the run did not finish');
  if (!facts.baselineHeld)
    reasons.push('the steady state did not hold at the end of baseline, so nothing was injected');
  if (facts.stopReason !== undefined) reasons.push(`stop condition fired: ${facts.stopReason}`);
  for (const e of expectations)
    if (!e.met) reasons.push(`expectation not met: ${e.description} (${e.detail})`);
  if (facts.invariants.checked && !facts.invariants.passed) reasons.push('store invariants broken');
  const failedFault = facts.faults.find((f) => f.end === 'revert-failed');
  if (failedFault) reasons.push(`fault ${failedFault.id} could not be reverted: ${failedFault.error ?? ''}`);
  if (
    injected.length > 0 &&
    facts.recoveredAtMs === undefined &&
    !facts.interrupted &&
    facts.failure === undefined
  ) {
    reasons.push('the steady state did not hold again before the recover timeout');
  }
  const outcome =
    facts.failure !== undefined
      ? 'error'
      : facts.interrupted
        ? 'interrupted'
        : reasons.length > 0
          ? 'refuted'
          : 'held';
  if (outcome === 'held')
    reasons.push(
      'the hypothesis held: steady state before and after, every expectation met, invariants hold',
    );

  const journal: Omit<Journal, 'actionItems'> = {
    apiVersion: 'shopsre/v1',
    kind: 'GameDayJournal',
    runId: facts.runId,
    tool: { name: 'shopsre', version: facts.toolVersion },
    target: {
      kind: facts.target.kind,
      storeUrl: facts.target.storeUrl,
      metricsUrl: facts.target.metricsUrl,
      ...(facts.target.storeVersion === undefined ? {} : { storeVersion: facts.target.storeVersion }),
      ...(facts.prometheusUrl === undefined ? {} : { prometheusUrl: facts.prometheusUrl }),
    },
    seed: scenario.seed,
    timeScale: scenario.timeScale,
    scenario: {
      name: scenario.name,
      file: scenario.file,
      title: scenario.title,
      description: scenario.description,
      hypothesis: scenario.hypothesis,
      roles: { ...scenario.roles, observers: [...scenario.roles.observers] },
      runbooks: [...scenario.runbooks],
    },
    startedAtMs: facts.startedAtMs,
    endedAtMs: facts.endedAtMs,
    phases: [...facts.phases],
    faults: [...facts.faults],
    alerts,
    ...(notEvaluable.length > 0 ? { notEvaluable } : {}),
    series: seriesOf(facts, fromResults),
    steadyState: [...facts.steadyState],
    expectations,
    invariants: {
      checked: facts.invariants.checked,
      passed: facts.invariants.passed,
      items: facts.invariants.items.map((i) => ({ ...i })),
      ...(facts.invariants.note === undefined ? {} : { note: facts.invariants.note }),
    },
    impact,
    timeline: [...facts.timeline],
    verdict: {
      outcome,
      exitCode: outcome === 'held' ? 0 : outcome === 'error' ? 3 : 1,
      reasons,
    },
  };
  return { ...journal, actionItems: facts.assessors?.actionItems?.(journal) ?? [] };
}

/** The journal's sample interval: the runner samples, and the rules are evaluated, once a second. */
const sampleIntervalMs = 1000;

/**
 * Burn rates and alerts, from the customers' view, of the SLOs the in-process evaluator cannot
 * read. Computed even when a real Prometheus evaluated them too: a different view, labelled
 * `results`, which expectations only fall back on (`judge`).
 */
function resultsView(facts: RunFacts): CustomersAlerts | undefined {
  const observed = facts.observed;
  const notEvaluable = observed?.notEvaluable ?? [];
  const customers = facts.customers;
  const stepSeries = customers?.stepSeries;
  if (!observed || notEvaluable.length === 0 || !customers || !stepSeries) return undefined;
  return customersAlerts({
    slos: notEvaluable.map((n) => n.slo),
    startedAtMs: customers.startedAtMs,
    points: stepSeries.points,
    steps: stepSeries.steps,
    t: observed.t,
    evaluationIntervalMs: sampleIntervalMs,
  });
}

/** Each SLO not evaluated in process, why, and which sources evaluated it instead. */
function notEvaluableOf(facts: RunFacts, fromResults: CustomersAlerts | undefined): NotEvaluableSlo[] {
  const observed = facts.observed;
  const same = (slo: Slo) => (x: { slo: string; segment?: string | undefined }) =>
    x.slo === slo.baseName && x.segment === slo.segment?.value;
  return (observed?.notEvaluable ?? []).map(({ slo, reason }) => {
    const byPrometheus =
      observed?.alerts.some((a) => a.source === 'prometheus' && same(slo)(a)) === true ||
      observed?.burnRates.some((b) => b.source === 'prometheus' && same(slo)(b)) === true;
    const notCounted = fromResults?.notCounted.find((n) => n.slo.id === slo.id);
    const byResults = fromResults !== undefined && notCounted === undefined;
    const resultsNote =
      notCounted?.reason ??
      (fromResults === undefined ? 'the load recorded no per-second step points' : undefined);
    return {
      slo: slo.baseName,
      ...(slo.segment ? { segment: slo.segment.value } : {}),
      reason,
      sources: [...(byPrometheus ? ['prometheus' as const] : []), ...(byResults ? ['results' as const] : [])],
      ...(resultsNote === undefined ? {} : { resultsNote }),
    };
  });
}

function withDetection(
  alert: JournalAlert,
  facts: RunFacts,
  injected: readonly JournalFault[],
): JournalAlert {
  const fault = injected[0];
  if (fault?.injectedAtMs === undefined || !facts.observed) return alert;
  const faultStartMs = fault.injectedAtMs;
  const firingMs = firingAtOrAfter(alert, faultStartMs);
  const alreadyFiring = stateAt(alert, faultStartMs) === 'firing';
  if (firingMs === undefined && alert.firstFiringMs === undefined) return alert;
  // The step's height: the error ratio over the whole time the fault was on (up to the first
  // firing only, a span starting just before the step would dilute it with clean traffic).
  const until = fault.revertedAtMs ?? facts.endedAtMs;
  const spanMs = Math.max(1000, until - faultStartMs);
  const errorRatio = facts.observed.errorRatio(alert.segment, faultStartMs, faultStartMs + spanMs);
  const requests = facts.observed.requests?.(alert.segment, faultStartMs, faultStartMs + spanMs);
  const slo = facts.slos.find(
    (s) => s.alerting.name === alert.alertname && s.segment?.value === alert.segment,
  );
  // The minimum-events guard fills from the traffic before the fault too; the faster of the two
  // rates keeps the bound a lower bound (the guard cannot fill later than the slower would say).
  const firstSample = facts.observed.t[0];
  const beforeMs = firstSample === undefined ? 0 : faultStartMs - firstSample;
  const before =
    firstSample === undefined
      ? undefined
      : facts.observed.requests?.(alert.segment, firstSample, faultStartMs);
  // The servers' view measures the checkout route's 5xx ratio: the error ratio of a checkout
  // availability SLI, and of nothing else. Other SLIs get no bound rather than a wrong one.
  const measurable = slo !== undefined && measuresCheckoutAvailability(slo);
  const measured = errorRatio === undefined || !measurable ? undefined : Math.min(1, Math.max(0, errorRatio));
  const bound =
    measured === undefined
      ? undefined
      : facts.assessors?.detection?.({
          alert,
          slo,
          fault,
          errorRatio: measured,
          timeScale: facts.scenario.timeScale,
          // Rates extrapolate up to about one scrape interval before the first sample; a bound
          // that ignored it would be later than what the rules can do.
          trafficSinceMs: facts.observed.t[0] === undefined ? undefined : facts.observed.t[0] - 1000,
          eventsPerSecond: fastestRate(
            requests === undefined ? undefined : requests / (spanMs / 1000),
            before === undefined || beforeMs <= 0 ? undefined : before / (beforeMs / 1000),
          ),
        });
  const detection: Detection = {
    faultId: fault.id,
    faultStartMs,
    measuredErrorRatio: measured ?? 0,
    ...(bound ?? {
      boundNote: !measurable
        ? "no bound: the servers' view measures the checkout availability SLI's error ratio, not this SLI's"
        : measured === undefined
          ? 'no checkouts measured while the fault was on'
          : 'no detection bound computed',
    }),
    ...(firingMs === undefined ? {} : { firingMs }),
    ...(alreadyFiring ? { alreadyFiring } : {}),
  };
  return { ...alert, detection };
}

/** An SLI counting the checkout route's 5xx answers among all its answers: what the servers' view measures. */
function measuresCheckoutAvailability(slo: Slo): boolean {
  return (
    slo.sli.kind === 'events' &&
    slo.sli.errorQuery.includes('route="/api/checkout"') &&
    slo.sli.errorQuery.includes('status_class="5xx"')
  );
}

function fastestRate(...rates: readonly (number | undefined)[]): number | undefined {
  const known = rates.filter((r): r is number => r !== undefined && Number.isFinite(r));
  return known.length === 0 ? undefined : Math.max(...known);
}

/** The first firing transition at or after `atMs`. */
export function firingAtOrAfter(alert: JournalAlert, atMs: number): number | undefined {
  return alert.transitions.find((t) => t.state === 'firing' && t.atMs >= atMs)?.atMs;
}

function stateAt(alert: JournalAlert, atMs: number): JournalAlert['transitions'][number]['state'] {
  return alert.transitions.filter((t) => t.atMs < atMs).at(-1)?.state ?? 'inactive';
}

function judge(
  expectation: Scenario['expectations'][number],
  facts: RunFacts,
  alerts: readonly JournalAlert[],
  firstFault: JournalFault | undefined,
): ExpectationResult {
  const matching = (e: { alert: string; segment?: string; severity?: string }): JournalAlert[] => {
    const all = alerts.filter(
      (a) =>
        a.alertname === e.alert &&
        (e.segment === undefined || a.segment === e.segment) &&
        (e.severity === undefined || a.severity === e.severity),
    );
    // Prometheus' own evaluation, when there was one, is the authority; the built-in one otherwise,
    // and the customers' view (`results`) for an SLO the built-in one could not evaluate.
    const fromPrometheus = all.filter((a) => a.source === 'prometheus');
    if (fromPrometheus.length > 0) return fromPrometheus;
    const builtin = all.filter((a) => a.source === 'builtin');
    const hasBuiltin = (a: JournalAlert): boolean =>
      builtin.some((b) => b.slo === a.slo && b.segment === a.segment);
    return [...builtin, ...all.filter((a) => a.source === 'results' && !hasBuiltin(a))];
  };
  const who = (e: { alert: string; segment?: string; severity?: string }): string =>
    `${e.alert}${e.segment ? ` for ${e.segment}` : ''}${e.severity ? ` (${e.severity})` : ''}`;
  switch (expectation.kind) {
    case 'alert-fires': {
      const description = `${who(expectation)} fires within ${expectation.withinMs / 1000} s of the fault`;
      const start = firstFault?.injectedAtMs;
      const fired =
        start === undefined
          ? undefined
          : matching(expectation)
              .flatMap((a) => {
                const at = firingAtOrAfter(a, start);
                return at === undefined ? [] : [at];
              })
              .sort((a, b) => a - b)[0];
      if (firstFault?.injectedAtMs === undefined)
        return { description, kind: expectation.kind, met: false, detail: 'no fault was injected' };
      if (fired === undefined)
        return { description, kind: expectation.kind, met: false, detail: 'it never fired' };
      const after = fired - firstFault.injectedAtMs;
      return {
        description,
        kind: expectation.kind,
        met: after >= 0 && after <= expectation.withinMs,
        detail: `fired ${duration(after)} after the fault (${duration(after * facts.scenario.timeScale)} at the unscaled windows, time scale ${facts.scenario.timeScale})`,
      };
    }
    case 'alert-silent': {
      // From the start of the inject phase on: what the faults did, not a cold start before them.
      const description = `${who(expectation)} never fires during the faults or the recovery`;
      const from = facts.injectWindow?.startMs ?? facts.startedAtMs;
      const fired = matching(expectation).filter(
        (a) => firingAtOrAfter(a, from) !== undefined || stateAt(a, from) === 'firing',
      );
      return {
        description,
        kind: expectation.kind,
        met: fired.length === 0,
        detail:
          fired.length === 0
            ? 'it never fired'
            : `it fired (${fired.map((a) => `${a.tier}, ${a.source}`).join('; ')})`,
      };
    }
    case 'recovered': {
      const description = `the steady state holds again within ${expectation.withinMs / 1000} s of the revert`;
      const lastRevert = Math.max(
        ...facts.faults.flatMap((f) => (f.revertedAtMs === undefined ? [] : [f.revertedAtMs])),
      );
      if (!Number.isFinite(lastRevert))
        return {
          description,
          kind: expectation.kind,
          met: facts.recoveredAtMs !== undefined,
          detail: 'no fault was reverted',
        };
      if (facts.recoveredAtMs === undefined)
        return { description, kind: expectation.kind, met: false, detail: 'it did not recover' };
      const after = Math.max(0, facts.recoveredAtMs - lastRevert);
      return {
        description,
        kind: expectation.kind,
        met: after <= expectation.withinMs,
        detail: `recovered ${duration(after)} after the last revert`,
      };
    }
    case 'invariants-hold':
      return {
        description: 'the store invariants hold',
        kind: expectation.kind,
        met: facts.invariants.checked && facts.invariants.passed,
        detail: facts.invariants.checked
          ? facts.invariants.items
              .filter((i) => !i.passed)
              .map((i) => `${i.name}: ${i.detail}`)
              .join('; ') || 'all hold'
          : (facts.invariants.note ?? 'not checked'),
      };
    case 'checkout-success': {
      const description = `${expectation.segment} checkout success stays at or above ${percent(expectation.minRatio)} during the faults`;
      const window = facts.injectWindow;
      const ratio = window
        ? facts.observed?.errorRatio(expectation.segment, window.startMs, window.endMs)
        : undefined;
      if (ratio === undefined)
        return {
          description,
          kind: expectation.kind,
          met: false,
          detail: 'no checkouts measured during the faults',
        };
      return {
        description,
        kind: expectation.kind,
        met: 1 - ratio >= expectation.minRatio,
        detail: `${percent(1 - ratio)} (servers' view)`,
      };
    }
  }
}

/**
 * Impact per segment. Attempts and errors from the customers' view; failed orders and their value
 * from the store's own ledger when it is reachable (the embedded store always is), since a figure
 * of money should come from the books, not from a load generator's count.
 */
function impactOf(facts: RunFacts): Impact[] {
  const segments = new Set<string>([
    ...Object.keys(facts.customers?.totals ?? {}),
    ...(facts.ledger ?? []).map((l) => l.segment),
  ]);
  const budgetSlo = (segment: string): Slo | undefined =>
    facts.slos.find((s) => s.baseName === 'checkout-availability' && s.segment?.value === segment) ??
    facts.slos.find(
      (s) =>
        s.segment?.value === segment &&
        s.loadResults.kind === 'availability' &&
        s.loadResults.steps.includes('checkout'),
    );
  const runMs = Math.max(1, facts.endedAtMs - facts.startedAtMs);
  return [...segments].sort().map((segment): Impact => {
    const seen = facts.customers?.totals[segment];
    const books = facts.ledger?.find((l) => l.segment === segment);
    const slo = budgetSlo(segment);
    const badRatio = seen && seen.requests > 0 ? seen.errors / seen.requests : 0;
    const budget = slo ? (100 - slo.objective) / 100 : undefined;
    const scaledPeriod = slo ? slo.periodMs / facts.scenario.timeScale : undefined;
    const consumed = budget && scaledPeriod ? (badRatio / budget) * (runMs / scaledPeriod) : 0;
    return {
      segment,
      checkoutsAttempted: seen?.attempted ?? books?.orders ?? 0,
      checkoutsFailed: books ? books.failed : (seen?.errors ?? 0),
      businessOutcomes: seen?.business ?? (books ? books.declined + books.pending : 0),
      ...(books ? { failedValueMinor: books.failedValueMinor } : {}),
      currency: books?.currency ?? 'usd',
      budgetConsumed: consumed,
      source: books
        ? `attempts: load generator; failed orders and value: the store's orders table${slo ? `; budget: ${slo.name}` : ''}`
        : `load generator${slo ? `; budget: ${slo.name}` : ''}`,
    };
  });
}

function seriesOf(facts: RunFacts, fromResults: CustomersAlerts | undefined): Journal['series'] {
  const observed = facts.observed;
  const t = [...(observed?.t ?? [])];
  const customers: Record<string, ViewSeries> = {};
  const record = facts.customers;
  if (record) {
    for (const [segment, series] of Object.entries(record.checkout)) {
      // Second k of the load covers [start + k s, start + (k+1) s): align it with the sample that closes it.
      const aligned = (values: readonly (number | null)[]): (number | null)[] =>
        t.map((atMs) => {
          const k = secondClosedBy(atMs, record.startedAtMs);
          return k >= 0 && k < values.length ? (values[k] ?? null) : null;
        });
      customers[segment] = {
        requests: aligned(series.requests),
        errors: aligned(series.errors),
        errorRatio: aligned(series.errorRatio),
        p95Ms: aligned(series.p95Ms),
        ...(series.business ? { business: aligned(series.business) } : {}),
      };
    }
  }
  return {
    intervalMs: sampleIntervalMs,
    t,
    customers,
    servers: { ...(observed?.servers ?? {}) },
    burnRates: [...(observed?.burnRates ?? []), ...(fromResults?.burnRates ?? [])],
  };
}
