import type { MonotonicClock } from '../plan.js';
import type { IterationLauncher } from './iteration-launcher.js';
import type { DroppedIteration, Partition } from './types.js';

/** What the open and closed models share while they schedule iterations. */
export interface ScheduleContext {
  readonly clock: MonotonicClock;
  readonly launcher: IterationLauncher;
  /** Aborted when scheduling must stop early: the run was cancelled or a runner failed. */
  readonly stop: AbortSignal;
  readonly partition: Partition;
  readonly maxWaitMs: number;
  drop(dropped: DroppedIteration): void;
  /** Milliseconds since the run started. */
  elapsed(): number;
}

/** Sleeps until `atMs` since the run started (or until scheduling stops); no timer when already due. */
export async function sleepUntil(context: ScheduleContext, atMs: number): Promise<void> {
  const waitMs = atMs - context.elapsed();
  if (waitMs > 0 && !context.stop.aborted) await context.clock.sleep(waitMs, context.stop);
}
