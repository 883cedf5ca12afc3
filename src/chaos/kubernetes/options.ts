import { UsageError } from '../../core/errors.js';
import type { FaultName } from '../catalogue.js';
import type { Labels, PodMode } from './chaos-object.js';
import { checkChaosNamespace } from './namespace.js';

/** Which of the pods a selector matches take the fault: Chaos Mesh's `mode` and `value`. */
export interface BlastRadius {
  readonly mode: PodMode;
  /** A count for `fixed`, a percentage (1 to 100) for `fixed-percent` and `random-max-percent`. */
  readonly value?: string;
}

export type DatabaseFlavor = 'cloudnativepg' | 'patroni' | 'custom';

export interface KubernetesFaultOptions {
  /** Namespace of the chaos objects and of every pod they select; required. */
  readonly namespace: string;
  /** When given, any other namespace is refused. Default: every namespace but the cluster's own. */
  readonly allowedNamespaces?: readonly string[];
  /** Identifies the run: a label on every object (a label value) and part of its name. */
  readonly runId: string;
  /** Default `all`, and `one` for db-failover (why: `defaultBlastRadius`). */
  readonly blastRadius?: BlastRadius;
  /** Labels of the store's pods. Default `app.kubernetes.io/name: shopsre-store`. */
  readonly storeSelector?: Labels;
  /** Labels of the CDN edge's pods. Default `app.kubernetes.io/name: shopsre-cdn-edge`. */
  readonly cdnEdgeSelector?: Labels;
  /** Host names of the payment vendors. Default `api.stripe.com` (primary), `api.adyen.com` (backup). */
  readonly vendorHosts?: { readonly primary?: string; readonly backup?: string };
  /** Host (or IP, with an optional `:port`) the CDN edge fetches from; needed by the faults on the origin. */
  readonly cdnOriginHost?: string;
  /** Who labels the database pods. Default `cloudnativepg`. */
  readonly databaseFlavor?: DatabaseFlavor;
  /** Limits the database selectors to one cluster of that operator. Default: every cluster in the namespace. */
  readonly databaseCluster?: string;
  /** The primary and every instance, for `databaseFlavor: custom` (and only then). */
  readonly databaseSelector?: { readonly primary: Labels; readonly instances: Labels };
}

/**
 * A fault means what the catalogue says, so by default it reaches every pod the catalogue's meaning
 * covers: a vendor, the database or the CDN is slow or down for every replica of the store, as with
 * the local fault proxies. The exception is `db-failover`, which kills one pod: there is one primary,
 * and `one` still kills only one if the selector matches the primaries of several clusters.
 * A smaller radius (`fixed`, `fixed-percent`) is a deliberate choice of the caller.
 */
const defaultBlastRadius: Readonly<Record<FaultName, BlastRadius>> = {
  'vendor-outage': { mode: 'all' },
  'vendor-latency': { mode: 'all' },
  'vendor-throttle': { mode: 'all' },
  'db-failover': { mode: 'one' },
  'db-latency': { mode: 'all' },
  'cdn-slowness': { mode: 'all' },
  'cdn-origin-errors': { mode: 'all' },
  partition: { mode: 'all' },
};

const defaultStoreSelector: Labels = { 'app.kubernetes.io/name': 'shopsre-store' };
const defaultCdnEdgeSelector: Labels = { 'app.kubernetes.io/name': 'shopsre-cdn-edge' };
const defaultVendorHosts = { primary: 'api.stripe.com', backup: 'api.adyen.com' } as const;

/**
 * Labels the operators put on PostgreSQL pods.
 * CloudNativePG (docs/src/labels_annotations.md): `cnpg.io/instanceRole` is `primary` or `replica`,
 * `cnpg.io/podRole: instance` tells instances from poolers, `cnpg.io/cluster` names the cluster.
 * `cnpg.io/instanceRole` came in 2023 (cloudnative-pg#2915); older operators set only the deprecated
 * `role: primary`: use `custom` with that label there.
 * Zalando's postgres-operator (Spilo and Patroni): `spilo-role: master` (its `pod_role_label`; Spilo
 * keeps `master` under Patroni 4 through `kubernetes.leader_label_value`, zalando/spilo#1050),
 * `application: spilo` on every pod, `cluster-name` for the cluster. Patroni 4 run by hand labels
 * its leader `role: primary` by default: use `custom` there.
 */
const databaseLabels = {
  cloudnativepg: {
    primary: { 'cnpg.io/instanceRole': 'primary' },
    instances: { 'cnpg.io/podRole': 'instance' },
    clusterLabel: 'cnpg.io/cluster',
  },
  patroni: {
    primary: { 'spilo-role': 'master' },
    instances: { application: 'spilo' },
    clusterLabel: 'cluster-name',
  },
} as const;

