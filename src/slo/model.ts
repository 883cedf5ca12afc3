import type { SourceLocation } from '../core/errors.js';

/**
 * The SLO domain model. Every input format (shopsre/v1, Sloth prometheus/v1, OpenSLO v1) is mapped to
 * these types by its loader; rule generation and evaluation only ever see them.
 */

/** Where an SLO came from; kept for messages and for the `sloth_spec`/`sloth_mode` info labels. */
export type SpecFormat = 'shopsre/v1' | 'prometheus/v1' | 'openslo/v1';

/**
 * The SLI as an error ratio. Queries still hold the `{{.window}}` placeholder; segment matchers are
 * already injected when the SLO was expanded per segment.
 */
export type Sli =
  | { readonly kind: 'events'; readonly errorQuery: string; readonly totalQuery: string }
  | { readonly kind: 'raw'; readonly errorRatioQuery: string };

/** A multi-window condition: alert when both windows burn faster than `factor` × the budget rate. */
export interface BurnWindow {
  /** Share of the period's error budget that this window may consume before alerting, in percent. */
  readonly budgetPercent: number;
  readonly shortWindowMs: number;
  readonly longWindowMs: number;
}

export type TierName = 'page' | 'ticket';

/**
 * One alert rule: two windows ORed together (the SRE workbook's quick and slow conditions).
 * Sloth calls these the page and ticket alerts.
 */
export interface AlertTier {
  readonly name: TierName;
  readonly enabled: boolean;
  readonly quick: BurnWindow;
  readonly slow: BurnWindow;
  /** Prometheus `for:` duration; undefined renders no `for:`. */
  readonly forMs?: number;
  /** The routed severity label value (`page`, `ticket`, or anything the user names). */
  readonly severity: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface Alerting {
  /** Alert name; both tiers share it and differ by severity, as in Sloth. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly runbookUrl?: string;
  readonly tiers: readonly [AlertTier, AlertTier];
}

/** Keeps a handful of errors in a quiet hour from paging: alert only with at least this many events. */
export interface MinEventsGuard {
  readonly minEvents: number;
  /** Total-events rate query with `{{.window}}`, multiplied by the window length to count events. */
  readonly totalQuery: string;
}

/** Generator errors of a request that got no usable answer (the results' `errorsByKind` names). */
export const requestErrorKinds = ['timeout', 'connection', 'check'] as const;
export type RequestErrorKind = (typeof requestErrorKinds)[number];

/** A status class (`5xx`) or one status code (`409`). */
export type StatusPattern = `${1 | 2 | 3 | 4 | 5}xx` | number;

/** A set of load-run outcomes: answers by status, and requests the generator counted as an error of a kind. */
export interface OutcomeSet {
  readonly status: readonly StatusPattern[];
  readonly errors: readonly RequestErrorKind[];
}

/**
 * How a load run counts an availability SLI: which outcomes are bad, and which are events at all.
 * `derived` reads both from the SLI's queries, `explicit` from `loadResults.bad`/`events`; `unknown`
 * holds why neither worked, and where, for the error raised when results are evaluated.
 */
export type LoadCounting =
  | {
      readonly kind: 'outcomes';
      readonly origin: 'derived' | 'explicit';
      readonly bad: OutcomeSet;
      /** `all`: every request of the SLI's steps is an event. Bad outcomes always are. */
      readonly events: OutcomeSet | 'all';
    }
  | { readonly kind: 'unknown'; readonly reason: string; readonly location: SourceLocation };

/**
 * The SLI as a load run sees it: which journey steps count, and whether an error is a bad outcome
 * (availability) or a slow request (latency).
 */
export type LoadResultsSli =
  | {
      /** Journey steps that count; empty means every step (the run's totals). */
      readonly steps: readonly string[];
      readonly kind: 'availability';
      readonly counting: LoadCounting;
    }
  | {
      readonly steps: readonly string[];
      readonly kind: 'latency';
      readonly latencyThresholdMs: number;
    };

export interface SegmentRef {
  /** Label name, `segment` by default. */
  readonly label: string;
  readonly value: string;
}

/** One SLO after segment expansion: exactly what one set of rules is generated for. */
export interface Slo {
  /** Unique id across all inputs, `sloth_id` in rules: `<service>-<name>`. */
  readonly id: string;
  readonly service: string;
  /** `sloth_slo`: the SLO name, suffixed with the segment when expanded (`checkout-availability-vip`). */
  readonly name: string;
  /** The name as written in the spec, before segment expansion. */
  readonly baseName: string;
  readonly segment?: SegmentRef;
  readonly description: string;
  /** Target in percent, 0 < objective < 100 (99.9 means 99.9 %). */
  readonly objective: number;
  readonly periodMs: number;
  readonly sli: Sli;
  /** Labels put on every rule of this SLO (service labels, SLO labels, segment label). */
  readonly labels: Readonly<Record<string, string>>;
  readonly alerting: Alerting;
  readonly minEvents?: MinEventsGuard;
  /** How to compute this SLI from a load run's results file instead of Prometheus. */
  readonly loadResults: LoadResultsSli;
  readonly source: { readonly format: SpecFormat; readonly file: string };
}

/** The error budget as a ratio: 1 - objective/100, computed the way Sloth does, for identical floats. */
export function errorBudgetRatio(objectivePercent: number): number {
  return (100 - objectivePercent) / 100;
}

/**
 * Burn factor of a window: the budget share it may burn, spread over the long window
 * (factor = budget% × period / long window; 2 % of 30 d over 1 h gives the workbook's 14.4).
 * Evaluated in hours and in this order because that is how Sloth evaluates it, so our thresholds
 * are the same floats as Sloth's (28 d gives 5.6000000000000005, not 5.6).
 */
export function burnFactor(window: BurnWindow, periodMs: number): number {
  const hour = 3_600_000;
  return ((window.budgetPercent / 100) * (periodMs / hour)) / (window.longWindowMs / hour);
}
