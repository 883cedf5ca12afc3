import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunProgress } from '../../../src/loadgen/engine/recorded-run.js';
import type { ExecutorConfig, LoadPlan } from '../../../src/loadgen/plan.js';
import { runOnWorkers, viaTsx } from '../../../src/loadgen/workers.js';
import { startLoopbackServer, type LoopbackServer } from '../engine/loopback-server.js';

// Real worker threads (loading TypeScript through tsx) against a loopback server: short runs.

const testEntry = viaTsx(new URL('./get-journey-worker.ts', import.meta.url));

function plan(target: string, executor: ExecutorConfig, kind: 'single' | 'checkout' = 'single'): LoadPlan {
  return {
    executor,
    journey: {
      kind,
      target,
      seed: 1,
      segmentMix: { guest: 60, member: 35, vip: 5 },
      funnel: { browse: 10, addToCart: 2, checkout: 1 },
      requestTimeoutMs: 5000,
      segmentHeader: 'x-customer-segment',
      products: { count: 2000, skew: 0.5 },
      declineShare: 0,
    },
    latencyBucketsMs: [100],
  };
}

describe('--workers', () => {
  let server: LoopbackServer;
  beforeAll(async () => {
    server = await startLoopbackServer({ delayMs: 50 });
  });
  afterAll(() => server.close());

  it('splits the arrivals between the threads and merges their results exactly', async () => {
    const progress: RunProgress[] = [];
    const results = await runOnWorkers(
      plan(server.origin, {
        kind: 'constant-arrival-rate',
        rate: 100,
        timeUnitMs: 1000,
        durationMs: 1500,
        maxInFlight: 50,
      }),
      {
        workers: 2,
        runId: 'two-threads',
        signal: new AbortController().signal,
        entry: testEntry,
        onProgress: (p) => progress.push(p),
      },
    );
    expect(results.totals).toMatchObject({ iterations: 150, requests: 150, dropped: 0 });
    // Even iterations on the first thread, odd on the second.
    expect(results.bySegment['worker-0']?.iterations).toBe(75);
    expect(results.bySegment['worker-1']?.iterations).toBe(75);
    // The merged histogram still reads the server's 50 ms: never below it, and in milliseconds (how
    // much a busy machine adds on top is not this test's business; ground-truth.test.ts holds the
    // recorded percentiles to the exact ones).
    expect(results.totals.latencyMs.p50).toBeGreaterThanOrEqual(49);
    expect(results.totals.latencyMs.p50).toBeLessThan(100);
    // Both threads stamped the same start, so their per-second buckets line up.
    expect(results.timeSeries.every((point) => Number.isInteger(point.t))).toBe(true);
    expect(results.run.id).toBe('two-threads');
    // One report per tick, the threads' counts added up.
    expect(progress.map((p) => p.engine.elapsedMs >= 950 && p.engine.elapsedMs < 1100)).toEqual([true]);
    expect(progress[0]?.engine.iterations).toBe(100);
    expect(progress[0]?.live.requests).toBeGreaterThanOrEqual(90);
  });

  it('splits VUs by slot: three VUs on two threads run two and one', async () => {
    const results = await runOnWorkers(
      plan(server.origin, { kind: 'constant-vus', vus: 3, durationMs: 1000 }),
      {
        workers: 2,
        runId: 'vus',
        signal: new AbortController().signal,
        entry: testEntry,
      },
    );
    const first = results.bySegment['worker-0']?.iterations ?? 0;
    const second = results.bySegment['worker-1']?.iterations ?? 0;
    // Two VUs against one for 1 s of 50 ms iterations: about 40 and 20 (fewer on a busy machine).
    expect(first).toBeGreaterThan(10);
    expect(first / second).toBeCloseTo(2, 0);
  });

  it('stops every thread on abort and still merges what they recorded', async () => {
    const abort = new AbortController();
    const results = await runOnWorkers(
      plan(server.origin, { kind: 'constant-vus', vus: 4, durationMs: 10_000 }),
      {
        workers: 2,
        runId: 'aborted',
        signal: abort.signal,
        entry: testEntry,
        tickMs: 500,
        onProgress: () => abort.abort(),
      },
    );
    // Four VUs for half a second of 50 ms iterations, about 40 requests, from both threads: not the
    // 800 of the full 10 s.
    expect(results.bySegment['worker-0']?.requests ?? 0).toBeGreaterThan(0);
    expect(results.bySegment['worker-1']?.requests ?? 0).toBeGreaterThan(0);
    expect(results.totals.requests).toBeLessThan(200);
    expect(results.run.durationMs).toBeLessThan(1000);
  });

  it('rejects when a worker cannot build its journey', async () => {
    await expect(
      runOnWorkers(plan(`${server.origin}/fail`, { kind: 'constant-vus', vus: 2, durationMs: 1000 }), {
        workers: 2,
        runId: 'broken',
        signal: new AbortController().signal,
        entry: testEntry,
      }),
    ).rejects.toThrow(/load worker failed: Error: cannot build a journey/);
  });

  it('runs the real worker entry with the single journey', async () => {
    const results = await runOnWorkers(
      plan(`${server.origin}/`, {
        kind: 'constant-arrival-rate',
        rate: 40,
        timeUnitMs: 1000,
        durationMs: 1000,
        maxInFlight: 20,
      }),
      { workers: 2, runId: 'real-entry', signal: new AbortController().signal },
    );
    expect(results.totals).toMatchObject({ iterations: 40, requests: 40, errors: 0 });
    expect(Object.keys(results.byStep)).toEqual(['single']);
  });
});
