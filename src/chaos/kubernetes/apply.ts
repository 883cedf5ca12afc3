import { systemClock, type SleepingClock } from '../../core/clock.js';
import { EnvironmentError } from '../../core/errors.js';
import {} from './api-failure.js';
import { firstLine } from '../../core/kube-context.js';
import {
  chaosLabels,
  describeRef,
  kubectlDelete,
  leftoverSelector,
  refOf,
  type ChaosKind,
  type ChaosObject,
  type ChaosRef,
  type Labels,
} from './chaos-object.js';
import { goDuration } from './go-duration.js';

/** A chaos object as read back from the cluster: who it is, and what Chaos Mesh says about it. */
export interface ObservedChaos extends ChaosRef {
  readonly labels: Labels;
  /** `status.conditions`: `Selected`, `AllInjected`, `AllRecovered`, `Paused`, each `"True"` or `"False"`. */
  readonly conditions: readonly { readonly type: string; readonly status: string }[];
  /** The message of the last `Failed` event in `status.experiment.containerRecords`, if any. */
  readonly lastFailure?: string;
}

/**
 * What the driver needs from a cluster: four calls, so the dry run, the real client and the tests'
 * fakes are each a small object. Failures are one-line EnvironmentErrors naming the object and the
 * API server.
 */
export interface ChaosCluster {
  /** The API server, for messages. */
  readonly server: string;
  /**
   * `dryRun`: the API server validates and admits the object but stores nothing; Chaos Mesh's
   * admission webhooks declare `sideEffects: None`, so they run on a dry run too.
   */
  create(object: ChaosObject, options: { readonly dryRun: boolean }): Promise<void>;
  /** Undefined when there is no such object. */
  get(kind: ChaosKind, namespace: string, name: string): Promise<ObservedChaos | undefined>;
  /** Deleting a chaos object is how Chaos Mesh recovers it; `absent` when it was already gone. */
  delete(kind: ChaosKind, namespace: string, name: string): Promise<'deleted' | 'absent'>;
  /** Every chaos kind's objects with these labels, in one namespace or (undefined) in all. */
  listByLabel(namespace: string | undefined, labelSelector: string): Promise<readonly ObservedChaos[]>;
}

/** Time for the wait: read and slept on through this, so tests neither sleep nor freeze time. */
export type WaitClock = SleepingClock;

export interface InjectOptions {
  /** SIGINT, SIGTERM or a stop condition: the objects made so far are deleted and the wait ends. */
  readonly signal?: AbortSignal;
  /** How long Chaos Mesh may take to inject every object. Default 60 s. */
  readonly waitTimeoutMs?: number;
  /** Between two reads of the objects' status. Default 1 s. */
  readonly pollMs?: number;
  /** Default: the system clock. */
  readonly clock?: WaitClock;
}

/**
 * Injects a fault's objects: a server-side dry run of each first (so a schema, webhook or RBAC refusal
 * of the last object happens before the first is made), then each is created, then the wait until
 * Chaos Mesh reports every one injected. Any failure, timeout or abort after the first create deletes
 * what was made before the error travels on, so nothing is left behind but what the error names.
 * Resolves to the handles that `revertOnKubernetes` takes back.
 */
export async function injectOnKubernetes(
  objects: readonly ChaosObject[],
  cluster: ChaosCluster,
  options: InjectOptions = {},
): Promise<ChaosRef[]> {
  for (const object of objects) {
    options.signal?.throwIfAborted();
    try {
      await cluster.create(object, { dryRun: true });
    } catch (error) {
      throw error instanceof EnvironmentError
        ? new EnvironmentError(`${error.message}; nothing was created`)
        : error;
    }
  }
  const created: ChaosRef[] = [];
  try {
    for (const object of objects) {
      options.signal?.throwIfAborted();
      await cluster.create(object, { dryRun: false });
      created.push(refOf(object));
    }
    await waitUntilInjected(created, cluster, options);
    return created;
  } catch (error) {
    throw await undo(created, cluster, error);
  }
}

export interface RevertOutcome {
  readonly ref: ChaosRef;
  readonly outcome: 'deleted' | 'absent';
}

/**
 * Deletes each object (Chaos Mesh recovers the fault); what is already gone counts as reverted. Every
 * object is tried, then one error names those left and the command that deletes each.
 */
