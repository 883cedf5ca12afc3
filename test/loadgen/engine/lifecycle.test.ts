import { describe, expect, it } from 'vitest';
import { runExecutor } from '../../../src/loadgen/engine/run-executor.js';
import type { EngineTick } from '../../../src/loadgen/engine/types.js';
import type { ExecutorConfig, IterationRunner } from '../../../src/loadgen/plan.js';
import { FakeClock } from './fake-clock.js';
import { collecting, fixedLatencyRunner } from './runners.js';

const hundredPerSecond: ExecutorConfig = {
  kind: 'constant-arrival-rate',
  rate: 100,
  timeUnitMs: 1000,
  durationMs: 2000,
  maxInFlight: 100,
};

describe('ending a run', () => {
  it('on abort, stops scheduling, cancels iterations in flight and returns what was recorded', async () => {
    const clock = new FakeClock();
    const { runner, observed } = fixedLatencyRunner(clock, 50);
    const abort = new AbortController();
    const { options, samples, dropped } = collecting(clock, abort.signal);
    void clock.sleep(505).then(() => abort.abort());
    const outcome = await clock.run(runExecutor(hundredPerSecond, runner, options));

    // Started at 0, 10, ..., 500 ms; those that finished by 505 ms (started by 455 ms) recorded.
    expect(outcome.iterations).toBe(51);
    expect(samples).toHaveLength(46);
    expect(observed.filter((o) => o.cancelled).map((o) => o.startedAtMs)).toEqual([460, 470, 480, 490, 500]);
    expect(outcome.endedAtMs).toBe(505);
    expect(dropped).toEqual([]);
  });

  it('gives iterations in flight gracefulStopMs after the last start, then cancels them', async () => {
    const clock = new FakeClock();
    const { runner, observed } = fixedLatencyRunner(clock, (iteration) => (iteration === 0 ? 10_000 : 5));
    const { options, samples } = collecting(clock);
    const outcome = await clock.run(
      runExecutor({ kind: 'constant-vus', vus: 2, durationMs: 1000 }, runner, {
        ...options,
        gracefulStopMs: 3000,
      }),
    );
    expect(outcome.endedAtMs).toBe(4000);
    expect(observed.filter((o) => o.cancelled).map((o) => o.iteration)).toEqual([0]);
    expect(samples.every(({ sample }) => sample.latencyMs === 5)).toBe(true);
  });

  it('rejects with the error of a runner that throws, after stopping the rest', async () => {
    const clock = new FakeClock();
    const bug = new Error('journey bug');
    const runner: IterationRunner = async (ctx) => {
      await clock.sleep(5, ctx.signal);
      if (ctx.iteration === 3) throw bug;
    };
    await expect(clock.run(runExecutor(hundredPerSecond, runner, collecting(clock).options))).rejects.toBe(
      bug,
    );
    expect(clock.now()).toBeLessThan(100);
  });
});

describe('reporting', () => {
  it('ticks every tickMs with elapsed time, starts, iterations in flight and drops', async () => {
    const clock = new FakeClock();
    const { runner } = fixedLatencyRunner(clock, 25);
    const ticks: EngineTick[] = [];
    await clock.run(
      runExecutor(hundredPerSecond, runner, {
        ...collecting(clock).options,
        tickMs: 500,
        onTick: (t) => ticks.push(t),
      }),
    );
    expect(ticks.map((t) => t.elapsedMs)).toEqual([500, 1000, 1500, 2000]);
    // The tick at 500 ms comes before the arrival due at 500 ms: 50 started, those of 480 and 490 ms in flight.
    expect(ticks[0]).toEqual({ elapsedMs: 500, durationMs: 2000, iterations: 50, inFlight: 2, dropped: 0 });
  });

  it('marks the first sample of each iteration and of each step within it', async () => {
    const clock = new FakeClock();
    const runner: IterationRunner = async (ctx) => {
      await clock.sleep(1, ctx.signal);
      for (const step of ['browse', 'product', 'product', 'cart']) {
        ctx.record({ step, segment: 'vip', latencyMs: 1, endedAtMs: 1 });
      }
    };
    const { options, samples } = collecting(clock);
    await clock.run(runExecutor({ kind: 'constant-vus', vus: 1, durationMs: 1 }, runner, options));
    expect(samples.map(({ position }) => [position.firstOfIteration, position.firstOfStep])).toEqual([
      [true, true],
      [false, true],
      [false, false],
      [false, true],
    ]);
  });
});

describe('partitions for worker threads', () => {
  it('splits arrivals so that the shares interleave and add up to the whole run', async () => {
    const run = async (index: number, count: number) => {
      const clock = new FakeClock();
      const { runner, observed } = fixedLatencyRunner(clock, 5);
      await clock.run(
        runExecutor(hundredPerSecond, runner, { ...collecting(clock).options, partition: { index, count } }),
      );
      return observed.map((o) => [o.iteration, o.scheduledAtMs] as const);
    };
    const whole = await run(0, 1);
    const shares = [await run(0, 3), await run(1, 3), await run(2, 3)];
    shares.forEach((share, index) => expect(share.every(([i]) => i % 3 === index)).toBe(true));
    expect(shares.flat().sort((a, b) => a[0] - b[0])).toEqual(whole);
  });

  it('splits VUs by slot, so the shares follow the same ramp', async () => {
    const config: ExecutorConfig = {
      kind: 'ramping-vus',
      startVus: 1,
      stages: [
        { durationMs: 1000, target: 5 },
        { durationMs: 500, target: 5 },
      ],
    };
    const maxima = await Promise.all(
      [0, 1].map(async (index) => {
        const clock = new FakeClock();
        const { runner, maxConcurrency } = fixedLatencyRunner(clock, 10);
        await clock.run(
          runExecutor(config, runner, { ...collecting(clock).options, partition: { index, count: 2 } }),
        );
        return maxConcurrency();
      }),
    );
    // Slots 0, 2, 4 on the first worker and 1, 3 on the second: 5 VUs at the top of the ramp.
    expect(maxima).toEqual([3, 2]);
  });
});
