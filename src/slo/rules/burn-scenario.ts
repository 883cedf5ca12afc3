import { burnFactor, errorBudgetRatio, type AlertTier, type Slo } from '../model.js';

/**
 * The traffic a promtool test replays for one alert tier: steady traffic without errors, then a
 * burst at a constant error ratio until the end, where the alert state is asserted. Every number
 * comes from the tier's windows, burnFactor and errorBudgetRatio.
 */
export interface BurnScenario {
  /** Whether the tier's alert must be firing at the end. */
  readonly fires: boolean;
  /** Errors / total during the burst. */
  readonly errorRatio: number;
  readonly burstMs: number;
  /** Whole test length; the burst is its end. */
  readonly lengthMs: number;
}

/** How far above (fires) or below (stays quiet) the quick window's threshold the burst burns. */
export const thresholdMargin = 0.05;

type ScenarioOutcome =
  | { readonly ok: true; readonly scenarios: readonly [BurnScenario, BurnScenario] }
  | { readonly ok: false; readonly reason: string };

/**
 * `stepMs` is a multiple of both the sample and the evaluation interval: bursts and lengths are
 * rounded up to it so that windows end on samples and on evaluations.
 */
export function burnScenarios(slo: Slo, tier: AlertTier, stepMs: number): ScenarioOutcome {
  const budget = errorBudgetRatio(slo.objective);
  const quickFactor = burnFactor(tier.quick, slo.periodMs);
  const slowFactor = burnFactor(tier.slow, slo.periodMs);
  const slowLongMs = tier.slow.longWindowMs;
  const firingBurn = (1 + thresholdMargin) * quickFactor;
  if (firingBurn * budget >= 1) {
    return {
      ok: false,
      reason: `the ${tier.name} threshold needs more than 100 % errors at objective ${slo.objective}`,
    };
  }
  // The condition holds from the first evaluation after the quick long window has filled with the
  // burst, then `for:` needs whole evaluations too; the quiet burst lasts as long, or a wrong
  // threshold would hide behind an alert that is still pending.
  const burstMs = ceilTo(tier.quick.longWindowMs, stepMs) + ceilTo(tier.forMs ?? 0, stepMs);
  // The slow pair should not decide the outcome: over its long window the burst is diluted by the
  // error-free traffic before it, so the history is made long enough (up to that window) to keep
  // it below the slow threshold. When even the whole window cannot, the quiet burst is lowered
  // (a firing burst then fires through both pairs, which cannot be avoided).
  const quietBurn = (1 - thresholdMargin) * Math.min(quickFactor, (slowFactor * slowLongMs) / burstMs);
  const lengthFor = (burn: number, burstMs: number): number =>
    ceilTo(
      Math.max(burstMs, Math.min(slowLongMs, (burstMs * burn) / ((1 - thresholdMargin) * slowFactor))),
      stepMs,
    );
  return {
    ok: true,
    scenarios: [
      { fires: true, errorRatio: firingBurn * budget, burstMs, lengthMs: lengthFor(firingBurn, burstMs) },
      { fires: false, errorRatio: quietBurn * budget, burstMs, lengthMs: lengthFor(quietBurn, burstMs) },
    ],
  };
}

function ceilTo(ms: number, step: number): number {
  return Math.ceil(ms / step) * step;
}
