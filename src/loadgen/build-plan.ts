import { formatDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import { executorDurationMs } from './engine/run-executor.js';
import type { ExecutorConfig, ExecutorKind, LoadPlan } from './plan.js';
import { presetExecutor, presetPopularity, type PresetName } from './presets.js';
import { defaultProfile, loadDefaults, maxRunMs, type LoadProfile } from './profile.js';

/** The flags of `load run` that shape the plan, already parsed; absent means "not given". */
export interface LoadFlags {
  readonly target?: string;
  readonly executor?: ExecutorKind;
  readonly rate?: number;
  readonly vus?: number;
  readonly durationMs?: number;
  readonly maxInFlight?: number;
  readonly journey?: 'checkout' | 'single';
  readonly seed?: number;
  readonly preset?: PresetName;
}

/**
 * Combines flags, a profile and a preset into the plan of a run. Flags win over the profile, and the
 * profile over the defaults. A preset replaces the profile's executor and is shaped around the base
 * rate and duration of the flags (or of the profile's constant-arrival-rate executor).
 *
 * A flag that the chosen executor has no use for is refused rather than ignored: `--rate` with
 * `ramping-vus` most likely means the user expected something else to happen.
 */
export function buildLoadPlan(flags: LoadFlags, profile: LoadProfile = defaultProfile): LoadPlan {
  const target = flags.target ?? profile.target;
  if (target === undefined) throw new UsageError('no target: give --target URL, or a --profile with target');
  if (!/^https?:$/.test(URL.parse(target)?.protocol ?? '')) {
    throw new UsageError(`--target "${target}": expected an http(s) URL such as http://127.0.0.1:8080`);
  }
  const executor = flags.preset === undefined ? executorFrom(flags, profile) : presetFrom(flags, profile);
  const lengthMs = executorDurationMs(executor);
  if (lengthMs > maxRunMs) {
    throw new UsageError(`the run would last ${formatDuration(lengthMs)}: a run lasts at most 24h`);
  }
  const popularity =
    flags.preset === undefined ? undefined : presetPopularity(flags.preset, profile.journey.products);
  return {
    executor,
    journey: {
      ...profile.journey,
      products: popularity ?? profile.journey.products,
      kind: flags.journey ?? profile.journey.kind,
      target,
      seed: flags.seed ?? profile.seed,
    },
    latencyBucketsMs: profile.latencyBucketsMs,
  };
}

function presetFrom(flags: LoadFlags, profile: LoadProfile): ExecutorConfig {
  const preset = flags.preset ?? 'steady';
  if (flags.executor !== undefined) {
    throw new UsageError(`--preset ${preset} chooses the executor: drop --executor ${flags.executor}`);
  }
  if (flags.vus !== undefined) {
    throw new UsageError(`--preset ${preset} is an arrival-rate shape: give --rate, not --vus`);
  }
  const own = profile.executor?.kind === 'constant-arrival-rate' ? profile.executor : undefined;
  const arrival = profile.executor && 'maxInFlight' in profile.executor ? profile.executor : undefined;
  return presetExecutor(preset, {
    rate: flags.rate ?? own?.rate ?? loadDefaults.rate,
    timeUnitMs: arrival?.timeUnitMs ?? loadDefaults.timeUnitMs,
    durationMs: flags.durationMs ?? own?.durationMs ?? loadDefaults.durationMs,
    maxInFlight: flags.maxInFlight ?? arrival?.maxInFlight ?? loadDefaults.maxInFlight,
  });
}

function executorFrom(flags: LoadFlags, profile: LoadProfile): ExecutorConfig {
  // `--vus 20 --duration 1m` alone means constant VUs, as in `k6 run --vus 20 --duration 1m`.
  const implied = flags.vus !== undefined && profile.executor === undefined ? 'constant-vus' : undefined;
  const kind = flags.executor ?? implied ?? profile.executor?.kind ?? 'constant-arrival-rate';
  const base = profile.executor?.kind === kind ? profile.executor : defaultExecutor(kind);
  const refuse = (flag: string, fits: string): never => {
    throw new UsageError(`${flag} does not apply to ${kind}: it sets ${fits}`);
  };
  switch (base.kind) {
    case 'constant-arrival-rate':
      if (flags.vus !== undefined) refuse('--vus', 'constant-vus');
      return {
        ...base,
        rate: flags.rate ?? base.rate,
        durationMs: flags.durationMs ?? base.durationMs,
        maxInFlight: flags.maxInFlight ?? base.maxInFlight,
      };
    case 'ramping-arrival-rate':
      if (flags.rate !== undefined) refuse('--rate', 'constant-arrival-rate (ramps come from stages)');
      if (flags.durationMs !== undefined)
        refuse('--duration', 'constant executors (ramps last their stages)');
      if (flags.vus !== undefined) refuse('--vus', 'constant-vus');
      return { ...base, maxInFlight: flags.maxInFlight ?? base.maxInFlight };
    case 'constant-vus':
      if (flags.rate !== undefined) refuse('--rate', 'arrival-rate executors');
      if (flags.maxInFlight !== undefined) refuse('--max-in-flight', 'arrival-rate executors (VUs bound it)');
      return { ...base, vus: flags.vus ?? base.vus, durationMs: flags.durationMs ?? base.durationMs };
    case 'ramping-vus':
      if (flags.rate !== undefined) refuse('--rate', 'arrival-rate executors');
      if (flags.vus !== undefined) refuse('--vus', 'constant-vus (ramps come from stages)');
      if (flags.durationMs !== undefined)
        refuse('--duration', 'constant executors (ramps last their stages)');
      if (flags.maxInFlight !== undefined) refuse('--max-in-flight', 'arrival-rate executors (VUs bound it)');
      return base;
  }
}

function defaultExecutor(kind: ExecutorKind): ExecutorConfig {
  const { rate, timeUnitMs, durationMs, maxInFlight, vus } = loadDefaults;
  switch (kind) {
    case 'constant-arrival-rate':
      return { kind, rate, timeUnitMs, durationMs, maxInFlight };
    case 'constant-vus':
      return { kind, vus, durationMs };
    case 'ramping-arrival-rate':
    case 'ramping-vus':
      throw new UsageError(
        `${kind} needs stages: give a --profile whose executor has them, or --preset flash-sale|spike|hot-product`,
      );
  }
}
