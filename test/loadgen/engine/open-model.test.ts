import { describe, expect, it } from 'vitest';
import { runExecutor } from '../../../src/loadgen/engine/run-executor.js';
import type { ExecutorConfig } from '../../../src/loadgen/plan.js';
import { FakeClock } from './fake-clock.js';
import { collecting, fixedLatencyRunner, perSecond } from './runners.js';

const second = 1000;

describe('constant-arrival-rate', () => {
  it.each([50, 200, 1000])(
    'starts exactly %i iterations in every second, each at i / rate from the start, without drift',
    async (rate) => {
      const clock = new FakeClock();
      const { runner, observed } = fixedLatencyRunner(clock, 20);
      const { options, samples, dropped } = collecting(clock);
      const config: ExecutorConfig = {
        kind: 'constant-arrival-rate',
        rate,
        timeUnitMs: second,
        durationMs: 3 * second,
        maxInFlight: 1000,
      };
      const outcome = await clock.run(runExecutor(config, runner, options));

      expect(outcome.iterations).toBe(3 * rate);
      expect(
        perSecond(
          observed.map((o) => o.startedAtMs),
          3,
        ),
      ).toEqual([rate, rate, rate]);
      observed.forEach((o, i) => {
        expect(o.iteration).toBe(i);
        expect(o.scheduledAtMs).toBeCloseTo((i * second) / rate, 6);
        expect(o.startedAtMs).toBe(o.scheduledAtMs);
      });
      expect(samples).toHaveLength(3 * rate);
      expect(dropped).toEqual([]);
    },
  );

  it('reads the rate per time unit: 30 per minute over 10 s is 5 iterations, 2 s apart', async () => {
    const clock = new FakeClock();
    const { runner, observed } = fixedLatencyRunner(clock, 1);
    const config: ExecutorConfig = {
      kind: 'constant-arrival-rate',
      rate: 30,
      timeUnitMs: 60 * second,
      durationMs: 10 * second,
      maxInFlight: 10,
    };
    await clock.run(runExecutor(config, runner, collecting(clock).options));
    expect(observed.map((o) => o.scheduledAtMs)).toEqual([0, 2000, 4000, 6000, 8000]);
  });

  it('lasts its whole duration even when the last arrival comes early', async () => {
    const clock = new FakeClock();
    const { runner } = fixedLatencyRunner(clock, 5);
    const config: ExecutorConfig = {
      kind: 'constant-arrival-rate',
      rate: 1,
      timeUnitMs: second,
      durationMs: 2500,
      maxInFlight: 1,
    };
    const outcome = await clock.run(runExecutor(config, runner, collecting(clock).options));
    expect(outcome.iterations).toBe(3);
    expect(outcome.endedAtMs - outcome.startedAtMs).toBe(2500);
  });
});

describe('ramping-arrival-rate', () => {
  it('starts per second the area under the ramp: 0 → 100/s over 2 s, hold 1 s, → 0 over 2 s', async () => {
    const clock = new FakeClock();
    const { runner, observed } = fixedLatencyRunner(clock, 10);
    const config: ExecutorConfig = {
      kind: 'ramping-arrival-rate',
      startRate: 0,
      timeUnitMs: second,
      maxInFlight: 100,
      stages: [
        { durationMs: 2 * second, target: 100 },
        { durationMs: 1 * second, target: 100 },
        { durationMs: 2 * second, target: 0 },
      ],
    };
    const outcome = await clock.run(runExecutor(config, runner, collecting(clock).options));
    // Areas by second: 25, 75, 100, 75, 25 (the rate is 50/s after 1 s, 100/s from 2 s to 3 s, ...).
    expect(
      perSecond(
        observed.map((o) => o.startedAtMs),
        5,
      ),
    ).toEqual([25, 75, 100, 75, 25]);
    expect(outcome.iterations).toBe(300);
    // Within the first ramp, iteration n is due when the area t² · 25 reaches n: t = √(n / 25).
    expect(observed[100]?.scheduledAtMs).toBeCloseTo(2000, 6);
    expect(observed[25]?.scheduledAtMs).toBeCloseTo(1000, 6);
  });

  it('follows a step up and down between flat stages', async () => {
    const clock = new FakeClock();
    const { runner, observed } = fixedLatencyRunner(clock, 10);
    const config: ExecutorConfig = {
      kind: 'ramping-arrival-rate',
      startRate: 20,
      timeUnitMs: second,
      maxInFlight: 100,
      stages: [
        { durationMs: 2 * second, target: 20 },
        { durationMs: 0, target: 200 },
        { durationMs: 1 * second, target: 200 },
        { durationMs: 0, target: 20 },
        { durationMs: 1 * second, target: 20 },
      ],
    };
    await clock.run(runExecutor(config, runner, collecting(clock).options));
    expect(
      perSecond(
        observed.map((o) => o.startedAtMs),
        4,
      ),
    ).toEqual([20, 20, 200, 20]);
  });
});

describe('coordinated omission: max in flight reached', () => {
  const saturating: ExecutorConfig = {
    kind: 'constant-arrival-rate',
    rate: 10,
    timeUnitMs: second,
    durationMs: 2 * second,
    maxInFlight: 2,
  };

  it('starts a waiting arrival late, passing both its intended and its actual start', async () => {
    const clock = new FakeClock();
    const { runner, observed } = fixedLatencyRunner(clock, 250);
    const { options, samples, dropped } = collecting(clock);
    await clock.run(runExecutor(saturating, runner, options));

    // Two slots, 250 ms each: 8 starts per second, always the oldest waiting arrival first.
    const third = observed[2];
    expect(third).toMatchObject({ iteration: 2, scheduledAtMs: 200, startedAtMs: 250 });
    expect(observed.every((o) => o.startedAtMs >= o.scheduledAtMs)).toBe(true);
    // The first request of each iteration counts from the intended start, so the wait is in it.
    expect(samples[2]?.sample.latencyMs).toBe(300);
    // 16 ran; the 4 arrivals still waiting when the run ended are reported with their wait.
    expect(observed).toHaveLength(16);
    expect(dropped.map((d) => d.iteration)).toEqual([16, 17, 18, 19]);
    expect(dropped[0]).toEqual({ iteration: 16, scheduledAtMs: 1600, waitedMs: 400 });
    expect(observed.length + dropped.length).toBe(20);
  });

  it('drops an arrival that waited longer than maxWaitMs, with its wait, and never omits one', async () => {
    const clock = new FakeClock();
    const { runner, observed } = fixedLatencyRunner(clock, 1000);
    const { options, dropped } = collecting(clock);
    const outcome = await clock.run(runExecutor(saturating, runner, { ...options, maxWaitMs: 250 }));

    // Slots free at 1000 and 1100 ms: arrivals due at 800 and 900 ms get them after 200 ms.
    expect(observed.map((o) => [o.iteration, o.startedAtMs])).toEqual([
      [0, 0],
      [1, 100],
      [8, 1000],
      [9, 1100],
    ]);
    const gaveUp = dropped.filter((d) => d.waitedMs === 250).map((d) => d.iteration);
    expect(gaveUp).toEqual([2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17]);
    // The last two were still waiting when the run ended.
    expect(dropped.slice(-2)).toEqual([
      { iteration: 18, scheduledAtMs: 1800, waitedMs: 200 },
      { iteration: 19, scheduledAtMs: 1900, waitedMs: 100 },
    ]);
    expect(outcome).toMatchObject({ iterations: 4, dropped: 16 });
  });
});
