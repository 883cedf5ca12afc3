import { EnvironmentError, UsageError } from '../../core/errors.js';
import {
  credentialsHint,
  firstLine,
  loadKubeConfig,
  statusMessage,
  unansweredRequest,
} from '../../core/kube-context.js';
import type { Logger } from '../../core/logger.js';
import type { ManifestTarget } from './apply.js';

export interface KubernetesTargetOptions {
  /** Path of a kubeconfig file; default KUBECONFIG, then ~/.kube/config, then in-cluster. */
  readonly kubeconfig?: string;
  readonly logger: Logger;
}

/**
 * The cluster of the current kube context, through @kubernetes/client-node. The client is imported
 * here and only here: it takes about 400 ms to load, which no other command should pay.
 * Every failure becomes one line naming the object and what to do (exit 3).
 */
export async function kubernetesTarget(options: KubernetesTargetOptions): Promise<ManifestTarget> {
  const k8s = await import('@kubernetes/client-node');
  const { config, server } = loadKubeConfig(k8s, options.kubeconfig);
  const core = config.makeApiClient(k8s.CoreV1Api);
  const custom = config.makeApiClient(k8s.CustomObjectsApi);
  const failure = (error: unknown, kind: string, metadata: { name: string; namespace?: string }) => {
    const status =
      error instanceof k8s.ApiException ? { code: error.code, body: error.body as unknown } : undefined;
    return apiFailure(error, status, { kind, ...metadata, server });
  };
  return {
    async createConfigMap(configMap) {
      const namespace = requireNamespace(configMap.metadata.namespace);
      try {
        await core.createNamespacedConfigMap({ namespace, body: configMap });
      } catch (error) {
        throw failure(error, 'ConfigMap', configMap.metadata);
      }
      options.logger.info(`created ConfigMap ${namespace}/${configMap.metadata.name}`, {
        context: config.getCurrentContext(),
      });
    },
    async createTestRun(testRun) {
      const namespace = requireNamespace(testRun.metadata.namespace);
      let created: unknown;
      try {
        created = await custom.createNamespacedCustomObject({
          group: 'k6.io',
          version: 'v1alpha1',
          namespace,
          plural: 'testruns',
          body: testRun,
        });
      } catch (error) {
        throw failure(error, 'TestRun', testRun.metadata);
      }
      options.logger.info(
        `created TestRun ${namespace}/${testRun.metadata.name}; follow it with: kubectl get testrun ${testRun.metadata.name} -n ${namespace} -w`,
      );
      return uidOf(created);
    },
    async setConfigMapOwner(configMap, owner) {
      const { name } = configMap.metadata;
      const namespace = requireNamespace(configMap.metadata.namespace);
      const outlives = (reason: string): void =>
        options.logger.warn(
          `ConfigMap ${namespace}/${name} will outlive the test (${reason}): ` +
            `delete it afterwards with kubectl delete configmap ${name} -n ${namespace}`,
        );
      if (owner.uid === '') {
        outlives('the API server answered the TestRun without a uid');
        return;
      }
      const ownerReferences = [
        { apiVersion: 'k6.io/v1alpha1', kind: 'TestRun', name: owner.name, uid: owner.uid },
      ];
      try {
        await core.patchNamespacedConfigMap(
          { name, namespace, body: { metadata: { ownerReferences } } },
          k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
        );
      } catch (error) {
        const reason = error instanceof k8s.ApiException ? statusMessage(error.body as unknown) : undefined;
        outlives(reason ?? firstLine(error));
      }
    },
    async deleteConfigMap(configMap) {
      const namespace = requireNamespace(configMap.metadata.namespace);
      await core.deleteNamespacedConfigMap({ name: configMap.metadata.name, namespace });
      options.logger.info(`deleted ConfigMap ${namespace}/${configMap.metadata.name} again`);
    },
  };
}

function uidOf(object: unknown): string {
  if (typeof object !== 'object' || object === null || !('metadata' in object)) return '';
  const { metadata } = object;
  if (typeof metadata !== 'object' || metadata === null || !('uid' in metadata)) return '';
  return typeof metadata.uid === 'string' ? metadata.uid : '';
}

function requireNamespace(namespace: string | undefined): string {
  // The command checks this first; the objects are created namespaced and never in "default" by chance.
  if (namespace === undefined) throw new UsageError('--apply needs --namespace');
  return namespace;
}

interface FailedObject {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly server: string;
}

/** One line for a failed request: the API server's own message when it answered, the cause when not. */
function apiFailure(
  error: unknown,
  status: { code: number; body: unknown } | undefined,
  object: FailedObject,
): EnvironmentError {
  const { kind, name, namespace = 'default', server } = object;
  const subject = `${kind} ${namespace}/${name}`;
  if (status === undefined) return unansweredRequest(`create ${subject}`, server, error);
  if (status.code === 409) {
    return new EnvironmentError(
      `${subject} already exists: delete it with \`kubectl delete testrun/${name} configmap/${name} -n ${namespace} --ignore-not-found\`, ` +
        'or choose another --name',
    );
  }
  const reason = statusMessage(status.body);
  const hint =
    status.code === 404 && kind === 'TestRun'
      ? ' (is k6-operator installed? its TestRun CRD is missing)'
      : credentialsHint(status.code);
  return new EnvironmentError(
    `cannot create ${subject}: the API server answered ${status.code}${reason ? `: ${reason}` : ''}${hint}`,
  );
}
