import { systemClock, type SleepingClock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { ChaosDriver, FaultHandle } from '../driver.js';
import { injectOnKubernetes, revertOnKubernetes, type ChaosCluster } from './apply.js';
import { chaosKinds, type ChaosKind, type ChaosRef } from './chaos-object.js';
import { kubernetesChaosCluster } from './kubernetes-cluster.js';
import { chaosManifests } from './manifests.js';
import type { KubernetesFaultOptions } from './options.js';

export interface KubernetesDriverOptions {
  /** Everything `chaosManifests` needs but the run id, which comes with each fault. */
  readonly faults: Omit<KubernetesFaultOptions, 'runId'>;
  readonly runId: string;
  readonly kubeconfig?: string;
  readonly logger: Logger;
  /** Default: the cluster of the kube context, through @kubernetes/client-node (imported only then). */
  readonly cluster?: ChaosCluster;
  readonly waitTimeoutMs?: number;
  readonly pollMs?: number;
  /** Stamps `verifiedAt` and paces the wait; default the system clock. */
  readonly clock?: SleepingClock;
}

/**
 * Faults as Chaos Mesh objects: created after a server-side dry run, waited on until Chaos Mesh says
 * they are injected, and deleted to revert (deleting is how Chaos Mesh recovers). Objects carry the
 * run id as a label, so leftovers of a killed run are found by label as well as by the state file.
 */
export function kubernetesDriver(options: KubernetesDriverOptions): ChaosDriver {
  let cluster: Promise<ChaosCluster> | undefined;
  const connect = (): Promise<ChaosCluster> =>
    (cluster ??= options.cluster
      ? Promise.resolve(options.cluster)
      : kubernetesChaosCluster({
          ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
          logger: options.logger,
        }));
  const objectsOf = (spec: Parameters<ChaosDriver['plan']>[0]) =>
    chaosManifests(spec, { ...options.faults, runId: options.runId });
  return {
    target: 'kubernetes',
    plan(spec) {
      return {
        kind: 'kubernetes',
        ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
        objects: objectsOf(spec).map((o) => ({
          kind: o.kind,
          namespace: o.metadata.namespace,
          name: o.metadata.name,
        })),
      };
    },
    async inject(spec, _handle, signal) {
      const objects = objectsOf(spec);
      const created = await injectOnKubernetes(objects, await connect(), {
        signal,
        ...(options.waitTimeoutMs === undefined ? {} : { waitTimeoutMs: options.waitTimeoutMs }),
        ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
        ...(options.clock === undefined ? {} : { clock: options.clock }),
      });
      const names = created.map((ref) => `${ref.kind} ${ref.namespace}/${ref.name}`).join(', ');
      return {
        verifiedAt: (options.clock ?? systemClock).now(),
        verification: `Chaos Mesh reports AllInjected for ${names}`,
      };
    },
    async revert(handle) {
      const refs = refsOf(handle);
      if (refs.length > 0) await revertOnKubernetes(refs, await connect());
    },
  };
}

function refsOf(handle: FaultHandle): ChaosRef[] {
  if (handle.kind !== 'kubernetes') return [];
  return handle.objects.flatMap((o) =>
    (chaosKinds as readonly string[]).includes(o.kind)
      ? [{ kind: o.kind as ChaosKind, namespace: o.namespace, name: o.name }]
      : [],
  );
}
