import { UsageError } from '../core/errors.js';
import type { KubernetesFaultOptions } from '../chaos/kubernetes/options.js';

/** The Kubernetes flags of `chaos inject --target kubernetes` and `chaos manifest`, as given. */
export interface KubernetesFlags {
  readonly namespace?: string;
  readonly allowNamespace: readonly string[];
  readonly mode?: string;
  readonly value?: string;
  readonly storeSelector: readonly string[];
  readonly vendorHost: readonly string[];
  readonly cdnOriginHost?: string;
  readonly databaseFlavor?: string;
  readonly databaseCluster?: string;
  readonly kubeconfig?: string;
  readonly apply: boolean;
}

const modes = ['one', 'all', 'fixed', 'fixed-percent', 'random-max-percent'] as const;
const flavors = ['cloudnativepg', 'patroni', 'custom'] as const;

/** Flags to the options of the Chaos Mesh manifests; the namespace checks happen there. */
export function kubernetesFaultOptions(flags: KubernetesFlags): Omit<KubernetesFaultOptions, 'runId'> {
  if (!flags.namespace) throw new UsageError('--namespace is required for Kubernetes faults (never kube-*)');
  const mode = flags.mode;
  if (mode !== undefined && !(modes as readonly string[]).includes(mode)) {
    throw new UsageError(`--mode ${mode}: one of ${modes.join(', ')}`);
  }
  const flavor = flags.databaseFlavor;
  if (flavor !== undefined && !(flavors as readonly string[]).includes(flavor)) {
    throw new UsageError(`--database-flavor ${flavor}: one of ${flavors.join(', ')}`);
  }
  const hosts = pairs('--vendor-host', flags.vendorHost);
  for (const key of Object.keys(hosts)) {
    if (key !== 'primary' && key !== 'backup')
      throw new UsageError(`--vendor-host ${key}=...: primary or backup`);
  }
  return {
    namespace: flags.namespace,
    ...(flags.allowNamespace.length > 0 ? { allowedNamespaces: flags.allowNamespace } : {}),
    ...(mode === undefined
      ? {}
      : {
          blastRadius: {
            mode: mode as (typeof modes)[number],
            ...(flags.value === undefined ? {} : { value: flags.value }),
          },
        }),
    ...(flags.storeSelector.length > 0
      ? { storeSelector: pairs('--store-selector', flags.storeSelector) }
      : {}),
    ...(Object.keys(hosts).length > 0 ? { vendorHosts: hosts } : {}),
    ...(flags.cdnOriginHost === undefined ? {} : { cdnOriginHost: flags.cdnOriginHost }),
    ...(flavor === undefined ? {} : { databaseFlavor: flavor as (typeof flavors)[number] }),
    ...(flags.databaseCluster === undefined ? {} : { databaseCluster: flags.databaseCluster }),
  };
}

function pairs(flag: string, items: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const at = item.indexOf('=');
    if (at <= 0) throw new UsageError(`${flag} "${item}": expected key=value`);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}
