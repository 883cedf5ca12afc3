import type { ExecutorConfig, ProductPopularity, Stage } from './plan.js';

export type PresetName = 'steady' | 'flash-sale' | 'spike' | 'hot-product';

/** What a preset is shaped around: the base (everyday) rate and the length of the run. */
export interface PresetBase {
  readonly rate: number;
  readonly timeUnitMs: number;
  readonly durationMs: number;
  readonly maxInFlight: number;
}

/** How far above the base rate a flash sale or a spike goes. */
const surge = 10;

/**
 * Stage shapes as fractions of the run, each ending at a multiple of the base rate. A flash sale ramps
 * to 10× over the first quarter and holds there (doors open, shoppers keep coming); a spike holds the
 * base rate, jumps to 10× for a tenth of the run, and comes back (a push notification, a TV ad).
 */
const shapes: Readonly<
  Record<Exclude<PresetName, 'steady' | 'hot-product'>, readonly (readonly [number, number])[]>
> = {
  'flash-sale': [
    [0.25, surge],
    [0.75, surge],
  ],
  spike: [
    [0.4, 1],
    [0.05, surge],
    [0.1, surge],
    [0.05, 1],
    [0.4, 1],
  ],
};

/** The executor of a preset: an open model always, since shoppers do not wait for each other. */
export function presetExecutor(name: PresetName, base: PresetBase): ExecutorConfig {
  const { rate, timeUnitMs, durationMs, maxInFlight } = base;
  if (name === 'steady' || name === 'hot-product') {
    return { kind: 'constant-arrival-rate', rate, timeUnitMs, durationMs, maxInFlight };
  }
  return {
    kind: 'ramping-arrival-rate',
    startRate: rate,
    timeUnitMs,
    stages: scaleStages(shapes[name], rate, durationMs),
    maxInFlight,
  };
}

/** Stage ends are rounded to whole milliseconds as cumulative times, so the stages add up to the run exactly. */
function scaleStages(
  shape: readonly (readonly [number, number])[],
  rate: number,
  durationMs: number,
): Stage[] {
  const stages: Stage[] = [];
  let fraction = 0;
  let endedAtMs = 0;
  shape.forEach(([share, multiple], i) => {
    fraction += share;
    const endMs = i === shape.length - 1 ? durationMs : Math.round(durationMs * fraction);
    if (endMs > endedAtMs) stages.push({ durationMs: endMs - endedAtMs, target: rate * multiple });
    endedAtMs = endMs;
  });
  return stages;
}

/**
 * A hot product: steady arrivals, but a Zipf skew of 1.5 puts about 40 % of the picks on the most
 * popular product and nearly 80 % on the first ten, so their stock runs out and checkouts answer 409: the
 * sell-out a launch or a viral post brings, which the other presets (the catalog's own mild skew)
 * do not.
 */
export const hotProductSkew = 1.5;

/** The popularity a preset asks for, over the profile's catalog; undefined keeps the profile's. */
export function presetPopularity(name: PresetName, base: ProductPopularity): ProductPopularity | undefined {
  return name === 'hot-product' ? { ...base, skew: hotProductSkew } : undefined;
}
