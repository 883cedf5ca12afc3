import type { Logger } from '../../core/logger.js';
import type { ChaosCluster, ObservedChaos } from './apply.js';
import { describeRef, refOf, type ChaosObject } from './chaos-object.js';

/**
 * The default without `--apply`, shaped like sloth's dry-run repository
 * (`internal/storage/k8s/dry_run.go`): reads go to the cluster, writes are logged instead of sent.
 * Not even the server-side dry run is sent: without `--apply` the cluster sees nothing but reads.
 * An object the dry run "created" reads back as Chaos Mesh would report it once injected, so the
 * code that injects, waits and reverts runs unchanged in both modes.
 */
export function dryRunCluster(cluster: ChaosCluster, logger: Logger): ChaosCluster {
  const pretended = new Map<string, ChaosObject>();
  const key = (kind: string, namespace: string, name: string) => `${kind} ${namespace}/${name}`;
  return {
    server: cluster.server,
    create(object, { dryRun }) {
      if (dryRun) return Promise.resolve();
      pretended.set(key(object.kind, object.metadata.namespace, object.metadata.name), object);
      logger.info(`dry run: would create ${describeRef(refOf(object))}; add --apply to inject the fault`);
      return Promise.resolve();
    },
    async get(kind, namespace, name) {
      const object = pretended.get(key(kind, namespace, name));
      return object === undefined ? cluster.get(kind, namespace, name) : injected(object);
    },
    async delete(kind, namespace, name) {
      const exists =
        pretended.delete(key(kind, namespace, name)) ||
        (await cluster.get(kind, namespace, name)) !== undefined;
      if (exists) logger.info(`dry run: would delete ${kind} ${namespace}/${name}`);
      return exists ? 'deleted' : 'absent';
    },
    listByLabel: (namespace, labelSelector) => cluster.listByLabel(namespace, labelSelector),
  };
}

function injected(object: ChaosObject): ObservedChaos {
  return {
    ...refOf(object),
    labels: object.metadata.labels,
    conditions: [
      { type: 'Selected', status: 'True' },
      { type: 'AllInjected', status: 'True' },
    ],
  };
}
