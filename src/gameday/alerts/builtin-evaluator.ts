import { EnvironmentError } from '../../core/errors.js';
import { burnFactor, errorBudgetRatio, type AlertTier, type BurnWindow, type Slo } from '../../slo/model.js';
import { alertWindowsOf } from '../../slo/windows.js';
import type { AlertState, BurnSeries, JournalAlert } from '../journal.js';
import { createAlertStateMachine, type AlertStateMachine } from './alert-state.js';
import { createCounterStore, type CounterStore } from './counter-store.js';
import { parseExposition, type ExpositionSample } from './exposition.js';
import { journalAlert } from './journal-alert.js';
import { compileSli, eventsInWindow, recordedRatio, type SliQueries } from './sli-query.js';

/**
 * Burn rates and alert states computed in process from `/metrics` scrapes, with the same
 * expressions as the rules `slo generate` writes (sli-rules.ts, alert-rules.ts) for the same
 * (time-scaled) SLOs: each SLI window is recorded as the rule records it, and each tier's alert is
 * `quick pair or slow pair`, a pair being both windows above factor × budget and, with `minEvents`,
 * the long window holding that many events. States follow Prometheus' rule manager (alert-state.ts).
 * The clock is the caller's: scrapes and evaluations carry their own times.
 */
export interface BuiltinEvaluatorOptions {
  /** How often `evaluate` is called (1 s in a game day); samples are kept two intervals past the longest window. */
  readonly evaluationIntervalMs: number;
}

export interface WindowBurnRate {
  readonly sloId: string;
  readonly windowMs: number;
  /** Errors / total over the window; null when the total query had no data. */
  readonly errorRatio: number | null;
  /** The error ratio divided by the error budget: 1 spends the budget exactly over the period. */
  readonly burnRate: number | null;
}

export interface TierAlertState {
  readonly sloId: string;
  readonly tier: AlertTier['name'];
  /** Whether the alert expression had a result at this evaluation. */
  readonly active: boolean;
  readonly state: AlertState;
}

export interface EvaluationTick {
  readonly atMs: number;
  readonly burnRates: readonly WindowBurnRate[];
  readonly alerts: readonly TierAlertState[];
}

export interface NotEvaluable {
  readonly sloId: string;
  readonly reason: string;
}

export interface BuiltinEvaluator {
  /** Parses one scrape of Prometheus text format taken at `atMs`; EnvironmentError when it is not that format. */
  ingest(exposition: string, atMs: number): void;
  /** The same, for a scrape already parsed (the game day parses once for every view). */
  ingestSamples(samples: readonly ExpositionSample[], atMs: number): void;
  evaluate(atMs: number): EvaluationTick;
  /** One journal entry per evaluable SLO and enabled tier, with every transition so far. */
  alerts(): JournalAlert[];
  /** Burn rates per SLO and window at the journal's sample times `t` (the latest evaluation at or before each). */
  burnSeries(t: readonly number[]): BurnSeries[];
  /** SLOs whose SLI is not a shape the evaluator understands, and why. */
  readonly notEvaluable: readonly NotEvaluable[];
  /** Counter samples held, for the memory bound. */
  sampleCount(): number;
}

interface WatchedSlo {
  readonly slo: Slo;
  readonly sli: SliQueries;
  readonly windows: readonly number[];
  readonly tiers: readonly { readonly tier: AlertTier; readonly machine: AlertStateMachine }[];
}

