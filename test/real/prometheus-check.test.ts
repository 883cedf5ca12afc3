import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSloEvaluation, type SloEvaluationOptions } from '../../src/commands/slo-check.js';
import type { CommandContext } from '../../src/commands/context.js';
import { fixedClock } from '../../src/core/clock.js';
import { EnvironmentError, ExitCode } from '../../src/core/errors.js';
import { bufferWriter } from '../../src/core/io.js';
import { createLogger } from '../../src/core/logger.js';
import type { JsonReport, JsonWindow } from '../../src/slo/evaluate/json-report.js';
import { burnFactor, errorBudgetRatio } from '../../src/slo/model.js';
import { defaultWindows } from '../../src/slo/windows.js';
import { describeWithPrometheus } from '../helpers/describe-with-prometheus.js';
import { freePort, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';

/**
 * `slo check --prometheus` against a real Prometheus (Debian's `prometheus` package): three hours
 * of counters are backfilled with `promtool tsdb create-blocks-from openmetrics`, and the check
 * evaluates at the last sample. In CI a missing binary fails the test; elsewhere it is skipped.
 */
const run = promisify(execFile);
const minute = 60_000;
const hour = 60 * minute;

/** Per-minute increments of one request counter and its error counter. */
interface Series {
  readonly labels: string;
  readonly requestsPerMinute: (minuteIndex: number) => number;
  readonly errorsPerMinute: (minuteIndex: number) => number;
}

const minutes = 180;
// catalog: 0.1 % errors all along, a tenth of a 1 % budget. checkout: 0.1 %, then 20 % in the last hour.
const series: readonly Series[] = [
  { labels: 'route="catalog",segment="guest"', requestsPerMinute: () => 1_000, errorsPerMinute: () => 1 },
  {
    labels: 'route="catalog",segment="vip"',
    requestsPerMinute: () => 500,
    errorsPerMinute: (i) => (i % 2 === 0 ? 1 : 0),
  },
  {
    labels: 'route="checkout",segment="guest"',
    requestsPerMinute: () => 1_000,
    errorsPerMinute: (i) => (i < 120 ? 1 : 200),
  },
];

/** Counter value after `m` minutes (0 at the first sample). */
function cumulative(perMinute: (i: number) => number, m: number): number {
  let total = 0;
  for (let i = 0; i < m; i++) total += perMinute(i);
  return total;
}

/**
 * The error ratio a window ending at the last sample should show, from the series as written: the
 * counters start at 0, so a window longer than the data covers all of it.
 */
function expectedRatio(
  route: string,
  segment: string | undefined,
  windowMs: number,
): { ratio: number; requests: number } {
  const from = Math.max(0, minutes - windowMs / minute);
  let errors = 0;
  let requests = 0;
  for (const s of series.filter(
    (x) => x.labels.includes(`route="${route}"`) && (!segment || x.labels.includes(`segment="${segment}"`)),
  )) {
    errors += cumulative(s.errorsPerMinute, minutes) - cumulative(s.errorsPerMinute, from);
    requests += cumulative(s.requestsPerMinute, minutes) - cumulative(s.requestsPerMinute, from);
  }
  return { ratio: errors / requests, requests };
}

function openMetrics(startSeconds: number): string {
  const lines: string[] = [];
  const family = (name: string, pick: (s: Series) => (i: number) => number) => {
    lines.push(`# TYPE ${name} counter`);
    for (const s of series) {
      for (let m = 0; m <= minutes; m++)
        lines.push(`${name}_total{${s.labels}} ${cumulative(pick(s), m)} ${startSeconds + m * 60}`);
    }
  };
  family('shop_requests', (s) => s.requestsPerMinute);
  family('shop_request_errors', (s) => s.errorsPerMinute);
  lines.push('# EOF', '');
  return lines.join('\n');
}

const sloFile = (name: string, route: string, segmented: boolean) =>
  [
    'apiVersion: shopsre/v1',
    'kind: SLO',
    'service: store',
    'segments: { label: segment, values: [guest, vip] }',
    `name: ${name}`,
    `segmented: ${segmented}`,
    'objective: 99',
    'period: 30d',
    'sli:',
    '  events:',
    `    errorQuery: sum(rate(shop_request_errors_total{route="${route}"}[{{.window}}]))`,
    `    totalQuery: sum(rate(shop_requests_total{route="${route}"}[{{.window}}]))`,
    '',
  ].join('\n');

describeWithPrometheus(
  'slo check against a real Prometheus',
  ({ prometheus: prometheusBin, promtool: promtoolBin }) => {
    let dir: string;
    let prometheus: RunningPrometheus | undefined;
    let url: string;
    let atSeconds: number;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'shopsre-prometheus-'));
      // Three hours ending an hour ago, on whole minutes: well inside the default 15 d retention.
      const endSeconds = Math.floor((Date.now() - hour) / minute) * 60;
      const startSeconds = endSeconds - minutes * 60;
      atSeconds = endSeconds;
      await writeFile(join(dir, 'series.om'), openMetrics(startSeconds));
      await run(promtoolBin, [
        'tsdb',
        'create-blocks-from',
        'openmetrics',
        join(dir, 'series.om'),
        join(dir, 'data'),
      ]);
      await writeFile(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
      await writeFile(join(dir, 'healthy.slo.yaml'), sloFile('catalog-availability', 'catalog', true));
      await writeFile(join(dir, 'burning.slo.yaml'), sloFile('checkout-availability', 'checkout', false));

      prometheus = await startPrometheus({
        binary: prometheusBin,
        configFile: join(dir, 'prometheus.yml'),
        dataDir: join(dir, 'data'),
      });
      url = prometheus.url;
    });

    afterAll(async () => {
      await prometheus?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    function evaluate(overrides: Partial<SloEvaluationOptions>) {
      const stdout = bufferWriter();
      const stderr = bufferWriter();
      const clock = fixedClock(Date.now());
      const ctx: CommandContext = {
        io: { stdout, stderr, env: {}, cwd: dir, isTTY: false },
        clock,
        logger: createLogger({ sink: stderr, clock }),
      };
      const options: SloEvaluationOptions = {
        paths: ['healthy.slo.yaml'],
        prometheus: url,
        at: String(atSeconds),
        defaultSloPeriod: '30d',
        json: true,
        gate: true,
        ...overrides,
      };
      return { code: runSloEvaluation(options, ctx), out: () => stdout.text(), err: () => stderr.text() };
    }

    it('passes the SLO within budget: exit 0', async () => {
      const check = evaluate({});
      expect(await check.code).toBe(ExitCode.ok);
      const report = JSON.parse(check.out()) as JsonReport;
      expect(report.verdict).toBe('pass');
      expect(report.slos.map((s) => [s.segment, s.verdict])).toEqual([
        ['guest', 'pass'],
        ['vip', 'pass'],
      ]);
    });

    it('fails once the burning SLO is included: exit 1, and the numbers match the series written', async () => {
      const check = evaluate({ paths: ['healthy.slo.yaml', 'burning.slo.yaml'] });
      expect(await check.code).toBe(ExitCode.checkFailed);
      const report = JSON.parse(check.out()) as JsonReport;
      expect(report).toMatchObject({
        evaluatedAt: new Date(atSeconds * 1000).toISOString(),
        source: { origin: url, measuredWindowMs: null },
        verdict: 'fail',
        counts: { total: 3, pass: 2, warn: 0, fail: 1 },
      });
      const budget = errorBudgetRatio(99);
      for (const slo of report.slos) {
        const route = slo.slo === 'catalog-availability' ? 'catalog' : 'checkout';
        const segment = slo.segment ?? undefined;
        const period = expectedRatio(route, segment, slo.periodMs);
        expect(slo.errorRatio).toBeCloseTo(period.ratio, 9);
        expect(slo.events).toBeCloseTo(period.requests, 3);
        expect(slo.errorBudgetRemainingPercent).toBeCloseTo((1 - period.ratio / budget) * 100, 6);
        const check = (w: JsonWindow) =>
          expect(w.errorRatio, `${slo.id} ${w.window}`).toBeCloseTo(
            expectedRatio(route, segment, w.windowMs).ratio,
            9,
          );
        for (const tier of slo.tiers) {
          for (const condition of [tier.quick, tier.slow]) {
            check(condition.short);
            check(condition.long);
            const above = (w: JsonWindow) =>
              expectedRatio(route, segment, w.windowMs).ratio > condition.threshold * budget;
            expect(condition.firing).toBe(above(condition.short) && above(condition.long));
          }
        }
      }
      const checkout = report.slos.find((s) => s.slo === 'checkout-availability');
      expect(checkout?.verdict).toBe('fail');
      expect(checkout?.reasons.map((r) => r.step)).toEqual(['budget-exhausted', 'page-burn']);
      // The last hour burns at 20× against a 14.4× page threshold on both quick windows.
      expect(checkout?.tiers[0]?.quick.firing).toBe(true);
      expect(checkout?.tiers[0]?.quick.threshold).toBeCloseTo(
        burnFactor(defaultWindows.page.quick, 30 * 24 * hour),
        12,
      );
    });

    it('slo report prints the same failing evaluation but exits 0', async () => {
      const report = evaluate({ paths: ['burning.slo.yaml'], gate: false, json: false });
      expect(await report.code).toBe(ExitCode.ok);
      expect(report.out()).toMatch(/^store\/checkout-availability {2}- .* FIRING .* FAIL$/m);
    });

    it('an unreachable Prometheus is an environment error: exit 3, naming the URL and the query', async () => {
      const closed = `http://127.0.0.1:${await freePort()}`;
      const error = await evaluate({ prometheus: closed }).code.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(EnvironmentError);
      expect((error as EnvironmentError).exitCode).toBe(ExitCode.environment);
      expect((error as EnvironmentError).message).toMatch(
        new RegExp(`^Prometheus at ${closed}: unreachable \\(ECONNREFUSED\\); query: sum\\(rate\\(shop_`),
      );
    });
  },
);
