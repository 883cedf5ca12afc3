import { createHash } from 'node:crypto';
import { UsageError } from '../../core/errors.js';
import { catalogue, type FaultSpec } from '../catalogue.js';
import {
  approximationAnnotation,
  chaosApiVersion,
  chaosLabels,
  managedBy,
  type ChaosKind,
  type ChaosObjectOf,
  type Labels,
  type PodSelector,
} from './chaos-object.js';
import { goDuration } from './go-duration.js';
import type { ResolvedFaultOptions } from './options.js';

/** What a fault mapping reads: the fault as the catalogue resolved it, and the driver's options. */
export interface FaultContext {
  readonly spec: FaultSpec;
  readonly options: ResolvedFaultOptions;
}

type SpecBody<K extends ChaosKind> = Omit<
  ChaosObjectOf<K>['spec'],
  'mode' | 'value' | 'selector' | 'duration'
>;

/**
 * One object for the fault: name, namespace, labels, the blast radius over `source`, the duration,
 * and, when Chaos Mesh cannot do what the fault means, an annotation that says how it falls short.
 * Fields come in the order the Chaos Mesh docs write them, so the printed YAML reads like theirs.
 */
export function chaosObject<K extends ChaosKind>(
  context: FaultContext,
  kind: K,
  source: Labels,
  body: SpecBody<K>,
  approximations: readonly string[] = [],
): ChaosObjectOf<K> {
  const { spec, options } = context;
  const { action, ...rest } = body;
  const { mode, value } = options.blastRadius;
  const annotations =
    approximations.length > 0 ? { [approximationAnnotation]: approximations.join('; ') } : undefined;
  return {
    apiVersion: chaosApiVersion,
    kind,
    metadata: {
      name: objectName(spec.fault, options.runId),
      namespace: options.namespace,
      labels: {
        [chaosLabels.managedBy]: managedBy,
        [chaosLabels.runId]: options.runId,
        [chaosLabels.fault]: spec.fault,
      },
      ...(annotations && { annotations }),
    },
    spec: {
      action,
      mode,
      ...(value !== undefined && { value }),
      selector: podSelector(context, source),
      ...rest,
      duration: goDuration(checkedDuration(spec)),
    } as ChaosObjectOf<K>['spec'],
  };
}

export function podSelector(context: FaultContext, labels: Labels): PodSelector {
  return { namespaces: [context.options.namespace], labelSelectors: labels };
}

/**
 * `shopsre-<fault>-<run id>`, lowercased into a DNS-1123 label of at most 63 characters, so the name
 * can also stand in a label value. A longer one keeps its start and ends with a hash of the whole, so
 * two long run ids that share a prefix still get two names.
 */
function objectName(fault: string, runId: string): string {
  const full = `shopsre-${fault}-${runId}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+$/, '');
  if (full.length <= 63) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, 54).replace(/-+$/, '')}-${hash}`;
}

/**
 * A Chaos Mesh object without a duration lasts until someone deletes it, so the bound the catalogue
 * promises is checked here too, whoever built the spec.
 */
function checkedDuration(spec: FaultSpec): number {
  const max = catalogue[spec.fault].maxDurationMs;
  if (!Number.isInteger(spec.durationMs) || spec.durationMs <= 0 || spec.durationMs > max) {
    throw new UsageError(
      `${spec.fault}: duration ${spec.durationMs} ms is outside 1 ms to ${goDuration(max)}, the fault's maximum`,
    );
  }
  return spec.durationMs;
}

/** A parameter as the catalogue declares it: the spec's value, else the catalogue's default. */
export function numberParam(spec: FaultSpec, name: string): number {
  const value = spec.params[name] ?? catalogue[spec.fault].params[name]?.default;
  if (typeof value !== 'number') throw new UsageError(`${spec.fault}: parameter ${name} must be a number`);
  return value;
}

/** One of the choices the catalogue lists, so a mapping's last branch can stand for the last choice. */
export function choiceParam(spec: FaultSpec, name: string): string {
  const param = catalogue[spec.fault].params[name];
  const value = spec.params[name] ?? param?.default;
  if (typeof value !== 'string' || param?.kind !== 'choice' || !param.choices.includes(value)) {
    const choices = param?.kind === 'choice' ? `: one of ${param.choices.join(', ')}` : '';
    throw new UsageError(`${spec.fault}: parameter ${name} "${String(value)}" is not a choice${choices}`);
  }
  return value;
}

/** A share from 0 to 1 as netem's percentage, without float noise (0.07 → "7", not "7.000000000000001"). */
export function percent(share: number): string {
  return String(Math.round(share * 10_000) / 100);
}

/** The host the edge fetches from, which only the caller can know. */
export function originHost(context: FaultContext): string {
  const host = context.options.cdnOriginHost;
  if (host === undefined) {
    throw new UsageError(
      `${context.spec.fault} acts between the CDN edge and its origin: give the origin's host (cdnOriginHost)`,
    );
  }
  return host;
}
