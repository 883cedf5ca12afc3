import type { JournalAlert } from '../../../src/gameday/journal.js';
import type { CheckoutStats } from '../../../src/gameday/observe/checkout-stats.js';
import type {
  CustomerRecord,
  FaultControl,
  LoadControl,
  Observer,
  RunnerClock,
  RunningTarget,
} from '../../../src/gameday/runner/ports.js';

/** A clock whose sleeps return at once, having moved time on: a game day of minutes runs in milliseconds. */
export function fakeClock(startMs: number): RunnerClock & { sleeps: number } {
  let now = startMs;
  const clock = {
    sleeps: 0,
    now: () => now,
    async sleep(ms: number, signal?: AbortSignal): Promise<void> {
      clock.sleeps++;
      if (signal?.aborted) return;
      now += Math.max(0, ms);
      await Promise.resolve();
    },
  };
  return clock;
}

export interface FaultLog {
  readonly calls: string[];
  readonly active: Set<string>;
}

export function fakeFaults(
  clock: RunnerClock,
  options: { leftovers?: string[]; failInject?: string; onInject?: (id: string) => void } = {},
): FaultControl & FaultLog {
  const calls: string[] = [];
  const active = new Set<string>();
  return {
    calls,
    active,
    revertLeftovers: () => Promise.resolve(options.leftovers ?? []),
    inject(fault, id) {
      calls.push(`inject ${id} at ${clock.now()}`);
      options.onInject?.(id);
      if (options.failInject === fault.spec.fault) return Promise.reject(new Error('proxy unreachable'));
      active.add(id);
      return Promise.resolve({ verifiedAtMs: clock.now(), verification: 'probe saw it' });
    },
    revert(id) {
      calls.push(`revert ${id} at ${clock.now()}`);
      active.delete(id);
      return Promise.resolve();
    },
    stillActive: () => Promise.resolve([...active]),
  };
}

/** Checkout stats as a function of time: `errorRatioAt(segment, atMs)` per second at `rate` checkouts/s. */
export function fakeObserver(
  _clock: RunnerClock,
  options: {
    segments?: string[];
    rate?: number;
    errorRatioAt: (segment: string, atMs: number) => number;
    alerts?: () => JournalAlert[];
    failSampleAt?: number;
  },
): Observer & { samples: number[] } {
  const segments = options.segments ?? ['guest', 'member', 'vip'];
  const rate = options.rate ?? 10;
  const samples: number[] = [];
  const stats = (segment: string, fromMs: number, toMs: number): CheckoutStats | undefined => {
    const seen = samples.filter((t) => t > fromMs && t <= toMs);
    if (seen.length === 0) return undefined;
    const errors = seen.reduce((n, t) => n + Math.round(rate * options.errorRatioAt(segment, t)), 0);
    return { requests: rate * seen.length, errors, business: 0, p95Ms: 100 };
  };
  return {
    samples,
    segments,
    sample(atMs) {
      if (options.failSampleAt !== undefined && atMs >= options.failSampleAt) {
        return Promise.reject(new Error('scrape failed: connection refused'));
      }
      samples.push(atMs);
      return Promise.resolve();
    },
    checkout: stats,
    burnRate: () => 0,
    firing: () => [],
    record: () => ({
      t: [...samples],
      servers: {},
      burnRates: [],
      alerts: options.alerts?.() ?? [],
      errorRatio(segment, fromMs, toMs) {
        const s = stats(segment ?? 'guest', fromMs, toMs);
        return s ? s.errors / s.requests : undefined;
      },
    }),
    close: () => Promise.resolve(),
  };
}

export function fakeTarget(options: { invariantsPass?: boolean } = {}): RunningTarget & { stopped: number } {
  const target = {
    stopped: 0,
    kind: 'embedded' as const,
    storeUrl: 'http://127.0.0.1:1',
    metricsUrl: 'http://127.0.0.1:1/metrics',
    verify: () =>
      Promise.resolve({
        checked: true,
        passed: options.invariantsPass ?? true,
        items: [
          {
            name: 'every charge belongs to a paid order',
            passed: options.invariantsPass ?? true,
            detail: '',
          },
        ],
      }),
    stop() {
      target.stopped++;
      return Promise.resolve();
    },
  };
  return target;
}

export function fakeLoad(clock: RunnerClock): LoadControl & { stoppedAt: number | undefined } {
  const control = {
    stoppedAt: undefined as number | undefined,
    start(signal: AbortSignal) {
      const startedAtMs = clock.now();
      const finished = new Promise<CustomerRecord>((resolve) => {
        const done = (): void => {
          control.stoppedAt = clock.now();
          resolve({ startedAtMs, checkout: {}, totals: {} });
        };
        if (signal.aborted) done();
        else signal.addEventListener('abort', done, { once: true });
      });
      return { finished };
    },
  };
  return control;
}