/** The options with defaults applied and every value checked: what the fault mappings read. */
export interface ResolvedFaultOptions {
  readonly namespace: string;
  readonly runId: string;
  readonly blastRadius: BlastRadius;
  readonly store: Labels;
  readonly cdnEdge: Labels;
  readonly vendorHosts: { readonly primary: string; readonly backup: string };
  readonly cdnOriginHost: string | undefined;
  readonly database: { readonly primary: Labels; readonly instances: Labels };
}

export function resolveFaultOptions(fault: FaultName, options: KubernetesFaultOptions): ResolvedFaultOptions {
  const namespace = checkChaosNamespace(options.namespace, options.allowedNamespaces);
  // A label value, and most of the object's name.
  if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(options.runId)) {
    throw new UsageError(
      `run id "${options.runId}": expected a Kubernetes label value (letters, digits, '-', '_', '.', at most 63)`,
    );
  }
  const vendorHosts = { ...defaultVendorHosts, ...options.vendorHosts };
  for (const [vendor, host] of Object.entries(vendorHosts)) checkHostName(`vendorHosts.${vendor}`, host);
  if (options.cdnOriginHost !== undefined) checkOriginHost(options.cdnOriginHost);
  return {
    namespace,
    runId: options.runId,
    blastRadius: checkBlastRadius(options.blastRadius ?? defaultBlastRadius[fault]),
    store: checkSelector('storeSelector', options.storeSelector ?? defaultStoreSelector),
    cdnEdge: checkSelector('cdnEdgeSelector', options.cdnEdgeSelector ?? defaultCdnEdgeSelector),
    vendorHosts,
    cdnOriginHost: options.cdnOriginHost,
    database: databaseSelectors(options),
  };
}

function databaseSelectors(options: KubernetesFaultOptions): ResolvedFaultOptions['database'] {
  const flavor = options.databaseFlavor ?? 'cloudnativepg';
  if (flavor === 'custom') {
    if (options.databaseSelector === undefined) {
      throw new UsageError(
        'databaseFlavor custom needs databaseSelector: the labels of the primary and of every instance',
      );
    }
    if (options.databaseCluster !== undefined) {
      throw new UsageError(
        "databaseCluster is for cloudnativepg and patroni; with custom, put the cluster's label in databaseSelector",
      );
    }
    return {
      primary: checkSelector('databaseSelector.primary', options.databaseSelector.primary),
      instances: checkSelector('databaseSelector.instances', options.databaseSelector.instances),
    };
  }
  if (options.databaseSelector !== undefined) {
    throw new UsageError(`databaseSelector is for databaseFlavor custom, not ${flavor}`);
  }
  const labels = databaseLabels[flavor];
  const cluster: Labels =
    options.databaseCluster === undefined ? {} : { [labels.clusterLabel]: options.databaseCluster };
  return { primary: { ...labels.primary, ...cluster }, instances: { ...labels.instances, ...cluster } };
}

/** The same rules as Chaos Mesh's admission webhook (`ValidatePodMode`), checked before any request. */
function checkBlastRadius(radius: BlastRadius): BlastRadius {
  const { mode, value } = radius;
  const whole = value !== undefined && /^[0-9]+$/.test(value) ? Number(value) : undefined;
  switch (mode) {
    case 'one':
    case 'all':
      if (value !== undefined) throw new UsageError(`blast radius ${mode} takes no value (got "${value}")`);
      return { mode };
    case 'fixed':
      if (whole === undefined || whole < 1) {
        throw new UsageError(`blast radius fixed needs a number of pods, 1 or more (got "${value ?? ''}")`);
      }
      return { mode, value: String(whole) };
    case 'fixed-percent':
    case 'random-max-percent':
      if (whole === undefined || whole < 1 || whole > 100) {
        throw new UsageError(`blast radius ${mode} needs a percentage from 1 to 100 (got "${value ?? ''}")`);
      }
      return { mode, value: String(whole) };
    default:
      throw new UsageError(
        `blast radius "${String(mode)}": expected one, all, fixed, fixed-percent or random-max-percent`,
      );
  }
}

/** An empty selector matches every pod of the namespace: never what a fault means. */
function checkSelector(option: string, labels: Labels): Labels {
  if (Object.keys(labels).length === 0) {
    throw new UsageError(
      `${option} is empty: it would select every pod in the namespace; give at least one label`,
    );
  }
  return labels;
}

const hostName = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/i;

/** Vendors are reached by name (TLS checks it), and DNSChaos matches names, not addresses. */
function checkHostName(option: string, host: string): void {
  if (!hostName.test(host))
    throw new UsageError(`${option} "${host}": expected a host name such as api.stripe.com`);
}

/** `externalTargets` takes a name, an IPv4 address or CIDR, each with an optional `:port`. */
function checkOriginHost(host: string): void {
  const [address = '', port, extra] = host.split(':');
  const ipv4 = /^(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?$/.test(address);
  const portOk =
    port === undefined || (/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65_535);
  if ((!ipv4 && !hostName.test(address)) || !portOk || extra !== undefined) {
    throw new UsageError(
      `cdnOriginHost "${host}": expected a host name or IPv4 address, with an optional :port`,
    );
  }
}
