import { statusError, type HttpClient } from '../http-client.js';
import type { IterationContext, Sample } from '../plan.js';
import type { BusinessOutcome, ErrorKind } from '../results.js';

export interface StepRequest<T> {
  readonly step: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Whether the check needs the JSON answer; when false the body is discarded unread, which is cheaper. */
  readonly readJson: boolean;
  /** Reads what the next step needs from the answer of a 2xx; undefined fails the check. */
  readonly check: (json: unknown) => T | undefined;
  /** Statuses that are business outcomes of this step, not errors (see results.ts `businessOutcomes`). */
  readonly outcomes?: Readonly<Record<number, BusinessOutcome>>;
}

export type SendStep = <T>(request: StepRequest<T>) => Promise<T | undefined>;

export interface SenderDeps {
  readonly client: HttpClient;
  /** Monotonic milliseconds; only differences are used. */
  readonly clock: { now(): number };
  readonly origin: string;
  readonly timeoutMs: number;
}

/**
 * Sends the steps of one iteration and records a sample for each. Returns undefined when the step
 * failed (recorded with its error kind) or the run ended (not recorded: nothing was measured), which
 * ends the iteration.
 *
 * The first request counts from the iteration's scheduled start, so time spent waiting for a free
 * slot is part of its latency (coordinated omission); later ones count from their own start, since
 * the journey chose to send them then. Times are the run's: the engine stamped `startedAtMs` when it
 * called the iteration, and only clock differences since then are added to it.
 */
export function stepSender(ctx: IterationContext, segment: string, deps: SenderDeps): SendStep {
  const entered = deps.clock.now();
  const runTime = (): number => ctx.startedAtMs + (deps.clock.now() - entered);
  let first = true;
  return async <T>(request: StepRequest<T>): Promise<T | undefined> => {
    const startedAtMs = runTime();
    const outcome = await deps.client.request({
      origin: deps.origin,
      path: request.path,
      method: request.method,
      headers: request.headers,
      body: request.body,
      readJson: request.readJson,
      timeoutMs: deps.timeoutMs,
      signal: ctx.signal,
    });
    if (outcome.kind === 'aborted') return undefined;
    const endedAtMs = runTime();
    const latencyMs = Math.max(0, endedAtMs - (first ? ctx.scheduledAtMs : startedAtMs));
    first = false;
    let error: ErrorKind | undefined;
    let value: T | undefined;
    let status: number | undefined;
    let businessOutcome: BusinessOutcome | undefined;
    if (outcome.kind === 'failed') {
      error = outcome.error;
    } else {
      status = outcome.status;
      businessOutcome = request.outcomes?.[status];
      if (businessOutcome === undefined) error = statusError(status);
      if (error === undefined && status >= 200 && status < 300) {
        value = request.check(outcome.json);
        if (value === undefined) error = 'check';
      }
    }
    // One literal with every field (undefined ones included) rather than spreads: this is the hot loop.
    const sample: Sample = {
      step: request.step,
      segment,
      latencyMs,
      endedAtMs,
      status,
      error,
      outcome: error === undefined ? businessOutcome : undefined,
    };
    ctx.record(sample);
    return error === undefined ? value : undefined;
  };
}
