import { describe, expect, it } from 'vitest';
import { runExecutor } from '../../../src/loadgen/engine/run-executor.js';
import { vuSteps } from '../../../src/loadgen/engine/vu-schedule.js';
import type { ExecutorConfig } from '../../../src/loadgen/plan.js';
import { FakeClock } from './fake-clock.js';
import { collecting, fixedLatencyRunner } from './runners.js';

describe('constant-vus', () => {
  it('runs exactly `vus` iterations at once, back to back, for the duration', async () => {
    const clock = new FakeClock();
    const { runner, observed, maxConcurrency } = fixedLatencyRunner(clock, 30);
    const { options, samples } = collecting(clock);
    const config: ExecutorConfig = { kind: 'constant-vus', vus: 7, durationMs: 1000 };
    const outcome = await clock.run(runExecutor(config, runner, options));

    expect(maxConcurrency()).toBe(7);
    // Each VU starts at 0, 30, ..., 990 ms: 34 iterations, the last finishing after the end.
    expect(outcome.iterations).toBe(7 * 34);
    expect(outcome.endedAtMs).toBe(1020);
    expect(samples).toHaveLength(7 * 34);
    expect(observed.every((o) => o.scheduledAtMs === o.startedAtMs)).toBe(true);
    expect(new Set(observed.map((o) => o.iteration)).size).toBe(observed.length);
  });
});

describe('ramping-vus', () => {
  const ramp: ExecutorConfig = {
    kind: 'ramping-vus',
    startVus: 0,
    stages: [
      { durationMs: 1000, target: 10 },
      { durationMs: 1000, target: 10 },
      { durationMs: 1000, target: 0 },
    ],
  };

  it('changes the VU count when the ramp reaches each whole number, as k6 does', () => {
    const steps = vuSteps(ramp);
    expect(steps.slice(0, 3)).toEqual([
      { atMs: 0, vus: 0 },
      { atMs: 100, vus: 1 },
      { atMs: 200, vus: 2 },
    ]);
    expect(steps.find((s) => s.vus === 10)?.atMs).toBe(1000);
    expect(steps.filter((s) => s.atMs > 2000).map((s) => s.vus)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(steps.at(-1)).toEqual({ atMs: 3000, vus: 0 });
  });

  it('runs as many iterations at once as the stage says at every moment', async () => {
    const clock = new FakeClock();
    const { runner, observed, maxConcurrency } = fixedLatencyRunner(clock, 10);
    await clock.run(runExecutor(ramp, runner, collecting(clock).options));

    // Iterations take 10 ms and steps come every 100 ms, so each 100 ms window sees exactly the
    // count of its step; removing a VU lets it finish the iteration it is in.
    const busiest = new Array<number>(30).fill(0);
    for (const o of observed) {
      const window = Math.floor(o.startedAtMs / 100);
      busiest[window] = Math.max(busiest[window] ?? 0, o.concurrency);
    }
    const expected = [
      ...Array.from({ length: 10 }, (_, i) => i),
      ...new Array<number>(10).fill(10),
      ...Array.from({ length: 10 }, (_, i) => 10 - i),
    ];
    expect(busiest).toEqual(expected);
    expect(maxConcurrency()).toBe(10);
  });

  it('lets a removed VU finish its current iteration, then stops it', async () => {
    const clock = new FakeClock();
    const { runner, observed } = fixedLatencyRunner(clock, 250);
    const config: ExecutorConfig = {
      kind: 'ramping-vus',
      startVus: 2,
      stages: [
        { durationMs: 100, target: 1 },
        { durationMs: 900, target: 1 },
      ],
    };
    await clock.run(runExecutor(config, runner, collecting(clock).options));
    // Down to one VU at 100 ms: the second VU's iteration (0–250 ms) completes and is its last.
    expect(observed.filter((o) => o.startedAtMs === 0)).toHaveLength(2);
    expect(observed.map((o) => o.startedAtMs)).toEqual([0, 0, 250, 500, 750]);
    expect(observed.some((o) => o.cancelled)).toBe(false);
  });
});
