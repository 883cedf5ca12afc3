import type { ChaosObject } from './chaos-object.js';
import { chaosObject, choiceParam, originHost, podSelector, type FaultContext } from './build.js';

/**
 * partition: a NetworkChaos `partition` (packets dropped) between the store and the dependency.
 * In-cluster dependencies (the database's instances, the CDN edge's pods) are a `target` with
 * direction `both`; hosts outside the cluster (vendors, the origin) are `externalTargets`, which
 * take direction `to` only. That still cuts both ways: with nothing leaving, no connection opens and
 * no answer comes back. The origin is the edge's dependency, so that partition acts on the edge pods.
 */
export function partition(context: FaultContext): ChaosObject[] {
  const { spec, options } = context;
  const cutOff = (hostOrPods: string | { readonly [label: string]: string }, source = options.store) =>
    typeof hostOrPods === 'string'
      ? chaosObject(context, 'NetworkChaos', source, {
          action: 'partition',
          direction: 'to',
          externalTargets: [hostOrPods],
        })
      : chaosObject(context, 'NetworkChaos', source, {
          action: 'partition',
          direction: 'both',
          target: { mode: 'all', selector: podSelector(context, hostOrPods) },
        });
  switch (choiceParam(spec, 'dependency')) {
    case 'vendor-primary':
      return [cutOff(options.vendorHosts.primary)];
    case 'vendor-backup':
      return [cutOff(options.vendorHosts.backup)];
    case 'cdn-edge':
      return [cutOff(options.cdnEdge)];
    case 'cdn-origin':
      return [cutOff(originHost(context), options.cdnEdge)];
    default: // database
      return [cutOff(options.database.instances)];
  }
}
