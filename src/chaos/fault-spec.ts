import { UsageError } from '../core/errors.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { closestWord } from '../core/did-you-mean.js';
import {
  catalogue,
  faultNames,
  type FaultName,
  type FaultParam,
  type FaultSpec,
  type FaultTarget,
} from './catalogue.js';

/**
 * A fault as the user names it (`vendor-outage --for 30s --param rate=0.5`) turned into a FaultSpec:
 * defaults applied, every value checked against its bounds, the duration within the fault's maximum.
 * Every problem is a UsageError (exit 2) that names the flag and what is allowed.
 */
export function resolveFaultSpec(
  name: string,
  rawParams: readonly string[] | Readonly<Record<string, string | number>>,
  duration: string | number | undefined,
): FaultSpec {
  if (!(faultNames as readonly string[]).includes(name)) {
    const hint = closestWord(name, faultNames);
    throw new UsageError(
      `unknown fault "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}: see shopsre chaos list`,
    );
  }
  const definition = catalogue[name as FaultName];
  const given = Array.isArray(rawParams)
    ? parsePairs(rawParams as readonly string[])
    : (rawParams as Readonly<Record<string, string | number>>);
  const params: Record<string, number | string> = {};
  for (const key of Object.keys(given)) {
    if (!(key in definition.params)) {
      const known = Object.keys(definition.params);
      const hint = closestWord(key, known);
      throw new UsageError(
        `${name} has no parameter "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; it takes ${known.join(', ')}`,
      );
    }
  }
  for (const [key, param] of Object.entries(definition.params)) {
    params[key] = key in given ? checkValue(name, key, param, given[key] as string | number) : param.default;
  }
  const durationMs =
    duration === undefined
      ? definition.defaultDurationMs
      : typeof duration === 'number'
        ? duration
        : parseDuration(duration);
  if (durationMs === undefined || durationMs <= 0) {
    throw new UsageError(`--for "${String(duration)}": expected a duration such as 30s or 5m`);
  }
  if (durationMs > definition.maxDurationMs) {
    throw new UsageError(
      `--for ${formatDuration(durationMs)}: ${name} lasts at most ${formatDuration(definition.maxDurationMs)}`,
    );
  }
  return { fault: definition.name, target: targetOf(definition.name, params), params, durationMs };
}

function targetOf(fault: FaultName, params: Readonly<Record<string, number | string>>): FaultTarget {
  const definition = catalogue[fault];
  if (fault === 'partition') return params.dependency as FaultTarget;
  if (fault === 'cdn-slowness') return params.where === 'edge' ? 'cdn-edge' : 'cdn-origin';
  if ('vendor' in definition.params) return params.vendor === 'backup' ? 'vendor-backup' : 'vendor-primary';
  return definition.target;
}

function parsePairs(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--param "${pair}": expected name=value, e.g. --param rate=0.5`);
    out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return out;
}

function checkValue(fault: string, key: string, param: FaultParam, raw: string | number): number | string {
  const where = `--param ${key}=${raw}`;
  switch (param.kind) {
    case 'number': {
      const value = typeof raw === 'number' ? raw : Number(raw);
      if (typeof raw === 'string' && (raw === '' || !Number.isFinite(value))) {
        throw new UsageError(`${where}: ${fault}'s ${key} is a number (${param.description})`);
      }
      if (value < param.min || value > param.max) {
        const unit = param.unit ? ` ${param.unit}` : '';
        throw new UsageError(`${where}: ${key} must be from ${param.min} to ${param.max}${unit}`);
      }
      return value;
    }
    case 'choice':
      if (!param.choices.includes(String(raw))) {
        throw new UsageError(`${where}: ${key} is one of ${param.choices.join(', ')}`);
      }
      return String(raw);
    case 'text':
      return String(raw);
  }
}
