import { deriveActionItems } from '../../../src/gameday/report/index.js';
import type {
  BurnSeries,
  Journal,
  JournalAlert,
  TimelineEvent,
  ViewSeries,
} from '../../../src/gameday/journal.js';

/**
 * Two realistic game day journals, built from a handful of numbers so each figure a test asserts on
 * can be traced to one line here:
 * - `held`: the primary payment vendor goes down, checkout fails over to the secondary within 3 s,
 *   no alert fires, every expectation is met;
 * - `breached`: both vendors go down, the page alert fires (builtin and Prometheus, the latter late),
 *   a ticket alert that should have fired does not, two segments burn through their budget, an
 *   invariant breaks and the steady state does not come back in time.
 * Runs at time scale 60 (the 1 h window lasts 1 min), SLO 99.9 % (budget 0.001), 300 one-second samples.
 */

export const T0 = Date.UTC(2025, 0, 15, 10, 0, 0);
/** The fault starts 62 s in; it is reverted 120 s later. */
export const FAULT_START = T0 + 62_000;
export const FAULT_END = FAULT_START + 120_000;
export const TIME_SCALE = 60;
const BUDGET = 0.001;
const POINTS = 300;
export const SEGMENTS = ['guest', 'member', 'vip'] as const;

const t = Array.from({ length: POINTS }, (_, i) => T0 + i * 1000);
const inFault = (ms: number): boolean => ms >= FAULT_START && ms < FAULT_END;

/** The burn windows as run: the workbook's 1h/5m (×14.4) and 6h/30m (×6), divided by 60. */
const windows = [
  { tier: 'page', windowMs: 60_000, threshold: 14.4 },
  { tier: 'page', windowMs: 5_000, threshold: 14.4 },
  { tier: 'ticket', windowMs: 360_000, threshold: 6 },
  { tier: 'ticket', windowMs: 30_000, threshold: 6 },
] as const;

function view(ratioAt: (ms: number) => number, p95At: (ms: number) => number, rps: number): ViewSeries {
  const requests = t.map(() => rps);
  const errorRatio = t.map(ratioAt);
  return {
    requests,
    errors: errorRatio.map((r) => Math.round(r * rps)),
    errorRatio,
    p95Ms: t.map(p95At),
    business: t.map(() => 0),
  };
}

/** Rolling burn rate over a window: mean error ratio over the window ÷ the error budget. */
function burn(ratios: readonly (number | null)[], windowMs: number, firstSample = 0): (number | null)[] {
  const width = Math.max(1, Math.round(windowMs / 1000));
  return ratios.map((_, i) => {
    if (i < firstSample) return null;
    const from = Math.max(0, i - width + 1);
    const slice = ratios.slice(from, i + 1).map((r) => r ?? 0);
    return Math.round((slice.reduce((a, b) => a + b, 0) / slice.length / BUDGET) * 100) / 100;
  });
}

function burnSeries(
  source: BurnSeries['source'],
  servers: Record<string, ViewSeries>,
  firstSample = 0,
): BurnSeries[] {
  return SEGMENTS.flatMap((segment) =>
    windows.map((w) => ({
      source,
      slo: 'checkout-availability',
      segment,
      windowMs: w.windowMs,
      tier: w.tier,
      threshold: w.threshold,
      values: burn(servers[segment]?.errorRatio ?? [], w.windowMs, firstSample),
    })),
  );
}

const scenarioBase = {
  roles: {
    incidentCommander: 'Ada Okafor',
    scribe: 'Grace Lindqvist',
    observers: ['Linus Tanaka', 'Margaret Osei'],
  },
  runbooks: ['runbooks/payment-vendor-down.md'],
};

const phases = (): Journal['phases'] => [
  { name: 'start', startMs: T0, endMs: T0 + 2_000, outcome: 'completed' },
  { name: 'baseline', startMs: T0 + 2_000, endMs: FAULT_START, outcome: 'completed' },
  { name: 'inject', startMs: FAULT_START, endMs: FAULT_START + 500, outcome: 'completed' },
  { name: 'observe', startMs: FAULT_START + 500, endMs: FAULT_END, outcome: 'completed' },
  { name: 'recover', startMs: FAULT_END, endMs: FAULT_END + 60_000, outcome: 'completed' },
  { name: 'verify', startMs: FAULT_END + 60_000, endMs: FAULT_END + 70_000, outcome: 'completed' },
  { name: 'report', startMs: FAULT_END + 70_000, endMs: FAULT_END + 71_000, outcome: 'completed' },
];

