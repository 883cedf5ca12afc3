import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { formatDuration } from '../core/duration.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { cryptoRandom, mintRunId } from '../core/run-id.js';
import { resolveFaultSpec } from '../chaos/fault-spec.js';
import { localDriver, type LocalDriverOptions } from '../chaos/local/local-driver.js';
import { runFault } from '../chaos/run-fault.js';
import type { CommandContext } from './context.js';
import { leftoverDrivers } from '../chaos/leftover-drivers.js';
import { defaultProxyUrl, statePathOf } from '../chaos/state-path.js';
import { abortOnStopSignal, type SignalSource } from './signals.js';
import type { ChaosDriver } from '../chaos/driver.js';
import type { ChaosCluster } from '../chaos/kubernetes/apply.js';
import { kubernetesFaultOptions, type KubernetesFlags } from './chaos-kubernetes-flags.js';

export interface ChaosInjectOptions {
  readonly fault: string;
  readonly for?: string;
  readonly param: readonly string[];
  readonly target: 'local' | 'kubernetes';
  readonly proxyUrl?: string;
  readonly state?: string;
  readonly replicaAddress?: string;
  readonly promoteCommand?: string;
  readonly json: boolean;
  /** Kubernetes: what the kubernetes driver needs (namespace, apply, ...). */
  readonly kubernetes?: KubernetesFlags;
}

export interface ChaosInjectDeps {
  readonly signals?: SignalSource;
  /** A Chaos Mesh API other than the kube context's (tests: a stub on loopback). */
  readonly kubernetesCluster?: ChaosCluster;
}

/**
 * `chaos inject <fault>`: inject, verify, hold for `--for` (or until SIGINT/SIGTERM), revert. The
 * revert happens however the hold ends; a SIGKILL leaves the state file for `chaos revert`.
 * Exit 0 reverted (also when stopped early), 2 bad input, 3 the proxies or cluster failed.
 */
export async function runChaosInject(
  options: ChaosInjectOptions,
  ctx: CommandContext,
  deps: ChaosInjectDeps = {},
): Promise<ExitCode> {
  const spec = resolveFaultSpec(options.fault, options.param, options.for);
  if ((options.replicaAddress === undefined) !== (options.promoteCommand === undefined)) {
    throw new UsageError('--replica-address and --promote-command go together (a real PostgreSQL failover)');
  }
  if (options.replicaAddress !== undefined && spec.fault !== 'db-failover') {
    throw new UsageError('--replica-address and --promote-command are for db-failover only');
  }
  const runId = mintRunId('chaos', ctx.clock, cryptoRandom());
  if (options.target === 'kubernetes' && !options.kubernetes?.apply) {
    return dryRun(spec, options, runId, ctx);
  }
  const driver =
    options.target === 'kubernetes'
      ? await kubernetes(options, deps, runId, ctx)
      : localDriver(localOptions(options));
  const stop = abortOnStopSignal(deps.signals ?? process);
  const statePath = statePathOf(options.state, ctx.io.cwd);
  try {
    const run = await runFault({
      spec,
      driver,
      statePath,
      runId,
      signal: stop.signal,
      leftoverDrivers: leftoverDrivers(ctx.logger),
      events: {
        leftoverReverted: (f) =>
          ctx.logger.warn(`reverted a leftover ${f.fault} of run ${f.runId} (pid ${f.pid} is gone)`),
        injected: (f, report) => {
          if (!options.json) {
            ctx.io.stderr.write(
              `injected ${f.fault} on ${spec.target} (${options.target}) for ${formatDuration(spec.durationMs)}: ${report.verification}\n` +
                'Ctrl-C reverts it early\n',
            );
          }
        },
      },
    });
    const summary = {
      runId,
      fault: spec.fault,
      target: options.target,
      dependency: spec.target,
      params: spec.params,
      startedAt: run.fault.startedAt,
      verifiedAt: run.fault.verifiedAt ?? null,
      revertedAt: new Date(run.revertedAt).toISOString(),
      end: run.end,
      verification: run.report.verification,
    };
    if (options.json) ctx.io.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      const held = formatDuration(Math.max(1, Math.round(run.revertedAt - Date.parse(run.fault.startedAt))));
      ctx.io.stdout.write(
        `${spec.fault} reverted after ${held}${run.end === 'interrupted' ? ' (stopped early)' : ''}\n`,
      );
    }
    return ExitCode.ok;
  } finally {
    stop.dispose();
  }
}

function localOptions(options: ChaosInjectOptions): LocalDriverOptions {
  const controlUrl = options.proxyUrl ?? defaultProxyUrl;
  if (options.replicaAddress === undefined || options.promoteCommand === undefined) return { controlUrl };
  const command = options.promoteCommand;
  return {
    controlUrl,
    databaseFailover: {
      replicaAddress: options.replicaAddress,
      // The user's own script: it knows how their primary stops and their replica is promoted.
      promote: async () => {
        await promisify(execFile)('/bin/sh', ['-c', command], { timeout: 120_000 });
      },
    },
  };
}

async function kubernetes(
  options: ChaosInjectOptions,
  deps: ChaosInjectDeps,
  runId: string,
  ctx: CommandContext,
): Promise<ChaosDriver> {
  const { kubernetesDriver } = await import('../chaos/kubernetes/kubernetes-driver.js');
  return kubernetesDriver({
    faults: kubernetesFaultOptions(options.kubernetes ?? emptyKubernetesFlags),
    runId,
    ...(options.kubernetes?.kubeconfig === undefined ? {} : { kubeconfig: options.kubernetes.kubeconfig }),
    ...(deps.kubernetesCluster ? { cluster: deps.kubernetesCluster } : {}),
    logger: ctx.logger,
  });
}

const emptyKubernetesFlags: KubernetesFlags = {
  allowNamespace: [],
  storeSelector: [],
  vendorHost: [],
  apply: false,
};

/** Without --apply, a Kubernetes fault is only shown: the objects that --apply would create. */
async function dryRun(
  spec: ReturnType<typeof resolveFaultSpec>,
  options: ChaosInjectOptions,
  runId: string,
  ctx: CommandContext,
): Promise<ExitCode> {
  const { chaosManifests, renderChaosManifests } = await import('../chaos/kubernetes/manifests.js');
  const objects = chaosManifests(spec, {
    ...kubernetesFaultOptions(options.kubernetes ?? emptyKubernetesFlags),
    runId,
  });
  ctx.io.stdout.write(renderChaosManifests(objects));
  ctx.io.stderr.write(
    `dry run: ${objects.length} Chaos Mesh object(s) shown, nothing sent; --apply creates them\n`,
  );
  return ExitCode.ok;
}
