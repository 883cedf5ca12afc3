import { abortableSleep } from '../../core/clock.js';
import type { MonotonicClock } from '../plan.js';

/**
 * performance.now() (monotonic, sub-millisecond) and plain timers. setTimeout wakes up to about a
 * millisecond late, so at high rates the open model starts every iteration due by the wake-up in
 * one batch instead of arming a timer per iteration; the lateness stays in those iterations'
 * latencies, since they did start late. Spinning on event-loop turns until each deadline would cut
 * it to microseconds, but costs a core at 1,000 iterations/s and, measured on a busy two-core
 * machine, made the tail later, not earlier: a spinning thread is descheduled, a sleeping one woken.
 */
export const systemMonotonicClock: MonotonicClock = {
  now: () => performance.now(),
  sleep: abortableSleep,
};
