import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { runRunbookAlerts } from '../../src/commands/runbook-alerts.js';
import { ExitCode } from '../../src/core/errors.js';
import { startPrometheus, type RunningPrometheus } from '../../src/gameday/prometheus/start-prometheus.js';
import { describeWithPrometheus } from '../helpers/describe-with-prometheus.js';
import { labelsStep, runbookText } from './builders.js';
import {
  checkoutShopsre,
  commandContext,
  noSignals,
  readRecord,
  repoRoot,
  vipCheckoutPage,
  writeFiringRules,
} from './helpers.js';

/**
 * A real Prometheus (Debian's) evaluating one alerting rule that fires at once, with the labels the
 * generated checkout alert carries. `runbook alerts --prometheus` lists it with its runbook, and
 * `--open 1` runs that runbook's read-only steps with the alert's labels, `slo report` against the
 * same Prometheus included. In CI a missing prometheus fails the suite.
 */
describeWithPrometheus('runbook alerts against a real Prometheus', (binaries) => {
  const workdir = mkdtempSync(join(tmpdir(), 'shopsre-runbook-prometheus-'));
  const dir = join(workdir, 'runbooks');
  let prometheus: RunningPrometheus | undefined;

  beforeAll(async () => {
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'checkout-availability.md'),
      runbookText({
        steps: [
          labelsStep,
          {
            attributes: '{name=slo-report readonly timeout=1m}',
            command: 'shopsre slo report "$SLO_FILE" --prometheus "$PROMETHEUS_URL"',
          },
        ],
      }),
    );
    const rules = writeFiringRules(join(workdir, 'rules.yaml'), [vipCheckoutPage]);
    prometheus = await startPrometheus({
      dataDir: join(workdir, 'prometheus'),
      // Nothing to scrape: the rule needs no series.
      metricsUrl: 'http://127.0.0.1:9/metrics',
      ruleFiles: [rules],
      binary: binaries.prometheus,
    });
    const url = `${prometheus.url}/api/v1/alerts`;
    await vi.waitFor(
      async () => {
        const body = (await (await fetch(url)).json()) as { data: { alerts: { state: string }[] } };
        expect(body.data.alerts.map((a) => a.state)).toEqual(['firing']);
      },
      { timeout: 30_000, interval: 200 },
    );
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    rmSync(workdir, { recursive: true, force: true });
  });

  const flags = { dir, labels: [], yes: false, readonly: false, json: false };

  it('lists the firing alert with its labels and its runbook', async () => {
    const { ctx, stdout } = commandContext(repoRoot);
    const code = await runRunbookAlerts({ ...flags, prometheus: prometheus?.url ?? '' }, ctx);
    expect(code).toBe(ExitCode.ok);
    const [header, row] = stdout.text().split('\n');
    expect(header).toMatch(/^#\s+ALERT\s+LABELS\s+SINCE\s+RUNBOOK$/);
    expect(row).toMatch(
      /^1\s+CheckoutAvailabilityBudgetBurn\s+segment=vip severity=page sloth_slo=checkout-availability sloth_service=store\s+\d{4}-\S+\s+checkout-availability$/,
    );
  });

  it('opens it with its labels: the steps run with them filled in, slo report against the same Prometheus', async () => {
    const record = join(workdir, 'record.jsonl');
    const { ctx, stderr } = commandContext(repoRoot);
    const code = await runRunbookAlerts(
      { ...flags, prometheus: prometheus?.url ?? '', open: '1', yes: true, readonly: true, record },
      ctx,
      { shopsre: checkoutShopsre, signals: noSignals },
    );
    expect(stderr.text()).toContain('alert CheckoutAvailabilityBudgetBurn {');
    const records = readRecord(record);
    expect(records.map((r) => [r.step, r.outcome])).toEqual([
      ['labels', 'passed'],
      ['slo-report', 'passed'],
    ]);
    expect(records[0]?.output).toBe('segment=vip slo=checkout-availability service=store');
    expect(records[1]?.command).toContain(`--prometheus "${prometheus?.url ?? ''}"`);
    expect(records[1]?.output).toContain('store/checkout-availability');
    expect(code).toBe(ExitCode.ok);
  });
});
