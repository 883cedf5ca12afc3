import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resolveFaultSpec } from '../../src/chaos/fault-spec.js';
import { localDriver } from '../../src/chaos/local/local-driver.js';
import { startFaultProxyServer, type FaultProxyServer } from '../../src/chaos/local/proxy/index.js';
import { faultProxyInterposer } from '../../src/chaos/local/store-links.js';
import { endFault, runFault, type FaultRun } from '../../src/chaos/run-fault.js';
import { runSloGenerate } from '../../src/commands/slo-generate.js';
import { fixedClock, systemClock } from '../../src/core/clock.js';
import { ExitCode } from '../../src/core/errors.js';
import { bufferWriter } from '../../src/core/io.js';
import { createLogger } from '../../src/core/logger.js';
import { buildLoadPlan } from '../../src/loadgen/build-plan.js';
import { systemMonotonicClock } from '../../src/loadgen/engine/system-clock.js';
import { defaultProfile, type LoadProfile } from '../../src/loadgen/profile.js';
import { parseLoadResults, type LoadResults } from '../../src/loadgen/results.js';
import { runLoad } from '../../src/loadgen/run-load.js';
import { evaluateSlos, type Evaluation, type SloResult } from '../../src/slo/evaluate/evaluate.js';
import { defaultPolicy } from '../../src/slo/evaluate/policy.js';
import { prometheusSource } from '../../src/slo/evaluate/prometheus-source.js';
import { loadResultsSource } from '../../src/slo/evaluate/results-source.js';
import { loadSloFiles } from '../../src/slo/load.js';
import type { Slo } from '../../src/slo/model.js';
import { describeWithPrometheus } from '../helpers/describe-with-prometheus.js';
import { startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import {
  fastPayments,
  setStock,
  startTestStore,
  testCatalog,
  type TestStore,
} from '../reference-store/support/test-store.js';

/**
 * Issue 13: the customers' view (a load run's results) and the servers' view (Prometheus scraping
 * the store every second, with the rules `slo generate` writes) of one run agree, SLO by SLO and
 * segment by segment, on a run with everything that used to split them: sell-outs (409), declined
 * payments (402), pending ones (202), and a partial outage of both payment vendors (503).
 *
 * Both sides count the same requests, so what can part them is only where Prometheus' window starts
 * and ends. A counter's first scrape is its baseline: the events before it are no increase, so a series
 * born mid-run (the first 503 of a segment) loses its first events. The series the SLIs read are
 * created at zero before the first scrape, as Prometheus' instrumentation guidance asks, so only the
 * end remains: rate() extrapolates to the evaluation time by up to one scrape interval. The tolerance
 * is three binomial standard deviations of the ratio plus one scrape's worth of events.
 *
 * The load generator runs on worker threads, so its clock is not held up by the store and its
 * embedded database sharing the test's event loop: a wait the store's own timer cannot see.
 */
const repoRoot = resolve(import.meta.dirname, '../..');
const runMs = 60_000;
const rate = 16;

describeWithPrometheus('the customers’ view and the servers’ view of one run', ({ prometheus: binary }) => {
  let dir: string;
  let proxies: FaultProxyServer | undefined;
  let store: TestStore | undefined;
  let prometheus: RunningPrometheus | undefined;
  const faults: FaultRun[] = [];
  let slos: Slo[];
  let results: LoadResults;
  let fromResults: Evaluation;
  let fromPrometheus: Evaluation;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shopsre-agree-'));
    proxies = await startFaultProxyServer();
    // No retries at a vendor: a failed call fails over to the other vendor at once, and a checkout
    // whose two calls both fail answers 503 (about 0.3 × 0.3 of them).
    store = await startTestStore({
      interpose: faultProxyInterposer(proxies),
      payment: { ...fastPayments, retries: 0 },
    });
    // Sell-outs: the two most popular products (the catalog's first two, under Zipf) have 4 left.
    await setStock(store, 'p-00001', 4);
    await setStock(store, 'p-00002', 4);
    // The store creates every series its SLIs read at zero (initializeSloSeries), so Prometheus has a
    // sample of each before the first event and no first 5xx is lost to rate().

    slos = await loadSloFiles(['reference-store/slos.yaml'], {
      defaultPeriodMs: 30 * 86_400_000,
      cwd: repoRoot,
    });
    const quiet = bufferWriter();
    const clock = fixedClock(Date.now());
    const generated = await runSloGenerate(
      {
        paths: [join(repoRoot, 'reference-store/slos.yaml')],
        format: 'prometheus',
        out: join(dir, 'rules.yaml'),
        defaultSloPeriod: '30d',
      },
      {
        io: { stdout: quiet, stderr: quiet, env: {}, cwd: dir, isTTY: false },
        clock,
        logger: createLogger({ sink: quiet, clock }),
      },
    );
    expect(generated).toBe(ExitCode.ok);
    const target = new URL(store.url);
    await writeFile(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'rule_files: [rules.yaml]',
        'scrape_configs:',
        '  - job_name: store',
        `    static_configs: [{ targets: ["${target.host}"] }]`,
        '',
      ].join('\n'),
    );
    prometheus = await startPrometheus({
      binary,
      configFile: join(dir, 'prometheus.yml'),
      dataDir: join(dir, 'data'),
    });
    // The run starts once Prometheus holds the zeros: its first scrape is the baseline of every series.
    const scraped = Date.now() + 15_000;
    while ((await scrapedRequests(prometheus.url)) === undefined && Date.now() < scraped) await delay(200);

    // A partial outage of both vendors for the whole run (bounded: 90 s at most, reverted after it).
    const driver = localDriver({ controlUrl: proxies.url });
    for (const vendor of ['primary', 'backup']) {
      faults.push(
        await runFault({
          spec: resolveFaultSpec('vendor-outage', [`vendor=${vendor}`, 'rate=0.3'], '90s'),
          driver,
          statePath: join(dir, 'chaos-state.json'),
          runId: `agree-${vendor}`,
          signal: new AbortController().signal,
          hold: false,
        }),
      );
    }

    const profile: LoadProfile = {
      ...defaultProfile,
      journey: {
        ...defaultProfile.journey,
        // Mostly checkouts, few VIPs (so VIP stays under minEvents: NO DATA on both sides).
        segmentMix: { guest: 60, member: 39, vip: 1 },
        funnel: { browse: 2, addToCart: 1, checkout: 7 },
        products: { count: testCatalog.products, skew: 1 },
        declineShare: 0.05,
      },
    };
    const plan = buildLoadPlan(
      { target: store.url, rate, durationMs: runMs, seed: 13, preset: 'steady' },
      profile,
    );
    ({ results } = await runLoad({
      plan,
      runId: 'agree',
      runNonce: 'agree',
      workers: 2,
      stopConditions: [],
      signal: new AbortController().signal,
      clock: systemMonotonicClock,
      wallClock: systemClock,
    }));
    // Until a scrape has every request the run sent (bounded), so the window ends after the run.
    const answered =
      results.totals.requests - results.totals.errorsByKind.timeout - results.totals.errorsByKind.connection;
    const deadline = Date.now() + 15_000;
    for (;;) {
      await delay(1_000);
      const seen = (await scrapedRequests(prometheus.url)) ?? 0;
      if (seen >= answered || Date.now() > deadline) break;
    }
    const at = Date.now();
    const file = parseLoadResults('results.json', JSON.stringify(results));
    fromResults = await evaluateSlos(slos, loadResultsSource(file, slos), { at, policy: defaultPolicy });
    fromPrometheus = await evaluateSlos(
      slos,
      prometheusSource({ url: prometheus.url, fetch: (url, init) => fetch(url, init) }),
      { at, policy: defaultPolicy },
    );
  }, 150_000);

  afterAll(async () => {
    const driver = proxies ? localDriver({ controlUrl: proxies.url }) : undefined;
    for (const run of faults) {
      if (driver)
        await endFault({ driver, statePath: join(dir, 'chaos-state.json') }, run.fault).catch(
          () => undefined,
        );
    }
    await prometheus?.stop();
    await store?.stop();
    await proxies?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  function tolerance(result: SloResult): number {
    const n = Math.max(1, result.period.events ?? 0);
    const p = Math.min(Math.max(result.period.errorRatio, 1 / n), 1 - 1 / n);
    const eventsPerScrape = n / (runMs / 1000);
    return 3 * Math.sqrt((p * (1 - p)) / n) + (eventsPerScrape + 1) / n;
  }

  it('the run had sell-outs, declines, pending payments and vendor failures, and no errors of its own', () => {
    const checkout = results.byStep.checkout;
    expect(checkout?.businessOutcomes?.outOfStock).toBeGreaterThan(20);
    expect(checkout?.businessOutcomes?.declined).toBeGreaterThan(5);
    expect(checkout?.byStatus?.['503'] ?? 0).toBeGreaterThan(0);
    expect(results.totals.errorsByKind).toMatchObject({ timeout: 0, connection: 0, check: 0 });
  });

  it('every SLO × segment: the SLI from the results and from Prometheus agree within tolerance, and so do the verdicts', () => {
    const rows: string[] = [
      `${'SLO'.padEnd(34)}${'SEGMENT'.padEnd(9)}${'EVENTS R'.padStart(9)}${'EVENTS P'.padStart(10)}${'SLI RESULTS'.padStart(13)}${'SLI PROM'.padStart(11)}${'TOL'.padStart(8)}  VERDICTS`,
    ];
    fromResults.slos.forEach((customers, i) => {
      const servers = fromPrometheus.slos[i];
      if (!servers) throw new Error(`no Prometheus result for ${customers.slo.id}`);
      const tol = tolerance(customers);
      rows.push(
        `${customers.slo.baseName.padEnd(34)}${(customers.slo.segment?.value ?? '-').padEnd(9)}` +
          `${String(customers.period.events ?? '-').padStart(9)}${(servers.period.events ?? 0).toFixed(1).padStart(10)}` +
          `${(customers.sli * 100).toFixed(3).padStart(12)}%${(servers.sli * 100).toFixed(3).padStart(10)}%` +
          `${(tol * 100).toFixed(2).padStart(7)}%  ${customers.verdict} / ${servers.verdict}`,
      );
    });
    console.log(rows.join('\n'));
    for (const [i, customers] of fromResults.slos.entries()) {
      const servers = fromPrometheus.slos[i];
      expect(servers?.slo.id).toBe(customers.slo.id);
      const id = customers.slo.id;
      expect(
        Math.abs(customers.period.errorRatio - (servers?.period.errorRatio ?? Number.NaN)),
        id,
      ).toBeLessThanOrEqual(tolerance(customers));
      expect(servers?.verdict, id).toBe(customers.verdict);
    }
  });

  it('the segments the run barely reached are NO DATA on both sides, and the availability SLOs judged something', () => {
    const verdict = (evaluation: Evaluation, id: string) =>
      evaluation.slos.find((r) => r.slo.id === id)?.verdict;
    expect(verdict(fromResults, 'store-checkout-availability-vip')).toBe('no-data');
    expect(verdict(fromPrometheus, 'store-checkout-availability-vip')).toBe('no-data');
    expect(verdict(fromResults, 'store-checkout-availability-guest')).not.toBe('no-data');
  });

  it('counting every non-2xx answer as bad (the old way) would have parted the two views', () => {
    const guest = results.bySegmentStep.guest?.checkout;
    const servers = fromPrometheus.slos.find((r) => r.slo.id === 'store-checkout-availability-guest');
    const customers = fromResults.slos.find((r) => r.slo.id === 'store-checkout-availability-guest');
    if (!guest || !servers || !customers) throw new Error('no guest checkouts');
    const notTwoXx = Object.entries(guest.byStatus ?? {})
      .filter(([status]) => !status.startsWith('2'))
      .reduce((n, [, count]) => n + count, 0);
    const oldRatio = (notTwoXx + guest.errorsByKind.timeout + guest.errorsByKind.connection) / guest.requests;
    expect(Math.abs(oldRatio - servers.period.errorRatio)).toBeGreaterThan(tolerance(customers));
  });
});

/** Requests the store had answered by Prometheus' latest scrape; undefined before its first. */
async function scrapedRequests(url: string): Promise<number | undefined> {
  const body = new URLSearchParams({ query: 'sum(http_requests_total{route=~"/api/.*"})' });
  const answer = (await (await fetch(`${url}/api/v1/query`, { method: 'POST', body })).json()) as {
    data?: { result?: { value: [number, string] }[] };
  };
  const value = answer.data?.result?.[0]?.value[1];
  return value === undefined ? undefined : Number(value);
}
