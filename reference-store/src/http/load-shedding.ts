import type { MiddlewareHandler } from 'hono';
import type { StoreMetrics } from '../metrics.js';
import type { StoreEnv } from './env.js';
import { Problem } from './problem.js';

/**
 * Past `maxInFlight` requests at once, answer 503 with Retry-After at once instead of queueing without
 * bound: a queue only turns an overload into latency for everyone and timeouts at the clients.
 */
export function shedLoad(maxInFlight: number, metrics: StoreMetrics): MiddlewareHandler<StoreEnv> {
  let inFlight = 0;
  return async (c, next) => {
    if (inFlight >= maxInFlight) {
      metrics.shed.inc({ segment: c.get('segment') });
      throw new Problem(
        503,
        'overloaded',
        `the store is serving ${maxInFlight} requests already; retry shortly`,
        {},
        { 'retry-after': '1' },
      );
    }
    inFlight++;
    try {
      await next();
    } finally {
      inFlight--;
    }
  };
}
