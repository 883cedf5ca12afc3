import type { ChaosObject } from './chaos-object.js';
import { chaosObject, numberParam, podSelector, type FaultContext } from './build.js';
import { netemTime } from './go-duration.js';

/**
 * db-failover: a PodChaos `pod-kill` of the pod labelled primary (gracePeriod 0: deleted at once, as
 * a crashed node would lose it). The kill happens once, at injection; the operator (CloudNativePG,
 * Patroni) then promotes a replica and recreates the pod, and deleting the object does not undo
 * anything. How long connections are refused is the operator's failover time, not `unavailableMs`.
 */
export function databaseFailover(context: FaultContext): ChaosObject[] {
  const { spec, options } = context;
  return [
    chaosObject(context, 'PodChaos', options.database.primary, { action: 'pod-kill', gracePeriod: 0 }, [
      `unavailableMs (${numberParam(spec, 'unavailableMs')} ms) is not reproduced: ` +
        'the database is unavailable for as long as its operator takes to promote a replica',
    ]),
  ];
}

/**
 * db-latency: a NetworkChaos `delay` on the store's packets to every database instance (direction
 * `to`, so a round trip pays the latency once, as the fault says; `both` would add it on the way
 * back too). Every instance rather than the primary only, so the fault outlives a failover.
 */
export function databaseLatency(context: FaultContext): ChaosObject[] {
  const { spec, options } = context;
  return [
    chaosObject(context, 'NetworkChaos', options.store, {
      action: 'delay',
      direction: 'to',
      target: { mode: 'all', selector: podSelector(context, options.database.instances) },
      delay: {
        latency: netemTime(numberParam(spec, 'latencyMs')),
        jitter: netemTime(numberParam(spec, 'jitterMs')),
        correlation: '0',
      },
    }),
  ];
}
