import { formatDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import type { AlertTier, BurnWindow, Slo } from './model.js';

/**
 * Compresses an SLO's clock for a game day: `timeScale: 60` turns the 30 d period into 12 h, the
 * 1 h window into 1 min and `for: 2m` into 2 s. Burn factors do not change (period and windows
 * shrink together), so the generated rules keep the same thresholds and only their ranges change.
 * Counts do not scale: `minEvents` still asks for that many events in the (shorter) long window.
 */
export function scaleSlos(slos: readonly Slo[], timeScale: number): Slo[] {
  if (!Number.isFinite(timeScale) || timeScale < 1) {
    throw new UsageError(`timeScale must be a number >= 1, got ${String(timeScale)}`);
  }
  if (timeScale === 1) return [...slos];
  return slos.map((slo) => scaleSlo(slo, timeScale));
}

const secondMs = 1000;

function scaleSlo(slo: Slo, timeScale: number): Slo {
  const where = (what: string): string => `SLO ${slo.id}: ${what}`;
  return {
    ...slo,
    periodMs: scaleWindow(slo.periodMs, timeScale, where('the period')),
    alerting: {
      ...slo.alerting,
      tiers: [
        scaleTier(slo.alerting.tiers[0], timeScale, where),
        scaleTier(slo.alerting.tiers[1], timeScale, where),
      ],
    },
  };
}

function scaleTier(tier: AlertTier, timeScale: number, where: (what: string) => string): AlertTier {
  const scaled: AlertTier = {
    ...tier,
    quick: scaleBurnWindow(tier.quick, timeScale, where(`the ${tier.name} tier's quick windows`)),
    slow: scaleBurnWindow(tier.slow, timeScale, where(`the ${tier.name} tier's slow windows`)),
  };
  if (tier.forMs === undefined) return scaled;
  // `for:` is checked at each evaluation, so anything below a millisecond is noise; Prometheus
  // durations are whole milliseconds.
  const forMs = tier.forMs / timeScale;
  if (!Number.isInteger(forMs)) {
    throw new UsageError(
      `${where(`the ${tier.name} tier's for: ${formatDuration(tier.forMs)}`)} divided by timeScale ${timeScale} ` +
        `is ${formatSeconds(forMs)}, not a whole number of milliseconds; choose a timeScale that divides it`,
    );
  }
  return { ...scaled, forMs };
}

function scaleBurnWindow(window: BurnWindow, timeScale: number, what: string): BurnWindow {
  return {
    ...window,
    shortWindowMs: scaleWindow(window.shortWindowMs, timeScale, what),
    longWindowMs: scaleWindow(window.longWindowMs, timeScale, what),
  };
}

/**
 * Windows must stay whole seconds of at least 1 s: a rate over less than the 1 s scrape interval
 * holds at most one sample (no rate at all), and the recording rule names (`ratio_rate5s`) are
 * Prometheus durations.
 */
function scaleWindow(windowMs: number, timeScale: number, what: string): number {
  const scaled = windowMs / timeScale;
  if (scaled < secondMs || !Number.isInteger(scaled / secondMs)) {
    throw new UsageError(
      `${what}: ${formatDuration(windowMs)} divided by timeScale ${timeScale} is ${formatSeconds(scaled)}; ` +
        'scaled windows must be whole seconds of at least 1s: choose a smaller timeScale or one that divides every window',
    );
  }
  return scaled;
}

function formatSeconds(ms: number): string {
  return `${Number((ms / secondMs).toFixed(3))}s`;
}
