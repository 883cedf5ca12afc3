import type { Slo } from '../../slo/model.js';
import { createBuiltinEvaluator, type EvaluationTick } from '../alerts/builtin-evaluator.js';
import { parseExposition } from '../alerts/exposition.js';
import type { BurnSeries, JournalAlert } from '../journal.js';
import { createServersView } from '../observe/servers-view.js';
import type { Observer, ObserverRecord } from '../runner/ports.js';

/** Prometheus as the game day uses it: alert states and burn rates read back at the end. */
export interface PrometheusReader {
  readonly url: string;
  readAlerts(fromMs: number, toMs: number): Promise<JournalAlert[]>;
  readBurnRates(t: readonly number[]): Promise<BurnSeries[]>;
  stop(): Promise<void>;
}

export interface MetricsObserverOptions {
  readonly metricsUrl: string;
  /** The SLOs with their windows divided by the time scale: the rules the run evaluates. */
  readonly scaledSlos: readonly Slo[];
  readonly evaluationIntervalMs: number;
  readonly prometheus?: PrometheusReader;
  /** A scrape that takes longer is a gap in the series, not a failure of the run. */
  readonly scrapeTimeoutMs?: number;
  readonly fetch?: typeof fetch;
  /**
   * A clock in microseconds around the observer's synchronous work (benchmarks): wall time of code
   * that never yields is this thread's CPU, where process CPU would also count GC and I/O threads.
   */
  readonly cpuMicros?: () => number;
  /** Told about scrapes that failed (the store down is an observation, not an error). */
  onScrapeFailed?(atMs: number, reason: string): void;
}

/**
 * The servers' view of a game day: the store's /metrics scraped once a sample, fed to the built-in
 * rule evaluator (burn rates and alert states from the generated rules, time-scaled) and to the
 * per-segment checkout view. With a real Prometheus beside it, its own alert states and recorded
 * burn rates are read back when the observer closes and journaled next to the built-in ones.
 */
export function metricsObserver(
  options: MetricsObserverOptions,
): Observer & { readonly cpuMicrosSpent: () => number } {
  const evaluator = createBuiltinEvaluator(options.scaledSlos, {
    evaluationIntervalMs: options.evaluationIntervalMs,
  });
  const view = createServersView();
  const doFetch = options.fetch ?? fetch;
  const t: number[] = [];
  let last: EvaluationTick | undefined;
  let fromPrometheus: { alerts: JournalAlert[]; burnRates: BurnSeries[] } | undefined;
  let spent = 0;
  const sloById = new Map(options.scaledSlos.map((slo) => [slo.id, slo]));
  const segments = [
    ...new Set(options.scaledSlos.flatMap((slo) => (slo.segment ? [slo.segment.value] : []))),
  ].sort();

  const scrape = async (atMs: number): Promise<string | undefined> => {
    try {
      const response = await doFetch(options.metricsUrl, {
        signal: AbortSignal.timeout(options.scrapeTimeoutMs ?? 900),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return await response.text();
    } catch (error) {
      options.onScrapeFailed?.(atMs, error instanceof Error ? error.message : String(error));
      return undefined;
    }
  };

  return {
    cpuMicrosSpent: () => spent,
    segments,
    async sample(atMs) {
      const text = await scrape(atMs);
      const cpuBefore = options.cpuMicros?.();
      const parsed = text === undefined ? undefined : parseExposition(text);
      if (parsed && !parsed.ok)
        options.onScrapeFailed?.(atMs, `not Prometheus text format: ${parsed.reason}`);
      if (parsed?.ok) {
        evaluator.ingestSamples(parsed.value, atMs);
        view.add(parsed.value, atMs);
      }
      last = evaluator.evaluate(atMs);
      t.push(atMs);
      if (cpuBefore !== undefined && options.cpuMicros) spent += options.cpuMicros() - cpuBefore;
    },
    checkout: (segment, fromMs, toMs) => view.checkout(segment, fromMs, toMs),
    burnRate(slo, segment, windowMs) {
      const ids = options.scaledSlos
        .filter((s) => s.baseName === slo && s.segment?.value === segment)
        .map((s) => s.id);
      const found = last?.burnRates.find((b) => ids.includes(b.sloId) && b.windowMs === windowMs);
      return found?.burnRate ?? undefined;
    },
    firing() {
      return (last?.alerts ?? [])
        .filter((a) => a.state === 'firing')
        .flatMap((a) => {
          const slo = sloById.get(a.sloId);
          const tier = slo?.alerting.tiers.find((x) => x.name === a.tier);
          if (!slo || !tier) return [];
          return [
            {
              alertname: slo.alerting.name,
              ...(slo.segment ? { segment: slo.segment.value } : {}),
              severity: tier.severity,
            },
          ];
        });
    },
    record(): ObserverRecord {
      return {
        t: [...t],
        servers: view.series(t),
        burnRates: [...evaluator.burnSeries(t), ...(fromPrometheus?.burnRates ?? [])],
        alerts: [...evaluator.alerts(), ...(fromPrometheus?.alerts ?? [])],
        errorRatio(segment, fromMs, toMs) {
          const stats = segment === undefined ? undefined : view.checkout(segment, fromMs, toMs);
          return stats && stats.requests > 0 ? stats.errors / stats.requests : undefined;
        },
        requests(segment, fromMs, toMs) {
          return segment === undefined ? undefined : view.checkout(segment, fromMs, toMs)?.requests;
        },
        notEvaluable: evaluator.notEvaluable.flatMap(({ sloId, reason }) => {
          const slo = sloById.get(sloId);
          return slo ? [{ slo, reason }] : [];
        }),
      };
    },
    async close() {
      const prometheus = options.prometheus;
      if (!prometheus) return;
      try {
        const first = t[0];
        const lastT = t.at(-1);
        if (first !== undefined && lastT !== undefined) {
          fromPrometheus = {
            alerts: await prometheus.readAlerts(first, lastT),
            burnRates: await prometheus.readBurnRates(t),
          };
        }
      } finally {
        await prometheus.stop();
      }
    },
  };
}
