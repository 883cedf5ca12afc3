import type { ExecutorConfig, Stage } from '../plan.js';
import type { JsValue } from './js-literal.js';

/**
 * The plan's executor as a k6 scenario. Both use k6's executor names and meanings, so this is a
 * renaming of fields (`maxInFlight` is k6's `maxVUs`), plus durations written as k6 strings.
 */
export function k6Scenario(executor: ExecutorConfig): JsValue {
  switch (executor.kind) {
    case 'constant-arrival-rate': {
      const { rates, timeUnitMs } = wholeRates([executor.rate], executor.timeUnitMs);
      return {
        executor: executor.kind,
        rate: rates[0] ?? 0,
        timeUnit: k6Duration(timeUnitMs),
        duration: k6Duration(executor.durationMs),
        // All of them up front: k6 warns that starting VUs mid-test costs time, which would show up as
        // late iterations that our generator (whose slots exist from the start) does not have.
        preAllocatedVUs: executor.maxInFlight,
        maxVUs: executor.maxInFlight,
      };
    }
    case 'ramping-arrival-rate': {
      const targets = executor.stages.map((stage) => stage.target);
      const { rates, timeUnitMs } = wholeRates([executor.startRate, ...targets], executor.timeUnitMs);
      return {
        executor: executor.kind,
        startRate: rates[0] ?? 0,
        timeUnit: k6Duration(timeUnitMs),
        stages: k6Stages(executor.stages.map((stage, i) => ({ ...stage, target: rates[i + 1] ?? 0 }))),
        preAllocatedVUs: executor.maxInFlight,
        maxVUs: executor.maxInFlight,
      };
    }
    case 'constant-vus':
      return { executor: executor.kind, vus: executor.vus, duration: k6Duration(executor.durationMs) };
    case 'ramping-vus':
      return { executor: executor.kind, startVUs: executor.startVus, stages: k6Stages(executor.stages) };
  }
}

/** The most VUs the scenario runs at once: the ceiling on useful k6-operator parallelism. */
export function peakVus(executor: ExecutorConfig): number {
  switch (executor.kind) {
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return executor.maxInFlight;
    case 'constant-vus':
      return executor.vus;
    case 'ramping-vus':
      return Math.max(executor.startVus, ...executor.stages.map((stage) => stage.target));
  }
}

/**
 * k6 takes whole iterations per time unit; a plan may say 2.5/s. Scaling rate and time unit by the
 * same power of ten keeps the pace (2.5/s becomes 25 per 10s); past six decimals the rate is rounded.
 */
function wholeRates(rates: readonly number[], timeUnitMs: number): { rates: number[]; timeUnitMs: number } {
  const isWhole = (value: number): boolean => Math.abs(value - Math.round(value)) < 1e-9 * Math.max(1, value);
  let scale = 1;
  while (scale < 1_000_000 && !rates.every((rate) => isWhole(rate * scale))) scale *= 10;
  return { rates: rates.map((rate) => Math.round(rate * scale)), timeUnitMs: timeUnitMs * scale };
}

function k6Stages(stages: readonly Stage[]): JsValue {
  return stages.map((stage) => ({ duration: k6Duration(stage.durationMs), target: stage.target }));
}

/**
 * A k6 duration string (Go's time.ParseDuration syntax: `1m30s`, `1500ms`). Whole seconds are
 * written in h/m/s so scripts read naturally; anything finer stays in milliseconds.
 */
export function k6Duration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new Error(`invalid duration ${ms} ms`);
  if (ms === 0) return '0s';
  if (ms % 1000 !== 0) return `${ms}ms`;
  const seconds = ms / 1000;
  const parts = [
    [Math.floor(seconds / 3600), 'h'],
    [Math.floor((seconds % 3600) / 60), 'm'],
    [seconds % 60, 's'],
  ] as const;
  return parts
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value}${unit}`)
    .join('');
}
