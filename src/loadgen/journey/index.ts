import { randomBytes } from 'node:crypto';
import { createHttpClient, type HttpClient } from '../http-client.js';
import type { IterationRunner, JourneyConfig } from '../plan.js';
import { checkoutJourney } from './checkout.js';
import { iterationPlanner } from './iteration-plan.js';
import { singleJourney, singleStep } from './single.js';

export interface JourneyOptions {
  /**
   * This worker thread's index and the number of workers. The journey does not renumber by them: the
   * engine already numbers iterations over the whole run (its partition interleaves the workers'
   * shares), so iteration `i` draws the same journey whichever worker runs it.
   */
  readonly workerIndex: number;
  readonly workerCount: number;
  /** HTTP client; default undici pools, closed by `close()`. A client passed in is left open. */
  readonly client?: HttpClient;
  /** Monotonic milliseconds; default `performance.now`. */
  readonly clock?: { now(): number };
  /** Prefix of session ids and idempotency keys, unique per run; default 8 random hex digits. */
  readonly runNonce?: string;
}

export type Journey = IterationRunner & {
  close(): Promise<void>;
  /**
   * What a dropped iteration would have been, from its seeded draw: the recorder counts drops per
   * segment and first step with it, so a segment starved of load shows.
   */
  attributeDrop(iteration: number): { readonly segment: string; readonly step: string };
};

/**
 * Builds the iteration runner of a run or of one worker thread. Iterations draw their journey from
 * the seed and their number in the run, so the workers together replay the seed's sequence and never
 * share a session or an idempotency key.
 */
export function createJourney(config: JourneyConfig, options: JourneyOptions): Journey {
  const client = options.client ?? createHttpClient({ connectTimeoutMs: config.requestTimeoutMs });
  const target = new URL(config.target);
  const deps = {
    client,
    clock: options.clock ?? performance,
    origin: target.origin,
    timeoutMs: config.requestTimeoutMs,
  };
  const planner = iterationPlanner(config, options.runNonce ?? randomBytes(4).toString('hex'));
  const runner =
    config.kind === 'single'
      ? singleJourney(config, `${target.pathname}${target.search}`, planner, deps)
      : checkoutJourney(config, target.pathname.replace(/\/$/, ''), planner, deps);
  const close = options.client ? () => Promise.resolve() : () => client.close();
  const firstStep = config.kind === 'single' ? singleStep : 'browse';
  const attributeDrop = (iteration: number) => ({ segment: planner.segment(iteration), step: firstStep });
  return Object.assign(runner, { close, attributeDrop });
}
