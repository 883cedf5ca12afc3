import type * as k8s from '@kubernetes/client-node';
import { EnvironmentError, UsageError } from './errors.js';

/**
 * What `load k6 --apply` and the Chaos Mesh driver share about talking to Kubernetes. The client
 * module is passed in, imported by the caller only when needed (it takes about 400 ms to load).
 */

/** The kube context's config; refuses a missing context rather than the client's localhost:8080 default. */
export function loadKubeConfig(
  client: typeof k8s,
  kubeconfig: string | undefined,
): { config: k8s.KubeConfig; server: string } {
  const config = new client.KubeConfig();
  try {
    if (kubeconfig === undefined) config.loadFromDefault();
    else config.loadFromFile(kubeconfig);
  } catch (error) {
    const file = kubeconfig === undefined ? '' : ` ${kubeconfig}`;
    throw new UsageError(`cannot read the kubeconfig${file}: ${firstLine(error)}`);
  }
  const cluster = config.getCurrentCluster();
  // With no kubeconfig at all, the client falls back to http://localhost:8080, where the store itself
  // may be listening; refuse rather than send objects to whatever answers there.
  if (!cluster || config.getCurrentContext() === 'loaded-context') {
    throw new EnvironmentError(
      'no Kubernetes context: set KUBECONFIG, create ~/.kube/config, or give --kubeconfig FILE',
    );
  }
  return { config, server: cluster.server };
}

/** Errors that mean no answer came back, as opposed to a client refusing its own configuration. */
const networkCodes: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** The one line for a request that got no answer from the API server. */
export function unansweredRequest(doing: string, server: string, error: unknown): EnvironmentError {
  const code =
    typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
      ? error.code
      : undefined;
  return new EnvironmentError(
    code !== undefined && networkCodes.has(code)
      ? `cannot ${doing}: the Kubernetes API server ${server} is unreachable (${code}); check the kube context`
      : `cannot ${doing}: the request to the Kubernetes API server ${server} failed: ${firstLine(error)}`,
  );
}

/** The `message` of a Kubernetes Status object, whether the client handed it over parsed or as text. */
export function statusMessage(body: unknown): string | undefined {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return firstLine(value) || undefined;
    }
  }
  if (
    typeof value === 'object' &&
    value !== null &&
    'message' in value &&
    typeof value.message === 'string'
  ) {
    return firstLine(value.message);
  }
  return undefined;
}

/** A hint for the status codes every Kubernetes request can meet. */
export function credentialsHint(code: number): string {
  return code === 401 || code === 403 ? ' (check the credentials and RBAC of the kube context)' : '';
}

export function firstLine(value: unknown): string {
  const text = value instanceof Error ? value.message : String(value);
  return text.split('\n')[0]?.trim() ?? text;
}
