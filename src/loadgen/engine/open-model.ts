import { arrivals, type ArrivalConfig } from './arrival-schedule.js';
import { shareOf } from './partition.js';
import { sleepUntil, type ScheduleContext } from './schedule-context.js';

/**
 * Starts each arrival at its intended time, however slow the target: iterations due together start
 * together (one wake-up per batch, not one timer per iteration). With every slot busy, the next
 * arrival waits for one and starts late, keeping its intended time so the journey counts the wait in
 * its latency (coordinated omission). An arrival still waiting after `maxWaitMs`, or when the run
 * ends, is dropped with the time it waited: nothing offered is silently left out.
 */
export async function runArrivals(
  config: ArrivalConfig,
  durationMs: number,
  context: ScheduleContext,
): Promise<void> {
  const { launcher, stop } = context;
  const slots = shareOf(config.maxInFlight, context.partition);
  const schedule = arrivals(config, context.partition);
  const giveUp = new GiveUpTimer(context);
  let next = schedule.next();
  // Whether the arrival at the head of the schedule has waited for a slot.
  let waiting = false;
  try {
    while (!next.done && !stop.aborted) {
      const { iteration, atMs } = next.value;
      const now = context.elapsed();
      if (atMs > now) {
        await sleepUntil(context, atMs);
      } else if (launcher.inFlight < slots && (now < durationMs || !waiting)) {
        // An arrival due before the end starts even if the timer woke just after it: the lateness is
        // the generator's and counts in its latency. One that had to wait for a slot does not.
        void launcher.launch(iteration, atMs, now);
        next = schedule.next();
        waiting = false;
      } else if (now >= durationMs) {
        break;
      } else if (now - atMs >= context.maxWaitMs) {
        context.drop({ iteration, scheduledAtMs: atMs, waitedMs: now - atMs });
        next = schedule.next();
        waiting = false;
      } else {
        waiting = true;
        await launcher.slotOr(giveUp.at(Math.min(atMs + context.maxWaitMs, durationMs)));
      }
    }
  } finally {
    giveUp.cancel();
  }
  // Arrivals already due that never started were offered and did not run.
  const endMs = context.elapsed();
  for (; !next.done && next.value.atMs <= endMs; next = schedule.next()) {
    const { iteration, atMs } = next.value;
    context.drop({ iteration, scheduledAtMs: atMs, waitedMs: endMs - atMs });
  }
  // A run lasts its planned duration even when its last arrival comes early (or never, at rate 0).
  await sleepUntil(context, durationMs);
}

/**
 * The moment a waiting arrival gives up on a slot. While the target is saturated every completion
 * wakes the scheduler; the timer is armed once per give-up time rather than once per wake-up.
 */
class GiveUpTimer {
  private atMs = Number.NaN;
  private timer = new AbortController();
  private fired: Promise<void> = Promise.resolve();

  constructor(private readonly context: ScheduleContext) {
    context.stop.addEventListener('abort', () => this.cancel(), { once: true });
  }

  /** Resolves at `atMs` since the run started, or as soon as it is cancelled or the run stops. */
  at(atMs: number): Promise<void> {
    if (atMs !== this.atMs) {
      this.cancel();
      this.atMs = atMs;
      this.timer = new AbortController();
      this.fired = this.context.clock.sleep(atMs - this.context.elapsed(), this.timer.signal);
    }
    return this.fired;
  }

  cancel(): void {
    this.timer.abort(timerCancelled);
  }
}

const timerCancelled = new DOMException('the wait ended', 'AbortError');
