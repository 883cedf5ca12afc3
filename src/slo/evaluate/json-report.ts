import { formatDuration } from '../../core/duration.js';
import type { Evaluation, SloResult } from './evaluate.js';
import type { ConditionResult, Verdict, WindowBurn } from './measurement.js';
import { countVerdicts } from './format.js';

/**
 * The `--json` output of `slo check` and `slo report`: a contract CI jobs read, so fields are only
 * ever added. Every key is always present (`null` where a value does not apply); ratios are 0–1,
 * fields ending in `Percent` are percentages, burn rates are multiples of the budget rate.
 *
 * ```json
 * {
 *   "apiVersion": "shopsre/v1", "kind": "SloEvaluation",
 *   "evaluatedAt": "2025-01-01T12:00:00.000Z",
 *   "source": { "origin": "http://127.0.0.1:9090", "measuredWindowMs": null, "notes": [] },
 *   "verdict": "fail",
 *   "counts": { "total": 2, "pass": 1, "warn": 0, "fail": 1, "noData": 0 },
 *   "slos": [{
 *     "id": "store-checkout-availability-vip", "service": "store", "slo": "checkout-availability",
 *     "name": "checkout-availability-vip", "segment": "vip", "file": "slos.yaml",
 *     "objectivePercent": 99, "period": "30d", "periodMs": 2592000000,
 *     "errorRatio": 0.0673, "sliPercent": 93.27, "events": 180000, "minEvents": 20,
 *     "errorBudgetRemainingPercent": -573.3, "businessOutcomes": null,
 *     "tiers": [{ "name": "page", "severity": "page", "enabled": true, "firing": true,
 *                 "quick": { "threshold": 14.4, "firing": true, "belowMinEvents": false,
 *                            "short": { "window": "5m", "windowMs": 300000, "errorRatio": 0.2, "burnRate": 20, "events": 5000 },
 *                            "long": { ... } },
 *                 "slow": { ... } }],
 *     "verdict": "fail",
 *     "reasons": [{ "step": "budget-exhausted", "action": "fail", "message": "error budget remaining -573.3% is below 0%" }]
 *   }]
 * }
 * ```
 */
export interface JsonReport {
  readonly apiVersion: 'shopsre/v1';
  readonly kind: 'SloEvaluation';
  /** RFC 3339 evaluation time. */
  readonly evaluatedAt: string;
  readonly source: {
    /** Prometheus URL or results file. */
    readonly origin: string;
    /** Set for a results file: every window, the period included, was measured over this span (the run). */
    readonly measuredWindowMs: number | null;
    /** How the source counted, when the reader should know (an older results file, say). */
    readonly notes: readonly string[];
  };
  /**
   * `fail` when any SLO fails; `warn` verdicts pass; `no-data` passes unless data is required
   * (`--require-data`, or `noData: fail` in the policy).
   */
  readonly verdict: 'pass' | 'fail';
  readonly counts: {
    readonly total: number;
    readonly pass: number;
    readonly warn: number;
    readonly fail: number;
    readonly noData: number;
  };
  readonly slos: readonly JsonSlo[];
}

export interface JsonSlo {
  /** Unique SLO id, `<service>-<name>`. */
  readonly id: string;
  readonly service: string;
  /** The SLO name as written in the spec, before segment expansion. */
  readonly slo: string;
  /** The SLO name after segment expansion. */
  readonly name: string;
  readonly segment: string | null;
  /** The spec file that defined it. */
  readonly file: string;
  readonly objectivePercent: number;
  /** Prometheus duration of the period, e.g. `30d`. */
  readonly period: string;
  readonly periodMs: number;
  /** Error ratio over the period. */
  readonly errorRatio: number;
  readonly sliPercent: number;
  /** Events over the period, or null when the source cannot count them. 0 means no data. */
  readonly events: number | null;
  /** The SLO's minEvents, or null without one. */
  readonly minEvents: number | null;
  /** 100 untouched, 0 spent, negative overspent; null for `no-data` (too few events to extrapolate). */
  readonly errorBudgetRemainingPercent: number | null;
  /** Out of stock, declined, pending: answers that are not errors; null when the source does not count them. */
  readonly businessOutcomes: {
    readonly outOfStock: number;
    readonly declined: number;
    readonly pending: number;
  } | null;
  readonly tiers: readonly JsonTier[];
  readonly verdict: Verdict;
  readonly reasons: readonly {
    readonly step: string;
    readonly action: 'fail' | 'warn';
    readonly message: string;
  }[];
}

