import { describe, expect, it } from 'vitest';
import { catalogue, faultNames, type FaultName } from '../../../src/chaos/catalogue.js';
import type { ChaosObject, NetworkChaosSpec } from '../../../src/chaos/kubernetes/chaos-object.js';
import { chaosManifests } from '../../../src/chaos/kubernetes/manifests.js';
import type { BlastRadius, KubernetesFaultOptions } from '../../../src/chaos/kubernetes/options.js';
import { ExitCode, UsageError } from '../../../src/core/errors.js';
import { crdSchemaErrors, undeclaredFields } from '../../helpers/crd-schema.js';
import { faultSpec, shopOptions } from './fixtures.js';

/** For each fault, params other than the defaults, covering every choice the catalogue offers. */
const otherParams: Readonly<Record<FaultName, readonly Readonly<Record<string, number | string>>[]>> = {
  'vendor-outage': [
    { vendor: 'backup', mode: 'hang' },
    { mode: 'reset', firstN: 3 },
    { mode: 'error', status: 500, rate: 0.25 },
  ],
  'vendor-latency': [{ vendor: 'backup', latencyMs: 120_000, jitterMs: 0, rate: 0.5 }],
  'vendor-throttle': [{ vendor: 'backup', retryAfterSeconds: 0, rate: 0.07 }],
  'db-failover': [{ unavailableMs: 0 }],
  'db-latency': [{ latencyMs: 1, jitterMs: 30_000 }],
  'cdn-slowness': [{ where: 'edge', latencyMs: 500, jitterMs: 50 }],
  'cdn-origin-errors': [{ status: 599, rate: 0.5 }],
  partition: ['vendor-primary', 'vendor-backup', 'cdn-edge', 'cdn-origin'].map((dependency) => ({
    dependency,
  })),
};

const radii: readonly BlastRadius[] = [
  { mode: 'fixed', value: '2' },
  { mode: 'fixed-percent', value: '50' },
  { mode: 'random-max-percent', value: '30' },
  { mode: 'one' },
  { mode: 'all' },
];

const cases = faultNames.flatMap((fault) => [
  { fault, params: {}, options: shopOptions, label: 'defaults' },
  ...otherParams[fault].map((params, i) => ({
    fault,
    params,
    options: { ...shopOptions, blastRadius: radii[i % radii.length] } satisfies KubernetesFaultOptions,
    label: JSON.stringify(params),
  })),
]);

function expectValid(object: ChaosObject): void {
  const schema = `chaos-mesh/${object.kind}.json` as const;
  expect(object.apiVersion).toBe('chaos-mesh.org/v1alpha1');
  expect(crdSchemaErrors(schema, object)).toEqual([]);
  expect(undeclaredFields(schema, object)).toEqual([]);
}

