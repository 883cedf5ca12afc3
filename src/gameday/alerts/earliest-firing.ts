import { formatDuration } from '../../core/duration.js';
import { burnFactor, errorBudgetRatio, type AlertTier, type BurnWindow, type Slo } from '../../slo/model.js';
import type { Detection } from '../journal.js';

/**
 * The detection bound of a tier: how soon its alert can fire after the error ratio steps from 0 to
 * `errorRatio`, with traffic otherwise steady. A window of length W whose traffic began B before
 * the step shows, x after the step, the ratio e·x / min(W, x + B); it passes the threshold f·b
 * when x > f·b·W/e with a full window (the workbook's L·f·b/e), or earlier, x > f·b·B/(e − f·b),
 * while the window still reaches back past the start of traffic. A window pair holds once both
 * windows (and the minimum-events guard) do; the tier fires through the sooner of its two pairs,
 * then `for` later.
 */
export interface ErrorStep {
  readonly stepAtMs: number;
  /** Errors / total after the step; 0 before it. */
  readonly errorRatio: number;
  /** When the traffic began; default: before every window, so each window is full of clean traffic. */
  readonly trafficSinceMs?: number;
  /** Events per second the minimum-events query counts; without it the guard is taken as met. */
  readonly eventsPerSecond?: number;
}

export interface EarliestFiringOptions {
  /** The SLO's windows were divided by this (scaleSlos); conditions are named by the unscaled windows. */
  readonly timeScale?: number;
}

export type FiringBound = Pick<Detection, 'earliestFiringMs' | 'boundNote' | 'condition'>;

interface PairBound {
  readonly afterStepMs?: number;
  readonly note?: string;
  readonly condition: string;
}

export function earliestFiring(
  slo: Slo,
  tier: AlertTier,
  step: ErrorStep,
  options: EarliestFiringOptions = {},
): FiringBound {
  if (!tier.enabled) return { boundNote: `the ${tier.name} tier is disabled` };
  const pairs = [pairBound(slo, tier, 'quick', step, options), pairBound(slo, tier, 'slow', step, options)];
  const reachable = pairs.filter(
    (p): p is PairBound & { afterStepMs: number } => p.afterStepMs !== undefined,
  );
  const soonest = reachable.sort((a, b) => a.afterStepMs - b.afterStepMs)[0];
  if (!soonest) return { boundNote: pairs.map((p) => `${p.condition}: ${p.note ?? ''}`).join('; ') };
  return {
    earliestFiringMs: Math.ceil(step.stepAtMs + soonest.afterStepMs + (tier.forMs ?? 0)),
    condition: soonest.condition,
  };
}

function pairBound(
  slo: Slo,
  tier: AlertTier,
  which: 'quick' | 'slow',
  step: ErrorStep,
  options: EarliestFiringOptions,
): PairBound {
  const pair: BurnWindow = tier[which];
  const scale = options.timeScale ?? 1;
  const condition = `${tier.name} ${which} ${formatDuration(pair.longWindowMs * scale)}/${formatDuration(pair.shortWindowMs * scale)}`;
  const threshold = burnFactor(pair, slo.periodMs) * errorBudgetRatio(slo.objective);
  const e = step.errorRatio;
  if (e <= threshold) {
    return { condition, note: `error ratio ${round(e)} does not exceed the threshold ${round(threshold)}` };
  }
  const historyMs = step.trafficSinceMs === undefined ? Infinity : step.stepAtMs - step.trafficSinceMs;
  const crossing = (windowMs: number): number => {
    const partial = (threshold * historyMs) / (e - threshold);
    return partial + historyMs <= windowMs ? partial : (threshold * windowMs) / e;
  };
  const afterStep = [crossing(pair.shortWindowMs), crossing(pair.longWindowMs)];
  const guard = slo.minEvents;
  if (guard && step.eventsPerSecond !== undefined) {
    // The long window counts events since traffic began, up to its length.
    const windowEvents = step.eventsPerSecond * (pair.longWindowMs / 1000);
    if (windowEvents < guard.minEvents) {
      return {
        condition,
        note: `${round(step.eventsPerSecond)} events/s never put ${guard.minEvents} events (minEvents) in the ${formatDuration(pair.longWindowMs)} window`,
      };
    }
    afterStep.push(Math.max(0, (guard.minEvents / step.eventsPerSecond) * 1000 - historyMs));
  }
  return { condition, afterStepMs: Math.max(...afterStep) };
}

function round(value: number): string {
  return String(Number(value.toPrecision(4)));
}
