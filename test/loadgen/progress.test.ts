import { describe, expect, it } from 'vitest';
import type { RunProgress } from '../../src/loadgen/engine/recorded-run.js';
import { progressTracker } from '../../src/loadgen/progress.js';

const tick = (
  elapsedMs: number,
  requests: number,
  errors: number,
  dropped: number,
  p95: Record<string, number>,
): RunProgress => ({
  engine: { elapsedMs, durationMs: 30_000, iterations: requests, inFlight: 3, dropped },
  live: {
    requests,
    errors,
    dropped,
    bySegment: Object.fromEntries(
      Object.entries(p95).map(([segment, p95Ms]) => [
        segment,
        { requests: requests / 2, errors: errors / 2, p95Ms },
      ]),
    ),
  },
});

describe('the per-second view of the engine reports', () => {
  it('turns running totals into the last second, with the slowest segment p95', () => {
    const track = progressTracker();
    expect(track(tick(1000, 100, 10, 0, { guest: 40, vip: 90 })).second).toEqual({
      t: 0,
      requests: 100,
      errors: 10,
      dropped: 0,
      p95Ms: 90,
    });
    expect(track(tick(2000, 180, 50, 4, { guest: 30, vip: 0 })).second).toEqual({
      t: 1,
      requests: 80,
      errors: 40,
      dropped: 4,
      p95Ms: 30,
    });
  });

  it('has no p95 for a second without requests', () => {
    const track = progressTracker();
    track(tick(1000, 100, 0, 0, { guest: 40 }));
    expect(track(tick(2000, 100, 0, 0, { guest: 0 })).second.p95Ms).toBeUndefined();
  });

  it('gives the display totals, the last second as the rate, and segments by name', () => {
    const track = progressTracker();
    track(tick(1000, 100, 2, 0, { vip: 50, guest: 40 }));
    expect(track(tick(2000, 150, 4, 1, { vip: 0, guest: 45 })).snapshot).toEqual({
      elapsedMs: 2000,
      durationMs: 30_000,
      rps: 50,
      requests: 150,
      errors: 4,
      dropped: 1,
      segments: [
        { segment: 'guest', requests: 75, errors: 2, p95Ms: 45 },
        { segment: 'vip', requests: 75, errors: 2, p95Ms: undefined },
      ],
    });
  });
});
