import type { ExecutorConfig, IterationRunner } from '../plan.js';
import { arrivalDurationMs } from './arrival-schedule.js';
import { runVus } from './closed-model.js';
import { IterationLauncher } from './iteration-launcher.js';
import { runArrivals } from './open-model.js';
import { wholeRun } from './partition.js';
import type { ScheduleContext } from './schedule-context.js';
import type { DroppedIteration, ExecutorOptions, ExecutorOutcome } from './types.js';
import { vuDurationMs } from './vu-schedule.js';

const defaultGracefulStopMs = 30_000;
/**
 * Runners must settle once their signal aborts (the journey hands it to undici); one that does not
 * is waited for this long, so a run always ends.
 */
const cancelledSettleMs = 1_000;

export function executorDurationMs(config: ExecutorConfig): number {
  return config.kind === 'constant-arrival-rate' || config.kind === 'ramping-arrival-rate'
    ? arrivalDurationMs(config)
    : vuDurationMs(config);
}

/**
 * Runs one executor to its end: the planned duration, then up to `gracefulStopMs` for iterations in
 * flight, which are then cancelled through their signal. Aborting `options.signal` stops scheduling
 * and cancels in-flight iterations at once; what was recorded stays recorded. Rejects only when a
 * runner throws (a bug: failed requests are samples).
 */
export async function runExecutor(
  config: ExecutorConfig,
  runner: IterationRunner,
  options: ExecutorOptions,
): Promise<ExecutorOutcome> {
  const { clock, signal } = options;
  const startedAtMs = clock.now();
  const durationMs = executorDurationMs(config);
  const stop = new AbortController();
  let failure: { error: unknown } | undefined;
  const launcher = new IterationLauncher({
    runner,
    clock,
    record: (sample, position) => options.record(sample, position),
    onFailure(error) {
      failure ??= { error };
      halt();
    },
  });
  function halt(): void {
    stop.abort();
    launcher.cancelAll();
  }
  let dropped = 0;
  const context: ScheduleContext = {
    clock,
    launcher,
    stop: stop.signal,
    partition: options.partition ?? wholeRun,
    maxWaitMs: options.maxWaitMs ?? Number.POSITIVE_INFINITY,
    elapsed: () => clock.now() - startedAtMs,
    drop(info: DroppedIteration) {
      dropped++;
      options.onDropped(info);
    },
  };
  if (signal.aborted) halt();
  signal.addEventListener('abort', halt, { once: true });
  const ticker = new AbortController();
  const ticking = options.onTick
    ? tickEvery(context, options.tickMs ?? 1000, ticker.signal, () =>
        options.onTick?.({
          elapsedMs: context.elapsed(),
          durationMs,
          iterations: launcher.started,
          inFlight: launcher.inFlight,
          dropped,
        }),
      )
    : undefined;
  try {
    if (config.kind === 'constant-arrival-rate' || config.kind === 'ramping-arrival-rate') {
      await runArrivals(config, durationMs, context);
    } else {
      await runVus(config, durationMs, context);
    }
    stop.abort();
    await launcher.drained(options.gracefulStopMs ?? defaultGracefulStopMs);
    launcher.cancelAll();
    await launcher.drained(cancelledSettleMs);
  } finally {
    signal.removeEventListener('abort', halt);
    ticker.abort();
    await ticking;
  }
  if (failure) throw failure.error;
  return { iterations: launcher.started, dropped, startedAtMs, endedAtMs: clock.now() };
}

/** Reports on whole multiples of `everyMs` since the start, so late ticks do not drift. */
async function tickEvery(
  context: ScheduleContext,
  everyMs: number,
  until: AbortSignal,
  report: () => void,
): Promise<void> {
  for (let next = everyMs; ; next += everyMs) {
    await context.clock.sleep(next - context.elapsed(), until);
    if (until.aborted) return;
    report();
  }
}
