import type { BusinessOutcome } from '../../loadgen/results.js';
import type { TierName } from '../model.js';

/**
 * What an evaluation measures of one SLO: burn per window, per multi-window condition and per tier,
 * and the verdict's kinds. Kept apart from `evaluate.ts` so that the policy and the formats read
 * them without importing the evaluation that applies the policy.
 */

/** An SLI over one window. */
export interface SliMeasurement {
  /** Bad events over all events in the window; 0 when the window saw no traffic. */
  readonly errorRatio: number;
  /** All events in the window, when the source can count them. */
  readonly events?: number;
  /** Answers about the order rather than failures (a load run's results count them). */
  readonly businessOutcomes?: Readonly<Record<BusinessOutcome, number>>;
}

export interface WindowBurn extends SliMeasurement {
  readonly windowMs: number;
  /** errorRatio over the error budget: at 1 the budget lasts exactly the period. */
  readonly burnRate: number;
}

/** One multi-window condition (a tier's quick or slow pair). */
export interface ConditionResult {
  /** Burn rate both windows must exceed (the burn factor: 14.4 for the workbook's 1 h page window). */
  readonly threshold: number;
  readonly short: WindowBurn;
  readonly long: WindowBurn;
  /** The long window counted fewer events than the SLO's `minEvents`, so the condition was held back. */
  readonly belowMinEvents: boolean;
  readonly firing: boolean;
}

export interface TierResult {
  readonly name: TierName;
  readonly severity: string;
  readonly enabled: boolean;
  readonly quick: ConditionResult;
  readonly slow: ConditionResult;
  /** Enabled, and the quick or the slow condition fires: what the generated alert would do now. */
  readonly firing: boolean;
}

/**
 * `warn` passes the gate; `fail` fails it. `no-data`: too few events to judge (none, or fewer than the
 * SLO's `minEvents`), which is no evidence either way: a warning, or a failure when the policy
 * requires data (`--require-data`, `noData: fail`).
 */
export type Verdict = 'pass' | 'warn' | 'fail' | 'no-data';

/** Why an SLO got no verdict: the events its period counted, against its `minEvents`. */
export interface NoData {
  readonly events: number;
  readonly minEvents: number | undefined;
}
