import type { FaultSpec } from '../../chaos/catalogue.js';
import type { SourceLocation } from '../../core/errors.js';

/**
 * A game day scenario after loading: durations in milliseconds, defaults applied, faults resolved
 * against the chaos catalogue. What the runner reads; the file format lives in `schema.ts`.
 */
export interface Scenario {
  readonly name: string;
  readonly file: string;
  readonly title: string;
  readonly description: string;
  readonly hypothesis: string;
  readonly roles: {
    readonly incidentCommander: string;
    readonly scribe: string;
    readonly observers: readonly string[];
  };
  readonly target: ScenarioTarget;
  /** SLO file as written (relative to the scenario file); undefined: the reference store's. */
  readonly slos?: string;
  readonly load: ScenarioLoad;
  readonly seed: number;
  readonly timeScale: number;
  readonly phases: {
    /** Load runs this long before the observers start. */
    readonly warmupMs: number;
    readonly baselineMs: number;
    readonly injectMs: number;
    readonly recoverTimeoutMs: number;
    readonly recoverHoldMs: number;
  };
  /** Sorted by offset: planned faults and the random schedule's draws. */
  readonly faults: readonly PlannedFault[];
  readonly steadyState: readonly SteadyCheck[];
  readonly expectations: readonly Expectation[];
  readonly stopConditions: readonly StopCondition[];
  readonly runbooks: readonly string[];
  /** Where a path of the file is, for findings that need the SLOs to check (an unknown alert name). */
  readonly locate: (path: readonly PropertyKey[]) => SourceLocation;
}

export type ScenarioTarget =
  | { readonly kind: 'embedded'; readonly seed: number; readonly products?: number }
  | {
      readonly kind: 'external';
      readonly storeUrl: string;
      readonly metricsUrl: string;
      readonly chaosUrl?: string;
    };

export interface ScenarioLoad {
  readonly preset: 'steady' | 'flash-sale' | 'spike';
  readonly rate: number;
  readonly segmentMix?: Readonly<Record<string, number>>;
  readonly funnel?: { readonly browse: number; readonly addToCart: number; readonly checkout: number };
  readonly maxInFlight?: number;
  readonly requestTimeoutMs?: number;
}

export interface PlannedFault {
  readonly spec: FaultSpec;
  /** From the start of the inject phase. */
  readonly offsetMs: number;
  readonly origin: 'planned' | 'random';
}

export type SteadyCheck =
  | {
      readonly kind: 'checkout-success';
      readonly minRatio: number;
      readonly segments?: readonly string[];
      readonly windowMs: number;
    }
  | {
      readonly kind: 'p95-latency';
      readonly maxMs: number;
      readonly segments?: readonly string[];
      readonly windowMs: number;
    }
  | {
      readonly kind: 'burn-rate';
      readonly slo: string;
      readonly below: number;
      /** Unscaled alert window (5m); the runner divides it by the time scale. */
      readonly windowMs: number;
      readonly segments?: readonly string[];
    };

export type Expectation = (
  | {
      readonly kind: 'alert-fires';
      readonly alert: string;
      readonly segment?: string;
      readonly severity?: string;
      readonly withinMs: number;
    }
  | {
      readonly kind: 'alert-silent';
      readonly alert: string;
      readonly segment?: string;
      readonly severity?: string;
    }
  | { readonly kind: 'recovered'; readonly withinMs: number }
  | { readonly kind: 'invariants-hold' }
  | { readonly kind: 'checkout-success'; readonly segment: string; readonly minRatio: number }
) & { readonly location: SourceLocation };

export type StopCondition =
  | {
      readonly kind: 'checkout-success-below';
      readonly ratio: number;
      readonly segment: string;
      readonly forMs: number;
    }
  | { readonly kind: 'p95-above'; readonly ms: number; readonly segment: string; readonly forMs: number };
