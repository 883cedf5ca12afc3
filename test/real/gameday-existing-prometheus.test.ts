import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run as runCli } from '../../src/cli.js';
import { bufferWriter } from '../../src/core/io.js';
import type { JournalAlert } from '../../src/gameday/journal.js';
import { startPrometheus, type RunningPrometheus } from '../../src/gameday/prometheus/start-prometheus.js';
import { loadSloFiles } from '../../src/slo/load.js';
import { generateRuleGroups } from '../../src/slo/rules/generate.js';
import { renderPrometheusRules } from '../../src/slo/rules/render-prometheus.js';
import { scaleSlos } from '../../src/slo/time-scale.js';
import { describeWithPrometheus } from '../helpers/describe-with-prometheus.js';
import { startStoreServe, type ServedStore, type StoreServeAddresses } from '../helpers/store-serve.js';
import { aimedAt, runGameDay } from '../gameday/e2e/support.js';

/**
 * `gameday run --prometheus URL`: a Prometheus the user runs (started here as they would, scraping
 * their store every second with the game day's rules loaded) is checked, then read back instead of
 * one the run starts. The store is `store serve` in its own process, a target of the user's own.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'shopsre-existing-prometheus-'));
let served: ServedStore | undefined;
let addresses: StoreServeAddresses;
const running: RunningPrometheus[] = [];

beforeAll(async () => {
  served = await startStoreServe();
  addresses = served.addresses;
}, 90_000);

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  served?.kill();
});

/** The rules a game day at time scale 60 evaluates, as `<out>/rules.yaml` holds them. */
async function scaledRules(): Promise<string> {
  const slos = await loadSloFiles([join(root, 'reference-store/slos.yaml')], {
    defaultPeriodMs: 30 * 24 * 3600_000,
    cwd: root,
  });
  const file = join(work, 'rules.yaml');
  writeFileSync(
    file,
    renderPrometheusRules(
      generateRuleGroups(scaleSlos(slos, 60), { version: 'test', mode: 'cli-gen-prom' }),
      {
        version: 'test',
      },
    ),
  );
  return file;
}

async function prometheus(name: string, ruleFiles: string[]): Promise<RunningPrometheus> {
  const started = await startPrometheus({
    dataDir: join(work, name),
    metricsUrl: addresses.metrics,
    ruleFiles,
  });
  running.push(started);
  return started;
}

describeWithPrometheus('a game day read from a Prometheus the user runs', () => {
  it('refuses one that does not run the game day’s rules (exit 3), saying what to load', async () => {
    const bare = await prometheus('bare', []);
    const file = aimedAt(
      'vendor-outage',
      { storeUrl: addresses.store, metricsUrl: addresses.metrics, chaosUrl: addresses.faultProxies ?? '' },
      mkdtempSync(join(work, 'bare-')),
    );
    const stderr = bufferWriter();
    const code = await runCli(
      ['gameday', 'run', file, '--prometheus', bare.url, '--out', join(work, 'bare-out')],
      {
        stdout: bufferWriter(),
        stderr,
        env: { PATH: process.env.PATH },
        cwd: work,
        isTTY: false,
      },
    );
    expect(stderr.text()).toContain(
      `Prometheus at ${bare.url} does not run this game day's rules at time scale 60`,
    );
    expect(stderr.text()).toContain(`Load ${join(work, 'bare-out', 'rules.yaml')} into it`);
    expect(code).toBe(3);
  }, 60_000);

  it('both-vendors-down: its alert states are read back, and agree with the built-in evaluator within two evaluations and a scrape', async () => {
    const own = await prometheus('own', [await scaledRules()]);
    const file = aimedAt(
      'both-vendors-down',
      { storeUrl: addresses.store, metricsUrl: addresses.metrics, chaosUrl: addresses.faultProxies ?? '' },
      mkdtempSync(join(work, 'own-')),
    );
    const { journal, code } = await runGameDay(file, { prometheus: true, prometheusUrl: own.url });
    expect(code).toBe(1);
    expect(journal.target.prometheusUrl).toBe(own.url);
    const key = (a: JournalAlert): string => `${a.alertname}/${a.segment ?? ''}/${a.tier}`;
    const fired = (source: JournalAlert['source']) =>
      new Map(
        journal.alerts
          .filter((a) => a.source === source && a.detection?.firingMs !== undefined)
          .map((a) => [key(a), a] as const),
      );
    const builtin = fired('builtin');
    const read = fired('prometheus');
    expect(read.has('CheckoutAvailabilityBudgetBurn/member/page')).toBe(true);
    // Its intervals were read from its API (1 s rule groups, 1 s scrape): the tolerance follows.
    expect(read.get('CheckoutAvailabilityBudgetBurn/member/page')?.detection?.toleranceMs).toBe(3000);
    const gaps = [...builtin].flatMap(([name, alert]) => {
      const other = read.get(name)?.detection?.firingMs;
      return other === undefined ? [] : [[name, Math.abs(other - (alert.detection?.firingMs ?? 0))] as const];
    });
    console.log(gaps.map(([name, gap]) => `${name}: ${gap} ms`).join('\n'));
    // Every segment, VIP included: this Prometheus has scraped the store since before the game day,
    // so its long windows hold more history than the built-in evaluator's, never less.
    expect(gaps.length).toBeGreaterThanOrEqual(6);
    for (const [name, gap] of gaps) expect(gap, name).toBeLessThanOrEqual(3000);
    // The user's Prometheus is theirs: still up after the game day.
    expect((await fetch(`${own.url}/-/ready`)).status).toBe(200);
  }, 150_000);
});
