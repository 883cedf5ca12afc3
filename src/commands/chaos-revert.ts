import { ExitCode } from '../core/errors.js';
import type { ChaosDriver, FaultHandle } from '../chaos/driver.js';
import { revertLeftovers } from '../chaos/run-fault.js';
import type { CommandContext } from './context.js';
import { leftoverDrivers } from '../chaos/leftover-drivers.js';
import { statePathOf } from '../chaos/state-path.js';

export interface ChaosRevertDeps {
  /** Reverts Kubernetes faults; also finds shopsre's objects by label with --all. */
  readonly kubernetesDriver?: (handle: FaultHandle) => ChaosDriver;
  readonly kubernetesLeftovers?: () => Promise<number>;
}

/**
 * `chaos revert`: takes back the faults that killed runs left (their pid is gone), or every recorded
 * fault with --all. Exit 0 when nothing is left, 3 when a revert failed (it stays recorded).
 */
export async function runChaosRevert(
  options: { readonly state?: string; readonly all: boolean; readonly json: boolean },
  ctx: CommandContext,
  deps: ChaosRevertDeps = {},
): Promise<ExitCode> {
  const { reverted, failed } = await revertLeftovers({
    statePath: statePathOf(options.state, ctx.io.cwd),
    all: options.all,
    leftoverDrivers: {
      ...leftoverDrivers(ctx.logger),
      ...(deps.kubernetesDriver ? { kubernetes: deps.kubernetesDriver } : {}),
    },
  });
  const labelled = deps.kubernetesLeftovers ? await deps.kubernetesLeftovers() : 0;
  if (options.json) {
    ctx.io.stdout.write(
      `${JSON.stringify({ reverted: reverted.map((f) => ({ id: f.id, fault: f.fault, target: f.target })), failed: failed.map((f) => ({ id: f.fault.id, error: f.error })), kubernetesObjectsDeleted: labelled })}\n`,
    );
  } else {
    for (const f of reverted)
      ctx.io.stdout.write(`reverted ${f.fault} (${f.target}) left by run ${f.runId}\n`);
    for (const f of failed)
      ctx.io.stderr.write(`could not revert ${f.fault.fault} of run ${f.fault.runId}: ${f.error}\n`);
    if (labelled > 0) ctx.io.stdout.write(`deleted ${labelled} Chaos Mesh objects labelled by shopsre\n`);
    if (reverted.length === 0 && failed.length === 0 && labelled === 0)
      ctx.io.stdout.write('nothing to revert\n');
  }
  return failed.length > 0 ? ExitCode.environment : ExitCode.ok;
}

/** Deletes every Chaos Mesh object shopsre labelled (in one namespace, or all); returns how many. */
export async function labelledLeftovers(
  namespace: string | undefined,
  kubeconfig: string | undefined,
  ctx: CommandContext,
): Promise<number> {
  const [{ kubernetesChaosCluster }, { findLeftovers, revertOnKubernetes }] = await Promise.all([
    import('../chaos/kubernetes/kubernetes-cluster.js'),
    import('../chaos/kubernetes/apply.js'),
  ]);
  const cluster = await kubernetesChaosCluster({
    ...(kubeconfig === undefined ? {} : { kubeconfig }),
    logger: ctx.logger,
  });
  const found = await findLeftovers(cluster, namespace);
  const outcomes = await revertOnKubernetes(found, cluster);
  return outcomes.filter((o) => o.outcome === 'deleted').length;
}
