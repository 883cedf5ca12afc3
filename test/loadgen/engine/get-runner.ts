import { Pool } from 'undici';
import type { IterationRunner } from '../../../src/loadgen/plan.js';
import type { ErrorKind } from '../../../src/loadgen/results.js';

/**
 * A one-step journey for the real-time tests: GET / through an undici pool, one sample per
 * iteration, measured from the intended start as the checkout journey measures its first request.
 * It hooks the run's signal once, destroying the pool (and so every request in flight) when the run
 * is cancelled, rather than handing the signal to each request.
 */
export function getRunner(
  origin: string,
  options: {
    readonly segment?: string;
    readonly onStart?: (lagMs: number) => void;
    /** Every latency handed to the recorder, for an exact percentile to hold its histogram to. */
    readonly onLatency?: (latencyMs: number) => void;
  } = {},
): { runner: IterationRunner; close: () => Promise<void> } {
  const pool = new Pool(origin, { connections: 256 });
  let hooked: AbortSignal | undefined;
  const runner: IterationRunner = async (ctx) => {
    const enteredAt = performance.now();
    if (hooked !== ctx.signal) {
      hooked = ctx.signal;
      ctx.signal.addEventListener('abort', () => void pool.destroy(), { once: true });
    }
    options.onStart?.(ctx.startedAtMs - ctx.scheduledAtMs);
    let error: ErrorKind | undefined;
    try {
      const { statusCode, body } = await pool.request({ path: '/', method: 'GET' });
      await body.dump();
      if (statusCode >= 400) error = statusCode >= 500 ? 'http5xx' : 'http4xx';
    } catch {
      if (ctx.signal.aborted) return;
      error = 'connection';
    }
    const endedAtMs = ctx.startedAtMs + (performance.now() - enteredAt);
    options.onLatency?.(endedAtMs - ctx.scheduledAtMs);
    ctx.record({
      step: 'get',
      segment: options.segment ?? 'guest',
      latencyMs: endedAtMs - ctx.scheduledAtMs,
      endedAtMs,
      ...(error ? { error } : {}),
    });
  };
  return { runner, close: () => (pool.destroyed ? Promise.resolve() : pool.close()) };
}