export function createBuiltinEvaluator(
  scaledSlos: readonly Slo[],
  options: BuiltinEvaluatorOptions,
): BuiltinEvaluator {
  const watched: WatchedSlo[] = [];
  const notEvaluable: NotEvaluable[] = [];
  for (const slo of scaledSlos) {
    const sli = compileSli(slo);
    if (!sli.ok) {
      notEvaluable.push({ sloId: slo.id, reason: sli.reason });
      continue;
    }
    watched.push({
      slo,
      sli: sli.value,
      windows: alertWindowsOf(slo.alerting.tiers),
      tiers: slo.alerting.tiers
        .filter((tier) => tier.enabled)
        .map((tier) => ({ tier, machine: createAlertStateMachine(tier.forMs ?? 0) })),
    });
  }
  const longestWindowMs = Math.max(0, ...watched.flatMap((w) => w.windows));
  const store = createCounterStore(
    watched.flatMap((w) => w.sli.selectors),
    longestWindowMs + 2 * options.evaluationIntervalMs,
  );
  const ticks: EvaluationTick[] = [];

  return {
    ingest(exposition, atMs) {
      const parsed = parseExposition(exposition);
      if (!parsed.ok) {
        throw new EnvironmentError(
          `the metrics scraped at ${new Date(atMs).toISOString()} are not Prometheus text format: ${parsed.reason}`,
        );
      }
      store.ingest(parsed.value, atMs);
    },
    ingestSamples(samples, atMs) {
      store.ingest(samples, atMs);
    },
    evaluate(atMs) {
      const burnRates: WindowBurnRate[] = [];
      const alerts: TierAlertState[] = [];
      for (const w of watched) {
        const tick = evaluateSlo(w, store, atMs);
        burnRates.push(...tick.burnRates);
        alerts.push(...tick.alerts);
      }
      const tick = { atMs, burnRates, alerts };
      ticks.push(tick);
      return tick;
    },
    alerts() {
      return watched.flatMap((w) =>
        w.tiers.map(({ tier, machine }) => journalAlert(w.slo, tier, 'builtin', machine)),
      );
    },
    burnSeries(t) {
      const at = t.map((time) => tickAtOrBefore(ticks, time, options.evaluationIntervalMs));
      // Every tick lists the same SLO windows in the same order, so a position names one series.
      let position = 0;
      return watched.flatMap((w) =>
        w.windows.map((windowMs) => {
          const index = position++;
          return {
            source: 'builtin' as const,
            slo: w.slo.baseName,
            ...(w.slo.segment ? { segment: w.slo.segment.value } : {}),
            windowMs,
            values: at.map((tick) => tick?.burnRates[index]?.burnRate ?? null),
          };
        }),
      );
    },
    notEvaluable,
    sampleCount: () => store.sampleCount(),
  };
}

function evaluateSlo(
  w: WatchedSlo,
  store: CounterStore,
  atMs: number,
): { burnRates: WindowBurnRate[]; alerts: TierAlertState[] } {
  const { slo, sli } = w;
  const budget = errorBudgetRatio(slo.objective);
  const recorded = new Map(
    w.windows.map((windowMs) => [windowMs, recordedRatio(sli, store, windowMs, atMs)]),
  );
  const burnRates = w.windows.map((windowMs) => {
    const ratio = recorded.get(windowMs);
    const errorRatio =
      ratio?.measured && ratio.recorded !== undefined && Number.isFinite(ratio.recorded)
        ? ratio.recorded
        : null;
    return {
      sloId: slo.id,
      windowMs,
      errorRatio,
      burnRate: errorRatio === null ? null : errorRatio / budget,
    };
  });

  // One window pair of alert-rules.ts `windowPair`: both windows above the threshold, and the
  // long window holding `minEvents` events when the SLO has the guard.
  const pairActive = (pair: BurnWindow): boolean => {
    const threshold = burnFactor(pair, slo.periodMs) * budget;
    const above = (windowMs: number): boolean => {
      const value = recorded.get(windowMs)?.recorded;
      return value !== undefined && value > threshold;
    };
    if (!above(pair.shortWindowMs) || !above(pair.longWindowMs)) return false;
    if (!slo.minEvents) return true;
    const events = eventsInWindow(sli, store, pair.longWindowMs, atMs);
    return events !== undefined && events >= slo.minEvents.minEvents;
  };

  const alerts = w.tiers.map(({ tier, machine }) => {
    const active = pairActive(tier.quick) || pairActive(tier.slow);
    return { sloId: slo.id, tier: tier.name, active, state: machine.evaluate(active, atMs) };
  });
  return { burnRates, alerts };
}

/** The latest evaluation at or before `t`, if it is less than one interval older. */
function tickAtOrBefore(
  ticks: readonly EvaluationTick[],
  t: number,
  intervalMs: number,
): EvaluationTick | undefined {
  let lo = 0;
  let hi = ticks.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ticks[mid]?.atMs ?? 0) <= t) lo = mid + 1;
    else hi = mid;
  }
  const tick = ticks[lo - 1];
  return tick && t - tick.atMs < intervalMs ? tick : undefined;
}