describe('every fault of the catalogue becomes Chaos Mesh objects', () => {
  it.each(cases)(
    '$fault ($label): valid against its CRD schema, no undeclared field, labelled, bounded, in the namespace',
    ({ fault, params, options }) => {
      const spec = faultSpec(fault, params, 90_000);
      const objects = chaosManifests(spec, options);
      expect(objects.length).toBeGreaterThan(0);
      for (const object of objects) {
        expectValid(object);
        expect(object.metadata.namespace).toBe('shop');
        expect(object.metadata.labels).toEqual({
          'app.kubernetes.io/managed-by': 'shopsre',
          'shopsre.dev/run-id': 'gd-20250101-100000',
          'shopsre.dev/fault': fault,
        });
        expect(object.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        expect(object.metadata.name.length).toBeLessThanOrEqual(63);
        expect(object.spec.duration).toBe('1m30s');
        expect(object.spec.selector.namespaces).toEqual(['shop']);
        if (options.blastRadius) {
          expect({ mode: object.spec.mode, value: object.spec.value }).toEqual({
            mode: options.blastRadius.mode,
            value: options.blastRadius.value,
          });
        }
        if (object.kind === 'NetworkChaos' && object.spec.target) {
          expect(object.spec.target.selector.namespaces).toEqual(['shop']);
        }
      }
    },
  );

  it('with no blast radius given, a fault reaches every pod its meaning covers; db-failover kills one primary', () => {
    const modes = Object.fromEntries(
      faultNames.map((fault) => [
        fault,
        chaosManifests(faultSpec(fault), shopOptions).map((o) => [o.spec.mode, o.spec.value]),
      ]),
    );
    expect(modes).toEqual({
      'vendor-outage': [['all', undefined]],
      'vendor-latency': [['all', undefined]],
      'vendor-throttle': [['all', undefined]],
      'db-failover': [['one', undefined]],
      'db-latency': [['all', undefined]],
      'cdn-slowness': [['all', undefined]],
      'cdn-origin-errors': [['all', undefined]],
      partition: [['all', undefined]],
    });
  });

  it('the duration is a Go duration of the spec, and a spec past the catalogue maximum is refused (a Chaos Mesh object without a bound lasts until deleted)', () => {
    const duration = (ms: number) =>
      chaosManifests(faultSpec('db-latency', {}, ms), shopOptions)[0]?.spec.duration;
    expect([duration(500), duration(30_000), duration(61_500), duration(3_600_000)]).toEqual([
      '500ms',
      '30s',
      '1m1.5s',
      '1h',
    ]);
    expect(() =>
      chaosManifests(faultSpec('db-latency', {}, catalogue['db-latency'].maxDurationMs + 1), shopOptions),
    ).toThrow(new UsageError("db-latency: duration 3600001 ms is outside 1 ms to 1h, the fault's maximum"));
    expect(() => chaosManifests(faultSpec('db-latency', {}, 0), shopOptions)).toThrow(UsageError);
  });
});

const only = (
  fault: FaultName,
  params: Readonly<Record<string, number | string>> = {},
  options = shopOptions,
): ChaosObject => {
  const objects = chaosManifests(faultSpec(fault, params), options);
  expect(objects).toHaveLength(1);
  return objects[0] as ChaosObject;
};
const network = (object: ChaosObject): NetworkChaosSpec => {
  if (object.kind !== 'NetworkChaos') throw new Error(`expected a NetworkChaos, got ${object.kind}`);
  return object.spec;
};
const approximation = (object: ChaosObject) => object.metadata.annotations?.['shopsre.dev/approximation'];

describe('vendor faults act on the store pods toward the vendor host, never through HTTPChaos', () => {
  it('an outage in error mode is a DNSChaos error on the vendor host, annotated as an approximation', () => {
    const object = only('vendor-outage');
    expect(object.kind).toBe('DNSChaos');
    expect(object.spec).toMatchObject({
      action: 'error',
      patterns: ['api.stripe.com'],
      selector: { labelSelectors: { 'app.kubernetes.io/name': 'shopsre-store' } },
    });
    expect(approximation(object)).toContain(
      'a vendor answering 503 is approximated by DNS errors for api.stripe.com',
    );
  });

  it('hang and reset drop the packets to the vendor (partition, direction to); reset says Chaos Mesh cannot reset connections', () => {
    for (const mode of ['hang', 'reset']) {
      const spec = network(only('vendor-outage', { mode, vendor: 'backup' }));
      expect(spec).toMatchObject({
        action: 'partition',
        direction: 'to',
        externalTargets: ['api.adyen.com'],
      });
    }
    expect(approximation(only('vendor-outage', { mode: 'hang' }))).toBeUndefined();
    expect(approximation(only('vendor-outage', { mode: 'reset' }))).toContain(
      'Chaos Mesh cannot reset connections',
    );
  });

  it('a share below 1 becomes a loss of that share of packets, in any mode; firstN is said to be ignored', () => {
    const object = only('vendor-outage', { mode: 'error', rate: 0.07, firstN: 5 });
    expect(network(object)).toMatchObject({ action: 'loss', loss: { loss: '7', correlation: '0' } });
    expect(approximation(object)).toContain('losing 7% of the packets to api.stripe.com');
    expect(approximation(object)).toContain('firstN is not reproduced');
  });

  it('latency is a netem delay in milliseconds with jitter; a rate below 1 is said not to be reproduced', () => {
    const object = only('vendor-latency', { latencyMs: 1500, jitterMs: 250, rate: 0.5 });
    expect(network(object)).toMatchObject({
      action: 'delay',
      direction: 'to',
      externalTargets: ['api.stripe.com'],
      delay: { latency: '1500ms', jitter: '250ms', correlation: '0' },
    });
    expect(approximation(object)).toContain('rate 0.5 is not reproduced');
  });

  it('a throttle is the closest netem: delay by Retry-After and loss of the rate, annotated as having no network equivalent', () => {
    const object = only('vendor-throttle', { retryAfterSeconds: 3, rate: 0.2 });
    expect(network(object)).toMatchObject({
      action: 'netem',
      delay: { latency: '3000ms', jitter: '0ms' },
      loss: { loss: '20' },
    });
    expect(approximation(object)).toMatch(/^429 with Retry-After has no network equivalent/);
  });

  it('vendor hosts are configurable, and must be host names', () => {
    const options = { ...shopOptions, vendorHosts: { primary: 'pay.example.com' } };
    expect(network(only('vendor-latency', {}, options)).externalTargets).toEqual(['pay.example.com']);
    expect(network(only('partition', { dependency: 'vendor-backup' }, options)).externalTargets).toEqual([
      'api.adyen.com',
    ]);
    expect(() =>
      only('vendor-latency', {}, { ...shopOptions, vendorHosts: { primary: 'https://pay.example.com' } }),
    ).toThrow(
      new UsageError(
        'vendorHosts.primary "https://pay.example.com": expected a host name such as api.stripe.com',
      ),
    );
  });
});

describe('database faults select the pods by the labels their operator sets', () => {
  it('db-failover kills the CloudNativePG primary at once (cnpg.io/instanceRole), and says unavailableMs is the operator’s to decide', () => {
    const object = only('db-failover');
    expect(object.kind).toBe('PodChaos');
    expect(object.spec).toMatchObject({
      action: 'pod-kill',
      gracePeriod: 0,
      mode: 'one',
      selector: { namespaces: ['shop'], labelSelectors: { 'cnpg.io/instanceRole': 'primary' } },
    });
    expect(approximation(object)).toContain('unavailableMs (10000 ms) is not reproduced');
  });

  it.each([
    ['cloudnativepg', {}, { 'cnpg.io/instanceRole': 'primary' }, { 'cnpg.io/podRole': 'instance' }],
    [
      'cloudnativepg',
      { databaseCluster: 'shop-db' },
      { 'cnpg.io/instanceRole': 'primary', 'cnpg.io/cluster': 'shop-db' },
      { 'cnpg.io/podRole': 'instance', 'cnpg.io/cluster': 'shop-db' },
    ],
    ['patroni', {}, { 'spilo-role': 'master' }, { application: 'spilo' }],
    [
      'patroni',
      { databaseCluster: 'acid-shop' },
      { 'spilo-role': 'master', 'cluster-name': 'acid-shop' },
      { application: 'spilo', 'cluster-name': 'acid-shop' },
    ],
    [
      'custom',
      { databaseSelector: { primary: { role: 'primary' }, instances: { app: 'pg' } } },
      { role: 'primary' },
      { app: 'pg' },
    ],
  ] as const)(
    '%s %j: the primary for db-failover, every instance for db-latency and partition',
    (flavor, extra, primary, instances) => {
      const options: KubernetesFaultOptions = { ...shopOptions, databaseFlavor: flavor, ...extra };
      expect(only('db-failover', {}, options).spec.selector.labelSelectors).toEqual(primary);
      for (const fault of ['db-latency', 'partition'] as const) {
        const spec = network(only(fault, {}, options));
        expect(spec.selector.labelSelectors).toEqual({ 'app.kubernetes.io/name': 'shopsre-store' });
        expect(spec.target).toEqual({
          mode: 'all',
          selector: { namespaces: ['shop'], labelSelectors: instances },
        });
      }
    },
  );

  it('db-latency delays the store’s packets to the database once per round trip (direction to)', () => {
    expect(network(only('db-latency', { latencyMs: 100, jitterMs: 20 }))).toMatchObject({
      action: 'delay',
      direction: 'to',
      delay: { latency: '100ms', jitter: '20ms', correlation: '0' },
    });
  });

  it('custom needs a selector, and a selector belongs to custom only', () => {
    expect(() => only('db-failover', {}, { ...shopOptions, databaseFlavor: 'custom' })).toThrow(
      new UsageError(
        'databaseFlavor custom needs databaseSelector: the labels of the primary and of every instance',
      ),
    );
    expect(() =>
      only(
        'db-failover',
        {},
        { ...shopOptions, databaseSelector: { primary: { role: 'primary' }, instances: { app: 'pg' } } },
      ),
    ).toThrow(new UsageError('databaseSelector is for databaseFlavor custom, not cloudnativepg'));
  });
});

describe('CDN faults act on the edge pods', () => {
  it('slowness at the origin delays the edge’s packets to the origin host; at the edge, everything the edge sends', () => {
    expect(network(only('cdn-slowness'))).toMatchObject({
      selector: { labelSelectors: { 'app.kubernetes.io/name': 'shopsre-cdn-edge' } },
      externalTargets: ['assets-origin.example.com'],
      delay: { latency: '2000ms', jitter: '200ms' },
    });
    const edge = network(only('cdn-slowness', { where: 'edge' }));
    expect(edge.externalTargets).toBeUndefined();
    expect(edge.target).toBeUndefined();
  });

  it('origin errors are a loss toward the origin, annotated; faults on the origin need its host', () => {
    const object = only('cdn-origin-errors', { rate: 0.5 });
    expect(network(object)).toMatchObject({
      action: 'loss',
      loss: { loss: '50' },
      externalTargets: ['assets-origin.example.com'],
    });
    expect(approximation(object)).toContain(
      'an origin answering 502 is approximated by losing 50% of the packets',
    );
    const noOrigin = { namespace: 'shop', runId: 'r1' };
    for (const [fault, params] of [
      ['cdn-origin-errors', {}],
      ['cdn-slowness', {}],
      ['partition', { dependency: 'cdn-origin' }],
    ] as const) {
      expect(() => only(fault, params, noOrigin)).toThrow(
        new UsageError(
          `${fault} acts between the CDN edge and its origin: give the origin's host (cdnOriginHost)`,
        ),
      );
    }
    expect(only('cdn-slowness', { where: 'edge' }, noOrigin).kind).toBe('NetworkChaos');
  });
});

describe('partition cuts the store off from one dependency', () => {
  it.each([
    [
      'database',
      {
        direction: 'both',
        target: {
          mode: 'all',
          selector: { namespaces: ['shop'], labelSelectors: { 'cnpg.io/podRole': 'instance' } },
        },
      },
    ],
    [
      'cdn-edge',
      {
        direction: 'both',
        target: {
          mode: 'all',
          selector: {
            namespaces: ['shop'],
            labelSelectors: { 'app.kubernetes.io/name': 'shopsre-cdn-edge' },
          },
        },
      },
    ],
    ['vendor-primary', { direction: 'to', externalTargets: ['api.stripe.com'] }],
    [
      'cdn-origin',
      {
        direction: 'to',
        externalTargets: ['assets-origin.example.com'],
        selector: { labelSelectors: { 'app.kubernetes.io/name': 'shopsre-cdn-edge' } },
      },
    ],
  ])('%s', (dependency, expected) => {
    expect(network(only('partition', { dependency }))).toMatchObject({ action: 'partition', ...expected });
  });
});

describe('options are checked before anything is built (exit 2)', () => {
  it.each([
    [{ blastRadius: { mode: 'fixed' } }, 'blast radius fixed needs a number of pods, 1 or more (got "")'],
    [
      { blastRadius: { mode: 'fixed', value: '0' } },
      'blast radius fixed needs a number of pods, 1 or more (got "0")',
    ],
    [
      { blastRadius: { mode: 'fixed-percent', value: '101' } },
      'blast radius fixed-percent needs a percentage from 1 to 100 (got "101")',
    ],
    [
      { blastRadius: { mode: 'random-max-percent', value: '1.5' } },
      'blast radius random-max-percent needs a percentage from 1 to 100 (got "1.5")',
    ],
    [{ blastRadius: { mode: 'all', value: '3' } }, 'blast radius all takes no value (got "3")'],
    [
      { blastRadius: { mode: 'some' } },
      'blast radius "some": expected one, all, fixed, fixed-percent or random-max-percent',
    ],
    [
      { storeSelector: {} },
      'storeSelector is empty: it would select every pod in the namespace; give at least one label',
    ],
    [
      { runId: 'run id with spaces' },
      "run id \"run id with spaces\": expected a Kubernetes label value (letters, digits, '-', '_', '.', at most 63)",
    ],
    [
      { cdnOriginHost: 'origin.example.com:99999' },
      'cdnOriginHost "origin.example.com:99999": expected a host name or IPv4 address, with an optional :port',
    ],
  ])('%j is refused', (extra, message) => {
    const error = (() => {
      try {
        chaosManifests(faultSpec('partition'), {
          ...shopOptions,
          ...(extra as Partial<KubernetesFaultOptions>),
        });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toEqual(new UsageError(message));
    expect((error as UsageError).exitCode).toBe(ExitCode.badInput);
  });

  it('a long run id still gives a name of at most 63 characters, distinct for two ids that share a prefix', () => {
    const name = (runId: string) => only('cdn-origin-errors', {}, { ...shopOptions, runId }).metadata.name;
    const a = name(`gameday-${'x'.repeat(50)}-a`);
    const b = name(`gameday-${'x'.repeat(50)}-b`);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^shopsre-cdn-origin-errors-gameday-x+-[0-9a-f]{8}$/);
    expect(name('GD_2025.01.01')).toBe('shopsre-cdn-origin-errors-gd-2025-01-01');
  });

  it('an origin given as an address with a port is passed on as Chaos Mesh takes it', () => {
    expect(
      network(only('cdn-origin-errors', {}, { ...shopOptions, cdnOriginHost: '10.0.3.7:8080' }))
        .externalTargets,
    ).toEqual(['10.0.3.7:8080']);
  });
});
