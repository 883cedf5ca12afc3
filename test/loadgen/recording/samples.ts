import type { SamplePosition } from '../../../src/loadgen/engine/types.js';
import type { Sample } from '../../../src/loadgen/plan.js';
import type { ErrorKind } from '../../../src/loadgen/results.js';

export interface PositionedSample {
  readonly sample: Sample;
  readonly position: SamplePosition;
}

const segments = ['guest', 'member', 'vip'] as const;
const funnel = ['browse', 'product', 'add-to-cart', 'cart', 'checkout'] as const;
const kinds: readonly ErrorKind[] = ['http4xx', 'http5xx', 'timeout', 'connection', 'check'];
/** The answer behind each outcome; a failed check is on a 2xx answer. */
const statusOf: Readonly<Record<ErrorKind | 'none', number>> = {
  none: 200,
  http4xx: 404,
  http5xx: 503,
  timeout: 0,
  connection: 0,
  check: 200,
};

/**
 * `count` deterministic checkout iterations spread over `seconds`: each picks a segment and a funnel
 * depth, and its requests get latencies from 0.2 ms to 3 s and, now and then, an error.
 */
export function checkoutIterations(count: number, seconds: number, seed = 7): PositionedSample[][] {
  let state = seed;
  const next = (): number => {
    // Park–Miller: small, seeded and the same on every platform.
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
  return Array.from({ length: count }, (_, iteration) => {
    const segment = segments[Math.floor(next() * segments.length)] ?? 'guest';
    const depth = 1 + Math.floor(next() * funnel.length);
    let endedAtMs = (iteration / count) * seconds * 1000;
    return funnel.slice(0, depth).map((step, index) => {
      const latencyMs = 0.2 + next() ** 4 * 3000;
      endedAtMs += latencyMs;
      const error = next() < 0.05 ? kinds[Math.floor(next() * kinds.length)] : undefined;
      const sample: Sample = {
        step,
        segment,
        latencyMs,
        endedAtMs,
        ...(error === undefined ? {} : { error }),
        ...(error === 'timeout' || error === 'connection' ? {} : { status: statusOf[error ?? 'none'] }),
      };
      return { sample, position: { firstOfIteration: index === 0, firstOfStep: true } };
    });
  });
}
