import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ExitCode } from '../core/errors.js';
import { resolveFaultSpec } from '../chaos/fault-spec.js';
import type { CommandContext } from './context.js';
import { kubernetesFaultOptions, type KubernetesFlags } from './chaos-kubernetes-flags.js';

export interface ChaosManifestOptions {
  readonly fault: string;
  readonly for?: string;
  readonly param: readonly string[];
  readonly runId?: string;
  readonly out?: string;
  readonly kubernetes: KubernetesFlags;
}

/** `chaos manifest`: the Chaos Mesh objects of a fault as YAML; nothing is sent anywhere. */
export async function runChaosManifest(
  options: ChaosManifestOptions,
  ctx: CommandContext,
): Promise<ExitCode> {
  const spec = resolveFaultSpec(options.fault, options.param, options.for);
  const { chaosManifests, renderChaosManifests } = await import('../chaos/kubernetes/manifests.js');
  const runId =
    options.runId ?? `manual-${new Date(ctx.clock.now()).toISOString().slice(0, 10).replaceAll('-', '')}`;
  const yaml = renderChaosManifests(
    chaosManifests(spec, { ...kubernetesFaultOptions(options.kubernetes), runId }),
  );
  if (options.out) await writeFile(resolve(ctx.io.cwd, options.out), yaml);
  else ctx.io.stdout.write(yaml);
  return ExitCode.ok;
}
