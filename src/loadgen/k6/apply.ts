import { EnvironmentError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ConfigMapManifest, OperatorManifests, TestRunManifest } from './operator.js';

/**
 * Where `load k6 --operator` sends its objects. With `--apply` that is the cluster; without, a dry run
 * that logs each write instead of making it (sloth's dry-run repository, `internal/storage/k8s/dry_run.go`),
 * so the code that decides what to create is the same in both modes.
 */
export interface ManifestTarget {
  createConfigMap(configMap: ConfigMapManifest): Promise<void>;
  /** Resolves to the uid the API server gave the TestRun. */
  createTestRun(testRun: TestRunManifest): Promise<string>;
  /** Best effort, never throws: the test is already running, so a failure here is only a warning. */
  setConfigMapOwner(
    configMap: ConfigMapManifest,
    owner: { readonly name: string; readonly uid: string },
  ): Promise<void>;
  deleteConfigMap(configMap: ConfigMapManifest): Promise<void>;
}

/**
 * Creates the ConfigMap, then the TestRun that mounts it, then makes the TestRun the ConfigMap's
 * owner: k6-operator deletes the TestRun when the test ends (`cleanup: post`), and the garbage
 * collector then deletes the ConfigMap, so runs leave nothing behind. When the TestRun cannot be
 * created, the ConfigMap just made is deleted again, so a failed apply leaves nothing to collide with
 * the next attempt either.
 */
export async function applyManifests(manifests: OperatorManifests, target: ManifestTarget): Promise<void> {
  await target.createConfigMap(manifests.configMap);
  let uid: string;
  try {
    uid = await target.createTestRun(manifests.testRun);
  } catch (error) {
    try {
      await target.deleteConfigMap(manifests.configMap);
    } catch {
      const { name, namespace = 'default' } = manifests.configMap.metadata;
      if (error instanceof EnvironmentError) {
        throw new EnvironmentError(
          `${error.message}; the ConfigMap ${namespace}/${name} it left could not be deleted either: ` +
            `kubectl delete configmap ${name} -n ${namespace}`,
        );
      }
    }
    throw error;
  }
  await target.setConfigMapOwner(manifests.configMap, { name: manifests.testRun.metadata.name, uid });
}

export function dryRunTarget(logger: Logger): ManifestTarget {
  const where = (namespace: string | undefined): string => namespace ?? "the kube context's namespace";
  return {
    createConfigMap: (configMap) => {
      const { name, namespace } = configMap.metadata;
      logger.info(`dry run: would create ConfigMap ${name} in ${where(namespace)}`);
      return Promise.resolve();
    },
    createTestRun: (testRun) => {
      const { name, namespace } = testRun.metadata;
      logger.info(
        `dry run: would create TestRun ${name} in ${where(namespace)} with ${testRun.spec.parallelism} runner(s); ` +
          'add --apply to create them',
      );
      return Promise.resolve('');
    },
    setConfigMapOwner: () => Promise.resolve(),
    deleteConfigMap: () => Promise.resolve(),
  };
}
