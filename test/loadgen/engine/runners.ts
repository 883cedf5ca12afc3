import type { IterationContext, IterationRunner, Sample } from '../../../src/loadgen/plan.js';
import type { SamplePosition } from '../../../src/loadgen/engine/types.js';
import type { FakeClock } from './fake-clock.js';

/** What a test runner saw of one iteration. */
export interface Observed {
  readonly iteration: number;
  readonly scheduledAtMs: number;
  readonly startedAtMs: number;
  /** Iterations in flight when this one started, itself included. */
  readonly concurrency: number;
  /** Whether the run cancelled the iteration before it finished. */
  cancelled: boolean;
}

/**
 * A runner that holds each iteration `latencyMs` on the fake clock (or until cancelled), then records
 * one sample measured from the intended start, as the journey does.
 */
export function fixedLatencyRunner(
  clock: FakeClock,
  latencyMs: number | ((iteration: number) => number),
): { runner: IterationRunner; observed: Observed[]; maxConcurrency: () => number } {
  const observed: Observed[] = [];
  let inFlight = 0;
  let max = 0;
  const runner: IterationRunner = async (ctx: IterationContext) => {
    inFlight++;
    max = Math.max(max, inFlight);
    const seen: Observed = { ...pick(ctx), concurrency: inFlight, cancelled: false };
    observed.push(seen);
    const enteredAt = clock.now();
    try {
      await clock.sleep(typeof latencyMs === 'number' ? latencyMs : latencyMs(ctx.iteration), ctx.signal);
      if (ctx.signal.aborted) {
        seen.cancelled = true;
        return;
      }
      const endedAtMs = ctx.startedAtMs + (clock.now() - enteredAt);
      ctx.record({ step: 'get', segment: 'guest', latencyMs: endedAtMs - ctx.scheduledAtMs, endedAtMs });
    } finally {
      inFlight--;
    }
  };
  return { runner, observed, maxConcurrency: () => max };
}

function pick(ctx: IterationContext): Pick<Observed, 'iteration' | 'scheduledAtMs' | 'startedAtMs'> {
  return { iteration: ctx.iteration, scheduledAtMs: ctx.scheduledAtMs, startedAtMs: ctx.startedAtMs };
}

/** Options for runExecutor that keep what the engine reports. */
export function collecting(clock: FakeClock, signal = new AbortController().signal) {
  const samples: { sample: Sample; position: SamplePosition }[] = [];
  const dropped: { iteration: number; scheduledAtMs: number; waitedMs: number }[] = [];
  return {
    samples,
    dropped,
    options: {
      clock,
      signal,
      record: (sample: Sample, position: SamplePosition) => samples.push({ sample, position }),
      onDropped: (info: { iteration: number; scheduledAtMs: number; waitedMs: number }) => dropped.push(info),
    },
  };
}

/** How many of `times` fall in each whole second [k, k+1) s. */
export function perSecond(times: readonly number[], seconds: number): number[] {
  const counts = new Array<number>(seconds).fill(0);
  for (const t of times) {
    const second = Math.floor(t / 1000);
    counts[second] = (counts[second] ?? 0) + 1;
  }
  return counts;
}
