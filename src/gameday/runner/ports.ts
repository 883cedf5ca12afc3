import type { CheckoutLedgerSegment } from '../../../reference-store/src/verify/checkout-ledger.js';
import type { LoadResults } from '../../loadgen/results.js';
import type { Slo } from '../../slo/model.js';
import type { PlannedFault } from '../scenario/scenario.js';
import type { BurnSeries, JournalAlert, TimelineEvent, ViewSeries, Impact } from '../journal.js';
import type { CheckoutStats } from '../observe/checkout-stats.js';

/**
 * What the phase runner needs from the world, each a small interface declared here by its user.
 * The game day command wires the real ones (the embedded store stack, the chaos engine's local
 * driver, the load generator, the /metrics observer); tests wire fakes under a fake clock.
 */

/** Wall time in epoch ms and a sleep that wakes early when the signal aborts. */
export interface RunnerClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface InvariantOutcome {
  readonly checked: boolean;
  readonly passed: boolean;
  readonly items: readonly { readonly name: string; readonly passed: boolean; readonly detail: string }[];
  readonly note?: string;
}

/** The system under test once it runs (started here, or the user's own, checked). */
export interface RunningTarget {
  readonly kind: 'embedded' | 'external';
  readonly storeUrl: string;
  readonly metricsUrl: string;
  readonly storeVersion?: string;
  /** The store's invariants against its own ledger and its vendors'. */
  verify(): Promise<InvariantOutcome>;
  /** Checkouts per segment from the store's orders, between two times; undefined when not reachable. */
  ledger?(fromMs: number, toMs: number): Promise<readonly LedgerSegment[]>;
  stop(): Promise<void>;
}

/** Checkouts per segment in a span, from the store's own books (orders and abandoned checkouts). */
export type LedgerSegment = CheckoutLedgerSegment;

export interface InjectedFault {
  readonly verifiedAtMs: number;
  readonly verification: string;
}

/** The chaos engine, as a game day drives it: inject now, hold as long as the runner says, revert. */
export interface FaultControl {
  /** Reverts what killed runs left behind; returns a line per fault reverted. */
  revertLeftovers(): Promise<readonly string[]>;
  inject(fault: PlannedFault, id: string, signal: AbortSignal): Promise<InjectedFault>;
  revert(id: string): Promise<void>;
  /** Ids of this run's faults still recorded as active (`chaos status`); empty after a clean run. */
  stillActive(): Promise<readonly string[]>;
}

/** The servers' view (and the in-process alert evaluation), sampled once a second. */
export interface Observer {
  readonly segments: readonly string[];
  /** Scrapes the target and evaluates every rule at `atMs`. */
  sample(atMs: number): Promise<void>;
  /** Checkouts of one segment between two sample times. */
  checkout(segment: string, fromMs: number, toMs: number): CheckoutStats | undefined;
  /** Burn rate of an SLO (name before segment expansion) over a scaled window, now. */
  burnRate(slo: string, segment: string | undefined, windowMs: number): number | undefined;
  /** Alerts firing now, for stop conditions and the live view. */
  firing(): readonly { readonly alertname: string; readonly segment?: string; readonly severity: string }[];
  /** Everything recorded, for the journal. */
  record(): ObserverRecord;
  close(): Promise<void>;
}

export interface ObserverRecord {
  readonly t: readonly number[];
  readonly servers: Readonly<Record<string, ViewSeries>>;
  readonly burnRates: readonly BurnSeries[];
  readonly alerts: readonly JournalAlert[];
  /** Error ratio of the checkout SLI per segment between two times, for detection bounds. */
  errorRatio(segment: string | undefined, fromMs: number, toMs: number): number | undefined;
  /** Checkout requests per segment between two times (servers' view). */
  requests?(segment: string | undefined, fromMs: number, toMs: number): number | undefined;
  /**
   * SLOs the in-process evaluator cannot read (time-scaled, as the run evaluates them), and why:
   * they have no `builtin` burn rates or alerts.
   */
  readonly notEvaluable?: readonly { readonly slo: Slo; readonly reason: string }[];
}

/** Load for the whole game day; stops when the signal aborts. */
export interface LoadControl {
  start(signal: AbortSignal): RunningLoad;
}

export interface RunningLoad {
  /** Resolves once the load has stopped, with the customers' view per second. */
  readonly finished: Promise<CustomerRecord>;
}

export interface CustomerRecord {
  /** Epoch ms of second 0 of the series. */
  readonly startedAtMs: number;
  /** Checkout step per segment, one entry per second of the load. */
  readonly checkout: Readonly<Record<string, ViewSeries>>;
  /** Per segment over the whole run. */
  readonly totals: Readonly<Record<string, CheckoutStats & { readonly attempted: number }>>;
  /**
   * The load's per-second points of each step it broke out (per segment; second 0 at `startedAtMs`),
   * for burn rates and alerts of SLOs that only the load results can count.
   */
  readonly stepSeries?: {
    /** The steps broken out: a step outside them has no points, which is not "no traffic". */
    readonly steps: readonly string[];
    readonly points: readonly LoadResults['timeSeries'][number][];
  };
}

/** An alert that began firing, as the runner hands it to the runbook hook. */
export interface FiringAlert {
  readonly alertname: string;
  readonly segment?: string;
  readonly severity: string;
}

/**
 * What to do when an alert first fires: name its runbook in the timeline, and with `--drill` run
 * the runbook's read-only steps, each step a timeline event. Runs beside the game day; awaited
 * before verify.
 */
export type RunbookHook = (
  alert: FiringAlert,
  atMs: number,
  emit: (event: TimelineEvent) => void,
) => Promise<void>;

export interface RunnerEvents {
  event?(event: TimelineEvent): void;
  /** Once a second: what the live view shows. */
  tick?(status: LiveStatus): void;
}

export interface LiveStatus {
  readonly phase: string;
  readonly phaseEndsInMs: number | undefined;
  readonly atMs: number;
  /** Over the last 5 s (less in the first seconds of observing). */
  readonly segments: readonly { readonly segment: string; readonly stats: CheckoutStats | undefined }[];
  /** Checkout requests per second over the same span, all segments; undefined before two samples. */
  readonly requestsPerSecond: number | undefined;
  /** Every window pair of every enabled alert tier, as the run evaluates it (time-scaled windows). */
  readonly burnRates: readonly LiveBurnRate[];
  readonly firing: ReturnType<Observer['firing']>;
  readonly activeFaults: readonly {
    readonly id: string;
    readonly fault: string;
    /** The dependency it acts on (`vendor-primary`): two faults of one kind differ by it. */
    readonly target: string;
    readonly endsInMs: number;
  }[];
}

/**
 * One window pair of an alert tier now: the pair's condition holds when both windows burn faster
 * than `factor`; the tier's alert when either of its pairs (`quick`, `slow`) holds.
 */
export interface LiveBurnRate {
  /** The SLO's name before segment expansion (`checkout-availability`). */
  readonly slo: string;
  readonly segment?: string;
  /** The alert this tier raises, as `firing` names it. */
  readonly alertname: string;
  readonly tier: string;
  readonly severity: string;
  readonly condition: 'quick' | 'slow';
  /** The burn-rate threshold of the pair (14.4 for the workbook's page pair). */
  readonly factor: number;
  readonly long: LiveBurnWindow;
  readonly short: LiveBurnWindow;
}

export interface LiveBurnWindow {
  readonly windowMs: number;
  /** Undefined with no data in the window yet. */
  readonly burnRate: number | undefined;
}

export type { Impact };
