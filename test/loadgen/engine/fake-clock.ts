import type { MonotonicClock } from '../../../src/loadgen/plan.js';

interface Timer {
  readonly atMs: number;
  readonly order: number;
  readonly resolve: () => void;
}

/** Turns of the event loop that let every continuation of a fired timer run before the next fires. */
const settleTurns = 6;

/**
 * Virtual time for the engine: sleeps are timers on a queue, and `run` fires them in time order,
 * letting the code they wake run to its next sleep before moving on. No real time passes.
 */
export class FakeClock implements MonotonicClock {
  private timeMs = 0;
  private order = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.timeMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted === true) {
        resolve();
        return;
      }
      const onAbort = (): void => {
        this.timers = this.timers.filter((t) => t !== timer);
        resolve();
      };
      const timer: Timer = {
        atMs: this.timeMs + Math.max(0, ms),
        order: this.order++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Fires timers in order until `work` settles; throws if it waits on nothing the clock can fire. */
  async run<T>(work: Promise<T>): Promise<T> {
    let outcome: { value: T } | { error: unknown } | undefined;
    work.then(
      (value) => (outcome = { value }),
      (error: unknown) => (outcome = { error }),
    );
    for (;;) {
      await settle();
      if (outcome && 'value' in outcome) return outcome.value;
      if (outcome) throw outcome.error;
      const next = this.timers.reduce<Timer | undefined>(
        (earliest, t) =>
          !earliest || t.atMs < earliest.atMs || (t.atMs === earliest.atMs && t.order < earliest.order)
            ? t
            : earliest,
        undefined,
      );
      if (!next) throw new Error('the work is waiting on something other than the fake clock');
      this.timers = this.timers.filter((t) => t !== next);
      this.timeMs = Math.max(this.timeMs, next.atMs);
      next.resolve();
    }
  }
}

async function settle(): Promise<void> {
  for (let turn = 0; turn < settleTurns; turn++) await new Promise((resolve) => setImmediate(resolve));
}
