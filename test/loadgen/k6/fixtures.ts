import { fileURLToPath } from 'node:url';
import type { ExecutorConfig, ExecutorKind, JourneyConfig, LoadPlan } from '../../../src/loadgen/plan.js';
import { loadSloFiles } from '../../../src/slo/load.js';
import type { Slo } from '../../../src/slo/model.js';

/** One executor of each kind, with the shapes the presets and profiles produce. */
export const executors: Readonly<Record<ExecutorKind, ExecutorConfig>> = {
  'constant-arrival-rate': {
    kind: 'constant-arrival-rate',
    rate: 50,
    timeUnitMs: 1000,
    durationMs: 90_000,
    maxInFlight: 200,
  },
  'ramping-arrival-rate': {
    kind: 'ramping-arrival-rate',
    startRate: 10,
    timeUnitMs: 1000,
    stages: [
      { durationMs: 30_000, target: 100 },
      { durationMs: 90_000, target: 100 },
    ],
    maxInFlight: 500,
  },
  'constant-vus': { kind: 'constant-vus', vus: 20, durationMs: 60_000 },
  'ramping-vus': {
    kind: 'ramping-vus',
    startVus: 0,
    stages: [
      { durationMs: 10_000, target: 20 },
      { durationMs: 50_000, target: 20 },
      { durationMs: 1500, target: 0 },
    ],
  },
};

export const executorKinds = Object.keys(executors) as ExecutorKind[];

export function journey(kind: JourneyConfig['kind']): JourneyConfig {
  return {
    kind,
    target: kind === 'checkout' ? 'http://127.0.0.1:8080' : 'http://127.0.0.1:8080/healthz?probe=1',
    seed: 42,
    segmentMix: { guest: 60, member: 35, vip: 5 },
    funnel: { browse: 8, addToCart: 1, checkout: 1 },
    requestTimeoutMs: 10_000,
    segmentHeader: 'x-customer-segment',
    products: { count: 2000, skew: 0.5 },
    declineShare: 0.1,
  };
}

export function plan(executor: ExecutorKind, kind: JourneyConfig['kind'] = 'checkout'): LoadPlan {
  return { executor: executors[executor], journey: journey(kind), latencyBucketsMs: [100, 250, 500, 1000] };
}

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The reference store's example SLOs: checkout availability per segment (99.5 / 99.9 / 99.95),
 * checkout latency per segment (500 ms at 99 / 99.5), and an unsegmented catalog availability over
 * the browse and product steps.
 */
export function exampleSlos(): Promise<Slo[]> {
  return loadSloFiles(['examples/checkout.slo.yaml'], { defaultPeriodMs: 30 * 86_400_000, cwd: repoRoot });
}
