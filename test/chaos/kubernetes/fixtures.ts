import { catalogue, type FaultName, type FaultSpec } from '../../../src/chaos/catalogue.js';
import type { KubernetesFaultOptions } from '../../../src/chaos/kubernetes/options.js';

/** A fault as the catalogue resolves it: every default, overridden by `params`. */
export function faultSpec(
  fault: FaultName,
  params: Readonly<Record<string, number | string>> = {},
  durationMs = catalogue[fault].defaultDurationMs,
): FaultSpec {
  const definition = catalogue[fault];
  const defaults = Object.fromEntries(
    Object.entries(definition.params).map(([name, p]) => [name, p.default]),
  );
  const target =
    fault === 'partition' && typeof params.dependency === 'string'
      ? (params.dependency as FaultSpec['target'])
      : definition.target;
  return { fault, target, params: { ...defaults, ...params }, durationMs };
}

/** The options a game day in namespace `shop` would pass, with the origin host the CDN faults need. */
export const shopOptions: KubernetesFaultOptions = {
  namespace: 'shop',
  runId: 'gd-20250101-100000',
  cdnOriginHost: 'assets-origin.example.com',
};
