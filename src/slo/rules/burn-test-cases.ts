import { formatDuration } from '../../core/duration.js';
import type { AlertTier, Slo } from '../model.js';
import { burnScenarios, type BurnScenario } from './burn-scenario.js';
import { labelName } from './conventions.js';
import { selects } from './label-synthesis.js';
import { parseLinearQuery, parseLinearRatio, type LinearQuery, type Parsed } from './promql-linear.js';
import { labelFilter, renderWindow } from './rule-labels.js';
import { planSeries, type SeriesPlan, type SyntheticSeries } from './series-plan.js';

/**
 * One asserted outcome: the counters to replay for one SLO and alert tier, and whether its alert
 * is firing at the end. promtool cannot be fed the recorded SLI ratios (the rules compute them),
 * so the counters are those the SLI queries read: the queries are parsed as sums of rate() terms
 * and series synthesized from their selectors (label-synthesis.ts). SLOs whose queries have
 * another shape are reported as not covered.
 */
export interface BurnTestCase {
  readonly slo: Slo;
  readonly tier: AlertTier;
  readonly scenario: BurnScenario;
  readonly sampleMs: number;
  readonly series: readonly (SyntheticSeries & { readonly values: string })[];
  /** Whether this SLO's queries read the series: cases that share a test group must not. */
  reads(series: SyntheticSeries): boolean;
  /** `count(ALERTS{…}) or vector(0)` for this tier's alert, firing. */
  readonly alertCount: string;
}

const minuteMs = 60_000;
const sampleIntervalLadder = [1, 5, 10, 15, 30, 60].map((minutes) => minutes * minuteMs);
/** Requests per second of the synthetic traffic, raised when the minimum-events guard needs more. */
const baseTotalRate = 10;

export function burnTestCases(
  slos: readonly Slo[],
  evaluationIntervalMs: number,
): { cases: BurnTestCase[]; notCovered: string[] } {
  const cases: BurnTestCase[] = [];
  const notCovered: string[] = [];
  for (const slo of slos) {
    const tiers = slo.alerting.tiers.filter((tier) => tier.enabled);
    if (tiers.length === 0) continue;
    const sli = sliPlan(slo);
    if (!sli.ok) {
      notCovered.push(`${slo.id}: ${sli.reason}`);
      continue;
    }
    for (const tier of tiers) {
      const sampleMs = sampleIntervalOf(tier);
      const outcome = burnScenarios(slo, tier, lcm(sampleMs, evaluationIntervalMs));
      if (!outcome.ok) {
        notCovered.push(`${slo.id} ${tier.name}: ${outcome.reason}`);
        continue;
      }
      for (const scenario of outcome.scenarios) {
        const built = testCase(slo, tier, scenario, sli.value, sampleMs);
        if (built.ok) cases.push(built.value);
        else notCovered.push(`${slo.id} ${tier.name}: ${built.reason}`);
      }
    }
  }
  return { cases, notCovered };
}

/** The sparsest ladder interval that puts at least four samples in the tier's smallest window. */
function sampleIntervalOf(tier: AlertTier): number {
  const windows = [tier.quick, tier.slow].flatMap((w) => [w.shortWindowMs, w.longWindowMs]);
  const smallest = Math.min(...windows);
  const fits = sampleIntervalLadder.filter((ms) => ms * 4 <= smallest && windows.every((w) => w % ms === 0));
  return fits.at(-1) ?? minuteMs;
}

/** The coarsest ladder interval no longer than any quick long window (1h with default windows). */
export function evaluationIntervalOf(slos: readonly Slo[]): number {
  const quickLong = slos.flatMap((slo) =>
    slo.alerting.tiers.filter((t) => t.enabled).map((t) => t.quick.longWindowMs),
  );
  const limit = Math.min(...quickLong, sampleIntervalLadder.at(-1) ?? minuteMs);
  return sampleIntervalLadder.filter((ms) => ms <= limit).at(-1) ?? minuteMs;
}

function lcm(a: number, b: number): number {
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  return (a / gcd(a, b)) * b;
}

interface SliPlan {
  readonly plan: SeriesPlan;
  readonly queries: readonly LinearQuery[];
  readonly guard?: LinearQuery;
}

