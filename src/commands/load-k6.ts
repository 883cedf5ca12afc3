import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ExitCode, UsageError } from '../core/errors.js';
import { buildLoadPlan } from '../loadgen/build-plan.js';
import { applyManifests, dryRunTarget } from '../loadgen/k6/apply.js';
import { checkClusterTarget } from '../loadgen/k6/cluster-target.js';
import { kubernetesTarget } from '../loadgen/k6/kubernetes-target.js';
import { checkNamespace, operatorManifestsYaml, renderOperatorManifests } from '../loadgen/k6/operator.js';
import { peakVus } from '../loadgen/k6/scenario.js';
import { renderK6Script } from '../loadgen/k6/script.js';
import { sloCoverageGaps } from '../loadgen/k6/thresholds.js';
import type { ExecutorKind } from '../loadgen/plan.js';
import type { PresetName } from '../loadgen/presets.js';
import { defaultProfile, parseLoadProfile, type LoadProfile } from '../loadgen/profile.js';
import { loadSloFiles } from '../slo/load.js';
import { version } from '../version.js';
import type { CommandContext } from './context.js';
import { loadFlags } from './load-run-flags.js';

/** The flags of `load k6` as commander hands them over: the plan flags are those of `load run`. */
export interface LoadK6Options {
  /** Load profile file (shopsre/v1 LoadProfile). */
  readonly profile?: string;
  readonly preset?: PresetName;
  readonly target?: string;
  readonly rate?: string;
  readonly vus?: string;
  readonly maxInFlight?: string;
  readonly duration?: string;
  readonly executor?: ExecutorKind;
  readonly journey?: 'checkout' | 'single';
  readonly seed?: string;
  /** SLO file whose SLOs become thresholds. */
  readonly slo?: string;
  /** Write the script (or the manifests) here instead of stdout. */
  readonly out?: string;
  /** Print a ConfigMap and a k6-operator TestRun instead of the bare script. */
  readonly operator: boolean;
  /** Runner pods of the TestRun; default 1. */
  readonly parallelism?: string;
  readonly namespace?: string;
  /** Name of the ConfigMap and TestRun; default the run id. */
  readonly name?: string;
  /** Create the objects in the cluster; without it nothing is sent. */
  readonly apply: boolean;
  /** kubeconfig file; default KUBECONFIG or ~/.kube/config. */
  readonly kubeconfig?: string;
  /** Hosts outside the TestRun's namespace that its runners may load (with --apply). */
  readonly allowTarget?: readonly string[];
}

/** `load k6`: the plan of `load run` as a k6 script, or as k6-operator objects, optionally applied. */
export async function runLoadK6(options: LoadK6Options, ctx: CommandContext): Promise<ExitCode> {
  const { io, logger } = ctx;
  checkFlags(options);
  const profile = options.profile === undefined ? defaultProfile : await readProfile(options.profile, io.cwd);
  // The same parsing as `load run`, so a flag means and reports the same in both; the fields that only
  // matter to a run in this process get their neutral values.
  const flags = loadFlags({ ...options, workers: undefined, json: false, abortWhen: [], allowTarget: [] });
  const plan = buildLoadPlan(flags.plan, profile);
  // A run's thresholds compare its own ratio with the budget; the SLO period plays no part.
  const slos =
    options.slo === undefined
      ? []
      : await loadSloFiles([options.slo], { defaultPeriodMs: 30 * 24 * 3600_000, cwd: io.cwd });
  for (const gap of sloCoverageGaps(plan, slos)) logger.warn(gap);
  const script = renderK6Script(plan, slos, { version });

  if (!options.operator) {
    await writeOutput(options.out, script, ctx);
    logger.info(`k6 script for the ${plan.journey.kind} journey with ${slos.length} SLO threshold(s)`, {
      executor: plan.executor.kind,
      out: options.out,
    });
    return ExitCode.ok;
  }

  const parallelism = parallelismFlag(options.parallelism);
  const vus = peakVus(plan.executor);
  if (parallelism > vus) {
    throw new UsageError(
      `--parallelism ${parallelism} exceeds the ${vus} VUs of the plan: each runner needs at least one`,
    );
  }
  const runId = runIdAt(ctx.clock.now());
  const manifests = renderOperatorManifests(script, {
    name: options.name ?? runId,
    namespace: options.namespace,
    parallelism,
    runId,
  });
  if (options.apply && options.namespace !== undefined) {
    checkClusterTarget(plan.journey.target, options.namespace, options.allowTarget ?? []);
  }
  const target = options.apply
    ? await kubernetesTarget({ kubeconfig: options.kubeconfig, logger })
    : dryRunTarget(logger);
  await applyManifests(manifests, target);
  // Printed once applied (or dry-run), so a failed --apply leaves one error line and no manifests
  // that might be mistaken for objects in the cluster.
  await writeOutput(options.out, operatorManifestsYaml(manifests, version), ctx);
  return ExitCode.ok;
}

/** Flag combinations that cannot mean what the user wants; checked before anything is read or sent. */
function checkFlags(options: LoadK6Options): void {
  if (!options.operator) {
    const operatorOnly = [
      ['--apply', options.apply || undefined],
      ['--parallelism', options.parallelism],
      ['--namespace', options.namespace],
      ['--name', options.name],
      ['--kubeconfig', options.kubeconfig],
    ] as const;
    const given = operatorOnly.filter(([, value]) => value !== undefined).map(([flag]) => flag);
    if (given.length > 0) {
      throw new UsageError(`${given.join(', ')} only apply to k6-operator manifests: add --operator`);
    }
  }
  if (options.namespace !== undefined) checkNamespace(options.namespace);
  if (options.apply && options.namespace === undefined) {
    throw new UsageError('--apply needs --namespace: say where the TestRun goes rather than use the default');
  }
}

function parallelismFlag(text: string | undefined): number {
  if (text === undefined) return 1;
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`--parallelism "${text}": expected a whole number of runners, at least 1`);
  }
  return value;
}

async function readProfile(path: string, cwd: string): Promise<LoadProfile> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, path), 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read --profile ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return parseLoadProfile(path, text);
}

/** `shopsre-20250101-100000`: a label value and a k6 tag, unique per second of the clock. */
function runIdAt(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `shopsre-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

async function writeOutput(out: string | undefined, text: string, ctx: CommandContext): Promise<void> {
  if (out === undefined) {
    ctx.io.stdout.write(text);
    return;
  }
  const path = resolve(ctx.io.cwd, out);
  try {
    await writeFile(path, text, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot write ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