const common = {
  apiVersion: 'shopsre/v1',
  kind: 'GameDayJournal',
  tool: { name: 'shopsre', version: '0.1.0' },
  target: {
    kind: 'embedded',
    storeUrl: 'http://127.0.0.1:41230',
    metricsUrl: 'http://127.0.0.1:41230/metrics',
    storeVersion: '0.1.0',
  },
  seed: 20250115,
  timeScale: TIME_SCALE,
  startedAtMs: T0,
  endedAtMs: FAULT_END + 71_000,
} as const;

const quietAlert = (
  segment: string,
  ratio: number,
  source: JournalAlert['source'] = 'builtin',
): JournalAlert => ({
  source,
  alertname: 'CheckoutAvailabilityPage',
  slo: 'checkout-availability',
  segment,
  tier: 'page',
  severity: 'critical',
  forMs: 2_000,
  transitions: [],
  detection: {
    faultId: 'gd-1-vendor-outage-1',
    faultStartMs: FAULT_START,
    measuredErrorRatio: ratio,
    boundNote: `error ratio ${(ratio * 100).toFixed(2)}% never reached the page threshold (1.44%)`,
  },
});

/** Journal of the run where failover worked. */
export function heldJournal(): Journal {
  const journal = heldBase();
  return { ...journal, actionItems: deriveActionItems(journal) };
}

/** The held run before the runner filled its action items. */
export function heldBase(): Omit<Journal, 'actionItems'> {
  // Failover takes 3 s: checkouts fail for those seconds, then the secondary answers, a bit slower.
  const ratio = (base: number) => (ms: number) =>
    ms >= FAULT_START && ms < FAULT_START + 3_000 ? 0.04 : base;
  const p95 = (base: number) => (ms: number) => (inFault(ms) ? base + 140 : base);
  const customers = {
    guest: view(ratio(0.0006), p95(210), 20),
    member: view(ratio(0.0004), p95(190), 25),
    vip: view(ratio(0.0002), p95(170), 8),
  };
  const servers = {
    guest: view(ratio(0.0005), p95(180), 20),
    member: view(ratio(0.0003), p95(165), 25),
    vip: view(ratio(0.0002), p95(150), 8),
  };
  const timeline: TimelineEvent[] = [
    { atMs: T0, kind: 'phase', message: 'start: store embedded, load at 53 checkouts/s' },
    { atMs: T0 + 2_000, kind: 'phase', message: 'baseline' },
    { atMs: T0 + 61_000, kind: 'steady-state', message: 'steady state held at baseline (6 checks)' },
    {
      atMs: FAULT_START,
      kind: 'fault',
      message: 'vendor-outage injected on vendor-primary',
      marker: 'OUTAGE BEGINS',
    },
    {
      atMs: FAULT_START + 3_000,
      kind: 'note',
      message: 'circuit breaker open; payments fail over to vendor-secondary',
      marker: 'MITIGATED',
    },
    { atMs: FAULT_END, kind: 'fault', message: 'vendor-outage reverted on vendor-primary' },
    {
      atMs: FAULT_END + 58_000,
      kind: 'steady-state',
      message: 'steady state held at recover (6 checks)',
      marker: 'OUTAGE ENDS',
    },
    { atMs: FAULT_END + 70_000, kind: 'invariant', message: '4 invariants held' },
  ];
  const checks = (at: 'baseline' | 'recover'): Journal['steadyState'][number] => ({
    at,
    atMs: at === 'baseline' ? T0 + 61_000 : FAULT_END + 58_000,
    held: true,
    checks: SEGMENTS.flatMap((segment) => [
      {
        name: 'checkout error ratio',
        segment,
        value: 0.0004,
        threshold: 0.01,
        passed: true,
        detail: '0.04% ≤ 1%',
      },
      {
        name: 'checkout p95 ms',
        segment,
        value: 190,
        threshold: 800,
        passed: true,
        detail: '190 ms ≤ 800 ms',
      },
    ]),
  });
  const journal: Omit<Journal, 'actionItems'> = {
    ...common,
    runId: 'gd-1',
    scenario: {
      ...scenarioBase,
      name: 'vendor-outage',
      file: 'scenarios/vendor-outage.yaml',
      title: 'Primary payment vendor outage with failover',
      description:
        'The primary payment vendor stops answering for 2 minutes (2 hours unscaled) during steady checkout load.',
      hypothesis:
        'When the primary payment vendor is down, checkout fails over to the secondary vendor within 5 s; no segment breaches its SLO and no page fires.',
    },
    phases: phases(),
    faults: [
      {
        id: 'gd-1-vendor-outage-1',
        fault: 'vendor-outage',
        target: 'vendor-primary',
        params: { mode: 'refuse' },
        plannedOffsetMs: 0,
        plannedDurationMs: 120_000,
        injectedAtMs: FAULT_START,
        verifiedAtMs: FAULT_START + 400,
        verification: 'probe: connection refused by vendor-primary',
        revertedAtMs: FAULT_END,
        end: 'completed',
      },
    ],
    alerts: SEGMENTS.map((segment) => quietAlert(segment, 0.0021)),
    series: { intervalMs: 1000, t, customers, servers, burnRates: burnSeries('builtin', servers) },
    steadyState: [checks('baseline'), checks('recover')],
    expectations: [
      {
        description: 'No page alert fires',
        kind: 'alert-silent',
        met: true,
        detail: 'no CheckoutAvailabilityPage transition to firing',
      },
      {
        description: 'Payments fail over to vendor-secondary within 5 s',
        kind: 'failover',
        met: true,
        detail: 'failed over after 3 s',
      },
      {
        description: 'Checkout error ratio stays below 1% in every segment',
        kind: 'slo',
        met: true,
        detail: 'worst: guest 0.21%',
      },
    ],
    invariants: {
      checked: true,
      passed: true,
      items: [
        { name: 'no-double-charge', passed: true, detail: 'every order has at most one captured payment' },
        { name: 'stock-conserved', passed: true, detail: 'stock + ordered = initial for 120 SKUs' },
        { name: 'orders-paid', passed: true, detail: '6,412 orders, 6,412 captured payments' },
        { name: 'outbox-drained', passed: true, detail: 'outbox empty' },
      ],
    },
    impact: [
      {
        segment: 'guest',
        checkoutsAttempted: 5_980,
        checkoutsFailed: 63,
        businessOutcomes: 41,
        failedValueMinor: 512_340,
        currency: 'EUR',
        budgetConsumed: 0.12,
        source: "servers' view (store /metrics)",
      },
      {
        segment: 'member',
        checkoutsAttempted: 7_475,
        checkoutsFailed: 77,
        businessOutcomes: 52,
        failedValueMinor: 801_005,
        currency: 'EUR',
        budgetConsumed: 0.09,
        source: "servers' view (store /metrics)",
      },
      {
        segment: 'vip',
        checkoutsAttempted: 2_392,
        checkoutsFailed: 24,
        businessOutcomes: 9,
        failedValueMinor: 498_700,
        currency: 'EUR',
        budgetConsumed: 0.05,
        source: "servers' view (store /metrics)",
      },
    ],
    timeline,
    verdict: {
      outcome: 'held',
      exitCode: 0,
      reasons: ['every expectation met', 'steady state held at recover'],
    },
  };
  return journal;
}

