import { parseDuration } from '../../core/duration.js';
import { errorBudgetRatio, type Slo } from '../../slo/model.js';
import { labelName } from '../../slo/rules/conventions.js';
import { alertWindowsOf } from '../../slo/windows.js';
import type { BurnSeries } from '../journal.js';
import { rawSamples, type PrometheusApi } from './prometheus-api.js';

export interface BurnReadOptions {
  /** How old a recorded sample may be and still stand for time t; default two evaluation intervals. */
  readonly lookbackMs?: number;
  readonly evaluationIntervalMs: number;
}

/**
 * Burn rates per SLO and alert window at the journal's sample times `t`, from the
 * `slo:sli_error:ratio_rate<w>` series the generated recording rules wrote (ratio / error budget).
 * Each t takes the latest sample at or before it, as an instant query would, but with a lookback
 * of a couple of evaluations rather than Prometheus' 5 minutes, so a stopped rule shows as a gap.
 * Where there was no traffic the rule recorded 0, and so does this series.
 */
export async function readPrometheusBurnRates(
  api: PrometheusApi,
  scaledSlos: readonly Slo[],
  t: readonly number[],
  options: BurnReadOptions,
): Promise<BurnSeries[]> {
  const first = t[0];
  const last = t.at(-1);
  if (first === undefined || last === undefined) return [];
  const lookbackMs = options.lookbackMs ?? 2 * options.evaluationIntervalMs;
  const series = await rawSamples(
    api,
    `{__name__=~"slo:sli_error:ratio_rate.+",${labelName.id}!=""}`,
    first - lookbackMs,
    last,
  );
  return scaledSlos.flatMap((slo) => {
    const budget = errorBudgetRatio(slo.objective);
    return alertWindowsOf(slo.alerting.tiers).map((windowMs) => {
      const recorded = series.find(
        (s) =>
          s.labels[labelName.id] === slo.id && parseDuration(s.labels[labelName.window] ?? '') === windowMs,
      );
      const samples = recorded?.samples ?? [];
      let next = 0;
      const values = t.map((time) => {
        while (next < samples.length && (samples[next]?.t ?? Infinity) <= time) next++;
        const sample = samples[next - 1];
        if (!sample || time - sample.t > lookbackMs || !Number.isFinite(sample.v)) return null;
        return sample.v / budget;
      });
      return {
        source: 'prometheus' as const,
        slo: slo.baseName,
        ...(slo.segment ? { segment: slo.segment.value } : {}),
        windowMs,
        values,
      };
    });
  });
}
