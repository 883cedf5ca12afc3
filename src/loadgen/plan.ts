import type { ErrorKind } from './results.js';

/**
 * The contract between the parts of the load generator: the executor engine paces iterations, the
 * journey sends requests and reports samples, the recorder turns samples into results. All of it is
 * plain data so a game day can drive a run in-process.
 */

/** A stage of a ramping executor: move linearly to `target` over `durationMs`. */
export interface Stage {
  readonly durationMs: number;
  readonly target: number;
}

/** k6's executor vocabulary: open model (arrival rate) and closed model (virtual users). */
export type ExecutorConfig =
  | {
      readonly kind: 'constant-arrival-rate';
      /** Iterations started per `timeUnitMs`. */
      readonly rate: number;
      readonly timeUnitMs: number;
      readonly durationMs: number;
      /** Iterations allowed in flight at once (k6's maxVUs); past it, starts wait and count as late. */
      readonly maxInFlight: number;
    }
  | {
      readonly kind: 'ramping-arrival-rate';
      readonly startRate: number;
      readonly timeUnitMs: number;
      readonly stages: readonly Stage[];
      readonly maxInFlight: number;
    }
  | { readonly kind: 'constant-vus'; readonly vus: number; readonly durationMs: number }
  | { readonly kind: 'ramping-vus'; readonly startVus: number; readonly stages: readonly Stage[] };

export type ExecutorKind = ExecutorConfig['kind'];

/** One HTTP request's outcome, tagged for the per-step × segment histograms. */
export interface Sample {
  readonly step: string;
  readonly segment: string;
  /**
   * Milliseconds. For the first request of an open-model iteration this counts from the iteration's
   * *intended* start, so time spent waiting for a free slot is part of it (coordinated omission).
   */
  readonly latencyMs: number;
  /** Undefined when the request succeeded. */
  readonly error?: ErrorKind;
  /** Milliseconds since the run started, when the request finished (for the per-second series). */
  readonly endedAtMs: number;
}

/** What the engine hands one iteration. */
export interface IterationContext {
  readonly iteration: number;
  /** Milliseconds since the run started at which this iteration should have started. */
  readonly scheduledAtMs: number;
  /** Milliseconds since the run started at which it actually started (>= scheduledAtMs). */
  readonly startedAtMs: number;
  /** Aborted when the run ends or is cancelled; in-flight requests stop. */
  readonly signal: AbortSignal;
  record(sample: Sample): void;
}

/** One iteration of a journey (the checkout funnel, or a single GET). */
export type IterationRunner = (ctx: IterationContext) => Promise<void>;

/** Monotonic milliseconds, injected so the engine can run under a fake clock in tests. */
export interface MonotonicClock {
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
