import { UsageError } from '../../core/errors.js';
import { normalizeHost } from '../../core/loopback.js';
import { targetRefused } from '../safety.js';

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The rule of `load run` carried into the cluster: k6 runner pods may load a Service of the
 * namespace they run in without asking; any other host (another namespace's Service, an IP, a
 * name outside the cluster, even the pod's own loopback) must be named with `--allow-target`.
 * Checked before anything is sent to the API server.
 */
export function checkClusterTarget(target: string, namespace: string, allowed: readonly string[]): void {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new UsageError(`--target "${target}": expected an http:// or https:// URL`);
  }
  const host = normalizeHost(url.hostname);
  const named = new Set(allowed.map(normalizeHost));
  if (named.has(host) || named.has(url.host.toLowerCase())) return;
  if (isServiceIn(host, namespace)) return;
  throw targetRefused(
    host,
    `from the cluster only Services of namespace ${namespace} (name, name.${namespace}, name.${namespace}.svc[.cluster domain]) are allowed by default`,
    host,
  );
}

/**
 * Whether a pod in `namespace` reaches a Service of its own namespace through this name: a bare
 * `name` resolves in the pod's namespace; `name.ns` and `name.ns.svc[.cluster domain]` name theirs.
 */
function isServiceIn(host: string, namespace: string): boolean {
  const labels = host.split('.');
  if (!labels.every((label) => dnsLabel.test(label))) return false;
  if (labels.length === 1) return true;
  if (labels[1] !== namespace) return false;
  return labels.length === 2 || labels[2] === 'svc';
}
