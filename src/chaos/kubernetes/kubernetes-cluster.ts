import * as z from 'zod';
import { EnvironmentError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { firstLine, loadKubeConfig } from '../../core/kube-context.js';
import { chaosApiFailure, type ApiStatus, type ApiVerb } from './api-failure.js';
import type { ChaosCluster, ObservedChaos } from './apply.js';
import {
  chaosApiGroup,
  chaosKinds,
  chaosPlurals,
  chaosVersion,
  describeRef,
  refOf,
  type ChaosKind,
} from './chaos-object.js';

export interface KubernetesClusterOptions {
  /** Path of a kubeconfig file; default KUBECONFIG, then ~/.kube/config, then in-cluster. */
  readonly kubeconfig?: string;
  readonly logger: Logger;
}

/**
 * The cluster of the current kube context, through @kubernetes/client-node's CustomObjectsApi. The
 * client is imported here and only here: it takes about 400 ms to load, which no other command
 * should pay. Every failure becomes one line naming the object and the API server (exit 3).
 */
export async function kubernetesChaosCluster(options: KubernetesClusterOptions): Promise<ChaosCluster> {
  const k8s = await import('@kubernetes/client-node');
  const { config, server } = loadKubeConfig(k8s, options.kubeconfig);
  const api = config.makeApiClient(k8s.CustomObjectsApi);
  const statusOf = (error: unknown): ApiStatus | undefined =>
    error instanceof k8s.ApiException ? { code: error.code, body: error.body as unknown } : undefined;
  const failure = (verb: ApiVerb, subject: Parameters<typeof chaosApiFailure>[1], error: unknown) =>
    chaosApiFailure(verb, subject, server, error, statusOf(error));
  const resource = (kind: ChaosKind) => ({
    group: chaosApiGroup,
    version: chaosVersion,
    plural: chaosPlurals[kind],
  });

  return {
    server,
    async create(object, { dryRun }) {
      const ref = refOf(object);
      try {
        await api.createNamespacedCustomObject({
          ...resource(object.kind),
          namespace: ref.namespace,
          body: object,
          ...(dryRun && { dryRun: 'All' }),
        });
      } catch (error) {
        throw failure(dryRun ? 'dry-run' : 'create', ref, error);
      }
      if (dryRun) options.logger.debug(`the API server admitted ${describeRef(ref)} in a dry run`);
      else options.logger.info(`created ${describeRef(ref)}`, { context: config.getCurrentContext() });
    },
    async get(kind, namespace, name) {
      let object: unknown;
      try {
        object = await api.getNamespacedCustomObject({ ...resource(kind), namespace, name });
      } catch (error) {
        if (statusOf(error)?.code === 404) return undefined;
        throw failure('read', { kind, namespace, name }, error);
      }
      return observed(kind, object);
    },
    async delete(kind, namespace, name) {
      try {
        await api.deleteNamespacedCustomObject({ ...resource(kind), namespace, name });
      } catch (error) {
        if (statusOf(error)?.code === 404) return 'absent';
        throw failure('delete', { kind, namespace, name }, error);
      }
      options.logger.info(`deleted ${kind} ${namespace}/${name}: Chaos Mesh recovers its fault`);
      return 'deleted';
    },
    async listByLabel(namespace, labelSelector) {
      const found: ObservedChaos[] = [];
      for (const kind of chaosKinds) {
        let list: unknown;
        try {
          list =
            namespace === undefined
              ? await api.listClusterCustomObject({ ...resource(kind), labelSelector })
              : await api.listNamespacedCustomObject({ ...resource(kind), namespace, labelSelector });
        } catch (error) {
          throw failure('list', { kind, namespace }, error);
        }
        const items = listSchema.safeParse(list);
        if (!items.success) throw unreadable(`the ${kind} list`, server);
        found.push(...items.data.items.map((item) => observed(kind, item)));
      }
      return found;
    },
  };

  function observed(kind: ChaosKind, object: unknown): ObservedChaos {
    const parsed = observedSchema.safeParse(object);
    if (!parsed.success) throw unreadable(`a ${kind}`, server);
    const { metadata, status } = parsed.data;
    const failures = (status?.experiment?.containerRecords ?? [])
      .flatMap((record) => record.events ?? [])
      .filter((event) => event.type === 'Failed' && event.message !== undefined);
    const lastFailure = failures.at(-1)?.message;
    return {
      kind,
      namespace: metadata.namespace,
      name: metadata.name,
      labels: metadata.labels ?? {},
      conditions: status?.conditions ?? [],
      ...(lastFailure !== undefined && { lastFailure: firstLine(lastFailure) }),
    };
  }
}

/** Only what the driver reads of an object; Chaos Mesh's status carries much more. */
const observedSchema = z.object({
  metadata: z.object({
    name: z.string(),
    namespace: z.string(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
  status: z
    .object({
      conditions: z.array(z.object({ type: z.string(), status: z.string() })).optional(),
      experiment: z
        .object({
          containerRecords: z
            .array(
              z.object({
                events: z.array(z.object({ type: z.string(), message: z.string().optional() })).optional(),
              }),
            )
            .nullish(),
        })
        .optional(),
    })
    .optional(),
});

const listSchema = z.object({ items: z.array(z.unknown()) });

function unreadable(what: string, server: string): EnvironmentError {
  return new EnvironmentError(
    `the API server ${server} answered ${what} this driver cannot read: is it Chaos Mesh's chaos-mesh.org/v1alpha1?`,
  );
}
