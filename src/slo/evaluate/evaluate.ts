import { alertWindowsOf } from '../windows.js';
import { burnFactor, errorBudgetRatio, type BurnWindow, type Slo } from '../model.js';
import type {
  ConditionResult,
  NoData,
  SliMeasurement,
  TierResult,
  Verdict,
  WindowBurn,
} from './measurement.js';
import { applyPolicy, type BudgetPolicy, type PolicyMatch } from './policy.js';

/** Where SLIs come from: a Prometheus server, a load run's results, a fake in tests. */
export interface SliSource {
  /** Named in reports: a Prometheus URL or a results file. */
  readonly origin: string;
  /**
   * Set when the source measures one fixed span whatever window is asked for: a load run covers only
   * its own duration, so its period and every alert window are that duration.
   */
  readonly fixedWindowMs?: number;
  /** What the reader should know about how the source counted, printed under every report. */
  readonly notes?: readonly string[];
  measure(slo: Slo, windowMs: number, atMs: number): Promise<SliMeasurement>;
}

export interface SloResult {
  readonly slo: Slo;
  /** The SLI's error ratio over the SLO period. */
  readonly period: WindowBurn;
  /** 1 - the period's error ratio. */
  readonly sli: number;
  /** Share of the period's error budget left: 1 untouched, 0 spent, below 0 overspent. */
  readonly budgetRemaining: number;
  readonly tiers: readonly TierResult[];
  readonly verdict: Verdict;
  /** Set when the verdict is `no-data`. */
  readonly noData: NoData | undefined;
  /** The policy steps that matched, in policy order; for `no-data`, the no-data rule alone. */
  readonly reasons: readonly PolicyMatch[];
}

export interface Evaluation {
  readonly atMs: number;
  readonly origin: string;
  readonly fixedWindowMs?: number;
  readonly notes: readonly string[];
  readonly slos: readonly SloResult[];
  readonly verdict: 'pass' | 'fail';
}

export interface EvaluateOptions {
  /** Evaluation time, epoch milliseconds. */
  readonly at: number;
  readonly policy: BudgetPolicy;
}

/**
 * Evaluates each SLO (each segment is its own SLO) at one instant: SLI and remaining budget over the
 * period, burn rates of every alert window, which tiers would fire, and the policy's verdict.
 * SLOs are measured one after the other so a large file does not flood the source; the windows of
 * one SLO are measured together.
 */
export async function evaluateSlos(
  slos: readonly Slo[],
  source: SliSource,
  options: EvaluateOptions,
): Promise<Evaluation> {
  const results: SloResult[] = [];
  for (const slo of slos) results.push(await evaluateSlo(slo, source, options));
  return {
    atMs: options.at,
    origin: source.origin,
    ...(source.fixedWindowMs === undefined ? {} : { fixedWindowMs: source.fixedWindowMs }),
    notes: source.notes ?? [],
    slos: results,
    verdict: results.some((r) => r.reasons.some((reason) => reason.action === 'fail')) ? 'fail' : 'pass',
  };
}

async function evaluateSlo(slo: Slo, source: SliSource, options: EvaluateOptions): Promise<SloResult> {
  const budget = errorBudgetRatio(slo.objective);
  const windows = [...new Set([slo.periodMs, ...alertWindowsOf(slo.alerting.tiers)])];
  const burns = new Map(
    await Promise.all(
      windows.map(async (windowMs) => {
        const m = await source.measure(slo, windowMs, options.at);
        const burn: WindowBurn = { ...m, windowMs, burnRate: m.errorRatio / budget };
        return [windowMs, burn] as const;
      }),
    ),
  );
  const burnOver = (windowMs: number): WindowBurn => {
    const burn = burns.get(windowMs);
    if (!burn) throw new Error(`window ${windowMs} ms of ${slo.id} was not measured`);
    return burn;
  };

  const condition = (window: BurnWindow): ConditionResult => {
    const threshold = burnFactor(window, slo.periodMs);
    const short = burnOver(window.shortWindowMs);
    const long = burnOver(window.longWindowMs);
    // Compared as `ratio > factor × budget`, the expression the generated alert evaluates, so the
    // evaluator and Prometheus agree at the boundary to the last float.
    const above = (w: WindowBurn): boolean => w.errorRatio > threshold * budget;
    // The guard reads the long window: it carries the alert's evidence, the short one only recency.
    const belowMinEvents =
      slo.minEvents !== undefined && long.events !== undefined && long.events < slo.minEvents.minEvents;
    return { threshold, short, long, belowMinEvents, firing: above(short) && above(long) && !belowMinEvents };
  };

  const tiers = slo.alerting.tiers.map((tier): TierResult => {
    const quick = condition(tier.quick);
    const slow = condition(tier.slow);
    return {
      name: tier.name,
      severity: tier.severity,
      enabled: tier.enabled,
      quick,
      slow,
      firing: tier.enabled && (quick.firing || slow.firing),
    };
  });

  const period = burnOver(slo.periodMs);
  const sli = 1 - period.errorRatio;
  const budgetRemaining = 1 - period.errorRatio / budget;
  const noData = noDataOf(slo, period);
  if (noData) {
    const reasons = [noDataMatch(noData, options.policy, source.fixedWindowMs)];
    return { slo, period, sli, budgetRemaining, tiers, verdict: 'no-data', noData, reasons };
  }
  const reasons = applyPolicy(options.policy, {
    slo,
    errorRatio: period.errorRatio,
    budgetRemaining,
    tiers,
    fixedWindowMs: source.fixedWindowMs,
  });
  return {
    slo,
    period,
    sli,
    budgetRemaining,
    tiers,
    verdict: verdictOf(reasons),
    noData: undefined,
    reasons,
  };
}

/**
 * The `minEvents` guard applied to the verdict, not only to the alert: a period with fewer events than
 * the SLO asks for (or none) says nothing yet, so its ratio is not extrapolated into a budget. A source
 * that cannot count events (a raw ratio without a guard) is taken at its word.
 */
function noDataOf(slo: Slo, period: WindowBurn): NoData | undefined {
  const events = period.events;
  if (events === undefined) return undefined;
  const minEvents = slo.minEvents?.minEvents;
  // Rates times a window are not whole numbers; half an event is rounding, not a missing event.
  const counted = Math.round(events);
  if (counted > 0 && (minEvents === undefined || counted >= minEvents)) return undefined;
  return { events: counted, minEvents };
}

function noDataMatch(noData: NoData, policy: BudgetPolicy, fixedWindowMs: number | undefined): PolicyMatch {
  const over = fixedWindowMs === undefined ? 'over its period' : 'over the run';
  const message =
    noData.events === 0
      ? `no events ${over}: nothing to judge`
      : `${noData.events} events ${over}, fewer than minEvents ${noData.minEvents ?? 1}: too few to judge`;
  return {
    step: 'no-data',
    action: policy.noData,
    message: policy.noData === 'fail' ? `${message} (data is required)` : message,
  };
}

function verdictOf(reasons: readonly PolicyMatch[]): Verdict {
  if (reasons.some((r) => r.action === 'fail')) return 'fail';
  return reasons.length > 0 ? 'warn' : 'pass';
}
