import { percent } from '../format.js';
import type { CheckResult } from '../journal.js';
import type { SteadyCheck, StopCondition } from '../scenario/scenario.js';
import type { CheckoutStats } from '../observe/checkout-stats.js';
import type { Observer } from './ports.js';

/**
 * Steady-state checks and stop conditions, each over a window ending now, on the servers' view.
 * A window with no checkout at all neither holds nor breaks a success check: it is reported as
 * no data, and a steady state with no data does not hold (nothing shows the store is fine).
 */
export function steadyStateChecks(
  checks: readonly SteadyCheck[],
  observer: Pick<Observer, 'segments' | 'checkout' | 'burnRate'>,
  atMs: number,
  timeScale: number,
): CheckResult[] {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const segments = check.segments ?? observer.segments;
    for (const segment of segments) {
      if (check.kind === 'burn-rate') {
        const windowMs = Math.max(1000, Math.round(check.windowMs / timeScale));
        const value = observer.burnRate(check.slo, segment, windowMs) ?? null;
        results.push({
          name: `burn-rate ${check.slo} over ${check.windowMs / 60_000} min (unscaled)`,
          segment,
          value,
          threshold: check.below,
          passed: value !== null && value < check.below,
          detail: value === null ? 'no data' : `burn rate ${round(value)} (below ${check.below} required)`,
        });
        continue;
      }
      const stats = observer.checkout(segment, atMs - check.windowMs, atMs);
      results.push(
        check.kind === 'checkout-success'
          ? successCheck(check, segment, stats)
          : latencyCheck(check, segment, stats),
      );
    }
  }
  return results;
}

function successCheck(
  check: Extract<SteadyCheck, { kind: 'checkout-success' }>,
  segment: string,
  stats: CheckoutStats | undefined,
): CheckResult {
  const ratio = successRatio(stats);
  return {
    name: `checkout success over ${check.windowMs / 1000} s`,
    segment,
    value: ratio ?? null,
    threshold: check.minRatio,
    passed: ratio !== undefined && ratio >= check.minRatio,
    detail:
      ratio === undefined || !stats
        ? 'no checkouts in the window'
        : `${percent(ratio)} of ${stats.requests} checkouts answered without an error (${percent(check.minRatio)} required)`,
  };
}

function latencyCheck(
  check: Extract<SteadyCheck, { kind: 'p95-latency' }>,
  segment: string,
  stats: CheckoutStats | undefined,
): CheckResult {
  const p95 = stats?.p95Ms;
  return {
    name: `checkout p95 over ${check.windowMs / 1000} s`,
    segment,
    value: p95 ?? null,
    threshold: check.maxMs,
    passed: p95 !== undefined && p95 <= check.maxMs,
    detail:
      p95 === undefined
        ? 'no checkouts in the window'
        : `p95 ${Math.round(p95)} ms (at most ${check.maxMs} ms)`,
  };
}

/** Share of checkouts answered without an error; undefined when there were none. */
export function successRatio(stats: CheckoutStats | undefined): number | undefined {
  if (!stats || stats.requests === 0) return undefined;
  return 1 - stats.errors / stats.requests;
}

/** The first stop condition that holds over its `for` window now, as a line for the journal. */
export function firedStopCondition(
  conditions: readonly StopCondition[],
  observer: Pick<Observer, 'checkout'>,
  atMs: number,
): string | undefined {
  for (const condition of conditions) {
    const stats = observer.checkout(condition.segment, atMs - condition.forMs, atMs);
    if (condition.kind === 'checkout-success-below') {
      const ratio = successRatio(stats);
      if (ratio !== undefined && ratio < condition.ratio) {
        return `${condition.segment} checkout success ${percent(ratio)} below ${percent(condition.ratio)} over the last ${condition.forMs / 1000} s`;
      }
    } else if (stats?.p95Ms !== undefined && stats.p95Ms > condition.ms) {
      return `${condition.segment} checkout p95 ${Math.round(stats.p95Ms)} ms above ${condition.ms} ms over the last ${condition.forMs / 1000} s`;
    }
  }
  return undefined;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
