import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { JournalAlert } from '../../src/gameday/journal.js';
import { rawSamples } from '../../src/gameday/prometheus/prometheus-api.js';
import { describeWithPrometheus } from '../helpers/describe-with-prometheus.js';
import { startPrometheus } from '../helpers/prometheus.js';
import { runGameDay, shortened } from '../gameday/e2e/support.js';

/**
 * A whole game day with `--with-prometheus`: a real Prometheus scrapes the embedded store every
 * second and evaluates the generated, time-scaled rules beside the built-in evaluator. Every alert
 * that fired after the fault in both must fire within two evaluation intervals plus one scrape of
 * each other, in every segment (VIP included, with a tenth of the traffic).
 */
describeWithPrometheus('a game day with a real Prometheus', ({ prometheus: binary }) => {
  it('both-vendors-down: alert times from Prometheus and from the built-in evaluator agree within two evaluations and a scrape', async () => {
    const scenarios = mkdtempSync(join(tmpdir(), 'shopsre-scenarios-'));
    const result = await runGameDay(shortened('both-vendors-down', scenarios), { withPrometheus: true });
    const { journal } = result;
    expect(journal.target.prometheusUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // Both must see the store from about the same moment: the 1 h and 6 h windows, scaled to 1 and
    // 6 minutes, are longer than the run, so what they count is what was scraped since the first
    // scrape, and the minimum-events guard (20) is met only as early as that history allows. Before
    // start-up waited for Prometheus to list its target (its discovery's 5 s ticker), its first
    // scrape came 4.3 to 4.6 s after the built-in evaluator's, and VIP alerts 3.5 to 4.3 s later.
    const firstScrapeMs = await prometheusFirstScrape(binary, join(result.outDir, 'prometheus', 'data'), {
      fromMs: journal.startedAtMs,
      toMs: journal.endedAtMs,
    });
    const builtinFirstMs = journal.series.t[0] ?? NaN;
    console.log(`Prometheus' first scrape − the built-in evaluator's: ${firstScrapeMs - builtinFirstMs} ms`);
    expect(firstScrapeMs - builtinFirstMs).toBeLessThanOrEqual(500);
    expect(firstScrapeMs - builtinFirstMs).toBeGreaterThanOrEqual(-2000);

    const key = (a: JournalAlert): string => `${a.alertname}/${a.segment ?? ''}/${a.tier}`;
    const fired = (source: JournalAlert['source']) =>
      new Map(
        journal.alerts
          .filter((a) => a.source === source && a.detection?.firingMs !== undefined)
          .map((a) => [key(a), a.detection?.firingMs ?? 0]),
      );
    const builtin = fired('builtin');
    const prometheus = fired('prometheus');
    // The checkout availability pages of member and VIP at least, in both.
    for (const segment of ['member', 'vip']) {
      expect(builtin.has(`CheckoutAvailabilityBudgetBurn/${segment}/page`), segment).toBe(true);
      expect(prometheus.has(`CheckoutAvailabilityBudgetBurn/${segment}/page`), segment).toBe(true);
    }
    const gaps = [...builtin].flatMap(([name, at]) => {
      const other = prometheus.get(name);
      return other === undefined ? [] : [[name, other - at] as const];
    });
    // Every gap is printed for the record (positive: Prometheus later).
    console.log(gaps.map(([name, gap]) => `${name}: ${gap} ms`).join('\n'));
    expect(gaps.filter(([name]) => name.includes('/vip/')).length).toBeGreaterThanOrEqual(2);
    expect(gaps.length).toBeGreaterThanOrEqual(6);
    for (const [name, gap] of gaps)
      expect(Math.abs(gap), `${name}: ${gap} ms apart`).toBeLessThanOrEqual(3000);
    // Each fired no earlier than the bound its detection records (Prometheus' own too).
    for (const alert of journal.alerts.filter(
      (a) => a.detection?.firingMs !== undefined && a.detection.earliestFiringMs !== undefined,
    )) {
      expect(alert.detection?.firingMs ?? 0, key(alert)).toBeGreaterThanOrEqual(
        alert.detection?.earliestFiringMs ?? 0,
      );
    }
  }, 120_000);
});

/** The time of the first `up` sample in a stopped Prometheus' TSDB, read by one started on it without scrapes or rules. */
async function prometheusFirstScrape(
  binary: string,
  dataDir: string,
  window: { fromMs: number; toMs: number },
): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'shopsre-prometheus-reader-'));
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, 'global: {}\n');
  const reader = await startPrometheus({ binary, configFile, dataDir });
  try {
    const api = { url: reader.url, fetch: (url: string, init: RequestInit) => fetch(url, init) };
    const up = await rawSamples(api, 'up', window.fromMs, window.toMs);
    const first = Math.min(...up.flatMap((s) => s.samples.map((sample) => sample.t)));
    expect(Number.isFinite(first), 'Prometheus stored no scrape').toBe(true);
    return first;
  } finally {
    await reader.stop();
  }
}