export async function revertOnKubernetes(
  handles: readonly ChaosRef[],
  cluster: ChaosCluster,
): Promise<RevertOutcome[]> {
  const outcomes: RevertOutcome[] = [];
  const failures: string[] = [];
  for (const ref of handles) {
    try {
      outcomes.push({ ref, outcome: await cluster.delete(ref.kind, ref.namespace, ref.name) });
    } catch (error) {
      failures.push(`${firstLine(error)}; delete it with ${kubectlDelete(ref)}`);
    }
  }
  if (failures.length > 0) throw new EnvironmentError(failures.join('; '));
  return outcomes;
}

export interface Leftover extends ChaosRef {
  readonly runId: string | undefined;
  readonly fault: string | undefined;
}

/** Objects this tool made and nobody deleted (a run killed mid-fault), for `chaos revert`. */
export async function findLeftovers(cluster: ChaosCluster, namespace?: string): Promise<Leftover[]> {
  const found = await cluster.listByLabel(namespace, leftoverSelector);
  return found.map(({ kind, namespace: ns, name, labels }) => ({
    kind,
    namespace: ns,
    name,
    runId: labels[chaosLabels.runId],
    fault: labels[chaosLabels.fault],
  }));
}

/**
 * Injected means `Selected` and `AllInjected` both `"True"`: the controller sets `AllInjected` when no
 * selected pod is still waiting, which an object whose selector matched nothing also satisfies
 * (chaos-mesh `controllers/condition/controller.go`: its loop over no records leaves it true).
 */
function isInjected(observed: ObservedChaos): boolean {
  const holds = (type: string) => observed.conditions.some((c) => c.type === type && c.status === 'True');
  return holds('Selected') && holds('AllInjected');
}

async function waitUntilInjected(refs: readonly ChaosRef[], cluster: ChaosCluster, options: InjectOptions) {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.waitTimeoutMs ?? 60_000;
  const pollMs = options.pollMs ?? 1000;
  const deadline = clock.now() + timeoutMs;
  let pending = refs;
  for (;;) {
    const observed = await Promise.all(pending.map((ref) => cluster.get(ref.kind, ref.namespace, ref.name)));
    const waiting: { ref: ChaosRef; observed: ObservedChaos }[] = [];
    pending.forEach((ref, i) => {
      const current = observed[i];
      if (current === undefined) {
        throw new EnvironmentError(
          `${describeRef(ref)} disappeared from ${cluster.server} before Chaos Mesh injected it: was it deleted by hand?`,
        );
      }
      if (!isInjected(current)) waiting.push({ ref, observed: current });
    });
    if (waiting.length === 0) return;
    options.signal?.throwIfAborted();
    const now = clock.now();
    if (now >= deadline) throw notInjected(waiting, timeoutMs);
    pending = waiting.map((w) => w.ref);
    await clock.sleep(Math.min(pollMs, deadline - now), options.signal);
    options.signal?.throwIfAborted();
  }
}

function notInjected(waiting: readonly { ref: ChaosRef; observed: ObservedChaos }[], timeoutMs: number) {
  const first = waiting[0];
  const conditions =
    (first?.observed.conditions ?? []).map((c) => `${c.type}=${c.status}`).join(', ') || 'none yet';
  const failure =
    first?.observed.lastFailure === undefined ? '' : `, last failure: ${first.observed.lastFailure}`;
  const names = waiting.map((w) => describeRef(w.ref)).join(', ');
  const selected =
    first?.observed.conditions.some((c) => c.type === 'Selected' && c.status === 'True') ?? false;
  const hint = selected
    ? 'check the chaos-daemon logs'
    : 'does the selector match running pods, and is the Chaos Mesh controller running?';
  return new EnvironmentError(
    `${names} not injected within ${goDuration(timeoutMs)} (conditions: ${conditions}${failure}): ${hint}`,
  );
}

/**
 * Deletes what was created before `error`. The error then says so; when the deletion fails too, an
 * EnvironmentError (even in place of an abort) names what is left and how to delete it.
 */
async function undo(created: readonly ChaosRef[], cluster: ChaosCluster, error: unknown): Promise<unknown> {
  if (created.length === 0) return error;
  try {
    await revertOnKubernetes(created, cluster);
  } catch (undoError) {
    return new EnvironmentError(
      `${firstLine(error)}; and the objects made could not be deleted: ${firstLine(undoError)}`,
    );
  }
  return error instanceof EnvironmentError
    ? new EnvironmentError(`${error.message}; the objects made were deleted again`)
    : error;
}