export interface JsonTier {
  readonly name: 'page' | 'ticket';
  readonly severity: string;
  readonly enabled: boolean;
  /** Enabled and the quick or the slow condition fires. */
  readonly firing: boolean;
  readonly quick: JsonCondition;
  readonly slow: JsonCondition;
}

export interface JsonCondition {
  /** Burn rate both windows must exceed. */
  readonly threshold: number;
  readonly firing: boolean;
  /** Held back because the long window counted fewer events than the SLO's minEvents. */
  readonly belowMinEvents: boolean;
  readonly short: JsonWindow;
  readonly long: JsonWindow;
}

export interface JsonWindow {
  readonly window: string;
  readonly windowMs: number;
  readonly errorRatio: number;
  readonly burnRate: number;
  readonly events: number | null;
}

export function toJsonReport(evaluation: Evaluation): JsonReport {
  const counts = countVerdicts(evaluation);
  return {
    apiVersion: 'shopsre/v1',
    kind: 'SloEvaluation',
    evaluatedAt: new Date(evaluation.atMs).toISOString(),
    source: {
      origin: evaluation.origin,
      measuredWindowMs: evaluation.fixedWindowMs ?? null,
      notes: evaluation.notes,
    },
    verdict: evaluation.verdict,
    counts: { total: evaluation.slos.length, ...counts },
    slos: evaluation.slos.map(toJsonSlo),
  };
}

export function renderJson(evaluation: Evaluation): string {
  return `${JSON.stringify(toJsonReport(evaluation), null, 2)}\n`;
}

function toJsonSlo(result: SloResult): JsonSlo {
  const { slo } = result;
  return {
    id: slo.id,
    service: slo.service,
    slo: slo.baseName,
    name: slo.name,
    segment: slo.segment?.value ?? null,
    file: slo.source.file,
    objectivePercent: slo.objective,
    period: formatDuration(slo.periodMs),
    periodMs: slo.periodMs,
    errorRatio: result.period.errorRatio,
    sliPercent: result.sli * 100,
    events: result.period.events ?? null,
    minEvents: slo.minEvents?.minEvents ?? null,
    errorBudgetRemainingPercent: result.noData ? null : result.budgetRemaining * 100,
    businessOutcomes: result.period.businessOutcomes ? { ...result.period.businessOutcomes } : null,
    tiers: result.tiers.map((tier) => ({
      name: tier.name,
      severity: tier.severity,
      enabled: tier.enabled,
      firing: tier.firing,
      quick: toJsonCondition(tier.quick),
      slow: toJsonCondition(tier.slow),
    })),
    verdict: result.verdict,
    reasons: result.reasons.map((r) => ({ step: r.step, action: r.action, message: r.message })),
  };
}

function toJsonCondition(condition: ConditionResult): JsonCondition {
  return {
    threshold: condition.threshold,
    firing: condition.firing,
    belowMinEvents: condition.belowMinEvents,
    short: toJsonWindow(condition.short),
    long: toJsonWindow(condition.long),
  };
}

function toJsonWindow(burn: WindowBurn): JsonWindow {
  return {
    window: formatDuration(burn.windowMs),
    windowMs: burn.windowMs,
    errorRatio: burn.errorRatio,
    burnRate: burn.burnRate,
    events: burn.events ?? null,
  };
}
