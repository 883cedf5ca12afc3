import type { Logger } from '../core/logger.js';
import type { ChaosDriver, DriverTarget, FaultHandle } from './driver.js';
import { localDriver } from './local/local-driver.js';
import { defaultProxyUrl } from './state-path.js';

/** Reverts a recorded Kubernetes fault with the kubeconfig it was injected with; loads client-node only then. */
function kubernetesLeftover(handle: FaultHandle, logger: Logger): ChaosDriver {
  const kubeconfig = handle.kind === 'kubernetes' ? handle.kubeconfig : undefined;
  return {
    target: 'kubernetes',
    plan: () => {
      throw new Error('only reverts');
    },
    inject: () => Promise.reject(new Error('only reverts')),
    async revert(recorded) {
      const { kubernetesDriver } = await import('./kubernetes/kubernetes-driver.js');
      const namespace =
        recorded.kind === 'kubernetes' ? (recorded.objects[0]?.namespace ?? 'default') : 'default';
      await kubernetesDriver({
        faults: { namespace },
        runId: 'revert',
        ...(kubeconfig === undefined ? {} : { kubeconfig }),
        logger,
      }).revert(recorded);
    },
  };
}

/**
 * Drivers that revert what a recorded fault names, with the control URL or kubeconfig it was injected
 * with: what `chaos revert` and the next `chaos inject` use for the leftovers of killed runs.
 */
export function leftoverDrivers(logger: Logger): Record<DriverTarget, (handle: FaultHandle) => ChaosDriver> {
  return {
    local: (handle) => {
      const controlUrl = handle.kind === 'local' ? handle.controlUrl : defaultProxyUrl;
      // The host it was injected through was allowed then; taking the fault back goes there too.
      return localDriver({ controlUrl, allowHosts: [new URL(controlUrl).hostname] });
    },
    kubernetes: (handle) => kubernetesLeftover(handle, logger),
  };
}
