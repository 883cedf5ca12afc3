import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { FaultName } from '../../../src/chaos/catalogue.js';
import { chaosManifests, renderChaosManifests } from '../../../src/chaos/kubernetes/manifests.js';
import type { KubernetesFaultOptions } from '../../../src/chaos/kubernetes/options.js';
import { crdSchemaErrors, undeclaredFields } from '../../helpers/crd-schema.js';
import { faultSpec, shopOptions } from './fixtures.js';
import { expectGolden } from '../../helpers/golden.js';

/**
 * One representative per Chaos Mesh kind and shape: DNSChaos, PodChaos, a NetworkChaos to an external
 * host, one to pods (target), a netem with two effects, and a partition. Each golden was read line by
 * line against the Chaos Mesh docs (simulate-network-chaos-on-kubernetes, simulate-dns-chaos-on-
 * kubernetes, simulate-pod-chaos-on-kubernetes) and validates against the CRD schema below.
 */
const goldens: readonly [
  string,
  FaultName,
  Readonly<Record<string, number | string>>,
  Partial<KubernetesFaultOptions>,
][] = [
  ['vendor-outage-error.yaml', 'vendor-outage', {}, {}],
  ['vendor-throttle.yaml', 'vendor-throttle', { rate: 0.3 }, {}],
  [
    'db-failover-patroni.yaml',
    'db-failover',
    {},
    { databaseFlavor: 'patroni', databaseCluster: 'acid-shop' },
  ],
  [
    'db-latency.yaml',
    'db-latency',
    {},
    { databaseCluster: 'shop-db', blastRadius: { mode: 'fixed-percent', value: '50' } },
  ],
  ['cdn-slowness-origin.yaml', 'cdn-slowness', {}, {}],
  [
    'partition-vendor-primary.yaml',
    'partition',
    { dependency: 'vendor-primary' },
    { blastRadius: { mode: 'fixed', value: '1' } },
  ],
];

describe('printed Chaos Mesh manifests match their reviewed golden files', () => {
  it.each(goldens)('%s', (file, fault, params, extra) => {
    const objects = chaosManifests(faultSpec(fault, params), { ...shopOptions, ...extra });
    const text = renderChaosManifests(objects);
    expectGolden('chaos', file, text);
    for (const document of parseAllDocuments(text)) {
      const object = document.toJS() as { kind: string };
      const schema = `chaos-mesh/${object.kind}.json` as const;
      expect(crdSchemaErrors(schema, object)).toEqual([]);
      expect(undeclaredFields(schema, object)).toEqual([]);
    }
  });

  it('several objects print as one multi-document file that reads back as the objects', () => {
    const objects = [
      ...chaosManifests(faultSpec('db-failover'), shopOptions),
      ...chaosManifests(faultSpec('vendor-latency'), shopOptions),
    ];
    const text = renderChaosManifests(objects);
    expect(parseAllDocuments(text).map((d) => d.toJS() as unknown)).toEqual(
      JSON.parse(JSON.stringify(objects)),
    );
    expect(text).not.toMatch(/[&*]a\d/);
  });
});
