import type { ChaosDriver, DriverTarget, FaultHandle } from '../chaos/driver.js';
import { localDriver } from '../chaos/local/local-driver.js';
import type { CommandContext } from './context.js';

/** Reverts a recorded Kubernetes fault with the kubeconfig it was injected with; loads client-node only then. */
function kubernetesLeftover(handle: FaultHandle, ctx: CommandContext): ChaosDriver {
  const kubeconfig = handle.kind === 'kubernetes' ? handle.kubeconfig : undefined;
  return {
    target: 'kubernetes',
    plan: () => {
      throw new Error('only reverts');
    },
    inject: () => Promise.reject(new Error('only reverts')),
    async revert(recorded) {
      const { kubernetesDriver } = await import('../chaos/kubernetes/kubernetes-driver.js');
      const namespace =
        recorded.kind === 'kubernetes' ? (recorded.objects[0]?.namespace ?? 'default') : 'default';
      await kubernetesDriver({
        faults: { namespace },
        runId: 'revert',
        ...(kubeconfig === undefined ? {} : { kubeconfig }),
        logger: ctx.logger,
      }).revert(recorded);
    },
  };
}

/**
 * Drivers that revert what a recorded fault names, with the control URL or kubeconfig it was injected
 * with: what `chaos revert` and the next `chaos inject` use for the leftovers of killed runs.
 */
export function leftoverDrivers(
  ctx: CommandContext,
): Record<DriverTarget, (handle: FaultHandle) => ChaosDriver> {
  return {
    local: (handle) =>
      localDriver({ controlUrl: handle.kind === 'local' ? handle.controlUrl : 'http://127.0.0.1:8474' }),
    kubernetes: (handle) => kubernetesLeftover(handle, ctx),
  };
}
