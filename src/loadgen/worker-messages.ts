import type { RunProgress } from './engine/recorded-run.js';
import type { ExecutorConfig, IterationRunner, JourneyConfig } from './plan.js';
import type { LoadResults } from './results.js';

/** Builds a worker's journey; `src/loadgen/journey/index.ts` exports the real one as `createJourney`. */
export type JourneyFactory = (
  config: JourneyConfig,
  options: { readonly workerIndex: number; readonly workerCount: number },
) => (IterationRunner & { close(): Promise<void> }) | Promise<IterationRunner & { close(): Promise<void> }>;

/** `workerData` of a load worker: plain data, copied into the thread. */
export interface WorkerSetup {
  readonly executor: ExecutorConfig;
  readonly journey: JourneyConfig;
  readonly latencyBucketsMs: readonly number[];
  readonly seriesSteps?: readonly string[];
  readonly workerIndex: number;
  readonly workerCount: number;
  readonly runId: string;
  readonly gracefulStopMs?: number;
  readonly maxWaitMs?: number;
  readonly tickMs?: number;
}

/** Main thread to worker. */
export type ToWorker =
  /** Start when the wall clock reads `atEpochMs`, the same instant for every worker. */
  { readonly type: 'start'; readonly atEpochMs: number } | { readonly type: 'stop' };

/** Worker to main thread. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'progress'; readonly progress: RunProgress }
  | { readonly type: 'results'; readonly results: LoadResults }
  | { readonly type: 'failed'; readonly message: string };
