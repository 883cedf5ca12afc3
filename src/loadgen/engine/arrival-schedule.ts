import type { ExecutorConfig } from '../plan.js';
import type { Partition } from './types.js';

export type ArrivalConfig = Extract<
  ExecutorConfig,
  { kind: 'constant-arrival-rate' | 'ramping-arrival-rate' }
>;

interface Arrival {
  /** Global index over the whole run, whatever the partition. */
  readonly iteration: number;
  /** Intended start, in milliseconds since the run started. */
  readonly atMs: number;
}

/** A stretch where the rate moves linearly, in iterations per `timeUnitMs`. */
interface RateStretch {
  readonly startMs: number;
  readonly durationMs: number;
  readonly fromRate: number;
  readonly toRate: number;
}

export function arrivalDurationMs(config: ArrivalConfig): number {
  return config.kind === 'constant-arrival-rate'
    ? config.durationMs
    : config.stages.reduce((sum, stage) => sum + stage.durationMs, 0);
}

function rateStretches(config: ArrivalConfig): RateStretch[] {
  if (config.kind === 'constant-arrival-rate') {
    return [{ startMs: 0, durationMs: config.durationMs, fromRate: config.rate, toRate: config.rate }];
  }
  const stretches: RateStretch[] = [];
  let startMs = 0;
  let fromRate = config.startRate;
  for (const stage of config.stages) {
    stretches.push({ startMs, durationMs: stage.durationMs, fromRate, toRate: stage.target });
    startMs += stage.durationMs;
    fromRate = stage.target;
  }
  return stretches;
}

/**
 * Intended start times, computed from the run's start (never from the previous sleep, so they do not
 * drift). The number of iterations due by time t is the area under the rate curve up to t, as in
 * k6's ramping-arrival-rate (https://github.com/grafana/k6/issues/1299); iteration n starts the
 * instant that area reaches n. Counting from 0 puts the first start at 0, as k6's
 * constant-arrival-rate does (its ramping executor counts from 1), so both executors agree and a
 * window [a, b) holds exactly the whole numbers between the areas at a and b.
 */
export function* arrivals(config: ArrivalConfig, partition: Partition): Generator<Arrival> {
  const timeUnitMs = config.timeUnitMs;
  let areaBefore = 0;
  let iteration = partition.index;
  for (const stretch of rateStretches(config)) {
    const area = ((stretch.fromRate + stretch.toRate) * stretch.durationMs) / (2 * timeUnitMs);
    // The tolerance keeps float error from placing an iteration due exactly at a stretch's end
    // just inside it (and so inside the run when it is the last stretch).
    for (; iteration < areaBefore + area - 1e-9; iteration += partition.count) {
      const offsetMs = timeToArea(iteration - areaBefore, stretch, timeUnitMs);
      yield { iteration, atMs: stretch.startMs + Math.min(offsetMs, stretch.durationMs) };
    }
    areaBefore += area;
  }
}

/**
 * Time into a stretch at which the area under the rate reaches `area`: the root of
 * r0·t + (r1 − r0)·t² / 2D = area, written as 2·area / (r0 + √(r0² + 2·slope·area)) so it stays exact
 * when the rate is flat or starts at zero.
 */
function timeToArea(area: number, stretch: RateStretch, timeUnitMs: number): number {
  if (area <= 0) return 0;
  const r0 = stretch.fromRate / timeUnitMs;
  const slope = (stretch.toRate - stretch.fromRate) / timeUnitMs / stretch.durationMs;
  return (2 * area) / (r0 + Math.sqrt(Math.max(0, r0 * r0 + 2 * slope * area)));
}
