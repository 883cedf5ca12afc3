import { setImmediate as nextTurn } from 'node:timers/promises';
import { shareOf } from './partition.js';
import { sleepUntil, type ScheduleContext } from './schedule-context.js';
import { vuSteps, type VuConfig } from './vu-schedule.js';

/**
 * A runner that settles without I/O (say, one that fails before sending) would keep its VU in the
 * microtask queue and starve timers and sockets; every this many iterations a VU yields a turn of
 * the event loop. Real journeys yield on every request, so the cost is one turn in this many.
 */
const iterationsPerYield = 64;

interface Vu {
  /** Whether the VU should keep starting iterations (false: stop after the current one). */
  wanted: boolean;
  running: boolean;
}

/**
 * Closed model: each VU runs iterations back to back. Ramping adds VUs at the stage steps and
 * removes them by letting them finish their current iteration. This partition owns the VU slots
 * whose global index is its own modulo the worker count, so the split follows the same steps.
 */
export async function runVus(config: VuConfig, durationMs: number, context: ScheduleContext): Promise<void> {
  const vus: Vu[] = [];
  let localIterations = 0;
  const { partition, launcher, stop } = context;

  const runVu = async (vu: Vu): Promise<void> => {
    vu.running = true;
    for (let done = 1; vu.wanted && !stop.aborted; done++) {
      const now = context.elapsed();
      if (now >= durationMs) break;
      const iteration = localIterations++ * partition.count + partition.index;
      await launcher.launch(iteration, now, now);
      if (done % iterationsPerYield === 0) await nextTurn();
    }
    vu.running = false;
  };

  const setVus = (globalVus: number): void => {
    const local = shareOf(globalVus, partition);
    while (vus.length < local) vus.push({ wanted: false, running: false });
    vus.forEach((vu, index) => {
      vu.wanted = index < local;
      if (vu.wanted && !vu.running) void runVu(vu);
    });
  };

  for (const step of vuSteps(config)) {
    if (step.atMs >= durationMs) break;
    await sleepUntil(context, step.atMs);
    if (stop.aborted) break;
    setVus(step.vus);
  }
  await sleepUntil(context, durationMs);
  setVus(0);
}