/** Selectors do not depend on the window, so any window serves to parse the queries. */
function sliPlan(slo: Slo): Parsed<SliPlan> {
  const at = (query: string): string => renderWindow(query, minuteMs);
  const { sli } = slo;
  let ratio: Parsed<{ errors: LinearQuery; total: LinearQuery }>;
  if (sli.kind === 'raw') {
    ratio = parseLinearRatio(at(sli.errorRatioQuery));
  } else {
    const errors = parseLinearQuery(at(sli.errorQuery));
    const total = parseLinearQuery(at(sli.totalQuery));
    ratio = !errors.ok
      ? errors
      : !total.ok
        ? total
        : { ok: true, value: { errors: errors.value, total: total.value } };
  }
  if (!ratio.ok) return ratio;
  const plan = planSeries(ratio.value.errors, ratio.value.total);
  if (!plan.ok) return plan;
  const queries = [ratio.value.errors, ratio.value.total];
  if (!slo.minEvents) return { ok: true, value: { plan: plan.value, queries } };
  const guard = parseLinearQuery(at(slo.minEvents.totalQuery));
  if (!guard.ok) return guard;
  return { ok: true, value: { plan: plan.value, queries: [...queries, guard.value], guard: guard.value } };
}

function testCase(
  slo: Slo,
  tier: AlertTier,
  scenario: BurnScenario,
  sli: SliPlan,
  sampleMs: number,
): Parsed<BurnTestCase> {
  const quietRates = sli.plan.rates(0, 1);
  const burstRates = sli.plan.rates(scenario.errorRatio, 1);
  if (!quietRates || !burstRates)
    return { ok: false, reason: 'no counter rates give the wanted error ratio' };
  const scale = totalRateFor(slo, tier, sli, burstRates);
  if (scale === undefined)
    return { ok: false, reason: 'the minimum-events query reads none of the synthetic series' };
  const quietSamples = (scenario.lengthMs - scenario.burstMs) / sampleMs;
  const burstSamples = scenario.burstMs / sampleMs;
  const perSample = (rates: readonly number[], j: number): number =>
    scale * (rates[j] ?? 0) * (sampleMs / 1000);
  const alerts = labelFilter({
    alertname: slo.alerting.name,
    alertstate: 'firing',
    [labelName.id]: slo.id,
    [labelName.severity]: tier.name,
    ...slo.alerting.labels,
    ...tier.labels,
  });
  return {
    ok: true,
    value: {
      slo,
      tier,
      scenario,
      sampleMs,
      series: sli.plan.series.map((series, j) => ({
        ...series,
        values: counterValues(perSample(quietRates, j), quietSamples, perSample(burstRates, j), burstSamples),
      })),
      reads: (series) =>
        sli.queries.some((query) =>
          query.some((term) => selects(term.selector, series.metric, series.labels)),
        ),
      alertCount: `count(ALERTS${alerts}) or vector(0)`,
    },
  };
}

/** Requests per second so that the quick long window holds twice the guard's minimum events. */
function totalRateFor(
  slo: Slo,
  tier: AlertTier,
  sli: SliPlan,
  burstRates: readonly number[],
): number | undefined {
  if (!slo.minEvents || !sli.guard) return baseTotalRate;
  const guardRate = sli.plan.read(sli.guard, burstRates);
  if (guardRate <= 0) return undefined;
  const needed = (2 * slo.minEvents.minEvents) / (tier.quick.longWindowMs / 1000) / guardRate;
  return Math.max(baseTotalRate, Math.ceil(needed));
}

/** A counter in promtool's expanding notation: `quiet` samples at one increment, then `burst` at another. */
function counterValues(
  quietStep: number,
  quietSamples: number,
  burstStep: number,
  burstSamples: number,
): string {
  const quietEnd = quietStep * quietSamples;
  return `0+${num(quietStep)}x${quietSamples} ${num(quietEnd + burstStep)}+${num(burstStep)}x${burstSamples - 1}`;
}

/** Twelve significant digits: far finer than the threshold margin, and readable. */
function num(value: number): string {
  return String(Number(value.toPrecision(12)));
}

export function describeCase(testCase: BurnTestCase): string {
  const { slo, tier, scenario } = testCase;
  return `${slo.id} ${tier.name} ${scenario.fires ? 'fires' : 'stays quiet'} (${formatDuration(scenario.lengthMs)})`;
}
