import { UsageError } from '../../core/errors.js';

/** RFC 1123 label, which a namespace must be. */
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The cluster's own namespaces (and Chaos Mesh's): a fault there can take the control plane or the
 * chaos controller down with the store, and the controller would then be unable to recover it.
 */
const refusedNamespaces: ReadonlySet<string> = new Set([
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'chaos-mesh',
]);

/**
 * Refuses (exit 2) a missing namespace, one of the cluster's own (`kube-*`, `chaos-mesh`), and, when
 * an allowlist is given, any namespace not on it. Returns the namespace for the caller to use.
 */
export function checkChaosNamespace(
  namespace: string | undefined,
  allowedNamespaces?: readonly string[],
): string {
  if (namespace === undefined || namespace === '') {
    throw new UsageError(
      '--namespace is required: say where the chaos objects go rather than use the default',
    );
  }
  if (!dnsLabel.test(namespace) || namespace.length > 63) {
    throw new UsageError(
      `--namespace "${namespace}": expected a Kubernetes namespace (lowercase letters, digits and '-', at most 63)`,
    );
  }
  if (refusedNamespaces.has(namespace) || namespace.startsWith('kube-')) {
    throw new UsageError(
      `--namespace ${namespace} belongs to the cluster or to Chaos Mesh: refusing to inject faults there; choose a namespace of yours`,
    );
  }
  if (allowedNamespaces !== undefined && !allowedNamespaces.includes(namespace)) {
    const allowed =
      allowedNamespaces.length === 0 ? 'none is allowed' : `allowed: ${allowedNamespaces.join(', ')}`;
    throw new UsageError(`--namespace ${namespace} is not in the namespace allowlist (${allowed})`);
  }
  return namespace;
}
