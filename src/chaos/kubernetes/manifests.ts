import { stringify } from 'yaml';
import type { FaultName, FaultSpec } from '../catalogue.js';
import type { FaultContext } from './build.js';
import { cdnOriginErrors, cdnSlowness } from './cdn-faults.js';
import type { ChaosObject } from './chaos-object.js';
import { databaseFailover, databaseLatency } from './database-faults.js';
import { resolveFaultOptions, type KubernetesFaultOptions } from './options.js';
import { partition } from './partition.js';
import { vendorLatency, vendorOutage, vendorThrottle } from './vendor-faults.js';

/** How each fault of the catalogue is carried out with Chaos Mesh; each mapping says why in its module. */
const mappings: Readonly<Record<FaultName, (context: FaultContext) => ChaosObject[]>> = {
  'vendor-outage': vendorOutage,
  'vendor-latency': vendorLatency,
  'vendor-throttle': vendorThrottle,
  'db-failover': databaseFailover,
  'db-latency': databaseLatency,
  'cdn-slowness': cdnSlowness,
  'cdn-origin-errors': cdnOriginErrors,
  partition,
};

/** The Chaos Mesh objects that carry out one fault; bad options are a UsageError (exit 2). */
export function chaosManifests(spec: FaultSpec, options: KubernetesFaultOptions): ChaosObject[] {
  return mappings[spec.fault]({ spec, options: resolveFaultOptions(spec.fault, options) });
}

/** Multi-document YAML, ready for `kubectl apply -f` (and `kubectl delete -f` to recover). */
export function renderChaosManifests(objects: readonly ChaosObject[]): string {
  // No anchors for the selectors objects share: plain YAML reads better and diffs cleanly.
  return objects
    .map((object) => stringify(object, { lineWidth: 0, aliasDuplicateObjects: false }))
    .join('---\n');
}
