import type { Slo } from '../../slo/model.js';
import { labelName } from '../../slo/rules/conventions.js';
import type { AlertState, AlertTransition, JournalAlert } from '../journal.js';
import { journalAlert, type TierHistory } from '../alerts/journal-alert.js';
import { rawSamples, type PrometheusApi } from './prometheus-api.js';

export interface ReadWindow {
  readonly fromMs: number;
  readonly toMs: number;
  /** The rule evaluation interval Prometheus ran with. */
  readonly evaluationIntervalMs: number;
}

/**
 * The alert states Prometheus' own rule manager went through, as journal `alerts` entries (source
 * `prometheus`), one per SLO and enabled tier. Read from the `ALERTS` series it wrote: one sample
 * per evaluation while an alert is pending or firing, at the evaluation's own timestamp. An
 * evaluation that leaves no sample is one where the alert was inactive; since rule groups run on a
 * fixed ticker, an alert that stops writing samples went inactive one interval after its last one.
 */
export async function readPrometheusAlerts(
  api: PrometheusApi,
  scaledSlos: readonly Slo[],
  window: ReadWindow,
): Promise<JournalAlert[]> {
  const series = await rawSamples(api, `ALERTS{${labelName.id}!=""}`, window.fromMs, window.toMs);
  const timesOf = (sloId: string, tier: string, state: 'pending' | 'firing'): number[] =>
    series
      .filter(
        (s) =>
          s.labels[labelName.id] === sloId &&
          s.labels[labelName.severity] === tier &&
          s.labels.alertstate === state,
      )
      .flatMap((s) => s.samples.map((sample) => sample.t));
  return scaledSlos.flatMap((slo) =>
    slo.alerting.tiers
      .filter((tier) => tier.enabled)
      .map((tier) =>
        journalAlert(
          slo,
          tier,
          'prometheus',
          historyFromSamples(
            timesOf(slo.id, tier.name, 'pending'),
            timesOf(slo.id, tier.name, 'firing'),
            window,
          ),
        ),
      ),
  );
}

function historyFromSamples(pending: number[], firing: number[], window: ReadWindow): TierHistory {
  const samples: { t: number; state: AlertState }[] = [
    ...pending.map((t) => ({ t, state: 'pending' as const })),
    ...firing.map((t) => ({ t, state: 'firing' as const })),
  ].sort((a, b) => a.t - b.t);
  // Half an interval of slack for scheduling jitter between two evaluations.
  const gapMs = 1.5 * window.evaluationIntervalMs;
  const transitions: AlertTransition[] = [];
  let state: AlertState = 'inactive';
  let lastMs = -Infinity;
  for (const sample of samples) {
    if (state !== 'inactive' && sample.t - lastMs > gapMs) {
      transitions.push({ atMs: lastMs + window.evaluationIntervalMs, state: 'inactive' });
      state = 'inactive';
    }
    if (sample.state !== state) {
      transitions.push({ atMs: sample.t, state: sample.state });
      state = sample.state;
    }
    lastMs = sample.t;
  }
  if (state !== 'inactive' && window.toMs - lastMs > gapMs) {
    transitions.push({ atMs: lastMs + window.evaluationIntervalMs, state: 'inactive' });
  }
  return {
    transitions,
    firstActiveMs: samples[0]?.t,
    firstFiringMs: firing.length > 0 ? Math.min(...firing) : undefined,
  };
}