/** Detection figures of the breached run (as run, ms after FAULT_START). */
export const breachedDetection = {
  guestBuiltin: { pending: 2_000, firing: 4_000, earliest: 3_920, tolerance: 1_000 },
  guestPrometheus: { pending: 5_000, firing: 9_000, earliest: 3_920, tolerance: 2_000 },
  vipBuiltin: { pending: 39_000, firing: 41_000, earliest: 40_400, tolerance: 1_000 },
  memberTicketEarliest: 20_000,
} as const;

function firingAlert(
  source: JournalAlert['source'],
  segment: string,
  figures: { pending: number; firing: number; earliest: number; tolerance: number },
  ratio: number,
): JournalAlert {
  return {
    source,
    alertname: 'CheckoutAvailabilityPage',
    slo: 'checkout-availability',
    segment,
    tier: 'page',
    severity: 'critical',
    forMs: 2_000,
    transitions: [
      { atMs: FAULT_START + figures.pending, state: 'pending' },
      { atMs: FAULT_START + figures.firing, state: 'firing' },
      { atMs: FAULT_END + 12_000, state: 'inactive' },
    ],
    firstPendingMs: FAULT_START + figures.pending,
    firstFiringMs: FAULT_START + figures.firing,
    detection: {
      faultId: 'gd-2-vendor-outage-1',
      faultStartMs: FAULT_START,
      measuredErrorRatio: ratio,
      earliestFiringMs: FAULT_START + figures.earliest,
      condition: 'page quick 1h/5m (1m/5s as run)',
      toleranceMs: figures.tolerance,
    },
  };
}

