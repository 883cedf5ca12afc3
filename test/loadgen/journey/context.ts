import type { IterationContext, Sample } from '../../../src/loadgen/plan.js';
import type { JourneyConfig } from '../../../src/loadgen/plan.js';

export const checkoutConfig: JourneyConfig = {
  kind: 'checkout',
  target: 'http://127.0.0.1:1',
  seed: 7,
  segmentMix: { guest: 60, member: 35, vip: 5 },
  funnel: { browse: 8, addToCart: 1, checkout: 1 },
  requestTimeoutMs: 1000,
  segmentHeader: 'x-customer-segment',
  products: { count: 2000, skew: 0.5 },
  declineShare: 0,
};

/** An iteration context that collects its samples. */
export function iterationContext(
  iteration: number,
  samples: Sample[],
  times: { scheduledAtMs?: number; startedAtMs?: number; signal?: AbortSignal } = {},
): IterationContext {
  return {
    iteration,
    scheduledAtMs: times.scheduledAtMs ?? 0,
    startedAtMs: times.startedAtMs ?? times.scheduledAtMs ?? 0,
    signal: times.signal ?? new AbortController().signal,
    record: (sample) => samples.push(sample),
  };
}
