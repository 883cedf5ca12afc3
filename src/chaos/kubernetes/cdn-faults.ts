import type { ChaosObject } from './chaos-object.js';
import { chaosObject, choiceParam, numberParam, originHost, percent, type FaultContext } from './build.js';
import { netemTime } from './go-duration.js';

/*
 * The CDN edge runs as pods (the blast radius applies to them) and fetches from an origin outside
 * the cluster, named by `cdnOriginHost`: the faults "between edge and origin" act on the edge's
 * packets to that host, as the local fault proxy sits between the two.
 */

/**
 * cdn-slowness: a NetworkChaos `delay`. `where: origin` delays the edge's packets to the origin
 * (cache misses are slow, hits are not); `where: edge` delays everything the edge pods send, so every
 * asset is slow, for every client of the edge.
 */
export function cdnSlowness(context: FaultContext): ChaosObject[] {
  const { spec, options } = context;
  const delay = {
    latency: netemTime(numberParam(spec, 'latencyMs')),
    jitter: netemTime(numberParam(spec, 'jitterMs')),
    correlation: '0',
  };
  const toOrigin = choiceParam(spec, 'where') === 'origin';
  return [
    chaosObject(context, 'NetworkChaos', options.cdnEdge, {
      action: 'delay',
      direction: 'to',
      ...(toOrigin && { externalTargets: [originHost(context)] }),
      delay,
    }),
  ];
}

/**
 * cdn-origin-errors: a NetworkChaos `loss` of the rate's share of the edge's packets to the origin.
 * No HTTP status can be made up on the wire. HTTPChaos could answer 5xx, but only over plain HTTP
 * (origins are usually HTTPS) and only on connections opened after it is injected, which the edge's
 * pooled connections to its origin are not.
 */
export function cdnOriginErrors(context: FaultContext): ChaosObject[] {
  const { spec, options } = context;
  const host = originHost(context);
  const rate = numberParam(spec, 'rate');
  return [
    chaosObject(
      context,
      'NetworkChaos',
      options.cdnEdge,
      {
        action: 'loss',
        direction: 'to',
        externalTargets: [host],
        loss: { loss: percent(rate), correlation: '0' },
      },
      [
        `an origin answering ${numberParam(spec, 'status')} is approximated by losing ${percent(rate)}% of the ` +
          `packets to ${host}: misses time out at the edge (its own 504) rather than carry the origin's status`,
      ],
    ),
  ];
}