/** Journal of the run where both vendors went down. */
export function breachedJournal(): Journal {
  const journal = breachedBase();
  return { ...journal, actionItems: deriveActionItems(journal) };
}

/** The breached run before the runner filled its action items. */
export function breachedBase(): Omit<Journal, 'actionItems'> {
  const ratio = (fault: number, base: number) => (ms: number) => (inFault(ms) ? fault : base);
  const p95 = (base: number) => (ms: number) => (inFault(ms) ? base + 2_400 : base);
  const customers = {
    guest: view(ratio(0.46, 0.0006), p95(210), 20),
    member: view(ratio(0.31, 0.0004), p95(190), 25),
    vip: view(ratio(0.024, 0.0002), p95(170), 8),
  };
  const servers = {
    guest: view(ratio(0.45, 0.0005), p95(180), 20),
    member: view(ratio(0.3, 0.0003), p95(165), 25),
    vip: view(ratio(0.0225, 0.0002), p95(150), 8),
  };
  const d = breachedDetection;
  const alerts: JournalAlert[] = [
    firingAlert('prometheus', 'guest', d.guestPrometheus, 0.45),
    firingAlert('builtin', 'guest', d.guestBuiltin, 0.45),
    firingAlert('builtin', 'vip', d.vipBuiltin, 0.0225),
    {
      source: 'builtin',
      alertname: 'CheckoutAvailabilityTicket',
      slo: 'checkout-availability',
      segment: 'member',
      tier: 'ticket',
      severity: 'warning',
      forMs: 1_000,
      transitions: [
        { atMs: FAULT_START + 15_000, state: 'pending' },
        { atMs: FAULT_START + 15_500, state: 'inactive' },
      ],
      firstPendingMs: FAULT_START + 15_000,
      detection: {
        faultId: 'gd-2-vendor-outage-1',
        faultStartMs: FAULT_START,
        measuredErrorRatio: 0.3,
        earliestFiringMs: FAULT_START + d.memberTicketEarliest,
        condition: 'ticket slow 6h/30m (6m/30s as run)',
        toleranceMs: 1_000,
      },
    },
  ];
  const timeline: TimelineEvent[] = [
    { atMs: T0, kind: 'phase', message: 'start: store embedded, load at 53 checkouts/s' },
    { atMs: T0 + 61_000, kind: 'steady-state', message: 'steady state held at baseline (6 checks)' },
    {
      atMs: FAULT_START,
      kind: 'fault',
      message: 'vendor-outage injected on vendor-primary and vendor-secondary',
      marker: 'OUTAGE BEGINS',
    },
    {
      atMs: FAULT_START + d.guestBuiltin.firing,
      kind: 'alert',
      message: 'CheckoutAvailabilityPage [guest] firing (builtin)',
    },
    {
      atMs: FAULT_START + d.guestPrometheus.firing,
      kind: 'alert',
      message: 'CheckoutAvailabilityPage [guest] firing (prometheus)',
    },
    { atMs: FAULT_START + 30_000, kind: 'runbook', message: 'on-call opens runbooks/payment-vendor-down.md' },
    {
      atMs: FAULT_START + d.vipBuiltin.firing,
      kind: 'alert',
      message: 'CheckoutAvailabilityPage [vip] firing (builtin)',
    },
    {
      atMs: FAULT_END,
      kind: 'fault',
      message: 'vendor-outage reverted on both vendors',
      marker: 'MITIGATED',
    },
    {
      atMs: FAULT_END + 58_000,
      kind: 'steady-state',
      message: 'steady state NOT held at recover: guest error ratio 2%',
    },
    {
      atMs: FAULT_END + 64_000,
      kind: 'note',
      message: 'guest error ratio back under 1%',
      marker: 'OUTAGE ENDS',
    },
    { atMs: FAULT_END + 70_000, kind: 'invariant', message: 'stock-conserved broke' },
  ];
  const baseline: Journal['steadyState'][number] = {
    at: 'baseline',
    atMs: T0 + 61_000,
    held: true,
    checks: SEGMENTS.map((segment) => ({
      name: 'checkout error ratio',
      segment,
      value: 0.0004,
      threshold: 0.01,
      passed: true,
      detail: '0.04% ≤ 1%',
    })),
  };
  const recover: Journal['steadyState'][number] = {
    at: 'recover',
    atMs: FAULT_END + 58_000,
    held: false,
    checks: [
      {
        name: 'checkout error ratio',
        segment: 'guest',
        value: 0.02,
        threshold: 0.01,
        passed: false,
        detail: '2% > 1%: retries of failed checkouts still in flight',
      },
      {
        name: 'checkout error ratio',
        segment: 'member',
        value: 0.004,
        threshold: 0.01,
        passed: true,
        detail: '0.4% ≤ 1%',
      },
      {
        name: 'checkout error ratio',
        segment: 'vip',
        value: 0.0002,
        threshold: 0.01,
        passed: true,
        detail: '0.02% ≤ 1%',
      },
    ],
  };
  const journal: Omit<Journal, 'actionItems'> = {
    ...common,
    runId: 'gd-2',
    target: { ...common.target, prometheusUrl: 'http://127.0.0.1:49090' },
    scenario: {
      ...scenarioBase,
      name: 'vendor-outage-both',
      file: 'scenarios/vendor-outage-both.yaml',
      title: 'Both payment vendors down',
      description:
        'Both payment vendors stop answering for 2 minutes (2 hours unscaled) during steady checkout load.',
      hypothesis:
        'With both payment vendors down, checkout degrades to "payment pending" orders; no segment breaches its SLO.',
    },
    phases: phases(),
    faults: [
      {
        id: 'gd-2-vendor-outage-1',
        fault: 'vendor-outage',
        target: 'vendor-primary',
        params: { mode: 'refuse' },
        plannedOffsetMs: 0,
        plannedDurationMs: 120_000,
        injectedAtMs: FAULT_START,
        verifiedAtMs: FAULT_START + 400,
        revertedAtMs: FAULT_END,
        end: 'completed',
      },
      {
        id: 'gd-2-vendor-outage-2',
        fault: 'vendor-outage',
        target: 'vendor-secondary',
        params: { mode: 'refuse' },
        plannedOffsetMs: 0,
        plannedDurationMs: 120_000,
        injectedAtMs: FAULT_START,
        verifiedAtMs: FAULT_START + 450,
        revertedAtMs: FAULT_END + 300,
        end: 'completed',
      },
    ],
    alerts,
    series: {
      intervalMs: 1000,
      t,
      customers,
      servers,
      // Prometheus scrapes every 5 s: its series starts later.
      burnRates: [...burnSeries('builtin', servers), ...burnSeries('prometheus', servers, 5)],
    },
    steadyState: [baseline, recover],
    expectations: [
      {
        description: 'No page alert fires',
        kind: 'alert-silent',
        met: false,
        detail: 'CheckoutAvailabilityPage fired for guest and vip',
      },
      {
        description: 'Checkout error ratio stays below 1% in every segment',
        kind: 'slo',
        met: false,
        detail: 'guest 45%, member 30%, vip 2.25%',
      },
      {
        description: 'Orders without payment are kept as pending',
        kind: 'degradation',
        met: true,
        detail: '1,212 pending orders',
      },
    ],
    invariants: {
      checked: true,
      passed: false,
      items: [
        { name: 'no-double-charge', passed: true, detail: 'every order has at most one captured payment' },
        {
          name: 'stock-conserved',
          passed: false,
          detail: 'SKU-000042: stock is 3 lower than orders account for',
        },
      ],
    },
    impact: [
      {
        segment: 'vip',
        checkoutsAttempted: 2_392,
        checkoutsFailed: 58,
        businessOutcomes: 12,
        failedValueMinor: 1_203_450,
        currency: 'EUR',
        budgetConsumed: 0.9,
        source: "servers' view (store /metrics)",
      },
      {
        segment: 'guest',
        checkoutsAttempted: 5_980,
        checkoutsFailed: 1_086,
        businessOutcomes: 44,
        failedValueMinor: 8_741_299,
        currency: 'EUR',
        budgetConsumed: 4.54,
        source: "servers' view (store /metrics)",
      },
      {
        segment: 'member',
        checkoutsAttempted: 7_475,
        checkoutsFailed: 903,
        businessOutcomes: 61,
        failedValueMinor: 9_012_004,
        currency: 'EUR',
        budgetConsumed: 3.02,
        source: "servers' view (store /metrics)",
      },
    ],
    timeline,
    verdict: {
      outcome: 'refuted',
      exitCode: 1,
      reasons: [
        '2 expectations not met',
        'invariant stock-conserved broke',
        'steady state not held at recover',
      ],
    },
  };
  return journal;
}
