/**
 * Time reaches domain code through these, so burn-rate windows, fault schedules and journals are
 * testable under a fake clock. One home for time: wall time, monotonic time, and a sleep that wakes
 * early when its signal aborts.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** A clock that can also wait: what loops that poll or pace themselves take. */
export interface SleepingClock extends Clock {
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Wall time, monotonic time (for durations: it never jumps) and an abortable sleep. */
export interface RunClock extends SleepingClock {
  /** Milliseconds from an arbitrary origin, never going back (performance.now()). */
  monotonic(): number;
}

/**
 * setTimeout that a signal cuts short. setTimeout wakes up to about a millisecond late; callers that
 * pace work (the load generator) account for that themselves.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted === true) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export const systemClock: RunClock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: abortableSleep,
};

export function fixedClock(epochMs: number): Clock {
  return { now: () => epochMs };
}

/**
 * A clock for tests whose sleeps return at once having moved time on: a run of minutes takes
 * milliseconds. Monotonic time moves with it.
 */
export function steppingClock(startMs: number): RunClock & { advance(ms: number): void } {
  let now = startMs;
  return {
    now: () => now,
    monotonic: () => now - startMs,
    advance(ms) {
      now += ms;
    },
    async sleep(ms, signal) {
      if (signal?.aborted === true) return;
      now += Math.max(0, ms);
      await Promise.resolve();
    },
  };
}
