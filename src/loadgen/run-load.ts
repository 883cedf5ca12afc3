import type { Clock } from '../core/clock.js';
import { abortMonitor, type AbortCondition } from './abort-when.js';
import { runRecorded, type RunProgress } from './engine/recorded-run.js';
import { createJourney } from './journey/index.js';
import type { LoadPlan, MonotonicClock } from './plan.js';
import { progressTracker, type ProgressSnapshot } from './progress.js';
import type { LoadResults } from './results.js';
import { runOnWorkers } from './workers.js';

export interface RunLoadOptions {
  readonly plan: LoadPlan;
  readonly runId: string;
  /** Prefix of session ids and idempotency keys, so runs with the same seed do not replay checkouts. */
  readonly runNonce: string;
  /** Worker threads; 1 runs on this thread. */
  readonly workers: number;
  readonly stopConditions: readonly AbortCondition[];
  /** Aborting it (SIGINT, SIGTERM) ends the run early; what was recorded still comes back. */
  readonly signal: AbortSignal;
  readonly clock: MonotonicClock;
  /** Stamps the run's start in the results. */
  readonly wallClock: Clock;
  onProgress?(snapshot: ProgressSnapshot): void;
}

/** Why the run ended. */
export type RunEnd =
  | { readonly kind: 'completed' }
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'stop-condition'; readonly condition: AbortCondition; readonly atMs: number };

/**
 * Runs a plan to its end, an interruption or the first stop condition that holds, and returns its
 * results either way. The game day drives load through this too.
 */
export async function runLoad(options: RunLoadOptions): Promise<{ results: LoadResults; end: RunEnd }> {
  const { plan } = options;
  const stop = new AbortController();
  let end: RunEnd = { kind: 'completed' };
  const interrupt = (): void => {
    if (end.kind === 'completed') end = { kind: 'interrupted' };
    stop.abort();
  };
  if (options.signal.aborted) interrupt();
  options.signal.addEventListener('abort', interrupt, { once: true });

  const monitor = abortMonitor(options.stopConditions);
  const track = progressTracker();
  const onProgress = (progress: RunProgress): void => {
    const { second, snapshot } = track(progress);
    options.onProgress?.(snapshot);
    const fired = monitor.observe(second);
    if (fired && end.kind === 'completed') {
      end = { kind: 'stop-condition', condition: fired, atMs: progress.engine.elapsedMs };
      stop.abort();
    }
  };
  // A wait for a free slot as long as the request timeout would fail the request anyway: drop it.
  const maxWaitMs = plan.journey.requestTimeoutMs;
  try {
    const results =
      options.workers > 1
        ? await runOnWorkers(plan, {
            workers: options.workers,
            runId: options.runId,
            signal: stop.signal,
            maxWaitMs,
            wallClock: options.wallClock,
            onProgress,
          })
        : await runHere(options, stop.signal, maxWaitMs, onProgress);
    return { results, end };
  } finally {
    options.signal.removeEventListener('abort', interrupt);
  }
}

async function runHere(
  options: RunLoadOptions,
  signal: AbortSignal,
  maxWaitMs: number,
  onProgress: (progress: RunProgress) => void,
): Promise<LoadResults> {
  const { plan } = options;
  const journey = createJourney(plan.journey, { workerIndex: 0, workerCount: 1, runNonce: options.runNonce });
  try {
    return await runRecorded({
      executor: plan.executor,
      runner: journey,
      latencyBucketsMs: plan.latencyBucketsMs,
      ...(plan.seriesSteps ? { seriesSteps: plan.seriesSteps } : {}),
      run: {
        id: options.runId,
        target: plan.journey.target,
        seed: plan.journey.seed,
        startedAtEpochMs: options.wallClock.now(),
      },
      clock: options.clock,
      signal,
      maxWaitMs,
      attributeDrop: (dropped) => journey.attributeDrop(dropped.iteration),
      onProgress,
    });
  } finally {
    await journey.close();
  }
}
