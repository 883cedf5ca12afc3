import { availableParallelism } from 'node:os';
import { parseDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import { numberFlag as number } from './number-flag.js';
import type { LoadFlags } from '../loadgen/build-plan.js';
import type { ExecutorKind } from '../loadgen/plan.js';
import type { PresetName } from '../loadgen/presets.js';

/** The flags of `load run` as commander hands them over: text, checked here. */
export interface LoadRunFlags {
  readonly target?: string;
  readonly executor?: ExecutorKind;
  readonly rate?: string;
  readonly vus?: string;
  readonly duration?: string;
  readonly maxInFlight?: string;
  readonly journey?: 'checkout' | 'single';
  readonly seed?: string;
  readonly preset?: PresetName;
  readonly profile?: string;
  readonly workers?: string;
  readonly out?: string;
  readonly json: boolean;
  readonly slo?: string;
  /** With --slo: NO DATA fails the gate. */
  readonly requireData?: boolean;
  readonly abortWhen: readonly string[];
  readonly allowTarget: readonly string[];
}

/** Parses the numeric and duration flags; a bad value is a usage error naming the flag. */
export function loadFlags(flags: LoadRunFlags): { plan: LoadFlags; workers: number } {
  const durationMs = flags.duration === undefined ? undefined : parseDurationFlag(flags.duration);
  const plan: LoadFlags = {
    ...(flags.target === undefined ? {} : { target: flags.target }),
    ...(flags.executor === undefined ? {} : { executor: flags.executor }),
    ...optionalNumber('rate', number('--rate', flags.rate, { min: Number.MIN_VALUE })),
    ...optionalNumber('vus', number('--vus', flags.vus, { integer: true, min: 1 })),
    ...optionalNumber('durationMs', durationMs),
    ...optionalNumber('maxInFlight', number('--max-in-flight', flags.maxInFlight, { integer: true, min: 1 })),
    ...(flags.journey === undefined ? {} : { journey: flags.journey }),
    ...optionalNumber('seed', number('--seed', flags.seed, { integer: true })),
    ...(flags.preset === undefined ? {} : { preset: flags.preset }),
  };
  // More threads than cores only adds scheduling noise to the latencies.
  const cores = availableParallelism();
  const workers =
    number('--workers', flags.workers, { integer: true, min: 1, max: cores, maxWhy: 'on this machine' }) ?? 1;
  return { plan, workers };
}

function optionalNumber<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

function parseDurationFlag(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new UsageError(`--duration "${text}": expected a duration such as 30s, 5m or 1h30m`);
  return ms;
}
